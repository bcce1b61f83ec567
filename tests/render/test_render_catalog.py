"""The exhibits of a configuration: planned for what is configured, built from the stored files."""

from __future__ import annotations

from pathlib import Path

import pytest
from render_estimates import SOURCE_PATHS

from govcluster.config import load_config
from govcluster.errors import ConfigError
from govcluster.registry.exhibits import registered_exhibits
from govcluster.render.catalog import build_exhibit, load_sources, write_exhibit
from govcluster.render.plan import planned_exhibit, planned_exhibits
from govcluster.render.settings import RenderSettings, render_settings

ROOT = Path(__file__).resolve().parents[2]

DEFAULT_EXHIBITS = [
    "summary_statistics",
    "correlations",
    "index_weights",
    "index_reliability",
    "index_trends",
    "correlation_heatmap",
    "panel_baseline",
    "panel_robustness",
    "baseline_coefficients",
    "panel_horizons",
    "horizons",
    "panel_heterogeneity",
    "heterogeneity",
    "panel_iv",
    "panel",
    "mediation_paths",
    "mediation_indirect",
    "mediation_tests",
    "mediation_parallel",
    "mediation_causal",
    "mediation_path_diagram",
    "mediation_bootstrap",
    "mediation_sensitivity",
    "mediation",
    "index_weight_uncertainty",
    "index_weight_widths",
    "index_weights_bootstrap",
    "did_att",
    "did_event_study",
    "did_event_study_plot",
    "did_mechanisms",
    "did_mechanism_event_studies",
    "did_honest",
    "did_honest_sensitivity",
    "did_bacon",
    "did_bacon_scatter",
    "did_randomization",
    "did_randomization_distribution",
    "did",
    "case_study_estimates",
    "case_study_weights",
    "case_study_paths",
    "case_study_gap",
    "case_study_donor_weights",
]


def names(project) -> list[str]:
    return [exhibit.name for exhibit in planned_exhibits(project)]


def test_the_default_configuration_gets_every_exhibit(config_en):
    exhibits = planned_exhibits(config_en)
    assert [e.name for e in exhibits] == DEFAULT_EXHIBITS
    # registered exhibits the default configuration leaves off (mediation.moderated.enabled)
    optional = ("mediation_moderated", "mediation_moderated_effects", "mediation_interaction")
    assert [n for n in registered_exhibits() if n not in optional] == DEFAULT_EXHIBITS
    baseline = planned_exhibit(config_en, "panel_baseline")
    assert baseline.panel_jobs[-1] == "specification_tests"
    assert baseline.outputs["docx"] == "results/tables/panel_baseline.docx"
    assert planned_exhibit(config_en, "mediation_path_diagram").outputs == {
        "png": "results/figures/mediation_path_diagram.png",
        "pdf": "results/figures/mediation_path_diagram.pdf",
    }
    assert planned_exhibit(config_en, "mediation").outputs == {
        "tex": "results/numbers/mediation.tex"
    }
    assert planned_exhibit(config_en, "mediation_bootstrap").sources == ("mediation", "bootstrap")
    with pytest.raises(ConfigError, match="no exhibit called"):
        planned_exhibit(config_en, "nope")


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            "jtrain",
            [
                "summary_statistics",
                "correlations",
                "correlation_heatmap",
                "panel_baseline",
                "baseline_coefficients",
                "panel_iv",
                "panel",
                "mediation_paths",
                "mediation_indirect",
                "mediation_tests",
                "mediation_parallel",
                "mediation_causal",
                "mediation_path_diagram",
                "mediation_bootstrap",
                "mediation_sensitivity",
                "mediation",
            ],
        ),
        (
            "produc",
            [
                "summary_statistics",
                "correlations",
                "correlation_heatmap",
                "panel_baseline",
                "baseline_coefficients",
                "panel",
            ],
        ),
    ],
)
def test_replication_cases_get_the_exhibits_of_what_they_configure(case, expected):
    project = load_config(ROOT / "config" / "cases" / f"{case}.yaml")
    assert names(project) == expected


