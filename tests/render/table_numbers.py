"""Read the numbers a rendered Markdown table prints, and find them in the table's CSV.

A printed number is a token such as ``0.464***``, ``(0.026)``, ``[0.146, 0.266]``, ``3,586``,
``−0.007`` or ``< 0.001`` in a body cell (the row labels and the header are left out: they
hold names such as "t−1" and "(1)"). It is matched by a number of the CSV that rounds to it
at the printed number of decimals; ``< 0.001`` by a number in [0, 0.001); in a column headed
"(%)" (Chinese "（%）") by a share that prints so in percent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

NUMBER = re.compile(r"(<\s*)?([-−]?)(\d[\d,]*)(?:\.(\d+))?")


@dataclass(frozen=True)
class PrintedNumber:
    """A number printed in a body cell, with where it is."""

    row: str
    text: str
    value: float
    decimals: int
    below: float | None = None  # "< x": the bound
    scale: float = 1.0  # 100 in a column of percentages


def _cells(line: str) -> list[str]:
    return [cell.strip().replace("**", "") for cell in line.strip().strip("|").split("|")]


def markdown_header(markdown: str) -> list[str]:
    """Texts of the header of a Markdown pipe table, one per data column."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    return _cells(lines[0])[1:]


#: A column number heading a panel's columns, "(8)".
COLUMN_NUMBER = re.compile(r"\(\d+\)")


def markdown_body_cells(markdown: str) -> list[tuple[str, list[str]]]:
    """(row label, cells) of the body rows of a Markdown pipe table."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    body = []
    for position, line in enumerate(lines):
        if position < 2 or set(line) <= set("|-: "):
            continue  # header and alignment rows
        cells = _cells(line)
        if not cells[0] and all(COLUMN_NUMBER.fullmatch(c) for c in cells[1:] if c):
            continue  # the column numbers "(8) (9) ..." heading a later panel
        body.append((cells[0], cells[1:]))
    return body


def printed_numbers(markdown: str) -> list[PrintedNumber]:
    """Every number in the body cells of a Markdown table."""
    found = []
    scales = [
        100.0 if "(%)" in text or "（%）" in text else 1.0 for text in markdown_header(markdown)
    ]
    for label, cells in markdown_body_cells(markdown):
        for cell, scale in zip(cells, scales, strict=True):
            for match in NUMBER.finditer(cell):
                less, sign, whole, fraction = match.groups()
                text = f"{whole}.{fraction}" if fraction else whole
                value = float(text.replace(",", "")) * (-1 if sign else 1)
                found.append(
                    PrintedNumber(
                        row=label,
                        text=match.group(0),
                        value=value,
                        decimals=len(fraction or ""),
                        below=value if less else None,
                        scale=scale,
                    )
                )
    return found


def csv_values(frame: pd.DataFrame) -> np.ndarray:
    """Every finite number of a numbers frame (its numeric columns and a named numeric index)."""
    parts = [frame.select_dtypes("number").to_numpy(dtype=float).ravel()]
    if frame.index.name is not None and pd.api.types.is_numeric_dtype(frame.index):
        parts.append(frame.index.to_numpy(dtype=float))
    values = np.concatenate(parts)
    return values[np.isfinite(values)]


def is_matched(number: PrintedNumber, values: np.ndarray) -> bool:
    """Whether some CSV value prints as ``number``."""
    values = values * number.scale
    if number.below is not None:
        return bool(np.any((values >= 0) & (values < number.below)))
    tolerance = 0.5 * 10.0 ** (-number.decimals) * (1 + 1e-9) + 1e-12
    return bool(np.any(np.abs(values - number.value) <= tolerance))


def unmatched_numbers(markdown: str, frame: pd.DataFrame) -> list[PrintedNumber]:
    """The printed numbers of a table that its numbers frame does not hold."""
    values = csv_values(frame)
    return [n for n in printed_numbers(markdown) if not is_matched(n, values)]


def duplicated_keys(frame: pd.DataFrame, numeric_keys: tuple[str, ...] = ()) -> pd.DataFrame:
    """Rows whose key occurs more than once.

    The key is the non-numeric columns plus ``numeric_keys`` (such as an event time), or the
    index when there are none.
    """
    keys = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    keys += [c for c in numeric_keys if c in frame.columns]
    if keys:
        return frame[frame.duplicated(keys, keep=False)]
    return frame[frame.index.duplicated(keep=False)]


__all__ = [
    "PrintedNumber",
    "csv_values",
    "duplicated_keys",
    "is_matched",
    "markdown_body_cells",
    "markdown_header",
    "printed_numbers",
    "unmatched_numbers",
]
