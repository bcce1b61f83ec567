"""Figures: files written, a TrueType Chinese font used, no missing glyphs, clear fallback."""

from __future__ import annotations

import os
import subprocess
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text

from govcluster.errors import GovclusterWarning
from govcluster.render import style
from govcluster.render.figures import correlation_heatmap, index_trends_figure, save_figure
from govcluster.render.labels import display_labels


@pytest.fixture(scope="module")
def trends() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = [
        (construct, region, year, rng.normal())
        for construct in ("GOV", "OPEN", "SCA")
        for region in ("east", "central", "west")
        for year in range(2010, 2016)
    ]
    return pd.DataFrame(rows, columns=["construct", "region", "year", "mean"])


@pytest.fixture(scope="module")
def correlations() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    data = pd.DataFrame(rng.normal(size=(50, 4)), columns=["GOV", "OPEN", "SCA", "ln_gdp_pc"])
    return data.corr()


def build(kind: str, language: str, labels, trends, correlations) -> Figure:
    if kind == "index_trends":
        return index_trends_figure(trends, labels, language=language, ncols=2, zero_line=True)
    return correlation_heatmap(correlations, labels, language=language)


def texts_of(figure: Figure) -> list[Text]:
    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text()]


@pytest.mark.exhibits
@pytest.mark.parametrize("kind", ["index_trends", "correlations"])
def test_each_figure_writes_a_png_and_a_pdf(kind, config_en, trends, correlations, tmp_path):
    figure = build(kind, "en", display_labels(config_en), trends, correlations)
    assert isinstance(figure, Figure)
    png, pdf = save_figure(figure, tmp_path / "figures" / kind)
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and png.stat().st_size > 5_000
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5_000
    assert b"DejaVuSans" in pdf.read_bytes()
    assert sorted(p.name for p in png.parent.iterdir()) == [f"{kind}.pdf", f"{kind}.png"]


def test_figures_are_drawn_on_agg_and_not_tracked_by_pyplot(config_en, trends, correlations):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    build("index_trends", "en", display_labels(config_en), trends, correlations)
    assert matplotlib.get_backend().lower() == "agg"
    assert plt.get_fignums() == before


def require_truetype_cjk_font() -> str:
    """The TrueType Chinese font's family; skip (fail under GOVCLUSTER_REQUIRE_EXTERNAL_TOOLS=1)."""
    family = style.truetype_cjk_family()
    if family is None:
        message = f"no TrueType Chinese font is installed ({style.TRUETYPE_CJK_INSTALL})"
        if os.environ.get("GOVCLUSTER_REQUIRE_EXTERNAL_TOOLS") == "1":
            pytest.fail(f"{message}; GOVCLUSTER_REQUIRE_EXTERNAL_TOOLS=1 requires it")
        pytest.skip(message)
    return family


