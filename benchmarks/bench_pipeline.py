"""Benchmark: how long the pipeline takes to run, to rerun, and to react to one change.

Run by hand (not part of the tests)::

    .venv/bin/python benchmarks/bench_pipeline.py                 # every scenario
    .venv/bin/python benchmarks/bench_pipeline.py --only five_models
    .venv/bin/python benchmarks/bench_pipeline.py --source /path/to/other/checkout

Everything runs in a copy of the project in a temporary directory (the tracked and new files,
as ``git ls-files`` lists them; never the user's results), with ``PYTHONPATH`` pointing at the
copy's ``src`` so that the jobs run the copied package, and the copy is deleted at the end
(``--keep`` keeps it). Each run is started as ``make run`` starts it:
``python -m govcluster.run_guard .venv/bin/snakemake --cores 2``.

Scenarios and their targets (two cores, environment present):

- ``default``: the whole pipeline on config/config.yaml from nothing (target: 60 s);
- ``noop``: the same command again with nothing changed, twice (target: 3 s), and plain
  ``snakemake --cores 2`` with nothing changed (what Snakemake itself takes to find that out);
- ``one_model``: one model's options changed (``models.baseline.twoway_fe_robust`` gets
  ``cov_type: cluster_twoway``): the jobs Snakemake plans (dry run) must be that model, the
  rendering jobs that read its record, the index-weight bootstrap and its exhibits when they
  refit that model, and the jobs that collect every record (metrics, the report,
  provenance); then the run, timed;
- ``five_models``: a user's configuration with five baseline panel models and no mediation,
  DiD, case study or index-weight bootstrap, on the simulated data written by ``default``
  (target: 20 s).

Each scenario prints its wall time and the CPU time the machine was busy meanwhile (all
processes: Snakemake, the steps it runs in its own process, the job server's processes and
the jobs; see :func:`timed`). For ``default`` the time of every rule is listed: jobs, wall
time summed over its jobs (from Snakemake's metadata), the time inside the step and the CPU
time of the step (from the job's log: "process CPU" for a job in a process of its own or of
the job server, start-up included; "thread CPU" for a step run in Snakemake's process). The
load average is printed before and after: on a shared machine wall times grow with it, and so
does the machine's CPU time. Timings are printed, not asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SNAKEMAKE = str(BIN / "snakemake")
GUARD = [sys.executable, "-m", "govcluster.run_guard", SNAKEMAKE, "--cores", "2"]
CHANGED_MODEL = ("baseline", "twoway_fe_robust")
FIVE_MODELS = {
    "pooled": {"estimator": "pooled"},
    "entity_fe": {"estimator": "entity_fe"},
    "random": {"estimator": "random"},
    "first_difference": {"estimator": "first_difference"},
    "twoway_fe": {"estimator": "twoway_fe"},
}
TARGETS = {"default": 60.0, "noop": 3.0, "five_models": 20.0}


def load() -> str:
    """The load averages over 1, 5 and 15 minutes."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def copy_project(source: Path, destination: Path) -> None:
    """Copy the tracked and new files of ``source`` (as git lists them) into ``destination``."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=source,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for relative in listed:
        path = source / relative
        if path.is_file():
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def environment(project: Path) -> dict[str, str]:
    """The environment of a run in ``project``: its own package first on the path."""
    return {
        **os.environ,
        "PYTHONPATH": str(project / "src"),
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "MPLBACKEND": "Agg",
    }


def machine_busy_seconds() -> float | None:
    """CPU seconds the whole machine has been busy (all cores; /proc/stat), or None."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    ticks = [int(field) for field in fields]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def timed(command: list[str], project: Path, label: str) -> tuple[float, float, str]:
    """Run ``command`` in ``project``; return wall seconds, CPU seconds, output.

    The time the command started is kept in :data:`LAST_STARTED` (for :func:`job_span`).

    The CPU seconds are those the machine was busy during the run (/proc/stat), which include
    the job server's processes (forked from a server process, they are not children this
    process waits for, so its children's CPU time misses them); on a machine shared with other
    work they include that work too, so measure on an idle machine. Without /proc, the CPU of
    waited-for children.
    """
    before, busy_before = os.times(), machine_busy_seconds()
    LAST_STARTED[label] = time.time()
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=project, env=environment(project), capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    after, busy_after = os.times(), machine_busy_seconds()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    if busy_before is not None and busy_after is not None:
        cpu = busy_after - busy_before
    if done.returncode != 0:
        sys.exit(f"{label}: exit status {done.returncode}\n{done.stderr[-4000:]}")
    return wall, cpu, done.stdout + done.stderr


