"""Event-study figures as printed: whole-year ticks and a reference label clear of the data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import Collection
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox

from govcluster.config import load_config
from govcluster.render import did_figures

pytestmark = pytest.mark.exhibits  # draws whole figures

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def config_en():
    return load_config(ROOT / "config" / "config.yaml", overrides={"language": "en"})


@pytest.fixture(scope="module")
def config_zh():
    return load_config(ROOT / "config" / "config.yaml", overrides={"language": "zh"})


def _reference_labels(ax, language):
    word = did_figures.AXIS["reference"][language]
    return [text for text in ax.texts if text.get_text() == word]


def _data_extents(ax) -> list:
    """Display-space paths of the estimates, intervals and bands (not the shading or lines)."""
    paths = []
    for artist in ax.get_children():
        if isinstance(artist, Collection):  # intervals (vlines) and uniform bands
            transform = artist.get_transform()
            paths += [transform.transform_path(path) for path in artist.get_paths()]
        elif isinstance(artist, Line2D) and artist.get_marker() not in (None, "None", ""):
            xy = artist.get_transform().transform(artist.get_xydata())
            paths += [Bbox.from_extents(x - 3, y - 3, x + 3, y + 3) for x, y in xy]
    return paths


def _overlaps(bbox: Bbox, shape) -> bool:
    if isinstance(shape, Bbox):
        return bool(bbox.overlaps(shape))
    return bool(shape.intersects_bbox(bbox, filled=True))


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("builder", ["event_study_figure", "mechanism_figure"])
def test_event_studies_tick_whole_years_and_label_the_reference_clear_of_the_data(
    did_records, config_en, config_zh, language, builder
):
    project = config_en if language == "en" else config_zh
    figure = getattr(did_figures, builder)(did_records, project)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    axes = [ax for ax in figure.axes if ax.get_visible()]
    assert axes
    for ax in axes:
        low, high = ax.get_xlim()
        ticks = [t for t in ax.get_xticks() if low <= t <= high]
        assert ticks and np.allclose(ticks, np.round(ticks)), ticks
        labels = _reference_labels(ax, language)
        assert len(labels) == 1
        box = labels[0].get_window_extent(renderer)
        assert ax.get_window_extent(renderer).contains(box.x0, box.y0)
        assert ax.get_window_extent(renderer).contains(box.x1, box.y1)  # inside the axes
        touching = [shape for shape in _data_extents(ax) if _overlaps(box, shape)]
        assert not touching, f"{builder}: the reference label overlaps {len(touching)} data marks"


def test_the_overlap_check_sees_a_label_on_the_data(did_records, config_en):
    figure = did_figures.event_study_figure(did_records, config_en)
    canvas = FigureCanvasAgg(figure)
    ax = figure.axes[0]
    label = _reference_labels(ax, "en")[0]
    estimate = next(line for line in ax.get_lines() if line.get_marker() == "o")
    label.set_position(tuple(estimate.get_xydata()[0]))  # where the old label could fall
    canvas.draw()
    renderer = canvas.get_renderer()
    box = label.get_window_extent(renderer)
    assert any(_overlaps(box, shape) for shape in _data_extents(ax))