def pdf_font_types(pdf, required_program) -> list[tuple[str, str]]:
    """(name, type) of every font of a PDF, read by poppler's ``pdffonts``."""
    listing = subprocess.run(
        [required_program("pdffonts"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    rows = []
    for line in listing[2:]:
        name, rest = line.split(maxsplit=1)
        kind = rest.split("  ")[0].strip()
        rows.append((name, kind))
    return rows


@pytest.mark.exhibits
@pytest.mark.parametrize("kind", ["index_trends", "correlations"])
def test_chinese_figures_embed_a_truetype_font_without_missing_glyphs(
    kind, config_zh, trends, correlations, tmp_path, required_program
):
    family = require_truetype_cjk_font()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure = build(kind, "zh", display_labels(config_zh), trends, correlations)
        png, pdf = save_figure(figure, tmp_path / kind)
    texts = texts_of(figure)
    chinese = [t for t in texts if any("\u4e00" <= ch <= "\u9fff" for ch in t.get_text())]
    assert chinese, "the figure shows no Chinese text"
    for text in texts:
        found = font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)
        assert font_manager.get_font(found).family_name == family
    fonts = pdf_font_types(pdf, required_program)
    assert fonts, "pdffonts lists no font"
    assert all(kind != "Type 3" for _, kind in fonts), fonts
    assert any("TrueType" in kind and "WenQuanYi" in name for name, kind in fonts), fonts
    assert png.stat().st_size > 5_000


def test_without_a_truetype_font_the_bundled_one_is_embedded_as_type_3(
    monkeypatch, config_zh, trends, correlations, tmp_path, required_program
):
    """Control of the pdffonts check: the CFF fallback font is Type 3, and a warning says why."""
    monkeypatch.setattr(style, "TRUETYPE_CJK_FONTS", ())
    bundled = style.bundled_cjk_font_path()
    assert bundled is not None, "the dependency noto-cjk-sans-otc is not installed"
    with pytest.warns(style.CjkFontMissingWarning, match="apt-get install fonts-wqy-microhei"):
        figure = build("index_trends", "zh", display_labels(config_zh), trends, correlations)
    for text in texts_of(figure):
        found = font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)
        assert str(getattr(found, "path", found)) == str(bundled.resolve())
    assert style.pdf_font_type(figure) == 3
    _, pdf = save_figure(figure, tmp_path / "fallback")
    assert any(kind == "Type 3" for _, kind in pdf_font_types(pdf, required_program))


def test_the_glyph_check_would_catch_a_latin_only_font(tmp_path):
    """Control: Chinese text in the English style warns about missing glyphs when drawn."""
    with style.figure_style("en"):
        figure = Figure()
        figure.subplots().set_title("政府干预")
    with pytest.warns(UserWarning, match="Glyph .* missing"):
        save_figure(figure, tmp_path / "tofu")


def test_pdf_font_type_is_42_for_truetype_and_3_for_cff(
    monkeypatch, config_en, config_zh, trends, correlations
):
    english = build("index_trends", "en", display_labels(config_en), trends, correlations)
    assert style.pdf_font_type(english) == 42
    if style.truetype_cjk_family() is not None:
        chinese = build("index_trends", "zh", display_labels(config_zh), trends, correlations)
        assert style.pdf_font_type(chinese) == 42
    monkeypatch.setattr(style, "TRUETYPE_CJK_FONTS", ())
    with pytest.warns(style.CjkFontMissingWarning):
        chinese = build("index_trends", "zh", display_labels(config_zh), trends, correlations)
    assert style.pdf_font_type(chinese) == 3


def test_a_missing_font_warns_and_falls_back(monkeypatch):
    monkeypatch.setattr(style, "TRUETYPE_CJK_FONTS", ())
    monkeypatch.setattr(style, "bundled_cjk_font_path", lambda: None)
    monkeypatch.setattr(style, "SYSTEM_CJK_FAMILIES", ("No Such Font SC",))
    with pytest.warns(style.CjkFontMissingWarning, match="noto-cjk-sans-otc") as record:
        settings = style.font_settings("zh")
    assert settings == {"font.family": [style.LATIN_FAMILY]}
    assert "empty boxes" in str(record[0].message)
    assert "fonts-wqy-microhei" in str(record[0].message)
    assert issubclass(style.CjkFontMissingWarning, GovclusterWarning)


def test_a_system_font_is_the_fallback(monkeypatch):
    installed = font_manager.fontManager.ttflist[0].name
    monkeypatch.setattr(style, "TRUETYPE_CJK_FONTS", ())
    monkeypatch.setattr(style, "bundled_cjk_font_path", lambda: None)
    monkeypatch.setattr(style, "SYSTEM_CJK_FAMILIES", ("No Such Font SC", installed))
    with pytest.warns(style.CjkFontMissingWarning, match=f"system font '{installed}'"):
        assert style.resolve_cjk_family() == installed


def test_registering_the_font_twice_adds_it_once():
    bundled = style.bundled_cjk_font_path()
    first = style.register_font_file(bundled)
    count = len(font_manager.fontManager.ttflist)
    assert style.register_font_file(bundled) == first
    assert len(font_manager.fontManager.ttflist) == count
    assert style.CJK_FAMILY in first


def test_english_figures_need_no_chinese_font(monkeypatch, config_en, trends, correlations):
    monkeypatch.setattr(style, "bundled_cjk_font_path", lambda: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        build("correlations", "en", display_labels(config_en), trends, correlations)


def test_bad_figure_data_are_refused(trends, correlations):
    with pytest.raises(ValueError, match="no column"):
        index_trends_figure(trends.drop(columns="mean"), {})
    with pytest.raises(ValueError, match="same variables"):
        correlation_heatmap(correlations.iloc[:, :2], {})
