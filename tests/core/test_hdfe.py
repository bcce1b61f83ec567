"""Least squares with many fixed effects against pyfixest and an explicit dummy regression.

Oracles: ``pyfixest.feols`` with ``vcov={"CRV1": ...}`` and its default small-sample settings
(coefficients and clustered standard errors), and least squares on one dummy per level of
every effect (``numpy.linalg.lstsq``, coefficients). Tolerances: 1e-10 relative for the
coefficients and 1e-8 for the standard errors (the default absorption is exact; the
alternating projections, also checked, run to a relative change of 1e-13 per sweep;
pyfixest's demeaning to ``MapDemeaner(fixef_tol=1e-12)``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govcluster.core.absorb import group_codes, interaction_codes
from govcluster.core.hdfe import fit_hdfe, fixed_effect_dof, non_singleton_rows
from govcluster.errors import EstimationError

pf = pytest.importorskip("pyfixest")

TIGHT = 1e-13
REGRESSORS = ["x0", "x1", "x2"]


@pytest.fixture(scope="module")
def firms() -> pd.DataFrame:
    """600 firms over 8 years with 30% of firm-years missing.

    12 industries, 40 clusters of firms, 6 provinces; regressors correlated with the firm,
    year and industry-year effects.
    """
    rng = np.random.default_rng(20261129)
    n_firms, n_years = 600, 8
    frame = pd.DataFrame(
        {
            "firm": np.repeat(np.arange(n_firms), n_years),
            "year": np.tile(np.arange(2010, 2010 + n_years), n_firms),
        }
    )
    frame = frame.loc[rng.random(len(frame)) > 0.3].reset_index(drop=True)
    firm = frame["firm"].to_numpy()
    year = frame["year"].to_numpy() - 2010
    frame["industry"] = firm % 12
    frame["cluster"] = firm // 15
    frame["province"] = frame["cluster"] % 6
    alpha = rng.normal(size=n_firms)[firm]
    gamma = rng.normal(size=n_years)[year]
    cell = rng.normal(size=(12, n_years))[frame["industry"], year]
    for j, name in enumerate(REGRESSORS):
        frame[name] = rng.normal(size=len(frame)) + (j + 1) * 0.3 * (alpha + gamma + cell)
    shock = rng.normal(size=40)[frame["cluster"]]
    frame["y"] = (
        frame[REGRESSORS].to_numpy() @ np.array([0.5, -0.25, 0.1])
        + alpha
        + gamma
        + cell
        + shock
        + rng.normal(size=len(frame))
    )
    return frame


def _effects(frame: pd.DataFrame, formula: str) -> list[np.ndarray]:
    out = []
    for term in formula.split("+"):
        parts = [p.strip() for p in term.split("^")]
        codes = [group_codes(frame[p].to_numpy())[0] for p in parts]
        out.append(codes[0] if len(codes) == 1 else interaction_codes(*codes))
    return out


@pytest.mark.parametrize("method", ["auto", "alternating_projections"])
@pytest.mark.parametrize(
    ("absorbed", "cluster"),
    [
        ("firm + year", "cluster"),
        ("firm + year", "year"),
        ("firm + year + industry^year", "cluster"),
        ("firm + industry^year", "province"),
    ],
)
def test_coefficients_and_clustered_errors_equal_pyfixest(firms, absorbed, cluster, method):
    reference = pf.feols(
        f"y ~ {' + '.join(REGRESSORS)} | {absorbed}",
        data=firms,
        vcov={"CRV1": cluster},
        demeaner=pf.MapDemeaner(fixef_tol=1e-12),
    )
    fit = fit_hdfe(
        firms["y"].to_numpy(),
        firms[REGRESSORS].to_numpy(),
        _effects(firms, absorbed),
        cluster=firms[cluster].to_numpy(),
        names=REGRESSORS,
        tol=TIGHT,
        method=method,
    )
    expected_method = "alternating_projections" if method != "auto" else "within_dense"
    assert fit.absorb_method == expected_method
    np.testing.assert_allclose(fit.coef, reference.coef()[REGRESSORS].to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(fit.std_error, reference.se()[REGRESSORS].to_numpy(), rtol=1e-8)
    assert fit.n_obs == reference._N  # pyfixest drops the same singleton rows
    assert fit.n_obs + fit.n_singletons == len(firms)
    assert fit.n_clusters == firms[cluster].nunique()
    assert fit.converged


def test_coefficients_equal_the_dummy_variable_regression(firms):
    keys = [
        firms["firm"],
        firms["year"],
        firms["industry"].astype(str) + "-" + firms["year"].astype(str),
    ]
    dummies = np.hstack([pd.get_dummies(k).to_numpy(dtype=float) for k in keys])
    design = np.hstack([firms[REGRESSORS].to_numpy(), dummies])
    full = np.linalg.lstsq(design, firms["y"].to_numpy(), rcond=None)[0][: len(REGRESSORS)]
    fit = fit_hdfe(
        firms["y"].to_numpy(),
        firms[REGRESSORS].to_numpy(),
        _effects(firms, "firm + year + industry^year"),
        cluster=firms["cluster"].to_numpy(),
        tol=TIGHT,
    )
    np.testing.assert_allclose(fit.coef, full, rtol=1e-10)


def test_nested_effects_count_only_their_redundant_level(firms):
    """Firms nested in clusters add one degree of freedom, years (not nested) all theirs."""
    cluster_codes = group_codes(firms["cluster"].to_numpy())[0]
    firm, year = firms["firm"].to_numpy(), firms["year"].to_numpy()
    assert fixed_effect_dof([firm], cluster_codes) == 1
    assert fixed_effect_dof([firm, year], cluster_codes) == 1 + 8 - 1
    assert fixed_effect_dof([year, firm], cluster_codes) == 8 + 1 - 1


def test_a_regressor_the_effects_absorb_is_named(firms):
    with pytest.raises(EstimationError, match="absorb industry_share entirely"):
        fit_hdfe(
            firms["y"].to_numpy(),
            np.column_stack([firms["x0"], firms["industry"] * 0.1]),
            _effects(firms, "firm + year"),
            cluster=firms["cluster"].to_numpy(),
            names=["x0", "industry_share"],
        )


def test_missing_values_are_refused_not_dropped(firms):
    y = firms["y"].to_numpy().copy()
    y[3] = np.nan
    with pytest.raises(EstimationError, match="missing or infinite"):
        fit_hdfe(
            y,
            firms[REGRESSORS].to_numpy(),
            _effects(firms, "firm + year"),
            cluster=firms["cluster"].to_numpy(),
        )


def test_singletons_are_dropped_until_none_is_left():
    """Dropping firm 2's only row leaves year 2002 with one row, which goes next."""
    firm = np.array([0, 0, 1, 1, 2, 3, 3])
    year = np.array([2000, 2001, 2000, 2001, 2001, 2002, 2000])
    keep = non_singleton_rows([group_codes(firm)[0], group_codes(year)[0]])
    # firm 2 (row 4) is a singleton; then year 2002 (row 5) is; then firm 3 (row 6) is.
    np.testing.assert_array_equal(keep, [True, True, True, True, False, False, False])


