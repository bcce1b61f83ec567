"""Word (.docx) rendering of tables, with python-docx.

The document is an A4 page holding a numbered caption ("Table 5. Title" or "表5 标题", the
number a Word caption field ``SEQ Table`` set to the table's place in the paper), a real Word
table in the three-line style of journals (a thick rule above the table and below it, a thin
rule under the header and under spanning header cells, no vertical rules), and the notes in a
smaller font. Spanning header cells and panel titles are merged cells. Latin text is set in
Times New Roman and Chinese in SimSun (宋体), the usual requirement of Chinese journals; Word
substitutes a similar font where those are missing.

Every paragraph of a cell has single line spacing and no space before or after it. Column
widths are measured from the text they hold (:func:`text_width_pt`, with the advance widths
of Times New Roman), so that no number wraps; a table wider than the portrait text block is
put on a landscape page, and one wider than that is set in a smaller font.
"""

from __future__ import annotations

import unicodedata
from copy import deepcopy
from functools import lru_cache
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from govcluster.io import write_atomically
from govcluster.render.tables import Table

LATIN_FONT = "Times New Roman"
EAST_ASIAN_FONT = "SimSun"
BODY_SIZE = Pt(10)
NOTE_SIZE = Pt(9)
#: Font sizes tried, largest first, until the table fits the page.
BODY_SIZES_PT = (10.0, 9.0, 8.0)
#: A4 paper and its margins.
PAGE_SIZE = (Mm(210), Mm(297))
MARGIN = Mm(25)
#: Left and right padding of a cell (Word's default, 0.08 in) plus a safety margin, in pt.
CELL_PADDING_PT = 2 * 5.4 + 4.0
#: Rule widths in eighths of a point (Word's unit for borders).
THICK_RULE = 12
THIN_RULE = 6
#: Longest row label, in characters of 10 pt text, before it wraps.
STUB_MAX_PT = 190.0
#: Children of w:tblPr and w:tcPr that the schema places after their borders element.
_AFTER_TABLE_BORDERS = ("shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription")
_CELL_EDGES = ("top", "left", "bottom", "right", "insideH", "insideV")
_AFTER_CELL_BORDERS = ("shd", "noWrap", "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark")

#: Advance widths of Times New Roman in em (the metrics of Liberation Serif, metric-compatible).
_NARROW = {".": 0.25, ",": 0.25, " ": 0.25, ":": 0.278, ";": 0.278, "(": 0.333, ")": 0.333}
_NARROW.update({"[": 0.333, "]": 0.333, "-": 0.333, "*": 0.5, "−": 0.564, "<": 0.564})
_NARROW.update({">": 0.564, "=": 0.564, "+": 0.564, "%": 0.833, "×": 0.564, "²": 0.3})
_NARROW.update({"i": 0.278, "l": 0.278, "j": 0.278, "t": 0.278, "f": 0.333, "r": 0.333})
_NARROW.update({"I": 0.333, "m": 0.778, "w": 0.722, "M": 0.889, "W": 0.944})


def char_width_em(char: str) -> float:
    """Advance width of ``char`` in Times New Roman (SimSun for wide characters), in em."""
    if char in _NARROW:
        return _NARROW[char]
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char.isdigit():
        return 0.5
    if char.isupper():
        return 0.722
    return 0.5


def text_width_pt(text: str, size_pt: float) -> float:
    """Width in points of the longest line of ``text`` set at ``size_pt``."""
    lines = text.split("\n") if text else [""]
    return max(sum(char_width_em(c) for c in line) for line in lines) * size_pt


def caption_prefix(table: Table) -> tuple[str, str]:
    """("Table ", ". ") or ("表", " "): the words around the caption number, by language."""
    chinese = any(unicodedata.east_asian_width(c) in ("W", "F") for c in table.title)
    return ("表", " ") if chinese else ("Table ", ". ")


def default_table_number(label: str) -> int:
    """Position of ``label`` among the registered tables, in the order of the paper (1-based).

    The number is set in the caption's ``SEQ`` field (see :func:`_seq_field`). Tables of
    parts a configuration switches off keep their place, so a number is stable across
    configurations. Unknown labels get 1.
    """
    from govcluster.registry.exhibits import registered_exhibits

    tables = [name for name, entry in registered_exhibits().items() if entry.kind == "table"]
    return tables.index(label) + 1 if label in tables else 1


