"""Publication figures: each function takes data and labels and returns a matplotlib Figure.

Figures are built on the non-interactive Agg backend, as :class:`matplotlib.figure.Figure`
objects that pyplot does not track (nothing to close, nothing shown), inside
:func:`govcluster.render.style.figure_style` so that the language's font is fixed in every text
artist. :func:`save_figure` writes a PNG (200 dpi) and a PDF with its fonts embedded.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.style  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from govcluster.io import write_atomically  # noqa: E402
from govcluster.render.formatting import format_number  # noqa: E402
from govcluster.render.pdf_fonts import lean_font_subsets  # noqa: E402
from govcluster.render.style import (  # noqa: E402
    PRINT_WIDTHS,
    STYLE_PATH,
    figure_style,
    pdf_font_type,
)

#: Colours of the regions (Okabe-Ito); other regions take the next colours of the style.
REGION_COLOURS = {"east": "#0072B2", "central": "#D55E00", "west": "#009E73"}
_EXTRA_COLOURS = ("#CC79A7", "#E69F00", "#56B4E9", "#000000")


#: Unit of standardized indices, appended to the axis label.
STANDARD_DEVIATIONS = {"en": " (standard deviations)", "zh": "（标准差）"}


def minus(text: str) -> str:
    """``text`` with the hyphen of every negative number replaced by a minus sign (U+2212)."""
    return re.sub(r"(?<![\w.])-(?=\.?\d)", "\u2212", text)


def _label(labels: Mapping[str, str], name: str) -> str:
    return labels.get(name, name)


def wrap_label(text: str, width: int) -> str:
    """Wrap Latin text at spaces; text without spaces (Chinese) is left on one line."""
    return textwrap.fill(text, width) if " " in text else text


def index_trends_figure(
    trends: pd.DataFrame,
    labels: Mapping[str, str],
    *,
    language: str = "en",
    ncols: int = 4,
    zero_line: bool = False,
    width: float = PRINT_WIDTHS["full"],
) -> Figure:
    """Small multiples: the mean of each construct index by year, one line per region.

    Parameters
    ----------
    trends : pandas.DataFrame
        Long data with columns construct, region, year, mean, as returned by
        :func:`govcluster.render.descriptive_tables.construct_trends_by_region` (panels and
        lines follow its order).
    labels : mapping
        Display text of constructs, regions and of the words ``year`` and ``index_mean`` (see
        :func:`govcluster.render.labels.display_labels`); a missing name is shown as it is.
    language : {"en", "zh"}, default "en"
        Selects the font.
    ncols : int, default 4
        Panels per row.
    zero_line : bool, default False
        Draw a dotted line at zero (the pooled mean of standardized indices); the axis then
        states that the indices are in standard deviations.
    width : float, default 6.5
        Print width in inches (see :func:`govcluster.render.style.configured_figure_width`);
        a narrow figure gets fewer panels per row.

    Returns
    -------
    matplotlib.figure.Figure
    """
    absent = [c for c in ("construct", "region", "year", "mean") if c not in trends.columns]
    if absent:
        raise ValueError(f"the trends data have no column(s) {absent}")
    constructs = list(dict.fromkeys(trends["construct"]))
    regions = list(dict.fromkeys(trends["region"]))
    palette = _region_palette(regions)
    # Panels at least 1.4 in wide, so that the tick labels of every panel stay legible.
    ncols = max(1, min(ncols, len(constructs), int((width - 0.5) // 1.4)))
    nrows = math.ceil(len(constructs) / ncols)
    panel = (width - 0.5) / ncols
    import seaborn as sns  # only the figures drawn with seaborn load it

    with figure_style(language):
        figure = Figure(figsize=(width, 0.85 * panel * nrows + 0.9), layout="constrained")
        axes = figure.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False).ravel()
        for ax, construct in zip(axes, constructs, strict=False):
            block = trends[trends["construct"] == construct]
            sns.lineplot(
                data=block,
                x="year",
                y="mean",
                hue="region",
                hue_order=regions,
                palette=palette,
                marker="o",
                markeredgewidth=0,
                legend=False,
                ax=ax,
            )
            if zero_line:
                ax.axhline(0.0, color="0.55", linewidth=0.7, linestyle=":", zorder=0)
            ax.set_title(wrap_label(_label(labels, construct), max(12, int(panel * 14))))
            ax.set_xlabel("")
            ax.set_ylabel("")
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        for ax in axes[len(constructs) :]:
            ax.set_visible(False)
        handles = [
            Line2D(
                [],
                [],
                color=palette[region],
                marker="o",
                markeredgewidth=0,
                label=_label(labels, region),
            )
            for region in regions
        ]
        figure.legend(handles=handles, loc="outside upper center", ncols=len(regions))
        figure.supxlabel(_label(labels, "year"))
        ylabel = _label(labels, "index_mean")
        if zero_line:
            ylabel += STANDARD_DEVIATIONS[language if language in STANDARD_DEVIATIONS else "en"]
        figure.supylabel(ylabel)
        figure.draw_without_rendering()
    return figure


def _region_palette(regions: list[str]) -> dict[str, str]:
    extra = iter(_EXTRA_COLOURS * (1 + len(regions) // len(_EXTRA_COLOURS)))
    return {region: REGION_COLOURS.get(region) or next(extra) for region in regions}


def correlation_heatmap(
    correlations: pd.DataFrame,
    labels: Mapping[str, str],
    *,
    language: str = "en",
    lower_triangle: bool = True,
    annotate: bool = True,
    digits: int = 2,
    width: float = PRINT_WIDTHS["full"],
) -> Figure:
    """Heatmap of a correlation matrix on a diverging scale from -1 to 1.

    Parameters
    ----------
    correlations : pandas.DataFrame
        Square correlation matrix, rows and columns named by variable.
    labels : mapping
        Display text of the variables and of the word ``correlation`` (colour-bar title).
    language : {"en", "zh"}, default "en"
        Selects the font.
    lower_triangle : bool, default True
        Hide the cells above the diagonal.
    annotate : bool, default True
        Print each correlation in its cell.
    digits : int, default 2
        Decimals of the annotations.
    width : float, default 6.5
        Print width in inches. Cells too small for a 7 pt number are left unannotated.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if list(correlations.index) != list(correlations.columns):
        raise ValueError("the correlation matrix must have the same variables as rows and columns")
    names = [_label(labels, str(name)) for name in correlations.index]
    size = len(names)
    values = correlations.astype(float)
    # The matrix takes what the rotated labels (about 2.4 in) and the colour bar (0.8 in)
    # leave; a number at 7 pt needs a cell of 0.3 in.
    cell = (width - 3.2) / max(size, 1)
    annotate = annotate and cell >= 0.3
    annotations = (
        values.map(lambda value: minus(format_number(value, digits))) if annotate else False
    )
    mask = np.triu(np.ones((size, size), dtype=bool), k=1) if lower_triangle else None
    import seaborn as sns  # only the figures drawn with seaborn load it

    with figure_style(language):
        figure = Figure(figsize=(width, 0.85 * width), layout="constrained")
        ax = figure.subplots()
        sns.heatmap(
            values,
            mask=mask,
            vmin=-1.0,
            vmax=1.0,
            cmap="RdBu_r",
            annot=annotations,
            fmt="",
            annot_kws={"fontsize": 7},
            square=True,
            linewidths=0.5,
            linecolor="white",
            xticklabels=names,
            yticklabels=names,
            cbar_kws={"label": _label(labels, "correlation"), "shrink": 0.75},
            ax=ax,
        )
        ax.grid(False)
        ax.tick_params(length=0)
        for tick_label in ax.get_xticklabels():
            tick_label.set(rotation=45, horizontalalignment="right", rotation_mode="anchor")
        for tick_label in ax.get_yticklabels():
            tick_label.set(rotation=0)
        figure.draw_without_rendering()
    return figure


