"""Publication figures: each function takes data and labels and returns a matplotlib Figure.

Figures are built on the non-interactive Agg backend, as :class:`matplotlib.figure.Figure`
objects that pyplot does not track (nothing to close, nothing shown), inside
:func:`govcluster.render.style.figure_style` so that the language's font is fixed in every text
artist. :func:`save_figure` writes a PNG (200 dpi) and a PDF with its fonts embedded.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.style  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from govcluster.io import write_atomically  # noqa: E402
from govcluster.render.formatting import format_number  # noqa: E402
from govcluster.render.style import STYLE_PATH, figure_style, pdf_font_type  # noqa: E402

#: Colours of the regions (Okabe-Ito); other regions take the next colours of the style.
REGION_COLOURS = {"east": "#0072B2", "central": "#D55E00", "west": "#009E73"}
_EXTRA_COLOURS = ("#CC79A7", "#E69F00", "#56B4E9", "#000000")


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
        Draw a dotted line at zero (the pooled mean of standardized indices).

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
    ncols = max(1, min(ncols, len(constructs)))
    nrows = math.ceil(len(constructs) / ncols)
    with figure_style(language):
        figure = Figure(figsize=(1.85 * ncols + 0.7, 1.75 * nrows + 0.9), layout="constrained")
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
            ax.set_title(wrap_label(_label(labels, construct), 24))
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
        figure.supylabel(_label(labels, "index_mean"))
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

    Returns
    -------
    matplotlib.figure.Figure
    """
    if list(correlations.index) != list(correlations.columns):
        raise ValueError("the correlation matrix must have the same variables as rows and columns")
    names = [_label(labels, str(name)) for name in correlations.index]
    size = len(names)
    values = correlations.astype(float)
    annotations = values.map(lambda value: format_number(value, digits)) if annotate else False
    mask = np.triu(np.ones((size, size), dtype=bool), k=1) if lower_triangle else None
    with figure_style(language):
        side = 2.4 + 0.42 * size
        figure = Figure(figsize=(side + 1.2, side), layout="constrained")
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
    """
    stem = Path(stem)
    png = stem.with_name(f"{stem.name}.png")
    pdf = stem.with_name(f"{stem.name}.pdf")
    embedding = pdf_font_type(figure)
    # matplotlib 3.11 sizes the font subsets of a PDF by ps.fonttype: keep the two equal.
    font_type = {"pdf.fonttype": embedding, "ps.fonttype": embedding}
    with matplotlib.style.context(STYLE_PATH), matplotlib.rc_context(font_type):
        write_atomically(png, lambda temporary: figure.savefig(temporary, format="png", dpi=dpi))
        write_atomically(
            pdf,
            lambda temporary: figure.savefig(
                temporary, format="pdf", metadata={"CreationDate": None}
            ),
        )
    return png, pdf
