"""Figures of the estimates: files written, drawn from the estimates, Chinese without gaps."""

from __future__ import annotations

import copy
import warnings

import matplotlib.colors as mcolors
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch
from matplotlib.text import Text

from govcluster.render.figures import save_figure
from govcluster.render.mediation_figures import (
    bootstrap_figure,
    path_diagram,
    r2_tilde_grid,
    sensitivity_figure,
)
from govcluster.render.mediation_tables import causal_table
from govcluster.render.panel_figures import (
    coefficient_plot,
    far_entries,
    heterogeneity_figure,
    horizons_figure,
)
from govcluster.render.panel_tables import baseline_table

FIGURES = ["coefficients", "horizons", "heterogeneity", "paths", "bootstrap", "sensitivity"]


def unicode_minus(text: str) -> str:
    """The figures print negative numbers with a minus sign (U+2212), not a hyphen."""
    return text.replace("-", "\u2212")


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


@pytest.mark.exhibits
@pytest.mark.parametrize("kind", FIGURES)
def test_every_figure_writes_a_png_and_a_pdf(kind, small_run, tmp_path):
    png, pdf = save_figure(build(kind, small_run, "en"), tmp_path / kind)
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and png.stat().st_size > 10_000
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5_000


@pytest.mark.exhibits
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
            unicode_minus(f"{'c′' if path == 'c_prime' else path} = {entry['estimate']:.3f}")
        )
        low, high = entry["ci_lower"], entry["ci_upper"]
        interval = f"[{low:.3f}, {high:.3f}]".replace("-0.000", "0.000")
        assert unicode_minus(interval) in labels[f"label:{gid}"]
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


@pytest.fixture(scope="module")
def sensitivity_en(small_run) -> Figure:
    """The English sensitivity figure, built once for the tests that only read it."""
    return sensitivity_figure(small_run.mediation, small_run.project())


def test_sensitivity_figure_marks_where_the_acme_is_zero(small_run, sensitivity_en):
    figure = sensitivity_en
    entry = small_run.mediation["causal"]["mediators"][0]
    assert unicode_minus(f"ACME = 0\nat ρ = {entry['rho_at_zero']:.2f}") in texts(figure)


def test_path_diagram_prints_the_total_effect_of_the_causal_table_and_a_legend(small_run):
    """One source of truth: the total effect and its interval as mediation_causal prints them."""
    project = small_run.project()
    figure = path_diagram(small_run.mediation, project)
    note = " ".join(texts(figure).split())
    table = causal_table(small_run.mediation, project)
    printed = {cell for panel in table.panels for row in panel.rows for cell in row.cells}
    causal = small_run.mediation["causal"]["mediators"][0]
    low, high = causal["total_ci"]
    interval = f"[{low:.3f}, {high:.3f}]"
    assert interval in printed, "the causal table prints the total-effect interval"
    assert f"Total effect c = {causal['total']:.3f} {unicode_minus(interval)}" in note
    stars = "*** p\u00a0<\u00a00.01, ** p\u00a0<\u00a00.05, * p\u00a0<\u00a00.1"
    assert stars.replace("\u00a0", " ") in note.replace("\u00a0", " ")
    assert "Paths a, b and c′: 95% Wald intervals" in note
    assert "a×b, total indirect and total effect: 95% percentile intervals" in note
    n_boot = small_run.mediation["bootstrap"]["n_valid"]
    assert f"({n_boot:,} replicates)" in note


def test_coefficient_plot_gives_a_far_estimator_its_own_axis(small_run):
    records = small_run.records("baseline_")
    project = small_run.project()
    figure = coefficient_plot(records, project)
    axes = [ax for ax in figure.axes if ax.get_visible()]
    estimates = {
        job: next(c for c in r["result"]["coefficients"] if c["name"] == "GOV")
        for job, r in records.items()
    }
    intervals = [(e["ci_lower"], e["ci_upper"]) for e in estimates.values()]
    far = far_entries(intervals)
    if far:
        assert len(axes) == 2
        near_ax, far_ax = axes
        for position, (low, high) in enumerate(intervals):
            target = far_ax if position in far else near_ax
            view = target.get_xlim()
            assert view[0] <= low and high <= view[1], list(records)[position]
    else:
        assert len(axes) == 1


def test_far_entries_finds_the_estimator_that_would_squeeze_the_others():
    """The default data: between (1.31) beside estimates from 0.19 to 0.46."""
    intervals = [(0.41, 0.52), (0.19, 0.25), (0.24, 0.30), (1.21, 1.41), (0.16, 0.21)]
    assert far_entries(intervals) == [3]
    assert far_entries([(0.1, 0.2), (0.15, 0.3), (0.25, 0.4)]) == []
    assert far_entries([(0.1, 0.2), (0.15, 0.25), (0.2, 0.3), (-3.0, -2.9), (4.0, 4.2)]) == [3, 4]


def test_coefficient_plot_numbers_the_models_as_the_baseline_table(small_run):
    records = small_run.records("baseline_")
    project = small_run.project()
    figure = coefficient_plot(records, project)
    table = baseline_table(records, project)
    header = [[cell.text for cell in level for _ in range(cell.span)] for level in table.columns]
    estimator_by_number = {
        number: estimator for estimator, number in zip(header[-2], header[-1], strict=True)
    }
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    for label in labels:
        number, _, rest = " ".join(label.split()).partition(" ")
        assert number in estimator_by_number, label
        assert rest.startswith(estimator_by_number[number]), (label, estimator_by_number[number])


def test_r2_tilde_contour_vanishes_where_rho_does(small_run):
    """The zero contour is R̃²_M R̃²_Y = rho0² (1 - R²_M)(1 - R²_Y), as stored by the estimator."""
    for entry in small_run.mediation["causal"]["mediators"]:
        rho0 = entry["rho_at_zero"]
        if rho0 is None or abs(rho0) < 0.05:
            continue
        grid = r2_tilde_grid(
            entry["curve"]["rho"],
            entry["curve"]["acme"],
            r2_mediator=entry["r2_mediator"],
            r2_outcome=entry["r2_outcome"],
            sign=1 if rho0 > 0 else -1,
            points=201,
        )
        figure = Figure()
        contour = figure.subplots().contour(
            grid.r2_mediator_tilde, grid.r2_outcome_tilde, grid.acme, levels=[0.0]
        )
        vertices = np.vstack([path.vertices for path in contour.get_paths()])
        assert len(vertices) > 10
        products = vertices[:, 0] * vertices[:, 1]
        expected = rho0**2 * (1 - entry["r2_mediator"]) * (1 - entry["r2_outcome"])
        np.testing.assert_allclose(products, expected, rtol=0.05, atol=2e-4)
        # the estimator's own product, computed at estimation time, agrees
        np.testing.assert_allclose(entry["r2_product_total"], expected, rtol=1e-6)


def test_r2_tilde_grid_checks_the_sign():
    with pytest.raises(ValueError, match="sign"):
        r2_tilde_grid([-0.5, 0.5], [1.0, -1.0], r2_mediator=0.1, r2_outcome=0.1, sign=0)


def test_sensitivity_figure_pairs_rho_and_r2_panels(small_run, sensitivity_en):
    figure = sensitivity_en
    visible = [ax for ax in figure.axes if ax.get_visible()]
    assert len(visible) == 2 * len(small_run.mediation["causal"]["mediators"])
    assert sum(ax.get_xlabel() == "ρ" for ax in visible) == len(visible) // 2
    assert sum("tilde{R}^2_M" in ax.get_xlabel() for ax in visible) == len(visible) // 2
