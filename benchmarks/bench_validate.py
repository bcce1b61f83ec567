"""Time the data stages ``ingest``, ``validate`` and ``clean`` in one process.

Usage::

    .venv/bin/python benchmarks/bench_validate.py            # default data + 1M firm-years
    .venv/bin/python benchmarks/bench_validate.py --firm-scales 0.74 2.97   # 1M and 4M firm-years
    .venv/bin/python benchmarks/bench_validate.py --baseline-source ../main/src
    .venv/bin/python benchmarks/bench_validate.py --write /tmp/out --firm-scales
    .venv/bin/python benchmarks/bench_validate.py --profile validate --firm-scales

Two inputs are timed:

- the default simulated cluster panel (``config/config.yaml``: 240 clusters x 15 years with
  its injected mess), read from ``data/raw/clusters.csv`` when a run has written it (or from
  ``--raw``), otherwise drawn by the simulator as the ``simulate`` rule draws it;
- the firm-level case (``config/cases/firms.yaml``), drawn as the ``firm_panel`` rule draws it
  at each ``firm_panel.firm_scale`` of ``--firm-scales`` (0.74: about 1 million firm-years,
  2.97: about 4 million).

Each step makes the calls of its workflow script (``workflow/scripts/{ingest,validate,clean}.py``)
with the configuration slice of its rule, writing its outputs to a temporary directory (or to
``--write``, so that they can be compared byte for byte with a run of the pipeline: the
default case writes ``data/interim``, ``data/processed`` and ``results/data_quality`` there).
The validate step is timed with and without writing its files (the writing is a small part).
Every step prints its wall time and its CPU time (user + system of this process); the load
average is printed before and after, since the machine may be shared.

``--source DIR`` imports :mod:`govcluster` from another source tree (for example the ``src``
of an unchanged checkout), and ``--baseline-source DIR`` runs the whole benchmark twice, in
two fresh processes (first on ``DIR``, then on this tree), and prints the times side by side.
Nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = ROOT / "config" / "config.yaml"
FIRM_CASE = ROOT / "config" / "cases" / "firms.yaml"
STEPS = ("ingest", "validate", "clean")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Timer:
    """Wall and CPU seconds of a block, optionally profiled (cProfile, top 30 by own time)."""

    #: Directory where profiles are also saved (``--profile-out``), as ``<step>.prof``.
    profile_out: Path | None = None

    def __init__(self, name: str, times: dict[str, dict[str, float]], *, profile: bool) -> None:
        self.name, self.times, self.profile = name, times, profile

    def __enter__(self) -> Timer:
        self.profiler = cProfile.Profile() if self.profile else None
        self.wall, self.cpu = time.perf_counter(), _cpu()
        if self.profiler:
            self.profiler.enable()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.profiler:
            self.profiler.disable()
        wall, cpu = time.perf_counter() - self.wall, _cpu() - self.cpu
        self.times[self.name] = {"wall": wall, "cpu": cpu}
        print(f"  {self.name:<34} wall {wall:8.2f} s   CPU {cpu:8.2f} s", flush=True)
        if self.profiler and self.profile_out:
            self.profiler.dump_stats(self.profile_out / f"{self.name.split()[0]}.prof")
        elif self.profiler:
            stats = pstats.Stats(self.profiler)
            stats.sort_stats("tottime").print_stats(30)
            stats.sort_stats("cumulative").print_stats(30)


def _outputs(directory: Path) -> SimpleNamespace:
    """The output paths of the three rules, laid out as in a pipeline run."""
    interim, processed = directory / "data" / "interim", directory / "data" / "processed"
    quality = directory / "results" / "data_quality"
    for folder in (interim, processed, quality):
        folder.mkdir(parents=True, exist_ok=True)
    return SimpleNamespace(
        ingested=interim / "ingested.parquet",
        report=quality / "validation.json",
        quality=quality / "data_quality.md",
        missingness=quality / "missingness_by_year.csv",
        balance=quality / "panel_balance.csv",
        panel=processed / "panel.parquet",
        audit=quality / "cleaning_audit.csv",
        sample=quality / "sample_construction.csv",
        sample_md=quality / "sample_construction.md",
        summary=quality / "cleaning_summary.json",
    )


def run_steps(
    project_raw: dict,
    raw_path: Path,
    out: SimpleNamespace,
    workdir: Path,
    *,
    profile: set[str],
) -> dict[str, dict[str, float]]:
    """Run ingest, validate and clean as their workflow scripts do; return the times.

    ``raw_path`` is relative to ``workdir`` (the configuration's ``data.path``), which is the
    working directory while the steps run, as the project root is in a pipeline run: the
    ingested file records the path as given.
    """
    previous = Path.cwd()
    os.chdir(workdir)
    try:
        return _run_steps(project_raw, raw_path, out, profile=profile)
    finally:
        os.chdir(previous)


def _run_steps(
    project_raw: dict, raw_path: Path, out: SimpleNamespace, *, profile: set[str]
) -> dict[str, dict[str, float]]:
    from govcluster import io
    from govcluster.clean import clean_panel
    from govcluster.clean_summary import summarise_cleaning
    from govcluster.describe import to_markdown_table
    from govcluster.ingest import ingest_table
    from govcluster.quality import data_quality_report
    from govcluster.validate import validate_panel
    from govcluster.workflow_config import project_from_slice, rule_config_slice

    def project_of(rule: str):
        return project_from_slice(rule_config_slice(project_raw, rule))

    times: dict[str, dict[str, float]] = {}
    project = project_of("ingest")
    with Timer("ingest (read + map + write)", times, profile="ingest" in profile):
        spec = project.data
        raw = io.read_table(raw_path, format=spec.format, encoding=spec.encoding, sheet=spec.sheet)
        ingested = ingest_table(raw, project, source=str(raw_path))
        io.write_parquet(ingested, out.ingested)
    del raw, ingested

    project = project_of("validate")
    ingested = io.read_parquet(out.ingested)
    with Timer("validate (compute only)", times, profile="validate" in profile):
        quality = data_quality_report(ingested, project)
        report = validate_panel(ingested, project, source=str(project.data.path))
    with Timer("validate (read + compute + write)", times, profile=False):
        ingested = io.read_parquet(out.ingested)
        quality = data_quality_report(ingested, project)
        io.write_text(quality.to_markdown(), out.quality)
        io.write_csv(quality.missingness_by_year, out.missingness)
        io.write_csv(quality.panel_balance, out.balance)
        report = validate_panel(ingested, project, source=str(project.data.path))
        io.write_json(report.to_dict(), out.report)
    del quality, report, ingested

    project = project_of("clean")
    ingested = io.read_parquet(out.ingested)
    with Timer("clean (compute only)", times, profile="clean" in profile):
        result = clean_panel(ingested, project)
    with Timer("clean (read + compute + write)", times, profile=False):
        result = clean_panel(io.read_parquet(out.ingested), project)
        io.write_parquet(result.panel, out.panel)
        io.write_csv(result.audit, out.audit)
        io.write_csv(result.sample, out.sample)
        io.write_text(to_markdown_table(result.sample), out.sample_md)
        io.write_json(summarise_cleaning(result.audit, result.sample).to_dict(), out.summary)
    return times


def default_case(args: argparse.Namespace, workdir: Path) -> dict[str, dict[str, float]]:
    """The default configuration on its simulated raw file."""
    from govcluster import io
    from govcluster.config import load_config
    from govcluster.simulate import simulate_cluster_panel

    project = load_config(DEFAULT_CONFIG)
    relative = Path(project.data.path)
    given = Path(args.raw) if args.raw else ROOT / relative
    placed = workdir / relative  # the raw file where the configuration expects it
    placed.parent.mkdir(parents=True, exist_ok=True)
    if given.is_file():
        placed.symlink_to(given.resolve())
    else:
        settings = project.simulate
        raw, _ = simulate_cluster_panel(
            n_clusters=settings.n_clusters,
            years=(settings.first_year, settings.last_year),
            seed=project.seed,
            **settings.params,
        )
        io.write_csv(raw, placed)
    target = Path(args.write).resolve() if args.write else workdir / "default"
    print(f"default configuration: {given if given.is_file() else 'simulated'}", flush=True)
    return run_steps(project.raw, relative, _outputs(target), workdir, profile=set(args.profile))


def firm_case(scale: float, args: argparse.Namespace, workdir: Path) -> dict[str, dict[str, float]]:
    """The firm-level case at ``firm_scale`` = ``scale``."""
    from govcluster import io
    from govcluster.config import load_config
    from govcluster.firm_outcomes import FirmOutcomeDesign, draw_firm_case

    project = load_config(FIRM_CASE)
    settings, simulate = project.raw["firm_panel"], project.raw["simulate"]
    panel = draw_firm_case(
        n_clusters=simulate["n_clusters"],
        years=(simulate["first_year"], simulate["last_year"]),
        seed=project.seed,
        simulate_params=simulate["params"],
        firm_scale=scale,
        design=FirmOutcomeDesign(**settings["design"]),
    )
    relative = Path(project.data.path)
    raw_path = workdir / relative
    raw_path.parent.mkdir(parents=True, exist_ok=True)
    io.write_parquet(panel.frame, raw_path)
    print(f"firm case, firm_scale {scale}: {len(panel.frame):,} firm-years", flush=True)
    del panel
    target = (
        Path(args.write).resolve() / f"firms_{scale}" if args.write else workdir / f"firms_{scale}"
    )
    times = run_steps(project.raw, relative, _outputs(target), workdir, profile=set(args.profile))
    raw_path.unlink()
    return times


def measure(args: argparse.Namespace) -> dict[str, dict[str, dict[str, float]]]:
    """Every case of the arguments: case -> step -> {"wall", "cpu"}."""
    results = {}
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        if not args.no_default:
            results["default (240 x 15)"] = default_case(args, workdir)
        for scale in args.firm_scales:
            results[f"firms, firm_scale {scale}"] = firm_case(scale, args, workdir)
    return results


def compare(args: argparse.Namespace, passed: list[str]) -> None:
    """Run the benchmark on the baseline tree and on this one; print both side by side."""
    runs = {}
    for label, source in (("baseline", args.baseline_source), ("this tree", str(ROOT / "src"))):
        print(f"--- {label}: govcluster from {source}", flush=True)
        command = [sys.executable, __file__, *passed, "--source", source, "--json"]
        completed = subprocess.run(command, check=True, capture_output=True, text=True)
        print(completed.stdout.split("JSON:")[0], flush=True)
        runs[label] = json.loads(completed.stdout.split("JSON:")[1])
    base, new = runs["baseline"], runs["this tree"]
    print(f"{'case':<26} {'step':<34} {'baseline CPU':>12} {'now CPU':>9} {'ratio':>7}")
    for case, steps in new.items():
        for step, now in steps.items():
            before = base[case][step]
            print(
                f"{case:<26} {step:<34} {before['cpu']:10.2f} s {now['cpu']:7.2f} s "
                f"{before['cpu'] / max(now['cpu'], 1e-9):6.1f}x"
            )


def main() -> None:
    """Parse the arguments and run the benchmark (or the comparison)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firm-scales", type=float, nargs="*", default=[0.74])
    parser.add_argument("--no-default", action="store_true", help="skip the default data")
    parser.add_argument("--raw", help="raw file of the default case (default: data.path)")
    parser.add_argument("--write", help="write the outputs under this directory")
    parser.add_argument("--profile", nargs="*", default=[], choices=STEPS, help="steps to profile")
    parser.add_argument("--profile-out", help="save the profiles here instead of printing them")
    parser.add_argument("--source", help="import govcluster from this source directory")
    parser.add_argument("--baseline-source", help="also time govcluster from this directory")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_source:
        passed = [a for a in sys.argv[1:] if a not in ("--baseline-source", args.baseline_source)]
        compare(args, passed)
        return
    if args.source:
        sys.path.insert(0, str(Path(args.source).resolve()))
    import govcluster

    if args.profile_out:
        Timer.profile_out = Path(args.profile_out).resolve()
        Timer.profile_out.mkdir(parents=True, exist_ok=True)

    print(f"govcluster from {Path(govcluster.__file__).parent}")
    print(f"load average before: {os.getloadavg()}", flush=True)
    results = measure(args)
    print(f"load average after: {os.getloadavg()}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB")
    if args.json:
        print("JSON:" + json.dumps(results))


if __name__ == "__main__":
    main()
