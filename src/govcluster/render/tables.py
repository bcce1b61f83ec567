"""The format-neutral table model behind every publication table.

A :class:`Table` holds text that is already formatted (``"0.123***"``, ``"(0.045)"``,
``"3,586"``): the writers (LaTeX, Markdown, HTML, Word) only lay it out, so that every format
shows the same characters. Alongside the text it keeps the numbers the text was made from, as a
DataFrame, which :func:`to_csv` writes for reuse.

Layout::

    title
    ───────────────────────────────────────────────── (top rule)
    stub_header │ header rows: HeaderCell(text, span) ...
    ───────────────────────────────────────────────── (rule under the header)
    Panel A: title                                       (a Panel's title, if any)
    row label   │ cell  cell  cell ...
    ─────────────────────────────────────────────────    (rule between panels)
    Panel B: ...
    ───────────────────────────────────────────────── (bottom rule)
    notes, one paragraph each

Every header row must span exactly the data columns (the row-label column, or "stub", is not
counted), and every row must have one cell per data column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from govcluster import io


@dataclass(frozen=True)
class HeaderCell:
    """One cell of a header row.

    Attributes
    ----------
    text : str
        The header text (may be empty).
    span : int, default 1
        Number of data columns the cell covers; a spanning cell (``span > 1``) gets a rule
        under it in LaTeX and Word, as model groups do in regression tables.
    """

    text: str
    span: int = 1

    def __post_init__(self) -> None:
        if self.span < 1:
            raise ValueError(f"a header cell must span at least one column, got {self.span}")


@dataclass(frozen=True)
class Row:
    """One body row: a label in the stub column and one text cell per data column."""

    label: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Panel:
    """A block of rows, optionally under a title such as ``"Panel A: OLS"``.

    An empty title draws no title row (a regression table's statistics block, for example).
    """

    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Table:
    r"""A publication table: header, panels of rows, notes, and the numbers behind them.

    Attributes
    ----------
    title : str
        Caption.
    columns : tuple of tuple of HeaderCell
        Header rows, top to bottom; each spans the data columns exactly.
    panels : tuple of Panel
        Body blocks, top to bottom.
    notes : tuple of str
        Paragraphs printed under the table.
    label : str
        Identifier: the LaTeX ``\label``, the HTML ``id`` and a natural file stem.
    stub_header : str
        Header of the row-label column, printed in the last header row.
    numbers : pandas.DataFrame or None
        The numbers the cells were formatted from (not compared by ``==``).

    Raises
    ------
    ValueError
        If a header row or a body row does not match the number of data columns.
    """

    title: str
    columns: tuple[tuple[HeaderCell, ...], ...]
    panels: tuple[Panel, ...]
    notes: tuple[str, ...] = ()
    label: str = ""
    stub_header: str = ""
    numbers: pd.DataFrame | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        width = self.n_columns
        for position, header in enumerate(self.columns):
            spanned = sum(cell.span for cell in header)
            if spanned != width:
                raise ValueError(
                    f"header row {position + 1} of table '{self.label or self.title}' spans "
                    f"{spanned} columns, but the table has {width}"
                )
        for panel in self.panels:
            for row in panel.rows:
                if len(row.cells) != width:
                    raise ValueError(
                        f"row '{row.label}' of table '{self.label or self.title}' has "
                        f"{len(row.cells)} cells, but the table has {width} data columns"
                    )

    @property
    def n_columns(self) -> int:
        """Number of data columns (the stub column not counted)."""
        if self.columns:
            return sum(cell.span for cell in self.columns[-1])
        for panel in self.panels:
            for row in panel.rows:
                return len(row.cells)
        return 0

    @property
    def rows(self) -> tuple[Row, ...]:
        """All body rows, panel after panel."""
        return tuple(row for panel in self.panels for row in panel.rows)

    def header_row_texts(self, level: int) -> tuple[str, ...]:
        """Texts of header row ``level``, one per data column (a spanning text repeated)."""
        return tuple(cell.text for cell in self.columns[level] for _ in range(cell.span))


def make_header(*rows: Sequence[str | HeaderCell]) -> tuple[tuple[HeaderCell, ...], ...]:
    """Header rows from plain strings or :class:`HeaderCell` objects (a string spans one)."""
    return tuple(
        tuple(cell if isinstance(cell, HeaderCell) else HeaderCell(str(cell)) for cell in row)
        for row in rows
    )


def to_csv(table: Table, path: str | Path) -> Path:
    """Write the numbers behind ``table`` to CSV (UTF-8 with BOM, so Excel keeps Chinese).

    Parameters
    ----------
    table : Table
        A table built with ``numbers``.
    path : str or Path
        Target file, written atomically.

    Returns
    -------
    Path

    Raises
    ------
    ValueError
        If the table carries no numbers.
    """
    if table.numbers is None:
        raise ValueError(f"table '{table.label or table.title}' carries no numbers to write")
    return io.write_csv(table.numbers, path, encoding="utf-8-sig")