def test_a_collinear_regressor_is_named(firms):
    x = firms[REGRESSORS].to_numpy()
    doubled = np.column_stack([x[:, 0], x[:, 1], 2 * x[:, 0] - x[:, 1]])
    with pytest.raises(EstimationError, match="x2 is collinear with x0, x1"):
        fit_hdfe(
            firms["y"].to_numpy(),
            doubled,
            _effects(firms, "firm + year"),
            cluster=firms["cluster"].to_numpy(),
        )


def test_residuals_and_within_r2_match_pyfixest(firms):
    reference = pf.feols(
        f"y ~ {' + '.join(REGRESSORS)} | firm + year",
        data=firms,
        vcov={"CRV1": "cluster"},
        demeaner=pf.MapDemeaner(fixef_tol=1e-12),
    )
    fit = fit_hdfe(
        firms["y"].to_numpy(),
        firms[REGRESSORS].to_numpy(),
        _effects(firms, "firm + year"),
        cluster=firms["cluster"].to_numpy(),
        keep_residuals=True,
    )
    np.testing.assert_allclose(fit.residuals, reference.resid(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(1 - fit.ssr / fit.tss_within, reference._r2_within, rtol=1e-10)


@pytest.mark.parametrize("dropped", [[], [0], [49], [3, 4, 10], list(range(0, 50, 2))])
def test_kept_rows_are_copied_as_a_boolean_selection_would(dropped):
    from govcluster.core.hdfe import _copy_rows

    source = np.random.default_rng(0).normal(size=(50, 3))[:, 1]  # a strided column
    keep = np.ones(50, dtype=bool)
    keep[dropped] = False
    out = np.empty(int(keep.sum()))
    _copy_rows(source, keep, out)
    np.testing.assert_array_equal(out, source[keep])
