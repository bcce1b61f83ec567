"""Checks before estimation: clear errors, counted drops, lags by calendar year."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govcluster.errors import EstimationError, FewClustersWarning
from govcluster.panel import (
    HeterogeneitySpec,
    LocalProjectionSpec,
    PanelIVSpec,
    PanelSpec,
    add_differences,
    add_lags,
    add_leads,
    fit_panel_iv,
    fit_panel_model,
)


@pytest.fixture
def panel() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n, t = 50, 6
    ids = np.repeat(np.arange(n), t)
    yrs = np.tile(np.arange(2010, 2010 + t), n)
    df = pd.DataFrame(
        {
            "cluster_id": ids,
            "year": yrs,
            "GOV": rng.normal(size=n * t),
            "ln_firms": rng.normal(size=n * t),
            "founding_year": np.repeat(rng.integers(1980, 2000, size=n), t),
            "iv": rng.normal(size=n * t),
        }
    )
    df["cluster_age"] = df["year"] - df["founding_year"]
    df["SCA"] = 0.5 * df["GOV"] + rng.normal(size=n * t)
    df["region"] = np.repeat(rng.choice(["east", "central", "west"], size=n), t)
    return df


def spec(**kw: object) -> PanelSpec:
    base = dict(outcome="SCA", regressors=["GOV"], controls=["ln_firms"])
    base.update(kw)
    return PanelSpec(**base)  # type: ignore[arg-type]


def test_unknown_variable_lists_available_columns(panel: pd.DataFrame) -> None:
    with pytest.raises(
        EstimationError,
        match=r"'GOVX' not in the data; available columns: "
        r"cluster_id, year, GOV",
    ):
        fit_panel_model(panel, spec(regressors=["GOVX"]))
    with pytest.raises(EstimationError, match="entity column 'firm' is not in the data"):
        fit_panel_model(panel, spec(entity="firm"))


def test_no_within_variation_under_fixed_effects(panel: pd.DataFrame) -> None:
    for est in ("entity_fe", "twoway_fe"):
        with pytest.raises(
            EstimationError, match="'founding_year' has no variation within entities"
        ):
            fit_panel_model(panel, spec(controls=["founding_year"], estimator=est))
    with pytest.raises(
        EstimationError, match="'founding_year' cannot be estimated: its first difference"
    ):
        fit_panel_model(panel, spec(controls=["founding_year"], estimator="first_difference"))
    # a time-invariant variable is fine for random effects and pooled OLS
    assert (
        "founding_year"
        in fit_panel_model(panel, spec(controls=["founding_year"], estimator="random")).names
    )


def test_age_is_absorbed_by_twoway_effects(panel: pd.DataFrame) -> None:
    with pytest.raises(
        EstimationError, match="'cluster_age' is absorbed by the entity and year fixed effects"
    ):
        fit_panel_model(panel, spec(controls=["cluster_age"], estimator="twoway_fe"))
    fit_panel_model(panel, spec(controls=["cluster_age"], estimator="entity_fe"))


def test_perfect_collinearity_names_the_variables(panel: pd.DataFrame) -> None:
    panel["combo"] = 2 * panel["GOV"] - panel["ln_firms"]
    with pytest.raises(
        EstimationError,
        match=r"Perfect collinearity after removing the entity "
        r"fixed effects: 'combo' is a linear combination "
        r"of 'GOV', 'ln_firms'",
    ):
        fit_panel_model(panel, spec(controls=["ln_firms", "combo"]))
    with pytest.raises(
        EstimationError,
        match="'combo' is a linear combination of the "
        "intercept, 'GOV', 'ln_firms'|'combo' is a "
        "linear combination of 'GOV', 'ln_firms'",
    ):
        fit_panel_model(panel, spec(controls=["ln_firms", "combo"], estimator="pooled"))


def test_instrument_that_is_a_regressor(panel: pd.DataFrame) -> None:
    with pytest.raises(
        EstimationError, match="Instrument ln_firms is also the outcome or a regressor"
    ):
        PanelIVSpec(
            outcome="SCA", endogenous="GOV", instruments=["iv", "ln_firms"], controls=["ln_firms"]
        )
    with pytest.raises(EstimationError, match="under-identified"):
        PanelIVSpec(outcome="SCA", endogenous=["GOV", "ln_firms"], instruments="iv")


def test_too_few_clusters(panel: pd.DataFrame) -> None:
    one = panel[panel["cluster_id"] == 0]
    with pytest.raises(EstimationError, match="needs at least 2 clusters in 'cluster_id'"):
        fit_panel_model(one, spec(estimator="pooled"))
    few = panel[panel["cluster_id"] < 10]
    with (
        pytest.raises(EstimationError, match="at least 2 clusters"),
        pytest.warns(FewClustersWarning),
    ):
        fit_panel_iv(
            few[few["year"] == 2010],
            PanelIVSpec(
                outcome="SCA",
                endogenous="GOV",
                instruments="iv",
                estimator="pooled",
                cov_type="cluster_twoway",
            ),
        )
    with pytest.warns(FewClustersWarning, match="Only 10 clusters in 'cluster_id'"):
        est = fit_panel_model(few, spec())
    assert est.n_clusters == 10
    with pytest.warns(FewClustersWarning, match="Only 6 clusters in 'year'"):
        fit_panel_model(panel, spec(cov_type="cluster_twoway"))


def test_missing_values_are_dropped_and_counted(panel: pd.DataFrame) -> None:
    panel.loc[[0, 7, 20], "SCA"] = np.nan
    panel.loc[[30], "ln_firms"] = np.nan
    est = fit_panel_model(panel, spec())
    assert est.n_dropped == {
        "missing_entity_or_time": 0,
        "missing_values": 4,
        "missing_lags_leads_or_differences": 0,
    }
    assert est.n_obs == len(panel) - 4
    lagged = fit_panel_model(panel, spec(lags={"GOV": [0, 1]}))
    # first year of each of 50 entities has no lag; rows 0 and 30 (first years) are
    # already missing for another reason
    assert lagged.n_dropped["missing_values"] == 4
    assert lagged.n_dropped["missing_lags_leads_or_differences"] == 50 - 2
    assert lagged.names == ("GOV", "GOV_lag1", "ln_firms", "const")


def test_lags_use_calendar_years_not_rows() -> None:
    df = pd.DataFrame(
        {
            "id": [1, 1, 1, 2, 2],
            "year": [2000, 2001, 2003, 2001, 2002],
            "x": [1.0, 2.0, 4.0, 10.0, 20.0],
        }
    )
    out = add_lags(df, {"x": [1, 2]}, entity="id", time="year")
    np.testing.assert_array_equal(out["x_lag1"], [np.nan, 1.0, np.nan, np.nan, 10.0])
    np.testing.assert_array_equal(out["x_lag2"], [np.nan, np.nan, 2.0, np.nan, np.nan])
    lead = add_leads(df, {"x": 1}, entity="id", time="year")
    np.testing.assert_array_equal(lead["x_lead1"], [2.0, np.nan, np.nan, 20.0, np.nan])
    diff = add_differences(df, ["x"], entity="id", time="year")
    np.testing.assert_array_equal(diff["d_x"], [np.nan, 1.0, np.nan, np.nan, 10.0])
    shuffled = df.sample(frac=1.0, random_state=1)
    again = add_lags(shuffled, {"x": [1]}, entity="id", time="year").sort_index()
    np.testing.assert_array_equal(again["x_lag1"], out["x_lag1"])


def test_panel_index_problems() -> None:
    dup = pd.DataFrame(
        {
            "cluster_id": [1, 1],
            "year": [2000, 2000],
            "SCA": [1.0, 2.0],
            "GOV": [0.0, 1.0],
            "ln_firms": [0.0, 0.0],
        }
    )
    with pytest.raises(EstimationError, match="share an \\(cluster_id, year\\) pair"):
        fit_panel_model(dup, spec())
    frac = dup.assign(year=[2000.5, 2001])
    with pytest.raises(EstimationError, match="must hold integer years"):
        fit_panel_model(frac, spec())


def test_non_numeric_and_infinite_values(panel: pd.DataFrame) -> None:
    bad = panel.assign(GOV=panel["GOV"].astype(object))
    bad.loc[3, "GOV"] = "n/a?"
    with pytest.raises(EstimationError, match="'GOV' is not numeric: it holds 'n/a\\?'"):
        fit_panel_model(bad, spec())
    inf = panel.assign(ln_firms=panel["ln_firms"].where(panel.index != 5, -np.inf))
    with pytest.raises(EstimationError, match="'ln_firms' has 1 infinite value"):
        fit_panel_model(inf, spec())


def test_invalid_options_say_what_is_allowed() -> None:
    with pytest.raises(
        EstimationError, match="estimator='fe' is not an option; use one of 'pooled', 'entity_fe'"
    ):
        spec(estimator="fe")
    with pytest.raises(EstimationError, match="cov_type='clustered' is not an option"):
        spec(cov_type="clustered")
    with pytest.raises(EstimationError, match="cov_type='cluster' needs the clustering column"):
        spec(cov_type="cluster")
    with pytest.raises(EstimationError, match="cluster='province' is set but cov_type="):
        spec(cluster="province")
    with pytest.raises(EstimationError, match="lags names 'x'"):
        spec(lags={"x": [1]})
    with pytest.raises(EstimationError, match="non-negative integers"):
        spec(lags={"GOV": [-1]})
    with pytest.raises(EstimationError, match="both a regressor and a control"):
        spec(controls=["GOV"])
    with pytest.raises(EstimationError, match="'between' collapses the years"):
        LocalProjectionSpec(outcome="SCA", treatment="GOV", estimator="between")
    with pytest.raises(EstimationError, match="in groups 'a' and 'b'"):
        HeterogeneitySpec(base=spec(), groups={"a": ["east"], "b": ["east"]})


def test_between_rejects_time_covariances(panel: pd.DataFrame) -> None:
    with pytest.raises(EstimationError, match="one observation per entity"):
        fit_panel_model(panel, spec(estimator="between", cov_type="driscoll_kraay"))