def to_docx(table: Table, path: str | Path, *, number: int | None = None) -> Path:
    """Write ``table`` as a Word document.

    Parameters
    ----------
    table : Table
    path : str or Path
        Target ``.docx`` file, written atomically.
    number : int, optional
        Table number of the caption; by default :func:`default_table_number`.

    Returns
    -------
    Path
    """
    document = build_document(table, number=number)
    return write_atomically(path, lambda temporary: document.save(str(temporary)))


def column_widths_pt(table: Table, size_pt: float) -> list[float]:
    """Width in points each column needs so that none of its cells wraps.

    The row-label column is capped at :data:`STUB_MAX_PT` (long labels wrap at spaces, not
    numbers); a header cell spanning several columns widens them evenly when it needs more.
    """
    n = table.n_columns + 1
    widths = [0.0] * n
    stub = [table.stub_header]
    for panel in table.panels:
        stub.extend(row.label for row in panel.rows)
        for row in panel.rows:
            for column, text in enumerate(row.cells, start=1):
                widths[column] = max(widths[column], text_width_pt(text, size_pt))
    widths[0] = min(max(text_width_pt(t, size_pt) for t in stub), STUB_MAX_PT * size_pt / 10)
    for header in table.columns:
        column = 1
        for cell in header:
            need = text_width_pt(cell.text, size_pt)
            have = sum(widths[column : column + cell.span])
            if cell.span == 1 and need > have:
                widths[column] = need
            elif need > have:
                extra = (need - have) / cell.span
                for position in range(column, column + cell.span):
                    widths[position] += extra
            column += cell.span
    return [w + CELL_PADDING_PT for w in widths]