#: Label of a :func:`timed` run -> the time (epoch seconds) its command started.
LAST_STARTED: dict[str, float] = {}


def job_span(project: Path, label: str, wall: float) -> str:
    """Where a run's time outside its jobs goes: before the first job, after the last one.

    From Snakemake's metadata (start and end of every job): the seconds from the command's
    start to the first job's start (Python, Snakemake and the workflow read, the DAG built)
    and from the last job's end to the command's end.
    """
    starts, ends = [], []
    for path in (project / ".snakemake" / "metadata").iterdir():
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("starttime") and record["starttime"] >= LAST_STARTED[label]:
            starts.append(record["starttime"])
            ends.append(record["endtime"])
    if not starts:
        return "no job ran"
    before = min(starts) - LAST_STARTED[label]
    after = LAST_STARTED[label] + wall - max(ends)
    return f"first job after {before:.1f} s, last job ended {after:.1f} s before the end"


def per_rule_times(project: Path) -> dict[str, list[float]]:
    """Rule -> [jobs, wall seconds, seconds inside the steps, CPU seconds], summed over jobs.

    The CPU seconds are those of the jobs' processes, start-up and imports included; other
    work on the machine hardly stretches them.
    """
    jobs: dict[tuple[str, tuple[str, ...]], tuple[float, float]] = {}
    for path in (project / ".snakemake" / "metadata").iterdir():
        record = json.loads(path.read_text(encoding="utf-8"))
        key = (record["rule"], tuple(record.get("log") or [path.name]))
        jobs.setdefault(key, (record["starttime"], record["endtime"]))
    times: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    for (rule, _), (start, end) in jobs.items():
        times[rule][0] += 1
        times[rule][1] += end - start
    for log in (project / "logs").rglob("*.log"):
        text = log.read_text(encoding="utf-8", errors="replace")
        pattern = r"step (\S+): finished in ([\d.]+) s(?: \((?:process|thread) CPU ([\d.]+) s)?"
        for name, seconds, cpu in re.findall(pattern, text):
            rule = name.split("__")[0]
            if rule in times:
                times[rule][2] += float(seconds)
                times[rule][3] += float(cpu or 0)
    return dict(times)


def print_rule_times(times: dict[str, list[float]]) -> None:
    """Print the table of :func:`per_rule_times`, slowest rule first."""
    print(f"  {'rule':34s} {'jobs':>4s} {'wall (s)':>9s} {'in step (s)':>11s} {'CPU (s)':>8s}")
    for rule, (n, wall, step, cpu) in sorted(times.items(), key=lambda item: -item[1][3]):
        print(f"  {rule:34s} {n:4d} {wall:9.1f} {step:11.1f} {cpu:8.1f}")
    total = [sum(values[i] for values in times.values()) for i in range(4)]
    print(f"  {'total':34s} {int(total[0]):4d} {total[1]:9.1f} {total[2]:11.1f} {total[3]:8.1f}")


def planned_jobs(project: Path) -> list[str]:
    """The jobs a dry run plans, as ``rule`` or ``rule[wildcards]``."""
    _, _, output = timed([SNAKEMAKE, "-n", "--cores", "2"], project, "dry run")
    planned, rule = [], None
    for line in output.splitlines():
        header = re.match(r"^(?:local)?rule (\S+):$", line.strip())
        if header:
            rule = header.group(1)
            planned.append(rule)
        elif rule and line.strip().startswith("wildcards:"):
            planned[-1] = f"{rule}[{line.strip().removeprefix('wildcards:').strip()}]"
    return sorted(job for job in planned if not job.startswith("all"))


def edit_config(project: Path, edit) -> None:
    """Apply ``edit`` to the configuration dict of ``project`` and write it back."""
    path = project / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(config)
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")


def rendering_jobs_reading(project: Path, job: str) -> list[str]:
    """The rendering rules whose inputs include the record of panel job ``job``."""
    sys.path.insert(0, str(project / "src"))
    from govcluster.config import load_config
    from govcluster.render.families import exhibit_families
    from govcluster.render.plan import planned_exhibits

    families = exhibit_families(planned_exhibits(load_config(project / "config/config.yaml")))
    return sorted(family.rule for family in families if job in family.panel_jobs)


