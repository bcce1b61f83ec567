"""A configuration change reruns exactly the rules that read it, in Snakemake and in DVC.

One full run of a small configuration in a copy of the project (the shared ``finished_run`` of
tests/conftest.py, which these tests leave as they found it), then, for every top-level
section of the configuration (and a few nested keys), one edit: Snakemake's dry run must list
exactly the rules that read the edited key and the rules downstream of them (read from
Snakemake's own rule graph), no more and no fewer, and give "params have changed" as the
reason for exactly those readers that are not downstream of another reader (Snakemake names
only one reason per job, "input files updated by another job", for the others); ``dvc status``
must name exactly the stages holding the readers.

The expected rules below are written from reading the code of each script and of the package
functions it calls, independently of ``govcluster.workflow_config.RULE_CONFIG_KEYS``.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from govcluster.config import load_schema

pytestmark = pytest.mark.pipeline

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RENDER = "render_*"  # every rendering rule: they read labels, language and render settings

# Key edited -> new value -> the rules that read it. `provenance` reads the whole
# configuration (it writes results/config_resolved.yaml), so it is added to every case.
CHANGES: list[tuple[tuple[str, ...], object, set[str]]] = [
    (
        ("seed",),
        20240602,
        {"simulate", "mediation", "index_weight_uncertainty", "did", "case_study"},
    ),
    (("simulate", "n_clusters"), 41, {"simulate"}),
    (("data", "sheet"), 1, {"ingest", "validate", "clean"}),
    (("data", "name"), None, {"ingest", "validate", "clean"}),  # indices reads only data.path
    (
        ("variables", "gov_subsidy", "column"),
        "no_such_column",
        {"ingest", "validate", "clean", "indices", RENDER},
    ),
    (
        ("constructs", "GOV", "label", "en"),
        "Government support",
        {"validate", "clean", "indices", "describe", "index_weight_uncertainty", RENDER},
    ),
    (
        ("controls", "ln_firms", "label", "en"),
        "Firms (log)",
        {"validate", "clean", "indices", "describe", RENDER},
    ),
    (
        ("passthrough",),
        ["iv_fiscal_shock", "demo_cluster"],
        {"validate", "clean", "indices", "describe"},
    ),
    (
        ("roles", "instruments"),
        ["iv_fiscal_shock", "demo_cluster"],
        {"estimate_panel", "mediation", "index_weight_uncertainty"},
    ),
    (("clean", "winsorize", "upper"), 0.98, {"clean"}),
    (("clean", "drop_exact_duplicates"), False, {"validate", "clean"}),
    (("clean", "deflate", "base"), 101, {"validate", "clean"}),
    (("indices", "method"), "pca", {"indices", "index_weight_uncertainty"}),
    (("indices", "standardize"), False, {"indices", "index_weight_uncertainty", RENDER}),
    (("models", "level"), 0.9, {"estimate_panel", "index_weight_uncertainty"}),
    (("inference", "wild_bootstrap", "draws"), 999, {"estimate_panel"}),
    (
        ("models", "controls"),
        ["ln_employment", "ln_firms"],
        {"estimate_panel", "mediation", "index_weight_uncertainty"},
    ),
    (("mediation", "n_boot"), 199, {"mediation", "index_weight_uncertainty"}),
    (("inference", "index_weights", "n_boot"), 99, {"index_weight_uncertainty"}),
    (("language",), "zh", {RENDER}),
    (("render", "digits"), 4, {RENDER}),
    (("case",), "small", set()),
    (("did", "n_bootstrap"), 49, {"did"}),
    (("case_study", "placebo_max_units"), 5, {"case_study"}),
    # stages outside the default run: their rules are not in the DAG, nothing reruns
    (("aggregate", "memory_limit"), "2GB", set()),
    (("firm_panel", "firm_scale"), 0.2, set()),
    (("study", "replications"), 3, set()),
    (("speccurve", "permutations"), 99, set()),
]

# Sections whose edit moves every output (nothing can be reused), checked separately.
EVERYTHING = {"output_root": "elsewhere"}

# dvc.yaml's stages and the rules each runs.
STAGE_OF_RULE = {
    "simulate": "simulate",
    "ingest": "prepare",
    "validate": "prepare",
    "clean": "prepare",
    "indices": "prepare",
    "describe": "prepare",
    "estimate_panel": "estimate",
    "mediation": "estimate",
    "index_weight_uncertainty": "estimate",
    "compare_truth": "estimate",
    "did": "estimate",
    "case_study": "estimate",
    "case_study_truth": "estimate",
    "metrics": "estimate",
    "provenance": "render",
    RENDER: "render",
}


def _write(path: Path, config: dict) -> None:
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")


def _edited(config: dict, key: tuple[str, ...], value: object) -> dict:
    changed = copy.deepcopy(config)
    where = changed
    for part in key[:-1]:
        where = where.setdefault(part, {})  # a section the file leaves to the schema's defaults
    where[key[-1]] = value
    return changed


@pytest.fixture(scope="module")
def consumers(finished_run, snakemake):
    project, _ = finished_run
    return _rule_graph(snakemake, project)


def _rule_graph(snakemake, project: Path) -> dict[str, set[str]]:
    """Rule -> the rules that take its outputs as inputs (Snakemake's own rule graph)."""
    result = snakemake(project, "--rulegraph", configfile=project / "config" / "config.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    names = dict(re.findall(r'^\s*(\d+)\[label = "([^"]+)"', result.stdout, flags=re.M))
    consumers: dict[str, set[str]] = {name: set() for name in names.values()}
    for source, target in re.findall(r"^\s*(\d+) -> (\d+)", result.stdout, flags=re.M):
        consumers[names[source]].add(names[target])
    return consumers


def _downstream(rules: set[str], consumers: dict[str, set[str]]) -> set[str]:
    reached, frontier = set(rules), list(rules)
    while frontier:
        for consumer in consumers.get(frontier.pop(), ()):
            if consumer not in reached:
                reached.add(consumer)
                frontier.append(consumer)
    return reached


def _planned_jobs(snakemake, project: Path) -> dict[str, set[str]]:
    """Rule -> the reasons Snakemake gives for rerunning its jobs (dry run, current config)."""
    result = snakemake(
        project, "--dry-run", "--cores", "1", configfile=project / "config" / "config.yaml"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    planned: dict[str, set[str]] = {}
    rule = None
    for line in result.stdout.splitlines():
        header = re.match(r"^(?:local)?rule (\S+):$", line.strip())
        if header:
            rule = header.group(1)
            planned.setdefault(rule, set())
        elif rule and line.strip().startswith("reason:"):
            planned[rule].add(line.strip().removeprefix("reason:").strip())
    planned.pop("all", None)
    return planned


def _expand(rules: set[str], all_rules: set[str]) -> set[str]:
    expanded = {rule for rule in rules if rule != RENDER}
    if RENDER in rules:
        expanded |= {rule for rule in all_rules if rule.startswith("render_")}
    return expanded


def _dvc_changed_params(project: Path) -> set[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["dvc", "status", "--json"], cwd=project, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    status = json.loads(done.stdout or "{}")
    # e.g. {"prepare": [{"changed deps": {"config/config.yaml": {"clean": "modified"}}}]}
    return {
        stage
        for stage, changes in status.items()
        for change in changes
        if isinstance(change, dict)
        for kind in ("changed params", "changed deps")
        if "config/config.yaml" in change.get(kind, {})
    }


def test_the_walk_covers_every_top_level_section():
    walked = {key[0] for key, _, _ in CHANGES} | set(EVERYTHING)
    assert walked == set(load_schema()["properties"])


def test_nothing_reruns_without_a_change(finished_run, snakemake):
    project, _ = finished_run
    assert _planned_jobs(snakemake, project) == {}
    assert _dvc_changed_params(project) == set()


@pytest.mark.parametrize(
    ("key", "value", "readers"),
    CHANGES,
    ids=[".".join(key) for key, _, _ in CHANGES],
)
def test_an_edit_reruns_exactly_the_rules_that_read_it(
    finished_run, consumers, snakemake, key, value, readers
):
    project, config = finished_run
    config_file = project / "config" / "config.yaml"
    _write(config_file, _edited(config, key, value))
    try:
        planned = _planned_jobs(snakemake, project)
        dvc_stages = _dvc_changed_params(project)
    finally:
        _write(config_file, config)
    expected_readers = _expand(readers | {"provenance"}, set(consumers))
    params_changed = {
        rule
        for rule, reasons in planned.items()
        if any("Params have changed" in reason for reason in reasons)
    }
    first_readers = {
        rule
        for rule in expected_readers
        if rule not in _downstream(expected_readers - {rule}, consumers)
    }
    assert params_changed == first_readers
    assert set(planned) == _downstream(expected_readers, consumers) - {"all"}
    expected_stages = {
        STAGE_OF_RULE[RENDER if rule.startswith("render_") else rule] for rule in expected_readers
    }
    assert dvc_stages == expected_stages


def test_moving_the_output_root_reruns_everything(finished_run, consumers, snakemake):
    project, config = finished_run
    config_file = project / "config" / "config.yaml"
    _write(config_file, {**config, **EVERYTHING})
    try:
        planned = _planned_jobs(snakemake, project)
    finally:
        _write(config_file, config)
    # every rule writes its log and provenance record under the output root, so every rule
    # reruns (the simulated data in data/raw are redrawn identically from the same seed)
    assert set(planned) == set(consumers) - {"all"}


def _planned_job_names(snakemake, project: Path) -> set[str]:
    """The jobs of a dry run, as ``rule`` or ``rule[wildcards]``."""
    result = snakemake(
        project, "--dry-run", "--cores", "1", configfile=project / "config" / "config.yaml"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    jobs: list[str] = []
    rule = None
    for line in result.stdout.splitlines():
        header = re.match(r"^(?:local)?rule (\S+):$", line.strip())
        if header:
            rule = header.group(1)
            jobs.append(rule)
        elif rule and line.strip().startswith("wildcards:"):
            jobs[-1] = f"{rule}[{line.strip().removeprefix('wildcards:').strip()}]"
    return set(jobs) - {"all"}


def test_one_model_change_reruns_that_model_and_the_exhibits_that_show_it(finished_run, snakemake):
    project, config = finished_run
    config_file = project / "config" / "config.yaml"
    changed = copy.deepcopy(config)
    changed["models"]["baseline"]["twoway_fe_robust"]["cov_type"] = "cluster_twoway"
    _write(config_file, changed)
    try:
        planned = _planned_job_names(snakemake, project)
    finally:
        _write(config_file, config)
    # the baseline models are shown by the baseline table, the robustness table and the
    # coefficient plot (one job: render_baseline), the IV table (OLS columns) and the
    # numbers file of every panel estimate; the index-weight bootstrap refits every baseline
    # two-way model and its table lists them (inference.index_weights); metrics, the report and
    # provenance collect all
    assert planned == {
        "estimate_panel[job=baseline_twoway_fe_robust]",
        "index_weight_uncertainty",
        "render_index_uncertainty",
        "render_panel_baseline",
        "render_baseline",
        "render_panel_iv",
        "render_panel",
        "metrics",
        "render_report",
        "provenance",
    }


def test_the_guards_fingerprint_watches_the_inputs_of_the_real_run(finished_run):
    # The guard's fingerprint of the real finished run: it watches the inputs Snakemake
    # recorded outside the project (here the package of the checkout that ran it) and every
    # file of the project; a touched raw data file changes it, restoring the file's time
    # restores it. (The guard's decisions: tests/test_run_fingerprint.py.)
    from govcluster import run_fingerprint

    project, _ = finished_run
    command = [str(BIN / "snakemake"), "--cores", "1", "--rerun-incomplete"]
    before = run_fingerprint.fingerprint(command, project)
    assert str(ROOT / "src" / "govcluster" / "metrics.py") in before["outside"]
    assert "data/raw/clusters.csv" in before["files"]
    assert any(path.startswith("results/tables/") for path in before["files"])
    raw = project / "data" / "raw" / "clusters.csv"
    info = raw.stat()
    try:
        os.utime(raw, ns=(info.st_atime_ns, time.time_ns()))
        assert run_fingerprint.fingerprint(command, project) != before
    finally:
        os.utime(raw, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert run_fingerprint.fingerprint(command, project) == before
