"""Figures of the estimates: files written, drawn from the estimates, Chinese without gaps."""

from __future__ import annotations

import copy
import warnings

import matplotlib.colors as mcolors
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch
from matplotlib.text import Text

from govcluster.render.figures import save_figure
from govcluster.render.mediation_figures import (
    bootstrap_figure,
    path_diagram,
    sensitivity_figure,
)
from govcluster.render.panel_figures import (
    coefficient_plot,
    heterogeneity_figure,
    horizons_figure,
)

FIGURES = ["coefficients", "horizons", "heterogeneity", "paths", "bootstrap", "sensitivity"]


def excludes_zero(entry):
    """Whether a stored interval lies on one side of zero (computed here, from the dict)."""
    lower, upper = entry["ci_lower"], entry["ci_upper"]
    return lower is not None and upper is not None and lower * upper > 0


def mediation_path(results, path, mediator=None):
    """The stored path record (read from the JSON dict, independently of the renderers)."""
    return next(
        e
        for e in results["paths"]
        if e["path"] == path and (mediator is None or e["mediator"] == mediator)
    )


def build(kind: str, small_run, language: str) -> Figure:
    project = small_run.project(language)
    if kind == "coefficients":
        return coefficient_plot(small_run.records("baseline_"), project)
    if kind == "horizons":
        return horizons_figure(small_run.records("local_projections")["local_projections"], project)
    if kind == "heterogeneity":
        return heterogeneity_figure(small_run.records("heterogeneity_"), project)
    if kind == "paths":
        return path_diagram(small_run.mediation, project)
    if kind == "bootstrap":
        return bootstrap_figure(small_run.mediation, small_run.bootstrap, project)
    return sensitivity_figure(small_run.mediation, project)


def texts(figure: Figure) -> str:
    return "\n".join(t.get_text() for t in figure.findobj(Text) if t.get_visible())


def dashed(arrow: FancyArrowPatch) -> bool:
    return arrow.get_linestyle() in ("--", "dashed")


def arrows(figure: Figure) -> dict[str, FancyArrowPatch]:
    return {a.get_gid(): a for a in figure.findobj(FancyArrowPatch) if a.get_gid()}


@pytest.mark.parametrize("kind", FIGURES)
def test_every_figure_writes_a_png_and_a_pdf(kind, small_run, tmp_path):
    png, pdf = save_figure(build(kind, small_run, "en"), tmp_path / kind)
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and png.stat().st_size > 10_000
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5_000


@pytest.mark.parametrize("kind", FIGURES)
def test_chinese_figures_have_chinese_labels_and_no_missing_glyphs(kind, small_run, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph or font is a warning
        figure = build(kind, small_run, "zh")
        save_figure(figure, tmp_path / kind)
    expected = {
        "coefficients": "政府干预的系数",
        "horizons": "对持续竞争优势的效应",
        "heterogeneity": "欠发达地区（中部、西部）",
        "paths": "集群开放性（OPEN）",
        "bootstrap": "总间接效应",
        "sensitivity": "机制方程与结果方程误差的相关系数",
    }[kind]
    assert expected in texts(figure)


def test_path_diagram_draws_every_path_from_the_estimates(small_run):
    results = small_run.mediation
    figure = path_diagram(results, small_run.project())
    drawn = arrows(figure)
    mechanisms = results["spec"]["mediators"]
    assert set(drawn) == {"c_prime", *(f"{p}:{m}" for p in "ab" for m in mechanisms)}
    labels = {t.get_gid(): t.get_text() for t in figure.findobj(Text) if t.get_gid()}
    for gid, arrow in drawn.items():
        path, _, mechanism = gid.partition(":")
        entry = (
            mediation_path(results, "c_prime")
            if path == "c_prime"
            else mediation_path(results, path, mechanism)
        )
        significant = excludes_zero(entry)
        assert dashed(arrow) == (not significant), gid
        assert (mcolors.to_hex(arrow.get_edgecolor()) == "#9a9a9a") == (not significant), gid
        assert labels[f"label:{gid}"].startswith(
            f"{'c′' if path == 'c_prime' else path} = {entry['estimate']:.3f}"
        )
        low, high = entry["ci_lower"], entry["ci_upper"]
        assert f"[{low:.3f}, {high:.3f}]".replace("-0.000", "0.000") in labels[f"label:{gid}"]
    text = texts(figure)
    assert "Government\nintervention\n(GOV)" in text and "Cluster openness (OPEN)" in text


def test_a_path_whose_interval_includes_zero_is_drawn_dashed_grey_and_thin(small_run):
    results = copy.deepcopy(small_run.mediation)
    entry = next(p for p in results["paths"] if p["path"] == "a" and p["mediator"] == "OPEN")
    before = arrows(path_diagram(small_run.mediation, small_run.project()))["a:OPEN"]
    entry.update(estimate=0.01, ci_lower=-0.02, ci_upper=0.04, pvalue=0.5)
    after = arrows(path_diagram(results, small_run.project()))["a:OPEN"]
    assert not dashed(before) and before.get_linewidth() > 1.5
    assert dashed(after)
    assert after.get_linewidth() < before.get_linewidth()
    assert mcolors.to_hex(after.get_edgecolor()) == "#9a9a9a"


def test_bootstrap_figure_has_a_panel_per_mechanism_and_the_total(small_run):
    figure = bootstrap_figure(small_run.mediation, small_run.bootstrap, small_run.project())
    titles = [ax.get_title() for ax in figure.axes if ax.get_visible()]
    assert len(titles) == len(small_run.mediation["spec"]["mediators"]) + 1
    assert titles[-1] == "Total indirect effect"


def test_sensitivity_figure_marks_where_the_acme_is_zero(small_run):
    figure = sensitivity_figure(small_run.mediation, small_run.project())
    entry = small_run.mediation["causal"]["mediators"][0]
    assert f"ACME = 0 at ρ = {entry['rho_at_zero']:.2f}" in texts(figure)
