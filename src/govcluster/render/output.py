"""Writing one table in every format at once."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from govcluster import io
from govcluster.render.html_table import to_html
from govcluster.render.latex import LatexOptions, to_latex
from govcluster.render.markdown import to_markdown
from govcluster.render.tables import Table, to_csv

#: File formats of :func:`write_table`, by extension.
TABLE_FORMATS = ("tex", "md", "html", "docx", "csv")


def write_table(
    table: Table,
    stem: str | Path,
    formats: Sequence[str] = TABLE_FORMATS,
    *,
    latex: LatexOptions | None = None,
) -> dict[str, Path]:
    """Write ``table`` to ``{stem}.tex``, ``.md``, ``.html``, ``.docx`` and ``.csv``.

    Parameters
    ----------
    table : Table
    stem : str or Path
        Path without extension, e.g. ``results/tables/summary_statistics``.
    formats : sequence of str, default all of :data:`TABLE_FORMATS`
        Extensions to write; ``csv`` holds the numbers behind the table.
    latex : LatexOptions, optional
        How the ``.tex`` fragment is laid out (default: a float that fits an A4 page; see
        :mod:`govcluster.render.latex`).

    Returns
    -------
    dict
        Extension -> path written.
    """
    unknown = sorted(set(formats) - set(TABLE_FORMATS))
    if unknown:
        raise ValueError(f"unknown table format(s) {unknown}; choose from {TABLE_FORMATS}")
    stem = Path(stem)
    written = {}
    for extension in formats:
        path = stem.with_name(f"{stem.name}.{extension}")
        if extension == "tex":
            written[extension] = io.write_text(to_latex(table, options=latex), path)
        elif extension == "md":
            written[extension] = io.write_text(to_markdown(table), path)
        elif extension == "html":
            written[extension] = io.write_text(to_html(table), path)
        elif extension == "docx":
            # python-docx is imported when a Word table is written (the job server preloads
            # it), not when the workflow's plan imports this module
            from govcluster.render.word import to_docx

            written[extension] = to_docx(table, path)
        else:
            written[extension] = to_csv(table, path)
    return written
