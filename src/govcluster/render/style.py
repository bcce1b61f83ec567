"""The look of the figures, their print width, and the font that lets them speak Chinese.

:func:`figure_style` is the context in which every figure is built: the style sheet
``govcluster.mplstyle`` next to this module plus the font of the language. Figures are drawn at
the width they are printed (:data:`PRINT_WIDTHS`, chosen by ``render.figure_width``), so the
font sizes of the style sheet are the printed sizes (at least :data:`MIN_FONT_SIZE`).

Chinese needs a CJK font, and publishers' preflight checks want it embedded in PDFs as a
TrueType (Type 42) font rather than as Type 3 outlines. Matplotlib can embed a font as Type 42
only if it has TrueType outlines, so a TrueType CJK font is used first:
:data:`TRUETYPE_CJK_FONTS` lists the files of Debian's ``fonts-wqy-microhei`` (which
``.ci/run`` installs), ``fonts-wqy-zenhei`` and ``fonts-arphic-ukai``. Without one of them the
font of the PyPI dependency ``noto-cjk-sans-otc`` (Noto Sans CJK, one OpenType collection
inside the wheel) is used, with a :class:`CjkFontMissingWarning` that says how to install the
TrueType font: its outlines are CFF, which matplotlib would declare as TrueType and so make an
invalid PDF (matplotlib issue #20870), so such figures embed Type 3 fonts (see
:func:`pdf_font_type`). Fonts are registered with matplotlib's font manager straight from
their files, so nothing is downloaded or cached.

The font families are set as concrete names (not the generic ``sans-serif``), so every text
artist of a figure keeps its font after the context ends. If no Chinese font is found at all,
the warning says so and Chinese characters would be missing.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

import matplotlib
import matplotlib.style
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text

from govcluster.errors import ConfigError, GovclusterWarning

#: The style sheet of all figures.
STYLE_PATH = Path(__file__).with_name("govcluster.mplstyle")
#: Family used for Chinese text when no TrueType CJK font is installed (a face of the
#: collection of the PyPI dependency ``noto-cjk-sans-otc``; CFF outlines, embedded as Type 3).
CJK_FAMILY = "Noto Sans CJK SC"
#: TrueType CJK fonts (embedded in PDFs as Type 42), in order of preference: family, file and
#: the Debian package that installs it.
TRUETYPE_CJK_FONTS: tuple[tuple[str, str, str], ...] = (
    ("WenQuanYi Micro Hei", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "fonts-wqy-microhei"),
    ("WenQuanYi Zen Hei", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "fonts-wqy-zenhei"),
    ("AR PL UKai CN", "/usr/share/fonts/truetype/arphic/ukai.ttc", "fonts-arphic-ukai"),
)
#: The command that installs the preferred TrueType CJK font.
TRUETYPE_CJK_INSTALL = "apt-get install fonts-wqy-microhei"
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


#: Print widths of a journal page, in inches: one column, the full text width.
PRINT_WIDTHS: dict[str, float] = {"single": 3.5, "full": 6.5}
#: Named print widths accepted by ``render.figure_width``.
FigureWidthName = Literal["single", "full"]
#: Default print width of every figure.
DEFAULT_FIGURE_WIDTH: FigureWidthName = "full"
#: Widths in inches accepted by ``render.figure_width`` (a number outside is a typo).
WIDTH_BOUNDS = (2.0, 10.0)
#: Smallest font size, in points at print size, of any text of a figure.
MIN_FONT_SIZE = 7.0


def figure_width_inches(value: str | float | int | None = None) -> float:
    """The print width in inches of a ``render.figure_width`` value.

    Parameters
    ----------
    value : {"single", "full"} or float, optional
        ``"single"`` (one column, 3.5 in), ``"full"`` (the text width, 6.5 in) or a width in
        inches from 2 to 10; None takes :data:`DEFAULT_FIGURE_WIDTH`.

    Returns
    -------
    float

    Raises
    ------
    ConfigError
        If ``value`` is neither a known name nor a width in the bounds.
    """
    if value is None:
        value = DEFAULT_FIGURE_WIDTH
    if isinstance(value, str):
        if value not in PRINT_WIDTHS:
            raise ConfigError(
                f"render.figure_width must be one of {list(get_args(FigureWidthName))} or a "
                f"width in inches, got {value!r}"
            )
        return PRINT_WIDTHS[value]
    low, high = WIDTH_BOUNDS
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ConfigError(
            f"render.figure_width must be 'single', 'full' or a width in inches from {low:g} to "
            f"{high:g}, got {value!r}"
        )
    return float(value)


def configured_figure_width(config: Any) -> float:
    """The print width in inches of the figures of a configuration (``render.figure_width``).

    Parameters
    ----------
    config : ProjectConfig or mapping
        A :class:`~govcluster.config.ProjectConfig` (its ``raw`` dict is read) or the raw
        configuration dict; a missing ``render`` section or key gives the full text width.
    """
    raw = getattr(config, "raw", config) or {}
    section = raw.get("render") or {}
    return figure_width_inches(section.get("figure_width"))


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


def truetype_cjk_family() -> str | None:
    """The first of :data:`TRUETYPE_CJK_FONTS` whose file is installed, registered; or None."""
    for family, path, _ in TRUETYPE_CJK_FONTS:
        if (
            Path(path).is_file()
            and not has_cff_outlines(path)
            and family in register_font_file(path)
        ):
            return family
    return None


def resolve_cjk_family() -> str | None:
    """The font family to use for Chinese text.

    Returns
    -------
    str or None
        The first installed TrueType font of :data:`TRUETYPE_CJK_FONTS`; otherwise, with a
        :class:`CjkFontMissingWarning`, :data:`CJK_FAMILY` from the bundled font (PDFs then
        embed it as Type 3), or the first of :data:`SYSTEM_CJK_FAMILIES` installed on the
        system, or None if there is none (Chinese characters would then be missing).
    """
    truetype = truetype_cjk_family()
    if truetype is not None:
        return truetype
    advice = (
        "No TrueType Chinese font is installed, so Chinese PDF figures cannot embed their font "
        f"as TrueType (Type 42), which publishers require: install one with "
        f"`{TRUETYPE_CJK_INSTALL}` (Debian/Ubuntu; .ci/run does this)."
    )
    path = bundled_cjk_font_path()
    if path is not None and CJK_FAMILY in register_font_file(path):
        message = (
            f"{advice} Using the bundled font '{CJK_FAMILY}' (package noto-cjk-sans-otc), "
            "embedded as Type 3."
        )
        warnings.warn(CjkFontMissingWarning(message), stacklevel=2)
        return CJK_FAMILY
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    fallback = next((family for family in SYSTEM_CJK_FAMILIES if family in installed), None)
    advice += (
        " The fallback font of figures (package noto-cjk-sans-otc, a dependency of govcluster) "
        "is not installed either; install the project's dependencies (`make env`, `uv sync` or "
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