def build_document(table: Table, *, number: int | None = None):
    """A python-docx ``Document`` holding ``table`` (see the module docstring)."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_SIZE
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    portrait = (section.page_width - 2 * MARGIN) / 12700  # EMU per point
    landscape = (section.page_height - 2 * MARGIN) / 12700
    size_pt, widths = BODY_SIZES_PT[-1], column_widths_pt(table, BODY_SIZES_PT[-1])
    for candidate in BODY_SIZES_PT:
        needed = column_widths_pt(table, candidate)
        if sum(needed) <= landscape:
            size_pt, widths = candidate, needed
            break
    if sum(widths) > portrait:
        _landscape(section)
    text_width = landscape if sum(widths) > portrait else portrait
    _set_default_fonts(document, size_pt)
    _caption(document, table, number if number is not None else default_table_number(table.label))
    width = table.n_columns + 1
    n_rows = len(table.columns) + sum(bool(p.title) + len(p.rows) for p in table.panels)
    grid = document.add_table(rows=n_rows, cols=width)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _set_table_rules(grid)
    _set_column_widths(grid, widths, text_width)
    position = 0
    for level, header in enumerate(table.columns):
        last = level == len(table.columns) - 1
        # the row's cells at once, before its merges (grid.cell() walks the whole table)
        cells = grid.rows[position].cells
        _write_cell(cells[0], table.stub_header if last else "", left=True)
        column = 1
        for cell in header:
            target = cells[column]
            if cell.span > 1:
                target = target.merge(cells[column + cell.span - 1])
                if cell.text:
                    _set_cell_border(target, "bottom", THIN_RULE)
            _write_cell(target, cell.text)
            column += cell.span
        if last:
            for cell in grid.rows[position].cells:
                _set_cell_border(cell, "bottom", THIN_RULE)
        position += 1
    for index, panel in enumerate(table.panels):
        first_row = grid.rows[position]
        if panel.title:
            row_cells = grid.rows[position].cells
            merged = row_cells[0].merge(row_cells[width - 1])
            _write_cell(merged, panel.title, left=True, italic=True)
            position += 1
        for row in panel.rows:
            # the row's cells at once: grid.cell() walks the whole table on every call
            cells = grid.rows[position].cells
            _write_cell(cells[0], row.label, left=True)
            for column, text in enumerate(row.cells, start=1):
                _write_cell(cells[column], text)
            position += 1
        if index > 0:
            for cell in first_row.cells:
                _set_cell_border(cell, "top", THIN_RULE)
    for note in table.notes:
        paragraph = document.add_paragraph()
        paragraph.add_run(note).font.size = Pt(min(NOTE_SIZE.pt, size_pt))
    return document


def _landscape(section) -> None:
    width, height = section.page_width, section.page_height
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = max(width, height), min(width, height)


def _set_column_widths(grid, widths_pt: list[float], text_width_pt: float) -> None:
    """Fixed column widths: the measured ones, the slack shared out when the page is wider."""
    total = sum(widths_pt)
    if total < text_width_pt:
        # Spread up to half the slack over the data columns, so the table is not cramped.
        extra = min(text_width_pt - total, total) * 0.5 / max(len(widths_pt) - 1, 1)
        widths_pt = [widths_pt[0]] + [w + extra for w in widths_pt[1:]]
    properties = grid._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    _insert_before(properties, layout, ("tblCellMar", "tblLook", "tblCaption", "tblDescription"))
    widths = [Pt(w) for w in widths_pt]
    for position, column in enumerate(grid.columns):
        column.width = widths[position]
    for row in grid.rows:
        for position, cell in enumerate(row.cells):
            cell.width = widths[position]


def _set_default_fonts(document, size_pt: float) -> None:
    style = document.styles["Normal"]
    style.font.name = LATIN_FONT
    style.font.size = Pt(size_pt)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.line_spacing = 1.0


def _caption(document, table: Table, number: int) -> None:
    """``Table 1. Title`` in the Caption style, the number a ``SEQ Table`` field."""
    paragraph = document.add_paragraph(style="Caption")
    paragraph.paragraph_format.space_after = Pt(6)
    paragraph.paragraph_format.keep_with_next = True
    before, after = caption_prefix(table)
    for text in (before,):
        _caption_run(paragraph, text)
    _seq_field(paragraph, "Table", number)
    _caption_run(paragraph, after + table.title if table.title else "")


def _caption_run(paragraph, text: str):
    run = paragraph.add_run(text)
    run.bold = True
    run.italic = False
    run.font.color.rgb = RGBColor(0, 0, 0)
    return run


def _seq_field(paragraph, name: str, number: int) -> None:
    r"""A complex ``SEQ name \r number \* ARABIC`` field showing ``number``.

    The ``\r`` switch sets the sequence to the table's number in the paper, so Word and
    LibreOffice show the same number, and tables pasted into one manuscript keep theirs.
    """

    def add(kind: str | None = None, instruction: str | None = None, text: str | None = None):
        run = _caption_run(paragraph, "")
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            run._r.append(element)
        if instruction is not None:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = instruction
            run._r.append(element)
        if text is not None:
            run.text = text

    add(kind="begin")
    add(instruction=f" SEQ {name} \\r {number} \\* ARABIC ")
    add(kind="separate")
    add(text=str(number))
    add(kind="end")


def _write_cell(cell, text: str, *, left: bool = False, italic: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    if paragraph._p.pPr is None:
        # a fresh cell: a copy of the properties set once (python-docx's setters search the
        # element for every property, which made most of the time of writing a table)
        paragraph._p.insert(0, deepcopy(_cell_paragraph_properties(left)))
    else:
        _format_cell_paragraph(paragraph, left)
    for run in list(paragraph.runs):
        run._r.getparent().remove(run._r)
    run = paragraph.add_run(text)
    run.italic = italic or None


def _format_cell_paragraph(paragraph, left: bool) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0


@lru_cache(maxsize=2)
def _cell_paragraph_properties(left: bool):
    """The ``w:pPr`` element :func:`_format_cell_paragraph` gives an empty paragraph."""
    paragraph = Paragraph(OxmlElement("w:p"), None)
    _format_cell_paragraph(paragraph, left)
    return paragraph._p.pPr


def _set_table_rules(grid) -> None:
    properties = grid._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        if edge in ("top", "bottom"):
            element.set(qn("w:val"), "single")
            element.set(qn("w:sz"), str(THICK_RULE))
            element.set(qn("w:color"), "000000")
        else:
            element.set(qn("w:val"), "nil")
        borders.append(element)
    _insert_before(properties, borders, _AFTER_TABLE_BORDERS)


def _set_cell_border(cell, edge: str, size: int) -> None:
    properties = cell._tc.get_or_add_tcPr()
    borders = properties.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        _insert_before(properties, borders, _AFTER_CELL_BORDERS)
    element = borders.find(qn(f"w:{edge}"))
    if element is None:
        element = OxmlElement(f"w:{edge}")
        borders.append(element)
    element.set(qn("w:val"), "single")
    element.set(qn("w:sz"), str(size))
    element.set(qn("w:color"), "000000")
    order = [qn(f"w:{name}") for name in _CELL_EDGES]
    for child in sorted(borders, key=lambda node: order.index(node.tag)):
        borders.append(child)


def _insert_before(parent, child, later_tags: tuple[str, ...]) -> None:
    """Insert ``child`` before the first of ``later_tags`` in ``parent`` (schema order)."""
    for tag in later_tags:
        successor = parent.find(qn(f"w:{tag}"))
        if successor is not None:
            successor.addprevious(child)
            return
    parent.append(child)
