"""Word (.docx) rendering of tables, with python-docx.

The document holds the title (bold), a real Word table in the three-line style of journals (a
thick rule above the table and below it, a thin rule under the header and under spanning header
cells, no vertical rules), and the notes in a smaller font. Spanning header cells and panel
titles are merged cells. Latin text is set in Times New Roman and Chinese in SimSun (宋体),
the usual requirement of Chinese journals; Word substitutes a similar font where those are
missing.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from govcluster.io import write_atomically
from govcluster.render.tables import Table

LATIN_FONT = "Times New Roman"
EAST_ASIAN_FONT = "SimSun"
BODY_SIZE = Pt(10)
NOTE_SIZE = Pt(9)
#: Rule widths in eighths of a point (Word's unit for borders).
THICK_RULE = 12
THIN_RULE = 6
#: Tables with more data columns than this are put on a landscape page.
LANDSCAPE_ABOVE = 7
#: Share of the text width given to the row-label column.
STUB_SHARE = 0.3
#: Children of w:tblPr and w:tcPr that the schema places after their borders element.
_AFTER_TABLE_BORDERS = ("shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription")
_CELL_EDGES = ("top", "left", "bottom", "right", "insideH", "insideV")
_AFTER_CELL_BORDERS = ("shd", "noWrap", "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark")


def to_docx(table: Table, path: str | Path) -> Path:
    """Write ``table`` as a Word document.

    Parameters
    ----------
    table : Table
    path : str or Path
        Target ``.docx`` file, written atomically.

    Returns
    -------
    Path
    """
    document = build_document(table)
    return write_atomically(path, lambda temporary: document.save(str(temporary)))


def build_document(table: Table):
    """A python-docx ``Document`` holding ``table`` (see the module docstring)."""
    document = Document()
    _set_default_fonts(document)
    if table.n_columns > LANDSCAPE_ABOVE:
        _landscape(document.sections[0])
    if table.title:
        title = document.add_paragraph()
        title.add_run(table.title).bold = True
    width = table.n_columns + 1
    n_rows = len(table.columns) + sum(bool(p.title) + len(p.rows) for p in table.panels)
    grid = document.add_table(rows=n_rows, cols=width)
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _set_table_rules(grid)
    section = document.sections[0]
    _set_column_widths(grid, section.page_width - section.left_margin - section.right_margin)
    position = 0
    for level, header in enumerate(table.columns):
        last = level == len(table.columns) - 1
        _write_cell(grid.cell(position, 0), table.stub_header if last else "", left=True)
        column = 1
        for cell in header:
            target = grid.cell(position, column)
            if cell.span > 1:
                target = target.merge(grid.cell(position, column + cell.span - 1))
                if cell.text:
                    _set_cell_border(target, "bottom", THIN_RULE)
            _write_cell(target, cell.text)
            column += cell.span
        if last:
            for cell in grid.rows[position].cells:
                _set_cell_border(cell, "bottom", THIN_RULE)
        position += 1
    for number, panel in enumerate(table.panels):
        first_row = grid.rows[position]
        if panel.title:
            merged = grid.cell(position, 0).merge(grid.cell(position, width - 1))
            _write_cell(merged, panel.title, left=True, italic=True)
            position += 1
        for row in panel.rows:
            _write_cell(grid.cell(position, 0), row.label, left=True)
            for column, text in enumerate(row.cells, start=1):
                _write_cell(grid.cell(position, column), text)
            position += 1
        if number > 0:
            for cell in first_row.cells:
                _set_cell_border(cell, "top", THIN_RULE)
    for note in table.notes:
        paragraph = document.add_paragraph()
        paragraph.add_run(note).font.size = NOTE_SIZE
    return document


def _landscape(section) -> None:
    width, height = section.page_width, section.page_height
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = max(width, height), min(width, height)


def _set_column_widths(grid, text_width: int) -> None:
    """Give the row-label column :data:`STUB_SHARE` of the text width, the rest equal shares."""
    n_data = len(grid.columns) - 1
    stub = int(text_width * (STUB_SHARE if n_data else 1.0))
    data = int((text_width - stub) / n_data) if n_data else 0
    for position, column in enumerate(grid.columns):
        column.width = stub if position == 0 else data
    for row in grid.rows:
        for position, cell in enumerate(row.cells):
            cell.width = stub if position == 0 else data


def _set_default_fonts(document) -> None:
    style = document.styles["Normal"]
    style.font.name = LATIN_FONT
    style.font.size = BODY_SIZE
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT)


def _write_cell(cell, text: str, *, left: bool = False, italic: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if left else WD_ALIGN_PARAGRAPH.CENTER
    for run in list(paragraph.runs):
        run._r.getparent().remove(run._r)
    run = paragraph.add_run(text)
    run.italic = italic or None


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
