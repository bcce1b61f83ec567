"""PDF figures embed lean font subsets: the same glyphs, metrics and hinting, the same page."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.backends import _backend_pdf_ps
from matplotlib.figure import Figure
from PIL import Image

from govcluster.render.figures import save_figure
from govcluster.render.pdf_fonts import LAYOUT_TABLES, lean_font_subsets
from govcluster.render.style import STYLE_PATH, TRUETYPE_CJK_FONTS, figure_style

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pdftoppm(request) -> str:
    """pdftoppm, by ``require_program`` of the suite's conftest (skip or fail without it)."""
    suite_conftest = request.config.pluginmanager.get_plugin(str(ROOT / "tests" / "conftest.py"))
    return suite_conftest.require_program("pdftoppm")


def _font_paths() -> list:
    paths = [font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))]
    cjk = next((path for _, path, _ in TRUETYPE_CJK_FONTS if Path(path).is_file()), None)
    if cjk is not None:
        paths.append(pytest.param(font_manager.FontPath(cjk, 0), marks=pytest.mark.slow))
    return paths


def _subset_bytes(fontfile, glyphs) -> tuple[bytes, dict[int, int]]:
    with _backend_pdf_ps.get_glyphs_subset(fontfile, glyphs) as subset:
        return _backend_pdf_ps.font_as_file(subset.font).getvalue(), dict(subset.glyph_index_map)


@pytest.mark.parametrize("fontfile", _font_paths(), ids=lambda path: Path(str(path)).stem)
def test_lean_subset_keeps_what_a_pdf_reads(fontfile):
    """Every requested glyph keeps its outline, advance and character; the hinting programs stay.

    The usual subset may hold more glyphs (those its substitution tables reach, which a PDF
    never shows); each PDF addresses glyphs through its own index map.
    """
    glyphs = set(range(3, 80)) | {500, 1000}
    usual, usual_map = _subset_bytes(fontfile, glyphs)
    with lean_font_subsets() as lean_in_effect:
        lean, lean_map = _subset_bytes(fontfile, glyphs)
    assert lean_in_effect
    assert glyphs <= set(lean_map) <= set(usual_map)
    usual_font, lean_font = TTFont(io.BytesIO(usual)), TTFont(io.BytesIO(lean))
    usual_names, lean_names = usual_font.getGlyphOrder(), lean_font.getGlyphOrder()
    usual_cmap = {name: code for code, name in usual_font.getBestCmap().items()}
    lean_cmap = {name: code for code, name in lean_font.getBestCmap().items()}
    for glyph in glyphs:
        name = usual_names[usual_map[glyph]]
        assert lean_names[lean_map[glyph]] == name
        usual_coordinates = usual_font["glyf"][name].getCoordinates(usual_font["glyf"])
        lean_coordinates = lean_font["glyf"][name].getCoordinates(lean_font["glyf"])
        assert list(lean_coordinates[0]) == list(usual_coordinates[0]), name
        assert list(lean_coordinates[1]) == list(usual_coordinates[1]), name
        assert lean_font["hmtx"][name] == usual_font["hmtx"][name], name
        assert lean_cmap.get(name) == usual_cmap.get(name), name
    for tag in ("cvt ", "fpgm", "prep"):
        assert (tag in lean_font) == (tag in usual_font), tag
        if tag in usual_font:
            assert lean_font.getTableData(tag) == usual_font.getTableData(tag), tag
    assert lean_font["head"].unitsPerEm == usual_font["head"].unitsPerEm
    dropped = [tag for tag in LAYOUT_TABLES if tag in usual_font]
    assert dropped, "the usual subset has layout tables to drop"
    assert not [tag for tag in LAYOUT_TABLES if tag in lean_font]
    assert len(lean) < len(usual)


def test_context_puts_matplotlib_back_even_after_an_error():
    original = _backend_pdf_ps.get_glyphs_subset
    with pytest.raises(RuntimeError, match="inside"):
        with lean_font_subsets():
            assert _backend_pdf_ps.get_glyphs_subset is not original
            raise RuntimeError("inside")
    assert _backend_pdf_ps.get_glyphs_subset is original


def _figure(language: str) -> Figure:
    text = "集群开放度与政府干预" if language == "zh" else "Cluster openness −0.25"
    with figure_style(language):
        figure = Figure(figsize=(3.5, 2.0), layout="constrained")
        ax = figure.subplots()
        ax.plot([0, 1, 2], [0.1, -0.3, 0.2], marker="o")
        ax.set_title(text)
        ax.set_xlabel("Years after the change")
        figure.draw_without_rendering()
    return figure


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "zh"])
def test_saved_pdf_looks_the_same_as_with_usual_subsets(tmp_path, language, pdftoppm):
    if language == "zh" and not any(Path(path).is_file() for _, path, _ in TRUETYPE_CJK_FONTS):
        pytest.skip("no TrueType Chinese font installed (apt-get install fonts-wqy-microhei)")
    figure = _figure(language)
    _, lean_pdf = save_figure(figure, tmp_path / "lean")
    usual_pdf = tmp_path / "usual.pdf"
    rc = {"pdf.fonttype": 42, "ps.fonttype": 42}
    with matplotlib.style.context(STYLE_PATH), matplotlib.rc_context(rc):
        figure.savefig(usual_pdf, format="pdf", metadata={"CreationDate": None})
    assert b"/FontFile2" in lean_pdf.read_bytes()  # TrueType (Type 42), as before
    assert lean_pdf.stat().st_size < usual_pdf.stat().st_size
    rasters = []
    for pdf in (lean_pdf, usual_pdf):
        subprocess.run(
            [pdftoppm, "-r", "150", "-png", "-singlefile", str(pdf), str(pdf.with_suffix(""))],
            check=True,
        )
        rasters.append(np.asarray(Image.open(pdf.with_suffix(".png")).convert("RGB")))
    assert rasters[0].shape == rasters[1].shape
    np.testing.assert_array_equal(rasters[0], rasters[1])
