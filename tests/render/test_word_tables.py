"""Word tables a journal accepts: A4, single spacing, numbered captions, no wrapped number.

Every default table (both languages) is written as .docx, and all of them are rendered to PDF
in one LibreOffice call; the text of each PDF page (``pdftotext -layout``) must hold every
data cell of its table whole on one line.
"""

from __future__ import annotations

import json
import re
import subprocess
import warnings
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from render_estimates import SOURCE_PATHS

from govcluster import io
from govcluster.casestudy.plan import run_configured_case_study
from govcluster.render.catalog import build_exhibit, load_sources
from govcluster.render.plan import planned_exhibits
from govcluster.render.tables import HeaderCell, Panel, Row, Table, make_header
from govcluster.render.word import build_document, default_table_number, text_width_pt, to_docx


@pytest.fixture(scope="module")
def default_tables(small_run, did_records) -> list[tuple[str, Table]]:
    """(language, table) of every default table, built from stored results."""
    did = did_records
    config = small_run.config
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        case = run_configured_case_study(
            io.read_parquet(small_run.path("analysis")), config["case_study"], seed=config["seed"]
        )
    case_study = json.loads(json.dumps(case.to_dict()))
    tables = []
    for language in ("en", "zh"):
        project = small_run.project(language)
        for exhibit in planned_exhibits(project):
            if exhibit.kind != "table":
                continue
            if exhibit.stage == "did":
                sources = {"did": did}
            elif exhibit.stage == "casestudy":
                sources = {"case_study": case_study}
            else:
                paths = {s: small_run.root / SOURCE_PATHS[s] for s in exhibit.sources}
                if exhibit.panel_jobs:
                    paths["panel"] = [small_run.panel_path(job) for job in exhibit.panel_jobs]
                sources = load_sources(paths)
            tables.append((language, build_exhibit(exhibit.name, sources, project)))
    return tables


def normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def whole_on_one_line(cell: str, lines: list[str]) -> int:
    """How often ``cell`` appears on one line, bounded by spaces or the line's ends."""
    pattern = re.compile(r"(?<!\S)" + re.escape(normalised(cell)) + r"(?!\S)")
    return sum(len(pattern.findall(line)) for line in lines)


def data_cells(table: Table) -> list[str]:
    return [text for panel in table.panels for row in panel.rows for text in row.cells if text]


@pytest.mark.exhibits
def test_every_default_docx_renders_without_a_wrapped_number(
    default_tables, tmp_path, required_program
):
    soffice = required_program("soffice")
    pdftotext = required_program("pdftotext")
    documents = []
    for language, table in default_tables:
        documents.append(to_docx(table, tmp_path / f"{language}_{table.label}.docx"))
    assert len(documents) >= 30
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf")]
        + [str(d) for d in documents],
        check=True,
        capture_output=True,
        timeout=600,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    wrapped = []
    for (language, table), document in zip(default_tables, documents, strict=True):
        pdf = tmp_path / "pdf" / f"{document.stem}.pdf"
        assert pdf.is_file(), f"LibreOffice wrote no PDF for {document.name}"
        text = subprocess.run(
            [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        lines = [normalised(line) for line in text.splitlines()]
        cells = data_cells(table)
        for cell in set(cells):
            if whole_on_one_line(cell, lines) < cells.count(cell):
                wrapped.append((document.name, cell))
        number = default_table_number(table.label)
        caption = f"表{number}" if language == "zh" else f"Table{number}."
        assert caption in text.replace(" ", ""), (document.name, text[:80])
    assert not wrapped, f"cells wrapped over lines: {wrapped[:10]}"


def test_the_wrap_check_would_catch_a_wrapped_number():
    """Control: a number split over two lines is counted as not whole."""
    lines = [normalised(line) for line in ["Government 0.46", "4*** (0.026)"]]
    assert whole_on_one_line("0.464***", lines) == 0
    assert whole_on_one_line("(0.026)", lines) == 1


def wide_table(n_columns: int) -> Table:
    cells = tuple("0.464***" for _ in range(n_columns))
    return Table(
        title="Wide",
        columns=make_header([f"({i + 1})" for i in range(n_columns)]),
        panels=(Panel("", (Row("Government intervention", cells),)),),
        label="panel_baseline",
    )


def test_document_is_a4_with_single_spacing_and_a_seq_caption():
    document = build_document(wide_table(3))
    section = document.sections[0]
    assert section.page_width.mm == pytest.approx(210, abs=0.1)
    assert section.page_height.mm == pytest.approx(297, abs=0.1)
    assert section.orientation == WD_ORIENT.PORTRAIT
    body = document.element.body
    instructions = [node.text for node in body.iter(qn("w:instrText"))]
    number = default_table_number("panel_baseline")
    assert instructions == [f" SEQ Table \\r {number} \\* ARABIC "]
    assert document.paragraphs[0].style.name == "Caption"
    assert document.paragraphs[0].text == f"Table {number}. Wide"
    for cell in (c for row in document.tables[0].rows for c in row.cells):
        for paragraph in cell.paragraphs:
            fmt = paragraph.paragraph_format
            assert fmt.space_after == 0 and fmt.space_before == 0 and fmt.line_spacing == 1.0


def test_a_wide_table_goes_landscape_and_columns_fit_their_numbers():
    narrow = build_document(wide_table(3))
    wide = build_document(wide_table(12))
    assert narrow.sections[0].orientation == WD_ORIENT.PORTRAIT
    assert wide.sections[0].orientation == WD_ORIENT.LANDSCAPE
    assert wide.sections[0].page_width.mm == pytest.approx(297, abs=0.1)
    need = text_width_pt("0.464***", 10)
    for document in (narrow, wide):
        grid = document.tables[0]
        for cell in grid.rows[-1].cells[1:]:
            assert cell.width.pt >= need


def test_chinese_caption_reads_biao(small_run):
    table = Table(
        title="基准回归结果",
        columns=make_header([HeaderCell("(1)", 1)]),
        panels=(Panel("", (Row("政府干预", ("0.5",)),)),),
        label="panel_baseline",
    )
    document = build_document(table, number=3)
    assert document.paragraphs[0].text == "表3 基准回归结果"


def test_text_width_counts_wide_characters_double():
    assert text_width_pt("政府", 10) == pytest.approx(2 * text_width_pt("00", 10))
    assert text_width_pt("0.464***", 10) == pytest.approx(10 * (4 * 0.5 + 0.25 + 3 * 0.5))


def test_paths_are_written(tmp_path):
    path = to_docx(wide_table(2), tmp_path / "t.docx")
    assert Path(path).is_file()
    assert Document(str(path)).tables
