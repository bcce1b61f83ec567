"""Figures: files written, the bundled Chinese font used, no missing glyphs, clear fallback."""

from __future__ import annotations

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


@pytest.mark.parametrize("kind", ["index_trends", "correlations"])
def test_chinese_figures_use_the_bundled_font_without_missing_glyphs(
    kind, config_zh, trends, correlations, tmp_path
):
    bundled = style.bundled_cjk_font_path()
    assert bundled is not None, "the dependency noto-cjk-sans-otc is not installed"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure = build(kind, "zh", display_labels(config_zh), trends, correlations)
        png, pdf = save_figure(figure, tmp_path / kind)
    texts = texts_of(figure)
    chinese = [t for t in texts if any("\u4e00" <= ch <= "\u9fff" for ch in t.get_text())]
    assert chinese, "the figure shows no Chinese text"
    for text in texts:
        found = font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)
        assert str(found.path if hasattr(found, "path") else found) == str(bundled.resolve())
        assert font_manager.get_font(found).family_name == style.CJK_FAMILY
    content = pdf.read_bytes()
    assert b"NotoSansCJKsc" in content
    # CFF outlines are embedded as Type 3: matplotlib would mislabel them as TrueType otherwise
    assert b"/Subtype /Type3" in content and b"/FontFile2" not in content
    assert png.stat().st_size > 5_000


def test_the_glyph_check_would_catch_a_latin_only_font(tmp_path):
    """Control: Chinese text in the English style warns about missing glyphs when drawn."""
    with style.figure_style("en"):
        figure = Figure()
        figure.subplots().set_title("政府干预")
    with pytest.warns(UserWarning, match="Glyph .* missing"):
        save_figure(figure, tmp_path / "tofu")


def test_pdf_font_type_is_42_for_truetype_and_3_for_cff(config_en, config_zh, trends, correlations):
    english = build("index_trends", "en", display_labels(config_en), trends, correlations)
    chinese = build("index_trends", "zh", display_labels(config_zh), trends, correlations)
    assert style.pdf_font_type(english) == 42
    assert style.pdf_font_type(chinese) == 3


def test_a_missing_font_warns_and_falls_back(monkeypatch):
    monkeypatch.setattr(style, "bundled_cjk_font_path", lambda: None)
    monkeypatch.setattr(style, "SYSTEM_CJK_FAMILIES", ("No Such Font SC",))
    with pytest.warns(style.CjkFontMissingWarning, match="noto-cjk-sans-otc") as record:
        settings = style.font_settings("zh")
    assert settings == {"font.family": [style.LATIN_FAMILY]}
    assert "empty boxes" in str(record[0].message)
    assert issubclass(style.CjkFontMissingWarning, GovclusterWarning)


def test_a_system_font_is_the_fallback(monkeypatch):
    installed = font_manager.fontManager.ttflist[0].name
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
