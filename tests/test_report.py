"""The run's report (results/report.html): from the data to the results, each exhibit once.

The unit tests build pages from small hand-made inputs. The last test opens the report of a
finished small pipeline run in headless Chromium and checks, in the page as the browser laid
it out, that every section is there and every figure decoded.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from govcluster.render.report import Download, ReportEntry, ReportSection, report_html
from govcluster.render.report_data import cleaning_audit_summary
from govcluster.render.report_sections import (
    DATA_CAPTIONS,
    INTRO_CAPTION,
    ReportExhibit,
    ReportInputs,
    build_report,
    caption_title,
    rst_html,
)

ROOT = Path(__file__).resolve().parents[1]
CAPTIONS = ROOT / "workflow" / "report"
CJK = re.compile(r"[\u4e00-\u9fff]")
# A 2x1 PNG (one red, one blue pixel).
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAAEElEQVR4nGP4z8DAwMDwHwAF/gH/1XyZ1gAAAABJRU5ErkJggg=="
)


def _data_uris(html: str) -> dict[str, bytes]:
    """File name -> decoded content of every download link of a page."""
    found = re.findall(r'href="data:[^;]+;base64,([^"]+)" download="([^"]+)"', html)
    return {name: base64.b64decode(data) for data, name in found}


def test_the_page_numbers_sections_in_order_and_lists_each_entry_once():
    entries = [
        ReportEntry("table-a", "Table A", "table", "<table></table>", "<p>cap</p>", (
            Download("a.tex", b"\\begin{table}"), Download("a.csv", b"x,y\n1,2\n"),
        )),
        ReportEntry("figure-b", "Figure B", "figure", "<img>", "", (Download("b.pdf", b"%PDF"),)),
    ]  # fmt: skip
    sections = [
        ReportSection("data", "Data", (ReportEntry("data-v", "Validation", "data", "<p>ok</p>"),)),
        ReportSection("panel", "Panel models", tuple(entries)),
    ]
    html = report_html(sections, title="Run", language="en")
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert headings == ["1. Data", "2. Panel models"]
    menu = html[html.index('<nav class="report-menu"') : html.index("</nav>")]
    assert [menu.count(f'href="#{key}"') for key in ("table-a", "figure-b", "data-v")] == [1, 1, 1]
    assert _data_uris(html) == {
        "a.tex": b"\\begin{table}",
        "a.csv": b"x,y\n1,2\n",
        "b.pdf": b"%PDF",
    }
    assert 'lang="en"' in html and "<script" not in html
    with pytest.raises(ValueError, match="anchors repeat"):
        report_html([sections[1], sections[1]], title="Run", language="en")
    with pytest.raises(ValueError, match="render.language"):
        report_html(sections, title="Run", language="fr")


def test_the_cleaning_audit_summary_counts_changes_rows_and_variables_by_step():
    audit = pd.DataFrame(
        {
            "step": ["parse", "parse", "parse", "drop", "parse"],
            "reason": ["comma", "comma", "comma", "duplicate", "full-width"],
            "source_row": [5, 5, 9, 12, 5],
            "variable": ["x", "y", "x", None, "x"],
        }
    )
    summary = cleaning_audit_summary(audit)
    assert summary.columns[:2].tolist() == ["Step", "Reason"]
    counted = summary.set_index(["Step", "Reason"]).iloc[:, :3].to_numpy().tolist()
    # parse/comma: 3 changes on file rows {5, 9} in variables {x, y}; then the next reasons
    assert counted == [[3, 2, 2], [1, 1, 0], [1, 1, 1]]
    assert summary["Step"].tolist() == ["parse", "drop", "parse"]  # the order they ran
    with pytest.raises(ValueError, match="rerun rule 'clean'"):
        cleaning_audit_summary(audit.drop(columns="reason"))


def test_every_caption_has_a_chinese_translation():
    english = sorted(path.name for path in CAPTIONS.glob("*.rst"))
    assert {INTRO_CAPTION, *DATA_CAPTIONS.values()} <= set(english)
    for name in english:
        chinese = CAPTIONS / "zh" / name
        assert chinese.is_file(), f"workflow/report/zh/{name} is missing"
        assert CJK.search(chinese.read_text(encoding="utf-8")), f"zh/{name} is not in Chinese"
    # reStructuredText markup that did not parse shows as is (e.g. ``x``（ needs ``x``\ （)
    for path in [*CAPTIONS.glob("*.rst"), *CAPTIONS.glob("zh/*.rst")]:
        html = rst_html(path.read_text(encoding="utf-8"))
        assert "``" not in html and "System Message" not in html, path.name


def test_a_caption_title_is_its_first_clause():
    assert caption_title("Summary statistics of the panel: overall, ``xtsum``.") == (
        "Summary statistics of the panel"
    )
    assert caption_title("中介模型路径图：根据估计结果绘制。") == "中介模型路径图"


def _inputs(captions: dict[str, str]) -> ReportInputs:
    validation = {"status": "passed", "n_rows": 1200, "n_entities": 40, "notes": ["2 duplicates"]}
    audit = "step,reason,source_row,cluster_id,year,variable,old_value,new_value\n" + (
        'parse_numbers,comma,3,C1,2010,x,"1,0",10\n'
    )
    data = {
        "validation": json.dumps(validation).encode(),
        "quality": b"# Data quality report\n\n## Overview\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        "missingness": b"year,n\n2010,0\n",
        "balance": b"cluster_id,balanced\nC1,True\n",
        "audit": audit.encode(),
        "sample": b"step,rows_in,rows_out\nread,1200,1200\n",
        "truth": b"quantity,truth,estimate\nc (total),0.262,0.2221\n",
    }
    exhibits = (
        ReportExhibit(
            "panel_baseline",
            "table",
            "panel",
            "panel_baseline.rst",
            {"html": "t/panel_baseline.html", "tex": "t/panel_baseline.tex"},
        ),
        ReportExhibit(
            "mediation_path_diagram",
            "figure",
            "mediation",
            "mediation_path_diagram.rst",
            {"png": "f/m.png", "pdf": "f/m.pdf"},
        ),
        ReportExhibit("summary_statistics", "table", "descriptives", "summary_statistics.rst", {
            "html": "t/s.html", "csv": "t/s.csv"
        }),
    )  # fmt: skip
    files = {
        "t/panel_baseline.html": "<table><caption>基准回归结果</caption></table>".encode(),
        "t/panel_baseline.tex": b"\\begin{table}",
        "f/m.png": TINY_PNG,
        "f/m.pdf": b"%PDF-1.4",
        "t/s.html": b"<div><table><caption>Summary statistics</caption></table></div>",
        "t/s.csv": b"v,mean\nGOV,0\n",
    }
    return ReportInputs(data, exhibits, files, captions)


def test_a_chinese_report_has_chinese_sections_and_captions_and_falls_back_to_english():
    captions = {
        "workflow.rst": "The workflow.",
        "zh/workflow.rst": "工作流。",
        "panel_baseline.rst": "Baseline panel regressions: English.",
        "zh/panel_baseline.rst": "基准面板回归：中文说明。",
        "mediation_path_diagram.rst": "Path diagram: only English.",
        "data_validation.rst": "Validation.",
        "zh/data_validation.rst": "输入文件校验：说明。",
    }
    html = build_report(_inputs(captions), language="zh")
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    # data first, then the stages in the order of the paper, whatever the input order
    assert headings == ["1. 数据", "2. 描述性统计与指数", "3. 面板模型", "4. 作用机制（中介效应）"]
    assert "基准面板回归：中文说明。" in html and "Baseline panel regressions" not in html
    assert "Path diagram: only English." in html  # no translation: the English caption
    assert "输入文件校验：说明。" in html and "工作流。" in html
    assert 'lang="zh-CN"' in html and "下载" in html
    menu = html[html.index('<nav class="report-menu"') : html.index("</nav>")]
    assert "基准回归结果" in menu and "中介模型路径图" in menu  # table caption, figure title
    downloads = _data_uris(html)
    assert downloads["panel_baseline.tex"] == b"\\begin{table}"
    assert "panel_baseline.html" not in downloads  # shown inline, not offered twice
    assert downloads["m.pdf"] == b"%PDF-1.4" and downloads["m.png"] == TINY_PNG
    assert downloads["cleaning_audit.csv"].startswith(b"step,reason")
    assert "0.222" in html and "0.2221" not in html  # truth comparison at render.digits
    english = build_report(_inputs(captions), language="en")
    assert re.findall(r"<h2>(.*?)</h2>", english)[0] == "1. Data"
    assert "Baseline panel regressions: English." in english


# --------------------------------------------------------------------------- in a browser

#: Injected into a copy of the page: after load, write what the browser laid out into the DOM
#: (dump-dom prints the DOM after scripts ran), as data attributes of <body>.
PROBE = """<script>
window.addEventListener("load", () => {
  const images = Array.from(document.images);
  const broken = images.filter((i) => !(i.complete && i.naturalWidth > 0)).map((i) => i.alt);
  const sections = Array.from(document.querySelectorAll("section.report-section"));
  const empty = sections.filter((s) => s.getBoundingClientRect().height < 20).map((s) => s.id);
  const entries = Array.from(document.querySelectorAll("article.report-entry"));
  const blank = entries
    .filter((a) => a.querySelector(".report-body").getBoundingClientRect().height < 5)
    .map((a) => a.id);
  document.body.dataset.images = images.length;
  document.body.dataset.broken = JSON.stringify(broken);
  document.body.dataset.emptySections = JSON.stringify(empty);
  document.body.dataset.blankEntries = JSON.stringify(blank);
  document.body.dataset.probed = "yes";
});
</script>"""


@pytest.mark.exhibits
@pytest.mark.pipeline
def test_the_report_renders_every_section_and_figure_in_chromium(
    finished_run, required_program, tmp_path
):
    """The report of the shared small run (``finished_run``, tests/conftest.py) in Chromium."""
    chromium = required_program("chromium")
    report_run, _ = finished_run
    report = report_run / "results" / "report.html"
    html = report.read_text(encoding="utf-8")
    figures = sorted(p.stem for p in (report_run / "results" / "figures").glob("*.png"))
    tables = sorted(p.stem for p in (report_run / "results" / "tables").glob("*.html"))
    assert figures and tables
    probed = tmp_path / "report.html"
    probed.write_text(html.replace("</body>", PROBE + "\n</body>"), encoding="utf-8")
    done = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1280,2000",
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=10000",
            "--dump-dom",
            probed.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    body = re.search(r"<body([^>]*)>", dom).group(1)
    attributes = {k: v for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', body)}
    assert attributes.get("probed") == "yes", "the page did not finish loading"
    assert json.loads(attributes["broken"].replace("&quot;", '"')) == []
    assert int(attributes["images"]) == len(figures)
    assert json.loads(attributes["empty-sections"].replace("&quot;", '"')) == []
    assert json.loads(attributes["blank-entries"].replace("&quot;", '"')) == []
    # the sections, data first, then the results stages in the order of the paper
    headings = re.findall(r"<h2>(.*?)</h2>", dom)
    assert headings == [
        "1. Data",
        "2. Descriptive statistics and indices",
        "3. Panel models",
        "4. Mechanisms (mediation)",
        "5. Staggered designation (difference-in-differences)",
        "6. Case study",
    ]
    data = dom[dom.index('id="data"') : dom.index('id="descriptives"')]
    for key in (
        "data-validation",
        "data-quality",
        "data-cleaning-audit",
        "data-sample-construction",
        "data-truth-mediation",
        "data-truth-case-study",
    ):
        assert f'id="{key}"' in data, key
    # every table and figure once in the menu, the table's other formats as downloads
    menu = dom[dom.index('<nav class="report-menu"') : dom.index("</nav>")]
    for name in tables:
        assert menu.count(f'href="#table-{name}"') == 1, name
        for extension in ("tex", "md", "docx", "csv"):
            assert f'download="{name}.{extension}"' in dom, f"{name}.{extension}"
    for name in figures:
        assert menu.count(f'href="#figure-{name}"') == 1, name
        assert f'download="{name}.pdf"' in dom, name
