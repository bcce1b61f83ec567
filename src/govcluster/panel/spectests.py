r"""Specification tests of which panel estimator the data support.

Each test returns a :class:`~govcluster.panel.results.TestResult` (statistic, degrees of
freedom, p-value, reference distribution), whose JSON record is described in
:mod:`govcluster.panel.results`. :func:`specification_tests` runs the four and returns
:class:`SpecificationTests`, whose ``to_dict()`` is
``{"kind": "specification_tests", "spec": PanelSpec record, "poolability": test,
"breusch_pagan": test, "hausman": Hausman test, "mundlak": test}``.

Poolability F
    :math:`F = \frac{(SSR_{pooled} - SSR_{FE})/(n-1)}{SSR_{FE}/(N-n-K)}` of the entity effects
    (linearmodels' ``f_pooled``; Stata's "F test that all u_i=0"; plm ``pFtest``).
Breusch-Pagan LM
    From the pooled OLS residuals :math:`e_{it}` (Breusch and Pagan 1980; unbalanced form of
    Baltagi and Li 1990):
    :math:`LM = \frac{N^2}{2\sum_i T_i(T_i-1)}\Big(\frac{\sum_i(\sum_t e_{it})^2}
    {\sum_{it} e_{it}^2}-1\Big)^2 \sim \chi^2(1)` under no random effects (plm
    ``plmtest(type="bp")``).
Hausman (classic)
    :math:`H = (b_{FE}-b_{RE})'[\hat V_{FE}-\hat V_{RE}]^{-1}(b_{FE}-b_{RE})\sim\chi^2(k)`
    with the homoskedastic covariances of both estimators (Hausman 1978; plm ``phtest``,
    Stata ``hausman``). If the difference of the covariances is not positive definite its
    Moore-Penrose inverse is used with ``df`` = its rank, and the result says so.
    Valid only under homoskedastic, serially uncorrelated errors.
Mundlak (cluster-robust)
    Correlated random effects (Mundlak 1978; Wooldridge 2010, sec. 10.7.3): add the entity
    means :math:`\bar x_i` of the time-varying regressors to the random-effects (or pooled)
    regression and test that their coefficients are zero with the covariance of the
    specification (cluster-robust by default) -- the robust version of the Hausman test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from govcluster.core.absorb import demean, group_means
from govcluster.core.options import check_option
from govcluster.errors import EstimationError
from govcluster.panel.estimators import (
    build_sample,
    capture_warnings,
    fit_design,
    fitted_to_estimate,
)
from govcluster.panel.results import HausmanTest, TestResult, wald
from govcluster.panel.sample import (
    Sample,
    check_clusters,
    check_design,
    year_dummy_columns,
)
from govcluster.panel.spec import MundlakBase, PanelSpec


def _levels_spec(spec: PanelSpec) -> PanelSpec:
    if spec.estimator in ("first_difference", "between"):
        return spec.replace(estimator="entity_fe")
    return spec


def _fe_estimator(spec: PanelSpec) -> str:
    return "twoway_fe" if spec.estimator == "twoway_fe" else "entity_fe"


def poolability_test(data: pd.DataFrame, spec: PanelSpec) -> TestResult:
    r"""F test that the entity effects are zero (pooled OLS against fixed effects).

    With ``twoway_fe`` both models include the year dummies (plm ``pFtest`` of the two-way
    within model against the pooled model with year dummies).

    Notes
    -----
    .. math:: F = \frac{(SSR_{pooled} - SSR_{FE})/(n-1)}{SSR_{FE}/(N - n - K)}
              \sim F(n-1, N-n-K).
    """
    fe = _levels_spec(spec).replace(
        estimator=_fe_estimator(spec), cov_type="unadjusted", cluster=None
    )
    sample, dep, cols, _ = build_sample(data, fe)
    check_design(sample, cols, estimator=fe.estimator)
    res = fit_design(sample, dep, cols, fe)
    est = fitted_to_estimate(sample, dep, cols, fe, res, ())
    assert est.poolability is not None
    return est.poolability


def breusch_pagan_lm(data: pd.DataFrame, spec: PanelSpec) -> TestResult:
    r"""Breusch-Pagan Lagrange-multiplier test of random entity effects.

    Uses the residuals of pooled OLS of the specification (with year dummies for
    ``twoway_fe``).

    Notes
    -----
    .. math:: LM = \frac{N^2}{2\sum_i T_i(T_i-1)}
              \Big(\frac{\sum_i(\sum_t e_{it})^2}{\sum_{it}e_{it}^2}-1\Big)^2
              \sim \chi^2(1).
    """
    lv = _levels_spec(spec)
    sample, dep, cols, _ = build_sample(data, lv.replace(estimator="pooled"))
    check_design(sample, cols, estimator="pooled")
    x = _design_matrix(sample, cols, year_dummies=spec.estimator == "twoway_fe")
    y = sample.frame[dep].to_numpy(dtype=float)
    e = y - x @ np.linalg.lstsq(x, y, rcond=None)[0]
    codes = sample.entity_codes
    t_i = np.bincount(codes).astype(float)
    denom = 2 * float((t_i * (t_i - 1)).sum())
    if denom == 0:
        raise EstimationError(
            f"The Breusch-Pagan test needs {sample.vocabulary.entities} observed in at least "
            f"two {sample.vocabulary.periods}."
        )
    sums = np.bincount(codes, weights=e)
    n = len(e)
    ratio = float((sums**2).sum() / (e**2).sum())
    lm = n**2 / denom * (ratio - 1) ** 2
    honda = np.sign(ratio - 1) * np.sqrt(lm)
    return TestResult(
        name="Breusch-Pagan LM test of random effects",
        null_hypothesis="the variance of the entity effects is zero (pooled OLS is adequate)",
        statistic=float(lm),
        df=1.0,
        p_value=float(stats.chi2.sf(lm, 1)),
        distribution="chi2",
        notes=(
            f"one-sided Honda statistic {honda:.4f}, p = {stats.norm.sf(honda):.4g}",
            "unbalanced-panel form of Baltagi and Li (1990)",
        ),
    )


def _design_matrix(sample: Sample, cols: list[str], *, year_dummies: bool) -> np.ndarray:
    x = sample.frame[cols].to_numpy(dtype=float)
    parts = [x, np.ones((len(x), 1))]
    if year_dummies:
        parts.append(year_dummy_columns(sample)[0])
    return np.hstack(parts)


def hausman_test(data: pd.DataFrame, spec: PanelSpec) -> HausmanTest:
    r"""Classic Hausman test of fixed against random effects.

    Both models are estimated on the same sample with homoskedastic covariances; with
    ``twoway_fe`` both include year dummies. The coefficients of the regressors and controls
    (not the intercept or year dummies) are compared.

    Notes
    -----
    .. math:: H = (b_{FE}-b_{RE})'\,[\hat V_{FE}-\hat V_{RE}]^{-}\,(b_{FE}-b_{RE})
              \sim \chi^2(r),

    where :math:`r = k` if the difference of the covariances is positive definite; otherwise
    the Moore-Penrose inverse is used, :math:`r` is the rank of the difference, and
    ``generalized_inverse`` is True.
    """
    lv = _levels_spec(spec)
    fe = lv.replace(
        estimator=_fe_estimator(spec), cov_type="unadjusted", cluster=None, small_sample=True
    )
    sample, dep, cols, _ = build_sample(data, fe)
    check_design(sample, cols, estimator=fe.estimator)
    re = fe.replace(estimator="random")
    twoway = spec.estimator == "twoway_fe"
    r_fe = fit_design(sample, dep, cols, fe)
    r_re = fit_design(sample, dep, cols, re, year_dummies=twoway)
    b = (r_fe.params[cols] - r_re.params[cols]).to_numpy()
    v = (r_fe.cov.loc[cols, cols] - r_re.cov.loc[cols, cols]).to_numpy()
    v = (v + v.T) / 2
    eig, vecs = np.linalg.eigh(v)
    tol = max(eig.max(initial=0.0), 0.0) * len(eig) * np.finfo(float).eps * 10
    notes: list[str] = []
    if eig.min() > tol:
        h = float(b @ np.linalg.solve(v, b))
        rank = len(cols)
        ginv = False
    else:
        keep = np.abs(eig) > tol
        rank = int(keep.sum())
        inv = (vecs[:, keep] / eig[keep]) @ vecs[:, keep].T
        h = float(b @ inv @ b)
        ginv = True
        notes.append(
            "V_FE - V_RE is not positive definite: its generalized (Moore-Penrose) inverse "
            f"was used and df = its rank = {rank}"
        )
        if (eig < -tol).any():
            notes.append(
                "V_FE - V_RE has negative eigenvalues, so the classic test is unreliable in "
                "this sample; rely on the Mundlak test"
            )
    df = max(rank, 1)
    p = float(stats.chi2.sf(max(h, 0.0), df))
    notes.append("homoskedastic covariances; not robust to clustering (see the Mundlak test)")
    return HausmanTest(
        name="Hausman test (fixed vs random effects)",
        null_hypothesis="the entity effects are uncorrelated with the regressors "
        "(random effects is consistent and efficient)",
        statistic=h,
        df=float(df),
        p_value=p,
        distribution="chi2",
        notes=tuple(notes),
        generalized_inverse=ginv,
        rank=rank,
        compared=tuple(cols),
    )


def mundlak_test(
    data: pd.DataFrame, spec: PanelSpec, *, base: MundlakBase = "random"
) -> TestResult:
    r"""Cluster-robust Mundlak (correlated random effects) test.

    Parameters
    ----------
    data : DataFrame
    spec : PanelSpec
        Regressors, controls and covariance (``cov_type``, cluster-robust by default); with
        ``twoway_fe`` year dummies are included.
    base : {"random", "pooled"}
        Model to which the entity means are added.

    Returns
    -------
    TestResult
        Wald test that the coefficients of the entity means are zero: chi2(q) for random
        effects (normal inference), F(q, G-1) for pooled OLS with small-sample inference.

    Notes
    -----
    .. math:: y_{it} = x_{it}'\beta + \bar x_i'\xi + c_{it}'\gamma + \lambda_t + u_i
              + \varepsilon_{it}, \qquad H_0: \xi = 0,

    where :math:`\bar x_i` are the entity means (over the estimation sample) of the
    regressors and controls that vary within entities.
    """
    check_option(base, MundlakBase, name="base")
    lv = _levels_spec(spec)
    sample, dep, cols, _ = build_sample(data, lv.replace(estimator="pooled"))
    x = sample.frame[cols].to_numpy(dtype=float)
    codes = sample.entity_codes
    within = demean(x, codes)
    scale = np.sqrt(((x - x.mean(axis=0)) ** 2).sum(axis=0))
    varying = [
        c
        for j, c in enumerate(cols)
        if scale[j] > 0 and np.sqrt((within[:, j] ** 2).sum()) > 1e-9 * scale[j]
    ]
    if not varying:
        raise EstimationError(
            f"The Mundlak test needs regressors that vary within "
            f"{sample.vocabulary.entities}; none does."
        )
    means = group_means(sample.frame[varying].to_numpy(dtype=float), codes)[codes]
    mean_cols = [f"{c}__entity_mean" for c in varying]
    frame = sample.frame.copy()
    frame[mean_cols] = means
    aug = Sample(
        frame, sample.entity, sample.time, sample.n_input, sample.dropped, sample.vocabulary
    )
    design = [*cols, *mean_cols]
    model = lv.replace(estimator=base)
    check_design(aug, design, estimator=base)

    def fit() -> tuple[Any, Any]:
        clusters = check_clusters(aug, model.cov_type, dk_bandwidth=model.dk_bandwidth)
        res = fit_design(aug, dep, design, model, year_dummies=spec.estimator == "twoway_fe")
        return fitted_to_estimate(aug, dep, design, model, res, clusters), res

    (est, _), _ = capture_warnings(fit)
    r = np.zeros((len(mean_cols), len(est.names)))
    for i, c in enumerate(mean_cols):
        r[i, est.names.index(c)] = 1.0
    return wald(
        est.params_array,
        est.cov_array,
        r,
        np.zeros(len(mean_cols)),
        df_denom=est.df_inference,
        name=f"Mundlak test ({base} effects + entity means, {spec.cov_type})",
        null="the entity means of the time-varying regressors have zero coefficients "
        "(the entity effects are uncorrelated with the regressors)",
        notes=(f"entity means of: {', '.join(varying)}",),
    )


@dataclass(frozen=True)
class SpecificationTests:
    """The four specification tests of one specification."""

    spec: PanelSpec
    poolability: TestResult
    breusch_pagan: TestResult
    hausman: HausmanTest
    mundlak: TestResult

    def to_dict(self) -> dict[str, Any]:
        """JSON record (see the module docstring)."""
        return {
            "kind": "specification_tests",
            "spec": self.spec.to_dict(),
            "poolability": self.poolability.to_dict(),
            "breusch_pagan": self.breusch_pagan.to_dict(),
            "hausman": self.hausman.to_dict(),
            "mundlak": self.mundlak.to_dict(),
        }


def specification_tests(
    data: pd.DataFrame, spec: PanelSpec, *, mundlak_base: MundlakBase = "random"
) -> SpecificationTests:
    """Run the poolability F, Breusch-Pagan LM, Hausman and Mundlak tests for ``spec``."""
    return SpecificationTests(
        spec=spec,
        poolability=poolability_test(data, spec),
        breusch_pagan=breusch_pagan_lm(data, spec),
        hausman=hausman_test(data, spec),
        mundlak=mundlak_test(data, spec, base=mundlak_base),
    )