def save_figure(figure: Figure, stem: str | Path, *, dpi: int = 200) -> tuple[Path, Path]:
    """Write ``figure`` to ``{stem}.png`` and ``{stem}.pdf``, atomically.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    stem : str or Path
        Path without extension, e.g. ``results/figures/index_trends``.
    dpi : int, default 200
        Resolution of the PNG.

    Returns
    -------
    tuple of Path
        (PNG path, PDF path). The PDF carries no creation date, so that the same figure gives
        the same file; its fonts are embedded as Type 42, or Type 3 for fonts with CFF
        outlines such as the Chinese one (see :func:`govcluster.render.style.pdf_font_type`).

    Notes
    -----
    Each format is laid out at its own resolution (the text widths of a PNG at 200 dpi and of
    a PDF differ a little, so a layout made for one can clip text in the other). Type 42
    fonts are embedded without their text-layout tables, which PDF viewers do not read
    (:func:`govcluster.render.pdf_fonts.lean_font_subsets`): the same page, written faster.
    """
    stem = Path(stem)
    png = stem.with_name(f"{stem.name}.png")
    pdf = stem.with_name(f"{stem.name}.pdf")
    embedding = pdf_font_type(figure)
    # matplotlib 3.11 sizes the font subsets of a PDF by ps.fonttype: keep the two equal.
    font_type = {"pdf.fonttype": embedding, "ps.fonttype": embedding}
    with matplotlib.style.context(STYLE_PATH), matplotlib.rc_context(font_type):
        write_atomically(png, lambda temporary: figure.savefig(temporary, format="png", dpi=dpi))
        with lean_font_subsets():
            write_atomically(
                pdf,
                lambda temporary: figure.savefig(
                    temporary, format="pdf", metadata={"CreationDate": None}
                ),
            )
    return png, pdf
