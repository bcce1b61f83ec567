r"""Every table of the default pipeline compiles on an A4 page without an overfull box.

The tables are built as the rendering rules build them (``build_exhibit`` and
``write_exhibit`` of every planned table exhibit) from the estimates of the small run of the
real estimators (``small_run``), plus a did run on its panel (every configured outcome, a short
bootstrap) and the case study of its simulated case-study cluster. All the ``.tex`` files of a
language are ``\input`` into one document, ``\documentclass[a4paper,11pt]{article}`` with the
default margins (a 455 pt text block): English with pdflatex, Chinese with xelatex and ctex.
The number macros (``results/numbers/*.tex``) are loaded in the preamble and each is printed
in text and in math after the tables. The test fails on any LaTeX error, an overfull ``\hbox``
wider than 1 pt, or a float too large for the page, and names the table.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

from govcluster import io
from govcluster.casestudy.plan import run_configured_case_study
from govcluster.did import run_configured_did
from govcluster.render.catalog import build_exhibit, load_sources, write_exhibit
from govcluster.render.latex import LatexOptions, to_latex
from govcluster.render.output import write_table
from govcluster.render.plan import planned_exhibits
from govcluster.render.tables import HeaderCell, Panel, Row, Table, make_header

#: The preamble the module docstring of govcluster.render.latex documents, per language.
PREAMBLES = {
    "en": (
        "\\documentclass[a4paper,11pt]{article}\n"
        "\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n",
        "pdflatex",
    ),
    "zh": ("\\documentclass[a4paper,11pt]{article}\n\\usepackage{ctex}\n", "xelatex"),
}
#: A4 with one-inch margins: a 453 pt text block.
PACKAGES = (
    "\\usepackage[a4paper,margin=1in]{geometry}\n"
    "\\usepackage{booktabs}\n\\usepackage{siunitx}\n"
    "\\usepackage{adjustbox}\n\\usepackage{rotating}\n"
)

#: The marker written to the log before each table, so that a message names its table.
MARKER = "GOVCLUSTER-TABLE:"
OVERFULL = re.compile(r"Overfull \\hbox \((?P<points>[\d.]+)pt too wide\)")
TOLERANCE_PT = 1.0


@pytest.fixture(scope="module")
def did_and_case_study(small_run, required_program) -> dict[str, str]:
    """Files of a did run (every configured outcome) and of the case study, on the small panel.

    Without any TeX engine the estimation is not worth running: skip (or fail) at once.
    """
    if not any(shutil.which(engine) for _, engine in PREAMBLES.values()):
        required_program("pdflatex")
    analysis = io.read_parquet(small_run.path("analysis"))
    config = small_run.config
    section = copy.deepcopy(config["did"])
    years = sorted(analysis["year"].unique())
    section.update(event_window=[-3, 4], n_bootstrap=49)
    paths = {"did": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for outcome in section["outcomes"]:
            result = run_configured_did(
                analysis, {**section, "outcomes": [outcome]}, seed=config["seed"]
            )
            path = small_run.root / "results" / "estimates" / "did" / f"{outcome}.json"
            io.write_json(json.loads(json.dumps(result.to_dict())), path)
            paths["did"].append(path)
        case = copy.deepcopy(config["case_study"])
        case.update(placebo_max_units=10)
        assert case["intervention_year"] in years
        result = run_configured_case_study(analysis, case, seed=config["seed"])
    paths["case_study"] = small_run.root / "results" / "estimates" / "casestudy" / "case.json"
    io.write_json(result.to_dict(), paths["case_study"])
    return paths


def _write_tables(
    small_run, extra: dict, language: str, folder: Path, kind: str = "table"
) -> list[str]:
    """Every planned exhibit of ``kind`` in ``language`` written to ``folder``; their names."""
    project = small_run.project(language)
    names = []
    for exhibit in planned_exhibits(project):
        if exhibit.kind != kind:
            continue
        paths: dict = {}
        for source in exhibit.sources:
            paths[source] = extra[source] if source in extra else small_run.path(source)
        if exhibit.panel_jobs:
            paths["panel"] = [small_run.panel_path(job) for job in exhibit.panel_jobs]
        built = build_exhibit(exhibit.name, load_sources(paths), project)
        if kind == "table":  # the LaTeX file only, as write_exhibit writes it
            write_table(built, folder / exhibit.name, ("tex",))
        else:
            write_exhibit(kind, built, folder / exhibit.name)
        names.append(exhibit.name)
    return names


def _document(names: list[str], language: str, macros: dict[str, list[str]] | None = None) -> str:
    """A document that inputs every table, one a page, then prints every number macro."""
    head, _ = PREAMBLES[language]
    macros = macros or {}
    lines = [head + PACKAGES, *(f"\\input{{{name}.tex}}" for name in macros)]
    lines.append("\\begin{document}")
    for name in names:
        lines += [f"\\typeout{{{MARKER} {name}}}", f"\\input{{{name}.tex}}", "\\clearpage"]
    for name, commands in macros.items():
        lines.append(f"\\typeout{{{MARKER} numbers/{name}}}")
        lines += [f"\\noindent {c}: \\{c}{{}} and $\\{c}$\\par" for c in commands]
    lines.append("\\end{document}")
    return "\n".join(lines) + "\n"


def _macro_names(folder: Path, names: list[str]) -> dict[str, list[str]]:
    """Numbers file -> the macros it defines."""
    pattern = re.compile(r"^\\newcommand\{\\([A-Za-z]+)\}", re.MULTILINE)
    return {
        name: pattern.findall((folder / f"{name}.tex").read_text(encoding="utf-8"))
        for name in names
    }


def _problems_by_table(log: str) -> dict[str, list[str]]:
    """LaTeX errors, overfull boxes wider than the tolerance and oversized floats, by table."""
    problems: dict[str, list[str]] = {}
    table = "(preamble)"
    for line in log.splitlines():
        if line.startswith(MARKER):
            table = line[len(MARKER) :].strip()
            continue
        overfull = OVERFULL.search(line)
        if overfull and float(overfull["points"]) > TOLERANCE_PT:
            problems.setdefault(table, []).append(line.strip())
        elif line.startswith("! ") or "Float too large for page" in line:
            problems.setdefault(table, []).append(line.strip())
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_table_compiles_on_an_a4_page(
    small_run, did_and_case_study, language, tmp_path, required_program
):
    _, engine = PREAMBLES[language]
    program = required_program(engine)
    names = _write_tables(small_run, did_and_case_study, language, tmp_path)
    assert {"correlations", "panel_baseline", "mediation_causal", "did_mechanisms"} <= set(names)
    numbers = _write_tables(small_run, did_and_case_study, language, tmp_path, kind="numbers")
    macros = _macro_names(tmp_path, numbers)
    assert {"panel", "mediation"} <= set(macros) and all(macros.values())
    document = _document(names, language, macros)
    (tmp_path / "tables.tex").write_text(document, encoding="utf-8")
    result = subprocess.run(
        [program, "-interaction=nonstopmode", "-halt-on-error", "tables.tex"],
        cwd=tmp_path,
        capture_output=True,
        timeout=600,
    )
    log = (tmp_path / "tables.log").read_text(encoding="utf-8", errors="replace")
    problems = _problems_by_table(log)
    assert not problems, "\n".join(
        f"{table}: {'; '.join(lines)}" for table, lines in problems.items()
    )
    assert result.returncode == 0, log[-3000:]
    pages = re.search(r"Output written on tables\.(?:pdf|xdv) \((\d+) pages?", log)
    assert pages and int(pages[1]) > len(names), "a page per table, then the numbers"


def _wide_table() -> Table:
    """Ten columns of coefficients: wider than a portrait text block, narrower than landscape."""
    cells = tuple(f"{(-1) ** j * 0.123 * (j + 1):.3f}***" for j in range(10))
    errors = tuple(f"({0.045 * (j + 1):.3f})" for j in range(10))
    return Table(
        title="Wide table < 1 & more",
        columns=make_header(
            [HeaderCell("Sustained competitive advantage", 10)], list("ABCDEFGHIJ")
        ),
        panels=(
            Panel("Panel A: estimates", (Row("Government intervention", cells), Row("", errors))),
            Panel("", (Row("Observations", ("3,586",) * 10), Row("Controls", ("Yes",) * 10))),
        ),
        notes=("Standard errors in parentheses. * p < 0.1, ** p < 0.05, *** p < 0.01.",),
        label="wide",
    )


def test_every_latex_option_compiles(tmp_path, required_program):
    program = required_program("pdflatex")
    variants = {
        "default": LatexOptions(),
        "natural_landscape": LatexOptions(fit="none", orientation="landscape"),
        "footnotesize": LatexOptions(font_size="footnotesize"),
        "scriptsize_here": LatexOptions(font_size="scriptsize", placement="h"),
    }
    names = []
    for name, options in variants.items():
        (tmp_path / f"{name}.tex").write_text(to_latex(_wide_table(), options=options))
        names.append(name)
    body = to_latex(_wide_table(), options=LatexOptions(fragment="tabular"))
    (tmp_path / "tabular.tex").write_text(
        "\\begin{table}\\caption{Set by the paper}\n" + body + "\\end{table}\n"
    )
    names.append("tabular")
    (tmp_path / "tables.tex").write_text(_document(names, "en"), encoding="utf-8")
    subprocess.run(
        [program, "-interaction=nonstopmode", "-halt-on-error", "tables.tex"],
        cwd=tmp_path,
        capture_output=True,
        timeout=300,
    )
    log = (tmp_path / "tables.log").read_text(encoding="utf-8", errors="replace")
    assert not _problems_by_table(log), _problems_by_table(log)
    assert "Output written on tables.pdf (5 pages" in log
    # the same table at its natural width in portrait does not fit: the check can fail
    (tmp_path / "natural.tex").write_text(to_latex(_wide_table(), options=LatexOptions(fit="none")))
    (tmp_path / "tables.tex").write_text(_document(["natural"], "en"), encoding="utf-8")
    subprocess.run(
        [program, "-interaction=nonstopmode", "tables.tex"], cwd=tmp_path, capture_output=True
    )
    log = (tmp_path / "tables.log").read_text(encoding="utf-8", errors="replace")
    assert "natural" in _problems_by_table(log)
