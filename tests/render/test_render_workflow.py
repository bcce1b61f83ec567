"""The rendering rules through Snakemake: a Chinese run from stored estimates, and the report.

Only rendering rules are allowed to run (``--allowed-rules``), so the estimates of the small
run are used as they are: this checks the rules' inputs, outputs, script and report captions
without rerunning a model. The whole DAG, rendering included, runs in ``tests/test_pipeline.py``
and for the replication cases in ``tests/test_cases.py``.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.pipeline

ROOT = Path(__file__).resolve().parents[2]
# rendering rule -> files it writes (render_mediation renders every exhibit of the mediation
# record: govcluster.render.families)
RULES = {
    "render_panel_baseline": ["results/tables/panel_baseline.md"],
    "render_mediation": [
        "results/tables/mediation_indirect.docx",
        "results/figures/mediation_path_diagram.png",
        "results/numbers/mediation.tex",
    ],
}
FILES = [path for paths in RULES.values() for path in paths]


def render_only(snakemake, workdir: Path, *args: str) -> subprocess.CompletedProcess:
    """The rendering rules of ``RULES`` only, through the shared ``snakemake`` fixture."""
    return snakemake(workdir, "--allowed-rules", *RULES, *args, "--", *FILES)


@pytest.fixture(scope="module")
def chinese_run(small_run, tmp_path_factory, snakemake):
    workdir = tmp_path_factory.mktemp("render_zh")
    for folder in ("data", "results"):
        shutil.copytree(small_run.root / folder, workdir / folder)
    config = copy.deepcopy(small_run.config)
    config["language"] = "zh"
    with open(workdir / "config.yaml", "w", encoding="utf-8") as handle:
        yaml.safe_dump(config, handle, allow_unicode=True, sort_keys=False)
    result = render_only(snakemake, workdir, "--cores", "2")
    assert result.returncode == 0, result.stderr[-4000:]
    return workdir


def test_rendering_rules_write_chinese_exhibits(chinese_run):
    for relative in FILES:
        path = chinese_run / relative
        assert path.is_file() and path.stat().st_size > 200, relative
    baseline = (chinese_run / "results/tables/panel_baseline.md").read_text(encoding="utf-8")
    assert "基准回归结果" in baseline and "政府干预" in baseline
    numbers = (chinese_run / "results/numbers/mediation.tex").read_text(encoding="utf-8")
    assert "\\newcommand{\\TotalIndirectEffect}" in numbers
    assert (chinese_run / "logs/render/mediation.log").is_file()


def test_a_second_run_renders_nothing(chinese_run, snakemake):
    result = render_only(snakemake, chinese_run, "--cores", "1", "--dry-run")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Nothing to be done" in result.stdout + result.stderr


def test_the_report_collects_the_exhibits_with_their_captions(chinese_run, snakemake):
    result = render_only(snakemake, chinese_run, "--cores", "1", "--report", "report.zip")
    assert result.returncode == 0, result.stderr[-4000:]
    with zipfile.ZipFile(chinese_run / "report.zip") as archive:
        names = archive.namelist()
        html = archive.read(next(n for n in names if n.endswith("report.html"))).decode()
    assert any(name.endswith("mediation_path_diagram.png") for name in names)
    assert not any(name.endswith("mediation_path_diagram.pdf") for name in names)  # listed once
    # the caption in the run's language (workflow/report/zh/), in the report's JSON
    assert json.dumps("中介模型路径图")[1:-1] in html
