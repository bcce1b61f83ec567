"""Category indicators are built on the estimation sample, not on the rows given.

Oracle: the same model fitted on the rows of the estimation sample alone (dropped beforehand),
where nothing but those rows can define the levels; and statsmodels' R-style dummies
(``C(ownership, Treatment(base))``) on those rows. Tolerance 1e-10 relative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from govcluster.categories import category_column
from govcluster.panel import PanelSpec, fit_panel_model


def _panel(*, base: str | None) -> pd.DataFrame:
    """40 firms over 6 years; ownership level 'state' occurs only where the control is missing."""
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {"firm": np.repeat(np.arange(40), 6), "year": np.tile(np.arange(2010, 2016), 40)}
    )
    n = len(frame)
    ownership = np.array(["private", "foreign", "collective"])[rng.integers(0, 3, n)]
    state = rng.random(n) < 0.1
    ownership[state] = "state"
    frame["x"] = rng.normal(size=n)
    frame["control"] = rng.normal(size=n)
    frame.loc[state, "control"] = np.nan  # every 'state' row leaves the estimation sample
    effect = pd.Series(ownership).map({"private": 0.0, "foreign": 0.4, "collective": -0.3})
    frame["y"] = 0.5 * frame["x"] + effect.fillna(1.0).to_numpy() + rng.normal(size=n)
    frame["ownership"] = category_column(pd.Series(ownership), base=base, name="ownership")
    return frame


def _spec(**changes) -> PanelSpec:
    values = {
        "outcome": "y",
        "regressors": ["x"],
        "controls": ["control", "ownership"],
        "entity": "firm",
        "time": "year",
        "estimator": "pooled",
        "cov_type": "robust",
    }
    return PanelSpec(**{**values, **changes})


@pytest.mark.parametrize("estimator", ["pooled", "entity_fe", "twoway_fe"])
def test_a_level_only_in_dropped_rows_gets_no_indicator(estimator):
    data = _panel(base=None)
    fit = fit_panel_model(data, _spec(estimator=estimator))
    assert "ownership[state]" not in fit.names
    complete = data.loc[data["control"].notna()].copy()
    complete["ownership"] = category_column(complete["ownership"].astype(str), name="ownership")
    oracle = fit_panel_model(complete, _spec(estimator=estimator))
    assert fit.names == oracle.names
    np.testing.assert_allclose(fit.params_array, oracle.params_array, rtol=1e-10)
    np.testing.assert_allclose(fit.cov_array, oracle.cov_array, rtol=1e-10)
    assert fit.n_obs == oracle.n_obs == len(complete)


def test_a_base_level_absent_from_the_sample_is_replaced_and_stated():
    """The configured base 'state' occurs only in dropped rows.

    The next level in sorted order (collective) becomes the base, and the record says so.
    """
    data = _panel(base="state")
    fit = fit_panel_model(data, _spec())
    assert dict(fit.base_levels) == {"ownership": "collective"}
    complete = data.loc[data["control"].notna()].assign(
        ownership=lambda f: f["ownership"].astype(str)
    )
    oracle = smf.ols("y ~ x + control + C(ownership, Treatment('collective'))", data=complete).fit()
    ours = dict(zip(fit.names, fit.params_array, strict=True))
    np.testing.assert_allclose(ours["x"], oracle.params["x"], rtol=1e-10)
    np.testing.assert_allclose(
        ours["ownership[private]"],
        oracle.params["C(ownership, Treatment('collective'))[T.private]"],
        rtol=1e-10,
    )
