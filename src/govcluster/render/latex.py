r"""LaTeX fragments of tables: booktabs rules and threeparttable notes.

The output is a ``table`` float meant to be ``\input`` into a paper; it needs, in the preamble::

    \usepackage{booktabs}        % \toprule, \midrule, \cmidrule, \bottomrule
    \usepackage{threeparttable}  % tablenotes under the table

Chinese text is written as it is, in UTF-8: compile with XeLaTeX or LuaLaTeX and load
``\usepackage{xeCJK}`` (or use the ``ctex`` document classes / ``\usepackage{ctex}``), which
also provide the fonts. ``α``, ``χ``, ``ρ``, ``²``, ``×``, ``′``, ``∪`` and the minus sign ``−``
are turned into commands that every engine understands.
"""

from __future__ import annotations

import re

from govcluster.render.tables import HeaderCell, Table

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
    "α": r"$\alpha$",
    "²": r"\textsuperscript{2}",
    "−": r"$-$",
    "χ": r"$\chi$",
    "ρ": r"$\rho$",
    "×": r"$\times$",
    "′": r"$'$",
    "∪": r"$\cup$",
}
_SPECIAL_PATTERN = re.compile("|".join(re.escape(c) for c in _SPECIAL_CHARACTERS))
#: A hyphen that is a minus sign: at the start of a cell or after "(", before a digit.
_NUMERIC_MINUS = re.compile(r"(?:^|(?<=\())-(?=\d)")


def escape_latex(text: str) -> str:
    r"""Escape the characters that LaTeX treats specially; leave everything else (Chinese too).

    A hyphen that starts a number (``-0.12``, ``(-2.10)``) becomes a math minus ``$-$``.

    Examples
    --------
    >>> escape_latex("Export share (%) & R_D #1")
    'Export share (\\%) \\& R\\_D \\#1'
    """
    escaped = _SPECIAL_PATTERN.sub(lambda match: _SPECIAL_CHARACTERS[match.group(0)], text)
    return _NUMERIC_MINUS.sub("$-$", escaped)


def to_latex(table: Table, *, placement: str = "htbp") -> str:
    r"""The table as a LaTeX ``table`` environment (no preamble, no ``\documentclass``).

    Parameters
    ----------
    table : Table
        The table.
    placement : str, default "htbp"
        Float placement specifier.

    Returns
    -------
    str
        ``\begin{table}`` ... ``\end{table}`` with ``\caption``, ``\label`` (``tab:`` +
        ``table.label``), a ``tabular`` with ``\toprule``/``\midrule``/``\bottomrule``, a
        ``\cmidrule`` under every spanning header, ``\midrule`` between panels, panel titles in
        italics, and the notes in a ``tablenotes`` block. See the module docstring for the
        packages it needs (xeCJK or ctex for Chinese).
    """
    width = table.n_columns + 1
    lines = [
        f"\\begin{{table}}[{placement}]",
        "\\centering",
        "\\begin{threeparttable}",
        f"\\caption{{{escape_latex(table.title)}}}",
    ]
    if table.label:
        lines.append(f"\\label{{tab:{table.label}}}")
    lines += [f"\\begin{{tabular}}{{l{'c' * table.n_columns}}}", "\\toprule"]
    for level, header in enumerate(table.columns):
        last = level == len(table.columns) - 1
        stub = escape_latex(table.stub_header) if last else ""
        lines.append(" & ".join([stub, *(_header_cell(cell) for cell in header)]) + r" \\")
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
            cells = [escape_latex(row.label), *(escape_latex(cell) for cell in row.cells)]
            lines.append(" & ".join(cells) + r" \\")
    lines += ["\\bottomrule", "\\end{tabular}"]
    if table.notes:
        lines += ["\\begin{tablenotes}[flushleft]", "\\footnotesize"]
        lines += [f"\\item {escape_latex(note)}" for note in table.notes]
        lines.append("\\end{tablenotes}")
    lines += ["\\end{threeparttable}", "\\end{table}"]
    return "\n".join(lines) + "\n"


def _header_cell(cell: HeaderCell) -> str:
    text = escape_latex(cell.text)
    if cell.span == 1:
        return text
    return f"\\multicolumn{{{cell.span}}}{{c}}{{{text}}}"


def _cmidrules(header: tuple[HeaderCell, ...]) -> str:
    rules = []
    first = 2  # column 1 is the stub
    for cell in header:
        last = first + cell.span - 1
        if cell.span > 1 and cell.text:
            rules.append(f"\\cmidrule(lr){{{first}-{last}}}")
        first = last + 1
    return " ".join(rules)