def index_uncertainty_jobs(project: Path, job: str) -> list[str]:
    """The index-weight bootstrap and its exhibits, when they refit panel job ``job``.

    The bootstrap (``inference.index_weights``) refits the pooled, entity and two-way
    fixed-effects models without lags, absorbed effects or a year range, and its table shows
    them; a change to such a model reruns it.
    """
    sys.path.insert(0, str(project / "src"))
    from govcluster.config import load_config
    from govcluster.index_bootstrap import SUPPORTED_ESTIMATORS, baseline_jobs

    path = project / "config" / "config.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not raw.get("inference", {}).get("index_weights", {}).get("enabled", False):
        return []
    panel_job = baseline_jobs(load_config(path))[job]
    spec = panel_job.spec
    refitted = (
        getattr(spec, "estimator", None) in SUPPORTED_ESTIMATORS
        and not getattr(spec, "lags", ())
        and not getattr(spec, "absorb", ())
        and panel_job.years is None
    )
    return ["index_weight_uncertainty", "render_index_uncertainty"] if refitted else []


def report(name: str, wall: float, cpu: float, note: str = "") -> None:
    """Print one measurement beside its target."""
    target = TARGETS.get(name)
    verdict = (
        ""
        if target is None
        else f" (target {target:g} s: {'met' if wall <= target else 'NOT met'})"
    )
    print(f"{name:14s} {wall:7.1f} s wall, {cpu:7.1f} s CPU{verdict}{note}")


def main() -> None:
    """Run the scenarios of the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=ROOT, help="checkout to benchmark")
    parser.add_argument("--only", choices=["all", "default", "five_models"], default="all")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies")
    args = parser.parse_args()
    print(f"load average before: {load()}  (cores: {os.cpu_count()})")
    workspace = Path(tempfile.mkdtemp(prefix="govcluster-bench-"))
    try:
        project = workspace / "default"
        copy_project(args.source, project)
        wall, cpu, _ = timed(GUARD, project, "default run")
        report("default", wall, cpu)
        print(f"{'':14s} {job_span(project, 'default run', wall)}")
        print_rule_times(per_rule_times(project))
        if args.only == "all":
            for attempt in (1, 2):
                wall, cpu, output = timed(GUARD, project, "rerun")
                skipped = "govcluster: nothing to be done" in output
                how = "guard: fingerprint unchanged" if skipped else "Snakemake checked"
                report("noop", wall, cpu, f"  [rerun {attempt}: {how}]")
            wall, cpu, _ = timed([SNAKEMAKE, "--cores", "2"], project, "snakemake rerun")
            print(f"{'noop':14s} {wall:7.1f} s wall, {cpu:7.1f} s CPU  [plain snakemake]")

            def change(config):
                section, key = CHANGED_MODEL
                config["models"][section][key]["cov_type"] = "cluster_twoway"

            edit_config(project, change)
            job = "_".join(CHANGED_MODEL)
            planned = planned_jobs(project)
            expected = sorted(
                [
                    f"estimate_panel[job={job}]",
                    *rendering_jobs_reading(project, job),
                    *index_uncertainty_jobs(project, job),
                    "metrics",
                    "render_report",
                    "provenance",
                ]
            )
            print(f"one_model      planned: {', '.join(planned)}")
            print(f"               expected: {', '.join(expected)}")
            print(f"               {'as expected' if planned == expected else 'DIFFERENT'}")
            wall, cpu, _ = timed(GUARD, project, "one-model run")
            report("one_model", wall, cpu)
        if args.only in ("all", "five_models"):
            five = workspace / "five_models"
            copy_project(args.source, five)
            raw = project / "data" / "raw" / "clusters.csv"
            shutil.copy2(raw, five / "data" / "raw" / "clusters.csv")

            def user_config(config):
                config["simulate"]["enabled"] = False
                config["models"] = {
                    key: config["models"][key]
                    for key in ("controls", "cov_type", "level")
                    if key in config["models"]
                }
                config["models"]["baseline"] = FIVE_MODELS
                config["mediation"]["enabled"] = False
                config["did"]["enabled"] = False
                config["case_study"]["enabled"] = False
                # the bootstrap of the index weights belongs to the mechanism analysis and is
                # off unless a configuration turns it on (config/config.yaml does)
                config.setdefault("inference", {}).setdefault("index_weights", {})
                config["inference"]["index_weights"]["enabled"] = False

            edit_config(five, user_config)
            wall, cpu, _ = timed(GUARD, five, "five-model run")
            report("five_models", wall, cpu)
            print(f"{'':14s} {job_span(five, 'five-model run', wall)}")
            print_rule_times(per_rule_times(five))
    finally:
        if args.keep:
            print(f"kept: {workspace}")
        else:
            shutil.rmtree(workspace, ignore_errors=True)
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
