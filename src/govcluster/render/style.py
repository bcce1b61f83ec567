"""The look of the figures, and the font that lets them speak Chinese.

:func:`figure_style` is the context in which every figure is built: the style sheet
``govcluster.mplstyle`` next to this module plus the font of the language. Chinese needs a CJK
font; the project depends on the PyPI package ``noto-cjk-sans-otc``, which ships Noto Sans CJK
(SIL Open Font License) as one OpenType collection inside the wheel. Its faces are registered
with matplotlib's font manager straight from the package's files, so nothing is downloaded,
installed system-wide or cached, and the Simplified Chinese face ("Noto Sans CJK SC") is used.

PDF fonts are embedded as Type 42 (outlines kept as a font, which publishers prefer), except
when a figure uses a font with CFF outlines, as Noto Sans CJK has: matplotlib would declare it a
TrueType font, which makes an invalid PDF (matplotlib issue #20870), so such figures embed
Type 3 fonts (see :func:`pdf_font_type`).

The font families are set as concrete names (not the generic ``sans-serif``), so every text
artist of a figure keeps its font after the context ends. If the bundled font is missing, a
:class:`CjkFontMissingWarning` says so and how to install it, and a Chinese font of the system
is used if there is one.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.style
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text

from govcluster.errors import GovclusterWarning

#: The style sheet of all figures.
STYLE_PATH = Path(__file__).with_name("govcluster.mplstyle")
#: Family used for Chinese text (a face of the bundled collection).
CJK_FAMILY = "Noto Sans CJK SC"
#: Family used for Latin text (ships with matplotlib).
LATIN_FAMILY = "DejaVu Sans"
#: Chinese families tried, in order, when the bundled font is missing.
SYSTEM_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Arial Unicode MS",
)


class CjkFontMissingWarning(GovclusterWarning):
    """The Chinese font that figures need is not available."""


def bundled_cjk_font_path() -> Path | None:
    """Path of the Noto Sans CJK collection shipped by ``noto-cjk-sans-otc``, or None."""
    try:
        import noto_cjk_sans_otc
    except ImportError:
        return None
    path = Path(str(noto_cjk_sans_otc.FONT_PATH))
    return path if path.is_file() else None


def register_font_file(path: str | Path) -> tuple[str, ...]:
    """Add every face of a font file to matplotlib's font manager, once.

    Parameters
    ----------
    path : str or Path
        A ``.ttf``, ``.otf`` or ``.ttc`` file.

    Returns
    -------
    tuple of str
        The family names the file provides.
    """
    resolved = str(Path(path).resolve())

    def faces() -> list[Any]:
        return [
            entry
            for entry in font_manager.fontManager.ttflist
            if str(Path(entry.fname).resolve()) == resolved
        ]

    if not faces():
        font_manager.fontManager.addfont(resolved)
    return tuple(dict.fromkeys(entry.name for entry in faces()))


def resolve_cjk_family() -> str | None:
    """The font family to use for Chinese text.

    Returns
    -------
    str or None
        :data:`CJK_FAMILY` from the bundled font; otherwise, with a
        :class:`CjkFontMissingWarning`, the first of :data:`SYSTEM_CJK_FAMILIES` installed on
        the system, or None if there is none (Chinese characters would then be missing).
    """
    path = bundled_cjk_font_path()
    if path is not None and CJK_FAMILY in register_font_file(path):
        return CJK_FAMILY
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    fallback = next((family for family in SYSTEM_CJK_FAMILIES if family in installed), None)
    advice = (
        "The Chinese font of figures (package noto-cjk-sans-otc, a dependency of govcluster) "
        "is not installed; install the project's dependencies (`make env`, `uv sync` or "
        "`pip install noto-cjk-sans-otc`)."
    )
    if fallback is None:
        message = (
            f"{advice} No other Chinese font was found, so Chinese characters in figures will "
            "be missing (drawn as empty boxes)."
        )
    else:
        message = f"{advice} Using the system font '{fallback}' instead."
    warnings.warn(CjkFontMissingWarning(message), stacklevel=2)
    return fallback


def font_settings(language: str) -> dict[str, Any]:
    """The matplotlib settings of the fonts for ``language`` ("en" or "zh").

    For Chinese every text is set in the CJK font (which has Latin letters and digits too),
    with the Latin font as fallback; for English in the Latin font.
    """
    if language == "zh":
        cjk = resolve_cjk_family()
        families = [cjk, LATIN_FAMILY] if cjk else [LATIN_FAMILY]
    else:
        families = [LATIN_FAMILY]
    return {"font.family": families}


@contextmanager
def figure_style(language: str = "en") -> Iterator[None]:
    """Context in which figures are built and saved: the style sheet and the language's font.

    Parameters
    ----------
    language : {"en", "zh"}, default "en"
    """
    with matplotlib.style.context(STYLE_PATH), matplotlib.rc_context(font_settings(language)):
        yield


@lru_cache(maxsize=64)
def has_cff_outlines(path: str, face_index: int = 0) -> bool:
    """Whether face ``face_index`` of the font file ``path`` has CFF (PostScript) outlines."""
    font = TTFont(path, fontNumber=face_index, lazy=True)
    try:
        return "CFF " in font or "CFF2" in font
    finally:
        font.close()


def pdf_font_type(figure: Figure) -> int:
    """The ``pdf.fonttype`` to save ``figure`` with: 42, or 3 if a text uses a CFF font.

    Parameters
    ----------
    figure : matplotlib.figure.Figure

    Returns
    -------
    int
        42 when every font of the figure's texts has TrueType outlines, 3 otherwise.
    """
    for text in figure.findobj(Text):
        if not text.get_visible() or not text.get_text():
            continue
        found = font_manager.findfont(text.get_fontproperties())
        path = str(getattr(found, "path", found))
        if path.lower().endswith((".ttf", ".otf", ".ttc", ".otc")) and has_cff_outlines(
            path, int(getattr(found, "face_index", 0))
        ):
            return 3
    return 42
