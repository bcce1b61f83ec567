"""Font subsets of PDF figures without the tables a PDF never reads.

A PDF that embeds a TrueType font (Type 42) places every glyph itself: viewers read the
outlines, metrics and hinting of the embedded font program (``glyf``, ``loca``, ``head``,
``hhea``, ``hmtx``, ``maxp``, ``cmap``, ``cvt ``, ``fpgm``, ``prep``; PDF 1.7, section 9.9),
never its OpenType layout tables (``GSUB``, ``GPOS``, ``GDEF``, ``kern``, ...), which are for
programs that set text. Matplotlib subsets each embedded font with fontTools and keeps those
layout tables; subsetting them is most of the time of saving a PDF figure (DejaVu Sans carries
large ``GSUB``/``GPOS`` tables). :func:`lean_font_subsets` is
the context in which :func:`govcluster.render.figures.save_figure` writes PDFs: matplotlib's
subsetting then drops the layout tables before subsetting, so the embedded font program holds
the same glyphs, metrics and hinting, and the page looks exactly the same. The subsetter's
messages about each table it prunes (level INFO) are left out of the logs.

Matplotlib offers no option for this, so the context replaces its subsetting function
(``matplotlib.backends._backend_pdf_ps.get_glyphs_subset``) while it lasts; if a matplotlib
version has no such function, PDFs are written as matplotlib does by default.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

#: OpenType tables a PDF renderer never reads: text layout (substitution, positioning,
#: kerning, justification, baselines, math layout) and glyph-variation tables.
LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "kern", "BASE", "JSTF", "MATH", "morx", "kerx")

_LOCK = threading.Lock()
#: fontTools logs every table it prunes at level INFO (hundreds of lines in a rule's log).
_SUBSET_LOGGER = "fontTools.subset"


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    """Messages of logger ``name`` below WARNING are dropped while the context lasts."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)


class SubsetFont(NamedTuple):
    """What matplotlib reads of a font subset: the font and old -> new glyph indices."""

    font: Any
    glyph_index_map: dict[int, int]


def subset_without_layout(original: Any):
    """A replacement of matplotlib's ``get_glyphs_subset`` that drops :data:`LAYOUT_TABLES`.

    Parameters
    ----------
    original : callable
        Matplotlib's function, whose options (tables dropped, glyph names, face of a
        collection) are kept; only the layout tables are dropped in addition.
    """
    from fontTools import subset

    @contextmanager
    def get_glyphs_subset(fontfile: Any, glyphs: Any) -> Iterator[SubsetFont]:
        options = subset.Options(glyph_names=True, recommended_glyphs=True)
        options.drop_tables += [*_MATPLOTLIB_DROPPED, *LAYOUT_TABLES]
        options.layout_features = []
        options.font_number = getattr(fontfile, "face_index", 0)
        font = subset.load_font(fontfile, options)
        try:
            with _quiet(_SUBSET_LOGGER):
                subsetter = subset.Subsetter(options=options)
                subsetter.populate(gids=glyphs)
                subsetter.subset(font)
            yield SubsetFont(font, subsetter.glyph_index_map)
        finally:
            font.close()

    get_glyphs_subset.__wrapped__ = original  # type: ignore[attr-defined]
    return get_glyphs_subset


#: Tables matplotlib drops from every subset (FontForge, bitmap and Apple tables).
_MATPLOTLIB_DROPPED = (
    "FFTM",
    "PfEd",
    "BDF",
    "meta",
    "MERG",
    "TSIV",
    "Zapf",
    "bdat",
    "bloc",
    "cidg",
    "fdsc",
    "feat",
    "fmtx",
    "fond",
    "just",
    "kerx",
    "ltag",
    "morx",
    "trak",
    "xref",
)


@contextmanager
def lean_font_subsets() -> Iterator[bool]:
    """Context in which matplotlib's PDF backend embeds fonts without their layout tables.

    Yields
    ------
    bool
        Whether the lean subsets are in effect (False on a matplotlib without the function
        that is replaced: PDFs are then written as usual).
    """
    try:
        from matplotlib.backends import _backend_pdf_ps
    except ImportError:  # pragma: no cover - every supported matplotlib has it
        yield False
        return
    original = getattr(_backend_pdf_ps, "get_glyphs_subset", None)
    if original is None or not hasattr(_backend_pdf_ps, "font_as_file"):
        yield False
        return
    with _LOCK:
        _backend_pdf_ps.get_glyphs_subset = subset_without_layout(original)
        try:
            yield True
        finally:
            _backend_pdf_ps.get_glyphs_subset = original
