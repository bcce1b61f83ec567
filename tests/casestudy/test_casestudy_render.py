"""Case-study tables and figures: every format, both languages, numbers from the record."""

from __future__ import annotations

import copy

import pytest
from dgp import base_config, factor_model_panel

from govcluster.casestudy import case_study_spec_from_config, run_case_study
from govcluster.config import build_config
from govcluster.render.catalog import build_exhibit, write_exhibit
from govcluster.render.plan import planned_exhibits

NAMES = {
    "case_study_estimates": "table",
    "case_study_weights": "table",
    "case_study_paths": "figure",
    "case_study_gap": "figure",
    "case_study_donor_weights": "figure",
}


@pytest.fixture(scope="module")
def record():
    panel, _ = factor_model_panel(seed=21, n_donors=12)
    spec = case_study_spec_from_config(
        base_config(predictors={"outcome_lags": [2005, 2013], "covariates": ["x"]}), seed=3
    )
    return run_case_study(panel, spec).to_dict()


def _project(default_config_dict, language, enabled=True):
    config = copy.deepcopy(default_config_dict)
    config["language"] = language
    config.setdefault("case_study", {})["enabled"] = enabled
    return build_config(config)


def test_exhibits_are_planned_only_when_enabled(default_config_dict):
    on = {e.name: e.kind for e in planned_exhibits(_project(default_config_dict, "en"))}
    assert {n: on[n] for n in NAMES} == NAMES
    off = {e.name for e in planned_exhibits(_project(default_config_dict, "en", False))}
    assert not off & set(NAMES)


@pytest.mark.exhibits
@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_exhibit_renders(record, default_config_dict, language, tmp_path):
    project = _project(default_config_dict, language)
    for name, kind in NAMES.items():
        built = build_exhibit(name, {"case_study": record}, project)
        paths = write_exhibit(kind, built, tmp_path / name)
        assert all(p.exists() and p.stat().st_size > 0 for p in paths)
        if kind == "table":
            assert {p.suffix for p in paths} >= {".tex", ".md", ".html", ".docx", ".csv"}


def test_estimates_table_shows_the_record(record, default_config_dict):
    table = build_exhibit(
        "case_study_estimates", {"case_study": record}, _project(default_config_dict, "en")
    )
    sc = record["synthetic_control"]
    first = table.rows[0]
    assert first.cells[0] == f"{sc['att']:.3f}"
    assert first.cells[3] == f"{sc['placebo']['p_value']:.3f}"
    sdid = record["sdid"]["estimates"][0]
    assert table.rows[1].cells[1] == f"{sdid['se']:.3f}"
    assert table.numbers.loc[0, "att"] == sc["att"]


def test_weights_table_lists_the_weighted_donors(record, default_config_dict):
    table = build_exhibit(
        "case_study_weights", {"case_study": record}, _project(default_config_dict, "zh")
    )
    weights = record["synthetic_control"]["donor_weights"]
    top = max(weights, key=weights.get)
    names = dict(zip(record["donor_ids"], record["donor_names"], strict=True))
    assert table.panels[0].rows[0].label == names[top]
    assert len(table.panels[1].rows) == len(record["synthetic_control"]["balance"])
    assert "合成控制" in table.title
