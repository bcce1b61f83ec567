"""Every default figure is drawn at its print width, with text of at least 7 pt inside it.

The figures are built from stored results as the rendering rules build them: the descriptive,
panel and mediation figures from the small run of the real estimators, the did figures from a
small simulated staggered panel, the case-study figures from the case study of the small run.
What is measured is what is drawn: the figure is rendered and every text artist that actually
draws (tick labels outside the view do not) is recorded with its font size and window extent.
"""

from __future__ import annotations

import json
import struct
import warnings
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from render_estimates import SOURCE_PATHS

from govcluster import io
from govcluster.casestudy.plan import run_configured_case_study
from govcluster.errors import ConfigError
from govcluster.render.catalog import build_exhibit, load_sources
from govcluster.render.figures import save_figure
from govcluster.render.plan import planned_exhibits
from govcluster.render.style import MIN_FONT_SIZE, PRINT_WIDTHS, figure_width_inches

#: Figures that need the full text width whatever the configured width (a two-column page
#: prints them across both columns).
FULL_WIDTH_ONLY = {"mediation_path_diagram"}


@pytest.fixture(scope="module")
def case_study_record(small_run) -> dict:
    panel = io.read_parquet(small_run.path("analysis"))
    config = small_run.config
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run_configured_case_study(panel, config["case_study"], seed=config["seed"])
    return json.loads(json.dumps(result.to_dict()))


def figure_exhibits(project) -> list:
    return [exhibit for exhibit in planned_exhibits(project) if exhibit.kind == "figure"]


def sources_of(exhibit, small_run, did_records, case_study_record) -> dict:
    if exhibit.stage == "did":
        return {"did": did_records}
    if exhibit.stage == "casestudy":
        return {"case_study": case_study_record}
    paths: dict = {source: small_run.root / SOURCE_PATHS[source] for source in exhibit.sources}
    if exhibit.panel_jobs:
        paths["panel"] = [small_run.panel_path(job) for job in exhibit.panel_jobs]
    return load_sources(paths)


def drawn_texts(figure: Figure) -> list[tuple[str, float, object]]:
    """(text, font size in pt, window extent) of every text the figure draws."""
    drawn = []
    original = Text.draw

    def recording_draw(self, renderer):
        original(self, renderer)
        if self.get_visible() and self.get_text().strip():
            extent = self.get_window_extent(renderer)
            drawn.append((self.get_text(), float(self.get_fontsize()), extent))

    Text.draw = recording_draw
    try:
        FigureCanvasAgg(figure).draw()
    finally:
        Text.draw = original
    return drawn


def assert_print_ready(name: str, figure: Figure, width: float) -> None:
    assert figure.get_size_inches()[0] == pytest.approx(width), name
    texts = drawn_texts(figure)
    assert texts, f"{name}: no text drawn"
    small = [(text, size) for text, size, _ in texts if size < MIN_FONT_SIZE - 1e-9]
    assert not small, f"{name}: text below {MIN_FONT_SIZE:g} pt: {small[:5]}"
    box = figure.bbox
    outside = [
        text
        for text, _, extent in texts
        if extent.x0 < box.x0 - 1
        or extent.y0 < box.y0 - 1
        or extent.x1 > box.x1 + 1
        or extent.y1 > box.y1 + 1
    ]
    assert not outside, f"{name}: text outside the figure: {outside[:5]}"


def png_width(path: Path) -> int:
    """Width in pixels of a PNG (from its IHDR chunk)."""
    return struct.unpack(">I", path.read_bytes()[16:20])[0]


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.exhibits
def test_every_default_figure_is_drawn_at_full_width_with_legible_text(
    language, small_run, did_records, case_study_record, tmp_path
):
    project = small_run.project(language)
    exhibits = figure_exhibits(project)
    assert {e.stage for e in exhibits} >= {"descriptives", "panel", "mediation", "did"}
    for exhibit in exhibits:
        sources = sources_of(exhibit, small_run, did_records, case_study_record)
        figure = build_exhibit(exhibit.name, sources, project)
        assert_print_ready(exhibit.name, figure, PRINT_WIDTHS["full"])
    # The saved PNG keeps the drawn width (no tight bounding box): 6.5 in at 200 dpi.
    png, _ = save_figure(figure, tmp_path / exhibit.name)
    assert png_width(png) == round(PRINT_WIDTHS["full"] * 200)


@pytest.mark.exhibits
def test_single_column_figures_are_drawn_at_single_width(small_run, did_records, case_study_record):
    project = small_run.project("en", render={"figure_width": "single"})
    for exhibit in figure_exhibits(project):
        sources = sources_of(exhibit, small_run, did_records, case_study_record)
        figure = build_exhibit(exhibit.name, sources, project)
        expected = "full" if exhibit.name in FULL_WIDTH_ONLY else "single"
        assert_print_ready(exhibit.name, figure, PRINT_WIDTHS[expected])


def test_the_measurement_would_catch_small_text_and_text_outside():
    """Control: a 6 pt label and a label placed beyond the right edge are both reported."""
    figure = Figure(figsize=(3.5, 2.0))
    ax = figure.subplots()
    ax.set_title("small", fontsize=6)
    with pytest.raises(AssertionError, match="below 7 pt"):
        assert_print_ready("control", figure, 3.5)
    ax.set_title("fine", fontsize=8)
    ax.text(1.6, 0.5, "far to the right", transform=ax.transAxes, fontsize=8)
    with pytest.raises(AssertionError, match="outside the figure"):
        assert_print_ready("control", figure, 3.5)


def test_figure_width_option_is_read_and_checked():
    assert figure_width_inches(None) == PRINT_WIDTHS["full"] == 6.5
    assert figure_width_inches("single") == 3.5
    assert figure_width_inches(5) == 5.0
    for bad in ("half", 0.5, 30, True):
        with pytest.raises(ConfigError, match="render.figure_width"):
            figure_width_inches(bad)
