"""The table model and its writers: LaTeX, Markdown, HTML, Word and CSV show the same cells."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn

from govcluster.errors import ConfigError
from govcluster.render.html_table import to_html
from govcluster.render.latex import LatexOptions, escape_latex, latex_options, to_latex
from govcluster.render.markdown import to_markdown
from govcluster.render.output import TABLE_FORMATS, write_table
from govcluster.render.tables import HeaderCell, Panel, Row, Table, make_header, to_csv
from govcluster.render.word import to_docx

# --------------------------------------------------------------------------- helpers


def expected_grid(table: Table) -> list[list[str]]:
    """The table as the rows of distinct cells a reader sees (a spanning cell once)."""
    rows = []
    for level, header in enumerate(table.columns):
        stub = table.stub_header if level == len(table.columns) - 1 else ""
        rows.append([stub, *(cell.text for cell in header)])
    for panel in table.panels:
        if panel.title:
            rows.append([panel.title])
        rows.extend([row.label, *row.cells] for row in panel.rows)
    return rows


def one_row_table(header: str, label: str, cell: str, title: str = "t") -> Table:
    return Table(
        title=title, columns=make_header([header]), panels=(Panel("", (Row(label, (cell,)),)),)
    )


def body_rows(table: Table) -> list[list[str]]:
    return [[row.label, *row.cells] for row in table.rows]


def markdown_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if line.startswith("| "):
            cells = re.split(r"(?<!\\) \| ", line[2:-2])
            rows.append([cell.replace("\\|", "|").replace("\\\\", "\\") for cell in cells])
    return rows


class _CellCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_rows(text: str) -> list[list[str]]:
    collector = _CellCollector()
    collector.feed(text)
    return collector.rows


def word_rows(path) -> list[list[str]]:
    grid = Document(str(path)).tables[0]
    rows = []
    for row in grid.rows:
        seen, texts = [], []
        for cell in row.cells:
            if any(cell._tc is element for element in seen):
                continue
            seen.append(cell._tc)
            texts.append(cell.text)
        rows.append(texts)
    return rows


# --------------------------------------------------------------------------- the model


def test_a_header_row_must_span_the_data_columns():
    with pytest.raises(ValueError, match="spans 3 columns, but the table has 2"):
        Table(
            title="t",
            columns=make_header([HeaderCell("A", 3)], ["(1)", "(2)"]),
            panels=(Panel("", (Row("x", ("1", "2")),)),),
        )


def test_a_row_must_have_one_cell_per_data_column():
    with pytest.raises(ValueError, match="row 'x' .* has 1 cells, but the table has 2"):
        Table(title="t", columns=make_header(["a", "b"]), panels=(Panel("", (Row("x", ("1",)),)),))


def test_header_cells_span_at_least_one_column():
    with pytest.raises(ValueError, match="at least one column"):
        HeaderCell("x", 0)


def test_header_row_texts_repeat_spanning_cells(sample_table):
    assert sample_table.header_row_texts(0) == ("OLS", "OLS", "IV & FE", "IV & FE")
    assert sample_table.n_columns == 4


# --------------------------------------------------------------------------- LaTeX


def test_latex_is_a_booktabs_table_fragment(sample_table):
    latex = to_latex(sample_table)
    assert latex.startswith("\\begin{table}[htbp]")
    assert latex.rstrip().endswith("\\end{table}")
    assert "\\documentclass" not in latex
    for command in (
        "\\toprule",
        "\\midrule",
        "\\bottomrule",
        "\\begin{adjustbox}{max width=\\linewidth,max totalheight=0.8\\textheight}",
        "\\begin{minipage}{\\linewidth}",
        "\\caption{",
        "\\label{tab:sample_results}",
        "\\small",
    ):
        assert command in latex
    assert latex.index("\\toprule") < latex.index("\\midrule") < latex.index("\\bottomrule")
    # a rule under each spanning header, a rule between the two panels
    assert "\\cmidrule(lr){2-3} \\cmidrule(lr){4-5}" in latex
    assert latex.count("\\midrule") == 2
    # columns of numbers are siunitx S columns sized to their widest number; others centred
    assert (
        "\\begin{tabular}{l"
        "S[table-format=4.3{\\textsuperscript{***}},table-align-text-after=false,"
        "group-separator={,},group-minimum-digits=4]"
        "S[table-format={(}1.3{)},table-align-text-before=false,table-align-text-after=false]"
        "S[table-format=-1.3]S[table-format=1.1]}"
    ) in latex


def test_latex_numbers_align_in_s_columns(sample_table):
    latex = to_latex(sample_table)
    # stars are braced superscripts after the number; parentheses braced text around it
    # (siunitx prints the minus sign of -2.500; text cells are braced and centred)
    assert "R\\&D share (\\%) & 0.123{\\textsuperscript{***}} & {(}0.045{)} & -2.500 &  \\\\" in (
        latex
    )
    assert "log\\_gdp \\#1 & 1234.568{\\textsuperscript{*}} &  & {\\$5} & {\\{x\\}} \\\\" in latex
    # a header over an S column is braced so that siunitx does not read it as a number
    assert "Variable & {(1)} & {(2)} & {(3)} & {(4)} \\\\" in latex


def test_latex_wraps_long_headers_over_narrow_columns():
    table = Table(
        title="t",
        columns=make_header(["Residual R² product of the mechanism", "ACME"]),
        panels=(Panel("", (Row("OPEN", ("0.058", "[0.040, 0.059]")),)),),
    )
    latex = to_latex(table)
    assert (
        "{\\begin{tabular}[b]{@{}c@{}}Residual R\\textsuperscript{2} \\\\ product of \\\\ "
        "the mechanism\\end{tabular}} & ACME \\\\"
    ) in latex


def test_latex_escapes_special_characters(sample_table):
    latex = to_latex(sample_table)
    assert "\\caption{Results: R\\&D\\_share \\#1 (\\%)}" in latex
    assert "\\multicolumn{2}{c}{IV \\& FE}" in latex
    assert "Standard errors in parentheses; 5\\% level \\& more.\\par" in latex
    # every body line has exactly one separator per data column: no stray "&"
    for row in sample_table.rows:
        line = next(line for line in latex.splitlines() if line.startswith(escape_latex(row.label)))
        assert len(re.findall(r"(?<!\\)&", line)) == sample_table.n_columns


def test_latex_options_change_the_fragment(sample_table):
    body = to_latex(sample_table, options=LatexOptions(fragment="tabular"))
    assert "\\begin{table}" not in body and "\\caption" not in body
    assert "\\begin{tabular}" in body and "Standard errors in parentheses" in body
    natural = to_latex(sample_table, options=LatexOptions(fit="none", font_size="footnotesize"))
    assert "adjustbox" not in natural and "\\footnotesize" in natural
    assert "\\scriptsize" in natural  # the notes, one step smaller
    turned = to_latex(sample_table, options=LatexOptions(orientation="landscape"))
    assert turned.startswith("\\begin{sidewaystable}[htbp]")
    assert turned.rstrip().endswith("\\end{sidewaystable}")
    assert to_latex(sample_table, placement="t").startswith("\\begin{table}[t]")


def test_latex_options_are_checked():
    with pytest.raises(ConfigError, match=r"render.latex.fit must be one of \['resize', 'none'\]"):
        LatexOptions(fit="shrink")
    with pytest.raises(ConfigError, match="unknown key"):
        latex_options({"render": {"latex": {"fontsize": "small"}}})
    assert latex_options({"render": {"latex": {"font_size": "scriptsize"}}}) == LatexOptions(
        font_size="scriptsize"
    )
    assert latex_options({}) == LatexOptions()


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a_b", "a\\_b"),
        ("50%", "50\\%"),
        ("R&D", "R\\&D"),
        ("#1", "\\#1"),
        ("$", "\\$"),
        ("{}", "\\{\\}"),
        ("~^", "\\textasciitilde{}\\textasciicircum{}"),
        ("\\", "\\textbackslash{}"),
        ("-0.5", "$-$0.5"),
        ("(-2.10)", "($-$2.10)"),
        ("[-0.007, -0.001]", "[$-$0.007, $-$0.001]"),
        ("[-inf, 0.5]", "[$-$inf, 0.5]"),
        ("* p < 0.1, ** p < 0.05", "* p $<$ 0.1, ** p $<$ 0.05"),
        ("p > 0.5", "p $>$ 0.5"),
        ("t-1", "t-1"),
        ("Co-opetition", "Co-opetition"),
        ("Cronbach's α", "Cronbach's $\\alpha$"),
        ("Within R²", "Within R\\textsuperscript{2}"),
        ("政府干预（%）", "政府干预（\\%）"),
    ],
)
def test_escape_latex(text, escaped):
    assert escape_latex(text) == escaped


def test_latex_keeps_chinese_as_utf8(sample_table):
    latex = to_latex(sample_table)
    assert "\\textit{Panel B: 工具变量}" in latex
    assert "政府干预 & 0.5 & 0.6 & 0.7 & 0.8 \\\\" in latex
    assert "括号内为标准误。" in latex


# --------------------------------------------------------------------------- Markdown, HTML


def test_markdown_cells_equal_the_table_cells(sample_table):
    text = to_markdown(sample_table)
    rows = markdown_rows(text)
    assert rows[0] == ["Variable", "OLS / (1)", "OLS / (2)", "IV & FE / (3)", "IV & FE / (4)"]
    shown = [row for row in rows[2:] if not row[0].startswith("**")]
    assert shown == body_rows(sample_table)
    assert "| **Panel A: OLS** |" in text and "| **Panel B: 工具变量** |" in text
    assert text.startswith("**Results: R&D_share #1 (%)**")
    assert "括号内为标准误。" in text


def test_markdown_escapes_pipes():
    table = one_row_table("a|b", "x|y", "1")
    assert "| x\\|y | 1 |" in to_markdown(table)


def test_html_cells_equal_the_table_cells(sample_table):
    text = to_html(sample_table)
    rows = html_rows(text)
    assert rows == expected_grid(sample_table)
    assert text.startswith('<div class="govcluster-table" id="sample_results">')
    assert "<html" not in text and "<body" not in text
    assert '<th colspan="2" class="gc-span">IV &amp; FE</th>' in text
    assert "<caption>Results: R&amp;D_share #1 (%)</caption>" in text
    assert '<p class="gc-notes">括号内为标准误。</p>' in text
    # every CSS rule is scoped to the wrapper class
    style = text[text.index("<style>") + 7 : text.index("</style>")]
    selectors = [block.split("{")[0] for block in style.split("}") if "{" in block]
    assert all(
        part.strip().startswith(".govcluster-table")
        for selector in selectors
        for part in selector.split(",")
    )
    assert "<style>" not in to_html(sample_table, include_style=False)


def test_html_escapes_markup():
    table = one_row_table("x", "a<b", "&", title="<b>")
    text = to_html(table)
    assert '<th scope="row">a&lt;b</th><td>&amp;</td>' in text
    assert "<caption>&lt;b&gt;</caption>" in text


# --------------------------------------------------------------------------- Word, CSV


def test_word_document_holds_the_table(sample_table, tmp_path):
    path = to_docx(sample_table, tmp_path / "table.docx")
    assert word_rows(path) == expected_grid(sample_table)
    document = Document(str(path))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == f"Table 1. {sample_table.title}"
    assert paragraphs[-2:] == list(sample_table.notes)


def test_word_table_has_three_line_rules(sample_table, tmp_path):
    path = to_docx(sample_table, tmp_path / "table.docx")
    grid = Document(str(path)).tables[0]
    borders = grid._tbl.tblPr.find(qn("w:tblBorders"))
    values = {child.tag.split("}")[1]: child.get(qn("w:val")) for child in borders}
    assert values["top"] == values["bottom"] == "single"
    assert values["insideV"] == values["insideH"] == "nil"
    last_header = grid.rows[len(sample_table.columns) - 1]
    for cell in last_header.cells:
        bottom = cell._tc.tcPr.find(qn("w:tcBorders")).find(qn("w:bottom"))
        assert bottom.get(qn("w:val")) == "single"


def test_csv_holds_the_numbers(sample_table, tmp_path):
    path = to_csv(sample_table, tmp_path / "numbers.csv")
    back = pd.read_csv(path, index_col="term", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(back, sample_table.numbers)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_csv_needs_numbers():
    table = one_row_table("a", "x", "1")
    with pytest.raises(ValueError, match="carries no numbers"):
        to_csv(table, "unused.csv")


def test_write_table_writes_every_format(sample_table, tmp_path):
    written = write_table(sample_table, tmp_path / "out" / "sample")
    assert sorted(written) == sorted(TABLE_FORMATS)
    for extension, path in written.items():
        assert path.name == f"sample.{extension}" and path.stat().st_size > 0
    assert (tmp_path / "out" / "sample.tex").read_text(encoding="utf-8") == to_latex(sample_table)
    with pytest.raises(ValueError, match="unknown table format"):
        write_table(sample_table, tmp_path / "x", formats=["pdf"])
