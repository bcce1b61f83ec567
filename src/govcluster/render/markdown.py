"""Markdown (pipe-table) rendering of tables and of plain data frames.

Pipe tables have a single header row, so the levels of a multi-level header are joined per
column with " / " (``OLS / (1)``); panel titles become bold rows; the title is a bold line above
the table and the notes are paragraphs under it.
"""

from __future__ import annotations

import pandas as pd
from tabulate import tabulate

from govcluster.render.tables import Table


def escape_markdown(text: str) -> str:
    """Escape the characters that would break a pipe-table cell (``|``, backslash, newline)."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(table: Table) -> str:
    """The table as Markdown: bold title, pipe table, notes.

    Parameters
    ----------
    table : Table

    Returns
    -------
    str
        Text cells as they are in ``table`` (escaped only where Markdown requires), data
        columns right-aligned, the stub left-aligned.
    """
    width = table.n_columns
    headers = [escape_markdown(table.stub_header)]
    for column in range(width):
        levels = [table.header_row_texts(level)[column] for level in range(len(table.columns))]
        headers.append(" / ".join(escape_markdown(text) for text in levels if text))
    lines = [f"**{escape_markdown(table.title)}**", ""] if table.title else []
    lines.append(_line(headers))
    lines.append(_line([":---", *(["---:"] * width)]))
    for panel in table.panels:
        if panel.title:
            lines.append(_line([f"**{escape_markdown(panel.title)}**", *([""] * width)]))
        for row in panel.rows:
            lines.append(_line([escape_markdown(row.label), *map(escape_markdown, row.cells)]))
    for note in table.notes:
        lines += ["", escape_markdown(note)]
    return "\n".join(lines) + "\n"


def _line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def to_markdown_table(
    df: pd.DataFrame, floatfmt: str = ".3f", *, show_index: bool | None = None
) -> str:
    """Render a DataFrame as a Markdown (pipe) table.

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    floatfmt : str, default ".3f"
        Format of floating-point cells; integer columns are printed as integers.
    show_index : bool, optional
        Print the index as the first column. By default it is printed unless it is a plain
        0, 1, 2, ... range.

    Returns
    -------
    str
        The Markdown table; missing values are empty cells.
    """
    if show_index is None:
        show_index = not (
            isinstance(df.index, pd.RangeIndex)
            and df.index.start == 0
            and df.index.step == 1
            and df.index.name is None
        )
    body = df.astype(object).where(df.notna(), None)
    headers = [str(column) for column in df.columns]
    if show_index:
        body = body.reset_index()
        index_names = [name if name is not None else "" for name in df.index.names]
        headers = [str(name) for name in index_names] + headers
    return tabulate(
        body.to_numpy().tolist(),
        headers=headers,
        tablefmt="pipe",
        floatfmt=floatfmt,
        missingval="",
    )
