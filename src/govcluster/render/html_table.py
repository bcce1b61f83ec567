"""HTML rendering of tables: a self-contained fragment for reports and web pages.

The fragment is a ``<div class="govcluster-table">`` holding an optional ``<style>`` block whose
rules are all scoped to that class (so it cannot restyle the page it is pasted into), the
``<table>`` with its ``<caption>``, and the notes. Classes: ``govcluster-table`` (wrapper),
``gc-span`` (spanning header cell), ``gc-panel-title`` (panel title row), ``gc-notes`` (notes).
The look is the three-line table of journals: rules above and below the table and under the
header. All text is HTML-escaped; Chinese is kept as UTF-8.
"""

from __future__ import annotations

from html import escape

from govcluster.render.tables import Table

#: CSS of the fragment, scoped to ``.govcluster-table``.
TABLE_CSS = """\
.govcluster-table table { border-collapse: collapse; border-top: 2px solid #000;
  border-bottom: 2px solid #000; font-variant-numeric: tabular-nums; }
.govcluster-table caption { caption-side: top; text-align: left; font-weight: bold;
  padding-bottom: 0.4em; }
.govcluster-table th, .govcluster-table td { padding: 0.2em 0.8em; text-align: center; }
.govcluster-table th[scope="row"], .govcluster-table thead th:first-child { text-align: left;
  font-weight: normal; }
.govcluster-table thead tr:last-child th { border-bottom: 1px solid #000; }
.govcluster-table th.gc-span { border-bottom: 1px solid #000; }
.govcluster-table tbody + tbody tr:first-child > * { border-top: 1px solid #000; }
.govcluster-table tr.gc-panel-title th { text-align: left; font-style: italic; }
.govcluster-table .gc-notes { font-size: 0.85em; margin: 0.4em 0 0 0; }"""


def to_html(table: Table, *, include_style: bool = True) -> str:
    """The table as an HTML fragment.

    Parameters
    ----------
    table : Table
    include_style : bool, default True
        Include the scoped ``<style>`` block (:data:`TABLE_CSS`).

    Returns
    -------
    str
        ``<div class="govcluster-table" id="{label}">`` ... ``</div>``; no ``<html>`` or
        ``<body>``.
    """
    width = table.n_columns
    identifier = f' id="{escape(table.label)}"' if table.label else ""
    lines = [f'<div class="govcluster-table"{identifier}>']
    if include_style:
        lines.append(f"<style>\n{TABLE_CSS}\n</style>")
    lines.append("<table>")
    if table.title:
        lines.append(f"<caption>{escape(table.title)}</caption>")
    lines.append("<thead>")
    for level, header in enumerate(table.columns):
        last = level == len(table.columns) - 1
        stub = escape(table.stub_header) if last else ""
        cells = [f"<th>{stub}</th>"]
        for cell in header:
            if cell.span > 1:
                css = ' class="gc-span"' if cell.text else ""
                cells.append(f'<th colspan="{cell.span}"{css}>{escape(cell.text)}</th>')
            else:
                cells.append(f"<th>{escape(cell.text)}</th>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</thead>")
    for panel in table.panels:
        lines.append("<tbody>")
        if panel.title:
            lines.append(
                f'<tr class="gc-panel-title"><th colspan="{width + 1}" scope="rowgroup">'
                f"{escape(panel.title)}</th></tr>"
            )
        for row in panel.rows:
            cells = "".join(f"<td>{escape(cell)}</td>" for cell in row.cells)
            lines.append(f'<tr><th scope="row">{escape(row.label)}</th>{cells}</tr>')
        lines.append("</tbody>")
    lines.append("</table>")
    for note in table.notes:
        lines.append(f'<p class="gc-notes">{escape(note)}</p>')
    lines.append("</div>")
    return "\n".join(lines) + "\n"
