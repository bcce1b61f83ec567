"""Markdown (pipe-table) rendering of tables.

Pipe tables have a single header row, so the levels of a multi-level header are joined per
column with " / " (``OLS / (1)``); panel titles become bold rows; the title is a bold line above
the table and the notes are paragraphs under it.
"""

from __future__ import annotations

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
