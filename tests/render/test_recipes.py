"""The recipes of docs/ARCHITECTURE.md, done once each.

A toy estimator, a toy index method, a toy table and a toy figure are registered in the one
place the recipe names, and must reach the configuration, the estimation jobs, the typed
records, the plan of exhibits, the rendered files, the numbers in the text and the report
entries.

The toy estimator is an OLS slope through the origin of the outcome on the treatment, checked
against a seeded data-generating process with a known slope (not against itself).
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import govcluster.config as config_module
from govcluster import io
from govcluster.clean import clean_panel
from govcluster.config import build_config, load_schema
from govcluster.errors import ConfigError
from govcluster.indices import build_analysis_panel
from govcluster.ingest import ingest_table
from govcluster.panel.plan import project_panel_jobs, run_panel_job
from govcluster.records.base import RECORD_KINDS, VersionedRecord, register_record
from govcluster.records.panel import PanelJobRecord
from govcluster.registry.estimators import (
    EstimatorEntry,
    make_spec,
    register_estimator,
    unregister_estimator,
)
from govcluster.registry.exhibits import ExhibitEntry, register_exhibit, unregister_exhibit
from govcluster.registry.index_methods import (
    INDEX_METHODS,
    IndexMethodEntry,
    register_index_method,
)
from govcluster.render import numbers
from govcluster.render.catalog import build_exhibit, load_sources, write_exhibit
from govcluster.render.panel_records import jobs_of_kind
from govcluster.render.plan import planned_exhibit, planned_exhibits
from govcluster.render.tables import Panel, Row, Table, make_header
from govcluster.simulate import simulate_cluster_panel

TRUE_SLOPE = 0.7


# --------------------------------------------------------------------------- a toy estimator


@dataclass(frozen=True, kw_only=True)
class ToySpec:
    """Specification of the toy estimator."""

    name: str
    outcome: str
    treatment: str
    time: str = "year"


@dataclass(frozen=True)
class ToySlope:
    """Result of :func:`fit_toy_slope`."""

    spec: ToySpec
    slope: float
    n_obs: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "toy_slope",
            "outcome": self.spec.outcome,
            "treatment": self.spec.treatment,
            "slope": self.slope,
            "n_obs": self.n_obs,
        }


def fit_toy_slope(data: pd.DataFrame, spec: ToySpec) -> ToySlope:
    """OLS slope through the origin of ``outcome`` on ``treatment``."""
    x = data[spec.treatment].to_numpy(dtype=float)
    y = data[spec.outcome].to_numpy(dtype=float)
    return ToySlope(spec, float(x @ y / (x @ x)), int(len(x)))


@dataclass(frozen=True)
class ToySlopeRecord(VersionedRecord):
    """Typed record of :class:`ToySlope`."""

    KINDS = ("toy_slope",)

    schema_version: int
    kind: str
    outcome: str
    treatment: str
    slope: float
    n_obs: int


def _toy_spec(settings: dict[str, Any], name: str, roles, where: str):
    settings.setdefault("outcome", roles.outcome)
    settings.setdefault("treatment", roles.treatment)
    settings.setdefault("name", name)
    for key in ("controls", "cov_type", "level", "small_sample", "dk_bandwidth"):
        settings.pop(key, None)  # section-wide defaults the toy does not use
    return make_spec(ToySpec, settings, where), {}


def _toy_table(sources, project, settings) -> Table:
    records = jobs_of_kind(sources["panel"], "toy_slope")
    rows = tuple(
        Row(name, (f"{record.result.slope:.{settings.digits}f}", f"{record.result.n_obs:,}"))
        for name, record in records.items()
    )
    return Table(
        title="Toy slopes",
        columns=make_header(["Slope", "Observations"]),
        panels=(Panel("", rows),),
        notes=("Slope through the origin.",),
        label="toy_table",
        numbers=pd.DataFrame([{"job": n, "slope": r.result.slope} for n, r in records.items()]),
    )


def _toy_figure(sources, project, settings) -> Figure:
    records = jobs_of_kind(sources["panel"], "toy_slope")
    figure = Figure(figsize=(3, 2))
    ax = figure.subplots()
    ax.bar(list(records), [r.result.slope for r in records.values()])
    return figure


def _toy_macros(prefix: str, record: PanelJobRecord, settings) -> list[numbers.Macro]:
    return [
        numbers.Macro(
            f"{prefix}Slope",
            numbers.latex_number(record.result.slope, settings.digits),
            f"{record.job}: toy slope",
        )
    ]


@pytest.fixture()
def toy_registered(monkeypatch) -> Iterator[None]:
    """The toy estimator and its exhibits, registered as docs/ARCHITECTURE.md says.

    The estimator, its record, its numbers, a toy table and a toy figure (removed afterwards).
    """
    schema = load_schema()
    schema["properties"]["models"]["properties"]["toy_slope"] = {
        "type": "object",
        "description": "The toy slope estimator of the recipe test.",
        "additionalProperties": True,
    }
    monkeypatch.setattr(config_module, "load_schema", lambda: copy.deepcopy(schema))
    register_record(ToySlopeRecord)
    register_estimator(
        EstimatorEntry(
            kind="toy_slope",
            keyed=False,
            spec=ToySpec,
            build_spec=_toy_spec,
            fit=fit_toy_slope,
            record=ToySlopeRecord,
            description="slope through the origin (recipe test)",
        )
    )
    numbers.register_job_macros("toy_slope")(_toy_macros)
    register_exhibit(
        ExhibitEntry("toy_table", "table", "panel", _toy_table, job_kinds=("toy_slope",))
    )
    register_exhibit(
        ExhibitEntry(
            "toy_figure",
            "figure",
            "panel",
            _toy_figure,
            job_kinds=("toy_slope",),
            caption="panel.rst",
        )
    )
    yield
    unregister_exhibit("toy_table")
    unregister_exhibit("toy_figure")
    numbers.JOB_MACROS.pop("toy_slope", None)
    unregister_estimator("toy_slope")
    RECORD_KINDS.pop("toy_slope", None)


def toy_data(seed: int = 20240601, n: int = 4000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    treatment = rng.normal(size=n)
    return pd.DataFrame(
        {
            "cluster_id": np.repeat(np.arange(n // 10), 10),
            "year": np.tile(np.arange(2008, 2018), n // 10),
            "GOV": treatment,
            "SCA": TRUE_SLOPE * treatment + rng.normal(scale=0.5, size=n),
        }
    )


def test_a_toy_estimator_reaches_the_plan_the_tables_the_numbers_and_the_report(
    toy_registered, small_run, tmp_path
):
    raw = copy.deepcopy(small_run.config)
    raw["models"]["toy_slope"] = {"years": [2008, 2016]}
    project = build_config(raw)

    jobs = project_panel_jobs(project)
    assert jobs["toy_slope"].kind == "toy_slope"
    assert list(jobs)[-1] == "toy_slope"  # registered last, listed last

    data = toy_data()
    stored = run_panel_job(data, jobs["toy_slope"])
    assert stored["schema_version"] == 2 and stored["result"]["schema_version"] == 1
    assert stored["n_rows_outside_years"] == int((data["year"] == 2017).sum())
    # known truth of the seeded DGP: slope 0.7, standard error about 0.5 / sqrt(3600)
    assert stored["result"]["slope"] == pytest.approx(TRUE_SLOPE, abs=4 * 0.5 / 60)
    path = io.write_json(stored, tmp_path / "results/estimates/panel/toy_slope.json")
    record = PanelJobRecord.from_dict(io.read_json(path))
    assert isinstance(record.result, ToySlopeRecord)
    assert record.to_dict() == io.read_json(path)

    planned = {exhibit.name: exhibit for exhibit in planned_exhibits(project)}
    assert planned["toy_table"].panel_jobs == ("toy_slope",)
    assert planned["toy_figure"].panel_jobs == ("toy_slope",)
    assert "toy_slope" in planned["panel"].panel_jobs

    # the report: every output is marked with a caption file, a category and a subcategory
    table = planned_exhibit(project, "toy_table")
    assert table.caption == "toy_table.rst"
    assert (table.category, table.subcategory) == ("4. Panel models", "Tables")
    assert planned_exhibit(project, "toy_figure").subcategory == "Figures"
    report_captions = Path(__file__).resolve().parents[2] / "workflow" / "report"
    assert (report_captions / planned_exhibit(project, "toy_figure").caption).is_file()

    sources = load_sources({"panel": [path]})
    built = build_exhibit("toy_table", sources, project)
    assert built.rows[0].cells == (f"{stored['result']['slope']:.3f}", "3,600")
    written = write_exhibit("table", built, tmp_path / table.stem)
    assert sorted(p.suffix for p in written) == [".csv", ".docx", ".html", ".md", ".tex"]
    assert "Toy slopes" in (tmp_path / f"{table.stem}.md").read_text(encoding="utf-8")

    figure = build_exhibit("toy_figure", sources, project)
    stem = tmp_path / planned_exhibit(project, "toy_figure").stem
    assert sorted(p.suffix for p in write_exhibit("figure", figure, stem)) == [".pdf", ".png"]

    text = build_exhibit("panel", sources, project)
    assert "\\newcommand{\\ToySlopeSlope}" in text


def test_a_registered_estimator_lists_its_exhibits(toy_registered):
    from govcluster.registry.estimators import estimator

    assert estimator("toy_slope").exhibits == ("panel", "toy_table", "toy_figure")
    assert estimator("iv").exhibits == ("panel_iv", "panel")


# --------------------------------------------------------------------------- a toy index method


def rank_mean_index(indicators: pd.DataFrame, directions) -> pd.Series:
    """Mean of the directed percentile ranks of the indicators."""
    ranks = pd.DataFrame(
        {c: indicators[c].rank(pct=True) * directions[c] for c in indicators.columns}
    )
    return ranks.mean(axis=1)


def rank_mean_weights(indicators: pd.DataFrame, directions) -> pd.Series:
    return pd.Series(1.0 / indicators.shape[1], index=indicators.columns, name="weight")


@pytest.fixture()
def rank_mean_registered() -> Iterator[None]:
    register_index_method(
        IndexMethodEntry("rank_mean", rank_mean_index, rank_mean_weights, "mean percentile rank")
    )
    yield
    INDEX_METHODS.pop("rank_mean", None)


def cleaned_panel(project, folder: Path) -> pd.DataFrame:
    """The cleaned panel of a small simulated run (what the indices rule reads)."""
    simulate = project.raw["simulate"]
    raw, _ = simulate_cluster_panel(
        n_clusters=simulate["n_clusters"],
        years=(simulate["first_year"], simulate["last_year"]),
        seed=project.seed,
    )
    path = io.write_csv(raw, folder / "clusters.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ingested = ingest_table(io.read_table(path), project, source=str(path))
        return clean_panel(ingested, project).panel


def test_a_toy_index_method_is_usable_from_the_configuration(
    rank_mean_registered, small_run, tmp_path
):
    raw = copy.deepcopy(small_run.config)
    raw["indices"] = {"method": "rank_mean", "standardize": False}
    project = build_config(raw)
    panel = cleaned_panel(project, tmp_path)
    built = build_analysis_panel(panel, project)
    for construct, spec in project.constructs.items():
        weights = built.weights[built.weights["construct"] == construct]
        assert set(weights["method"]) == {"rank_mean"}
        assert weights["weight"].to_numpy() == pytest.approx(1 / len(spec.indicators))
        # the index computed here, independently of the pipeline, from the same indicators
        expected = rank_mean_index(panel[list(spec.indicator_names)], spec.directions)
        assert built.analysis[construct].to_numpy() == pytest.approx(expected.to_numpy())


def test_an_unknown_index_method_names_the_key_and_the_known_methods(small_run, tmp_path):
    raw = copy.deepcopy(small_run.config)
    raw["indices"] = {"method": "no_such_method"}
    project = build_config(raw)
    panel = cleaned_panel(project, tmp_path)
    with pytest.raises(ConfigError, match=r"indices\.method.*entropy, pca, zscore"):
        build_analysis_panel(panel, project)
