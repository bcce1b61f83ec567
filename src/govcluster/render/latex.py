r"""LaTeX fragments of tables that fit an A4 page: booktabs rules, siunitx columns, notes.

Every table is written so that it can be ``\input`` as is into an article on A4 paper without
an overfull box: the tests compile every default table in
``\documentclass[a4paper,11pt]{article}`` with ``\usepackage[a4paper,margin=1in]{geometry}``
(a 453 pt text block); with ``fit = resize`` any other text width works too. The preamble it
needs::

    \usepackage{booktabs}   % \toprule, \midrule, \cmidrule, \bottomrule
    \usepackage{siunitx}    % S columns: numbers aligned on the decimal marker (version 3)
    \usepackage{adjustbox}  % fit = resize: shrink a table wider than the text block
    \usepackage{rotating}   % orientation = landscape: sidewaystable

English tables compile with pdflatex (``\usepackage[T1]{fontenc}`` and
``\usepackage{lmodern}`` recommended); Chinese text is written as it is, in UTF-8: compile
with XeLaTeX or LuaLaTeX and load ``\usepackage{ctex}`` (or use the ``ctexart`` class), which
also provides the fonts. ``α``, ``χ``, ``ρ``, ``²``, ``×``, ``′``, ``∪``, ``<``, ``>`` and the
minus sign are turned into commands that every engine and font encoding understands.

Layout and options (the ``render.latex`` section of the configuration, see
:class:`LatexOptions`):

- ``fragment: float`` (default) writes a ``table`` float with ``\caption`` and ``\label``;
  ``tabular`` writes only what goes inside the float (the sized tabular and its notes), for a
  paper that sets its own caption.
- ``font_size`` (default ``small``) sets the size of the tabular; the notes are one step
  smaller (``footnotesize`` under ``small``).
- ``fit: resize`` (default) wraps the tabular in ``adjustbox`` with ``max width=\linewidth``:
  a table wider than the text block is scaled down to it, a narrower one is left as it is.
  ``none`` leaves every table at its natural width.
- ``orientation: landscape`` writes a ``sidewaystable`` (a page of its own, turned).

The tabular is set single-spaced (``\linespread{1}``, also under ctex's wider Chinese line
spacing or a double-spaced manuscript) with ``\tabcolsep`` 4 pt; a header longer than the
numbers under it is broken into lines.

Numbers are aligned on the decimal marker in siunitx ``S`` columns: a data column whose cells
are numbers (with stars, or in parentheses) gets ``S[table-format=...]`` sized to its widest
number; stars are superscripts; any other cell (intervals, words, ``< 0.001``) is a braced
text cell centred in the column. Notes follow the tabular in a ``minipage`` of the text width.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

from govcluster.errors import ConfigError
from govcluster.render.tables import HeaderCell, Table

LatexFragment = Literal["float", "tabular"]
LatexFontSize = Literal["normalsize", "small", "footnotesize", "scriptsize"]
LatexFit = Literal["resize", "none"]
LatexOrientation = Literal["portrait", "landscape"]

#: The box a table is fitted into (``fit = resize``): the text width, and at most 80 % of
#: the text height (leaving room for caption and notes).
_FIT_BOX = r"max width=\linewidth,max totalheight=0.8\textheight"

#: The size of the notes under a table of each font size (one step smaller).
_NOTE_SIZE = {
    "normalsize": "footnotesize",
    "small": "footnotesize",
    "footnotesize": "scriptsize",
    "scriptsize": "tiny",
}


@dataclass(frozen=True, kw_only=True)
class LatexOptions:
    r"""How tables are written to LaTeX: the ``render.latex`` section of the configuration.

    Attributes
    ----------
    fragment : {"float", "tabular"}
        A whole ``table`` float with caption and label, or only its body.
    font_size : {"normalsize", "small", "footnotesize", "scriptsize"}
        Font size of the tabular.
    fit : {"resize", "none"}
        Scale a table wider than the text block down to ``\linewidth``, or never.
    orientation : {"portrait", "landscape"}
        ``table`` or a turned ``sidewaystable`` (only with ``fragment = float``).
    placement : str
        Float placement specifier.
    """

    fragment: LatexFragment = "float"
    font_size: LatexFontSize = "small"
    fit: LatexFit = "resize"
    orientation: LatexOrientation = "portrait"
    placement: str = "htbp"

    def __post_init__(self) -> None:
        for name, kind in (
            ("fragment", LatexFragment),
            ("font_size", LatexFontSize),
            ("fit", LatexFit),
            ("orientation", LatexOrientation),
        ):
            value, allowed = getattr(self, name), get_args(kind)
            if value not in allowed:
                raise ConfigError(
                    f"render.latex.{name} must be one of {list(allowed)}, got {value!r}"
                )
        if not isinstance(self.placement, str) or not re.fullmatch(r"[htbpH!]+", self.placement):
            raise ConfigError(
                f"render.latex.placement must be float placement letters such as 'htbp', "
                f"got {self.placement!r}"
            )


def latex_options(raw: Mapping[str, Any] | None) -> LatexOptions:
    """The :class:`LatexOptions` of a configuration dict (``render.latex``; all optional).

    Raises
    ------
    ConfigError
        If a key is unknown or has a value that cannot be used.
    """
    section = dict(((raw or {}).get("render") or {}).get("latex") or {})
    known = {"fragment", "font_size", "fit", "orientation", "placement"}
    unknown = sorted(set(section) - known)
    if unknown:
        raise ConfigError(f"render.latex has unknown key(s) {unknown}; known: {sorted(known)}")
    return LatexOptions(**section)


_SPECIAL_CHARACTERS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"$<$",
    ">": r"$>$",
    "≤": r"$\leq$",
    "≥": r"$\geq$",
    "α": r"$\alpha$",
    "²": r"\textsuperscript{2}",
    "−": r"$-$",
    "–": r"--",
    "χ": r"$\chi$",
    "ρ": r"$\rho$",
    "β": r"$\beta$",
    "γ": r"$\gamma$",
    "δ": r"$\delta$",
    "θ": r"$\theta$",
    "λ": r"$\lambda$",
    "μ": r"$\mu$",
    "σ": r"$\sigma$",
    "τ": r"$\tau$",
    "×": r"$\times$",
    "′": r"$'$",
    "∪": r"$\cup$",
}
#: A letter with a combining tilde (R-tilde-squared of the mediation sensitivity analysis).
_TILDE_ACCENT = re.compile("([A-Za-z])\u0303")
_SPECIAL_PATTERN = re.compile("|".join(re.escape(c) for c in _SPECIAL_CHARACTERS))
#: A hyphen that is a minus sign: before a digit (or ``inf``), at the start of a cell or after
#: an opening bracket, a space or a comma (``[-0.007, -0.001]``, ``(-2.10)``, ``-inf``).
_NUMERIC_MINUS = re.compile(r"(?:^|(?<=[(\[\s,]))-(?=\d|\.\d|inf)")


def escape_latex(text: str) -> str:
    r"""Escape the characters that LaTeX treats specially; leave everything else (Chinese too).

    A hyphen that starts a number (``-0.12``, ``(-2.10)``, ``[-0.007, 0.004]``) becomes a math
    minus ``$-$``; ``<`` and ``>`` become ``$<$`` and ``$>$`` (under the OT1 font encoding a
    raw ``<`` prints as an inverted exclamation mark).

    Examples
    --------
    >>> escape_latex("Export share (%) & R_D #1")
    'Export share (\\%) \\& R\\_D \\#1'
    >>> escape_latex("[-0.007, -0.001]")
    '[$-$0.007, $-$0.001]'
    """
    minus = "\x00"
    marked = _NUMERIC_MINUS.sub(minus, text)
    escaped = _SPECIAL_PATTERN.sub(lambda match: _SPECIAL_CHARACTERS[match.group(0)], marked)
    escaped = _TILDE_ACCENT.sub(r"$\\tilde{\1}$", escaped)
    return escaped.replace(minus, "$-$")


# --------------------------------------------------------------------------- number cells

#: A printed number as the tables write it: optional parentheses, a sign, digits with thousands
#: separators, decimals, and significance stars.
_NUMBER_CELL = re.compile(
    r"^(?P<open>\()?(?P<sign>[-−])?(?P<integer>\d{1,3}(?:,\d{3})*|\d+)"
    r"(?:\.(?P<decimals>\d+))?(?P<close>\))?(?P<stars>\**)$"
)


@dataclass(frozen=True)
class _NumberCell:
    negative: bool
    integer: str
    decimals: str
    parentheses: bool
    stars: str


def _parse_number(text: str) -> _NumberCell | None:
    match = _NUMBER_CELL.match(text.strip())
    if match is None or bool(match["open"]) != bool(match["close"]):
        return None
    if match["open"] and match["stars"]:
        return None
    return _NumberCell(
        negative=bool(match["sign"]),
        integer=match["integer"].replace(",", ""),
        decimals=match["decimals"] or "",
        parentheses=bool(match["open"]),
        stars=match["stars"],
    )


@dataclass(frozen=True)
class _ColumnFormat:
    """An ``S`` column sized to its numbers, or a centred text column (``numeric=False``)."""

    numeric: bool
    integer_digits: int = 1
    decimal_digits: int = 0
    negative: bool = False
    parentheses: bool = False
    stars: int = 0

    def spec(self) -> str:
        if not self.numeric:
            return "c"
        sign = "-" if self.negative else ""
        decimals = f".{self.decimal_digits}" if self.decimal_digits else ""
        before = "{(}" if self.parentheses else ""
        after = ")" if self.parentheses else ""
        if self.stars:
            after += r"\textsuperscript{" + "*" * self.stars + "}"
        after = f"{{{after}}}" if after else ""
        options = [f"table-format={before}{sign}{self.integer_digits}{decimals}{after}"]
        if before:
            options.append("table-align-text-before=false")
        if after:
            options.append("table-align-text-after=false")
        if self.integer_digits >= 4:
            options.append("group-separator={,},group-minimum-digits=4")
        return f"S[{','.join(options)}]"


def _column_format(cells: Sequence[str]) -> _ColumnFormat:
    """An ``S`` column when at least half of the non-empty cells are numbers, else text.

    The other cells of an ``S`` column (words, intervals) are braced and centred in it.
    """
    filled = [cell for cell in cells if cell.strip()]
    parsed = [number for number in map(_parse_number, filled) if number is not None]
    if not parsed or 2 * len(parsed) < len(filled):
        return _ColumnFormat(numeric=False)
    decimal = [number for number in parsed if number.decimals]
    parsed = decimal or parsed  # counts under decimals are centred as text
    return _ColumnFormat(
        numeric=True,
        integer_digits=max(len(cell.integer) for cell in parsed),
        decimal_digits=max(len(cell.decimals) for cell in parsed),
        negative=any(cell.negative for cell in parsed),
        parentheses=any(cell.parentheses for cell in parsed),
        stars=max(len(cell.stars) for cell in parsed),
    )


def _number_cell(text: str, column: _ColumnFormat) -> str:
    """A cell of an ``S`` column: the number, braced text before and after it."""
    if not column.numeric:
        return escape_latex(text)
    cell = _parse_number(text)
    if cell is None or (column.decimal_digits and not cell.decimals):
        return "{" + escape_latex(text) + "}" if text.strip() else ""
    number = ("-" if cell.negative else "") + cell.integer
    if cell.decimals:
        number += "." + cell.decimals
    if cell.parentheses:
        return "{(}" + number + "{)}"
    if cell.stars:
        return number + r"{\textsuperscript{" + cell.stars + "}}"
    return number


def _header_text(text: str, width: int) -> str:
    """A header over a column whose widest cell has ``width`` characters, in lines that fit.

    A header longer than the column's cells (and than 12 characters) is broken at spaces into
    as few lines of even length as fit that width, stacked in a nested ``tabular``; a shorter
    one, or one without spaces, stays on one line.
    """
    width = max(width, 12)
    if len(text) <= width or " " not in text:
        return escape_latex(text)
    n_lines = -(-len(text) // width)
    target = -(-len(text) // n_lines)
    lines = textwrap.wrap(text, width=target, break_long_words=False)
    while len(lines) > n_lines:
        target += 1
        lines = textwrap.wrap(text, width=target, break_long_words=False)
    if len(lines) <= 1:
        return escape_latex(text)
    stacked = r" \\ ".join(escape_latex(line) for line in lines)
    return f"\\begin{{tabular}}[b]{{@{{}}c@{{}}}}{stacked}\\end{{tabular}}"


def _header_cell_text(text: str, column: _ColumnFormat, width: int) -> str:
    """A header over one column: braced in an ``S`` column so siunitx leaves it."""
    cell = _header_text(text, width)
    if column.numeric and cell:
        return "{" + cell + "}"
    return cell


# --------------------------------------------------------------------------- the table


def to_latex(
    table: Table, *, options: LatexOptions | None = None, placement: str | None = None
) -> str:
    r"""The table as a LaTeX fragment (no preamble, no ``\documentclass``).

    Parameters
    ----------
    table : Table
        The table.
    options : LatexOptions, optional
        Fragment, font size, fit and orientation (default :class:`LatexOptions`: a float in
        ``\small``, scaled down to the text width when wider).
    placement : str, optional
        Float placement specifier; overrides ``options.placement``.

    Returns
    -------
    str
        With ``fragment = "float"``: ``\begin{table}`` ... ``\end{table}`` with ``\caption``,
        ``\label`` (``tab:`` + ``table.label``), the tabular (``\toprule``/``\midrule``/
        ``\bottomrule``, a ``\cmidrule`` under every spanning header, ``\midrule`` between
        panels, panel titles in italics, numbers in ``S`` columns) and the notes in a
        ``minipage`` of the text width. See the module docstring for the packages it needs.
    """
    options = options or LatexOptions()
    if placement is not None:
        options = replace(options, placement=placement)
    body = [f"\\linespread{{1}}\\{options.font_size}", "\\setlength{\\tabcolsep}{4pt}"]
    tabular = _tabular(table)
    if options.fit == "resize":
        body += [f"\\begin{{adjustbox}}{{{_FIT_BOX}}}", *tabular, "\\end{adjustbox}"]
    else:
        body += tabular
    if table.notes:
        body += [
            "\\par\\smallskip",
            "\\begin{minipage}{\\linewidth}",
            f"\\{_NOTE_SIZE[options.font_size]}",
        ]
        body.append("\\par\n".join(escape_latex(note) for note in table.notes))
        body.append("\\end{minipage}")
    if options.fragment == "tabular":
        return "\n".join(["{\\centering", *body, "\\par}"]) + "\n"
    environment = "sidewaystable" if options.orientation == "landscape" else "table"
    lines = [f"\\begin{{{environment}}}[{options.placement}]", "\\centering"]
    lines.append(f"\\caption{{{escape_latex(table.title)}}}")
    if table.label:
        lines.append(f"\\label{{tab:{table.label}}}")
    lines += body
    lines.append(f"\\end{{{environment}}}")
    return "\n".join(lines) + "\n"


def _tabular(table: Table) -> list[str]:
    """The ``tabular`` environment of ``table``, numbers in sized ``S`` columns."""
    width = table.n_columns + 1
    columns = [_column_format([row.cells[j] for row in table.rows]) for j in range(table.n_columns)]
    widths = [
        max((len(row.cells[j]) for row in table.rows), default=0) for j in range(table.n_columns)
    ]
    lines = [f"\\begin{{tabular}}{{l{''.join(c.spec() for c in columns)}}}", "\\toprule"]
    for level, header in enumerate(table.columns):
        last = level == len(table.columns) - 1
        stub = escape_latex(table.stub_header) if last else ""
        lines.append(" & ".join([stub, *_header_cells(header, columns, widths)]) + r" \\")
        rules = _cmidrules(header)
        if rules and not last:
            lines.append(rules)
    lines.append("\\midrule")
    for position, panel in enumerate(table.panels):
        if position > 0:
            lines.append("\\midrule")
        if panel.title:
            lines.append(
                f"\\multicolumn{{{width}}}{{l}}{{\\textit{{{escape_latex(panel.title)}}}}} \\\\"
            )
        for row in panel.rows:
            pairs = zip(row.cells, columns, strict=True)
            cells = [escape_latex(row.label), *(_number_cell(c, column) for c, column in pairs)]
            lines.append(" & ".join(cells) + r" \\")
    lines += ["\\bottomrule", "\\end{tabular}"]
    return lines


def _header_cells(
    header: tuple[HeaderCell, ...], columns: Sequence[_ColumnFormat], widths: Sequence[int]
) -> list[str]:
    cells, first = [], 0
    for cell in header:
        if cell.span == 1:
            cells.append(_header_cell_text(cell.text, columns[first], widths[first]))
        else:
            cells.append(f"\\multicolumn{{{cell.span}}}{{c}}{{{escape_latex(cell.text)}}}")
        first += cell.span
    return cells


def _cmidrules(header: tuple[HeaderCell, ...]) -> str:
    rules = []
    first = 2  # column 1 is the stub
    for cell in header:
        last = first + cell.span - 1
        if cell.span > 1 and cell.text:
            rules.append(f"\\cmidrule(lr){{{first}-{last}}}")
        first = last + 1
    return " ".join(rules)