def test_optional_parts_switch_their_exhibits_off(config_en, default_config_dict):
    config = {**default_config_dict}
    config["mediation"] = {**config["mediation"], "enabled": False}
    config["did"] = {**config["did"], "enabled": False}
    config["case_study"] = {**config["case_study"], "enabled": False}
    config["inference"] = {**config["inference"], "index_weights": {"enabled": False}}
    models = {**config["models"]}
    models["baseline"] = {"twoway_fe": {"estimator": "twoway_fe"}}
    for key in ("local_projections", "heterogeneity", "iv", "specification_tests"):
        models.pop(key)
    config["models"] = models
    project = load_config(ROOT / "config" / "config.yaml", overrides=config)
    assert names(project) == [
        "summary_statistics",
        "correlations",
        "index_weights",
        "index_reliability",
        "index_trends",
        "correlation_heatmap",
        "panel_baseline",
        "baseline_coefficients",
        "panel",
    ]


def test_render_settings_are_read_with_defaults_and_checked():
    assert render_settings({}) == RenderSettings("se", 3, (0.10, 0.05, 0.01))
    assert render_settings({"render": None}) == RenderSettings()
    assert render_settings({"render": {"digits": 2}}).digits == 2
    assert render_settings({"render": {"stars": [0.01, 0.05]}}).stars == (0.05, 0.01)
    with pytest.raises(ConfigError, match="render.below"):
        render_settings({"render": {"below": "z"}})
    with pytest.raises(ConfigError, match="render.stars"):
        render_settings({"render": {"stars": [0.05, 0.05]}})
    with pytest.raises(ConfigError, match="render.digits"):
        render_settings({"render": {"digits": -1}})


def sources_of(exhibit, small_run) -> dict:
    """The files a rendering rule would give the exhibit, read as the rule's script does."""
    paths: dict = {source: small_run.root / SOURCE_PATHS[source] for source in exhibit.sources}
    if exhibit.panel_jobs:
        paths["panel"] = [small_run.panel_path(job) for job in exhibit.panel_jobs]
    return load_sources(paths)


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.exhibits
def test_every_exhibit_is_built_and_written_from_the_stored_files(language, small_run, tmp_path):
    project = small_run.project(language)
    # the did and case-study exhibits are built from their own stored records in
    # tests/did/test_did_render.py and tests/casestudy/
    for exhibit in planned_exhibits(project):
        if exhibit.stage in ("did", "casestudy"):
            continue
        built = build_exhibit(exhibit.name, sources_of(exhibit, small_run), project)
        written = write_exhibit(exhibit.kind, built, tmp_path / exhibit.stem)
        expected = {tmp_path / path for path in exhibit.outputs.values()}
        assert set(written) == expected, exhibit.name
        for path in written:
            assert path.stat().st_size > 200, path
    tables = tmp_path / "results" / "tables"
    if language == "zh":
        assert "基准回归结果" in (tables / "panel_baseline.md").read_text(encoding="utf-8")
        assert "政府干预" in (tables / "panel_iv.html").read_text(encoding="utf-8")
        assert "部分中介" in (tables / "mediation_indirect.tex").read_text(encoding="utf-8")
    else:
        assert "Baseline panel regressions" in (tables / "panel_baseline.md").read_text()
    numbers = (tmp_path / "results" / "numbers" / "mediation.tex").read_text()
    assert "\\newcommand{\\TotalIndirectEffect}" in numbers


def test_load_sources_keeps_the_order_of_the_panel_jobs(small_run):
    jobs = ["baseline_twoway_fe", "baseline_pooled", "specification_tests"]
    loaded = load_sources({"panel": [small_run.panel_path(job) for job in jobs]})
    assert list(loaded["panel"]) == jobs
    with pytest.raises(ValueError, match="unknown source"):
        load_sources({"nope": "x.csv"})
