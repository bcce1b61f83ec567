"""Where the CPU of the rendering jobs and of the DiD job goes.

Runs, in one process, what the ``render_<family>`` jobs and the ``did`` job run, on stored
results of a finished default run (``--root``, a folder with ``results/`` and ``data/``), writing
into a temporary directory (nothing under ``--root`` is touched). For each rendering family it
prints wall and CPU seconds and splits the CPU between building the exhibits (drawing the
figures, assembling the tables) and writing each file format (PNG, PDF; LaTeX, Markdown, HTML,
Word, CSV); with ``--per-exhibit`` one line per exhibit too. With ``--did`` it times
:func:`govcluster.did.run_configured_did` per outcome, and with ``--did-reference`` compares
the records with the stored ones (largest absolute difference of any number).

Usage::

    .venv/bin/python benchmarks/bench_render.py --root /path/to/finished/run [--language zh]
        [--families did mediation] [--per-exhibit] [--did] [--did-reference]
        [--profile out.prof]

Imports (pandas, matplotlib, seaborn, python-docx) are done and timed once before the
families, as each job does at start-up; the per-family numbers are the work after them.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import math
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]

#: The per-format steps a family's CPU is split into, in the order of the printed columns.
FORMAT_STEPS = (
    "save png",
    "save pdf",
    "write tex",
    "write md",
    "write html",
    "write docx",
    "write csv",
)

#: Source key -> stored file, relative to the run's root (as in workflow/rules/render.smk).
RENDER_SOURCES = {
    "summary_statistics": "results/descriptives/summary_statistics.csv",
    "cleaning_summary": "results/data_quality/cleaning_summary.json",
    "correlations": "results/descriptives/correlations.csv",
    "index_weights": "results/descriptives/index_weights.csv",
    "index_reliability": "results/descriptives/index_reliability.csv",
    "analysis": "data/processed/analysis_panel.parquet",
    "mediation": "results/estimates/mediation.json",
    "bootstrap": "results/estimates/mediation_bootstrap.parquet",
    "case_study": "results/estimates/casestudy/case_study.json",
    "moderated": "results/estimates/mediation_moderated.json",
    "interaction": "results/estimates/mediation_interaction.json",
    "index_uncertainty": "results/estimates/index_weight_uncertainty.json",
}


class Clock:
    """CPU seconds spent in named steps (nested steps are not subtracted from outer ones)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Add the CPU seconds of the block to ``name``."""
        start = time.process_time()
        try:
            yield
        finally:
            self.cpu[name] += time.process_time() - start

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function``, its CPU seconds added to ``name``."""

        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.step(name):
                return function(*args, **kwargs)

        return timed


def instrument(clock: Clock) -> None:
    """Time every file format written by the rendering code."""
    import matplotlib.figure

    from govcluster.render import output, style

    savefig = matplotlib.figure.Figure.savefig

    def timed_savefig(self: Any, fname: Any, *args: Any, **kwargs: Any) -> Any:
        form = kwargs.get("format") or Path(str(fname)).suffix.lstrip(".")
        with clock.step(f"save {form}"):
            return savefig(self, fname, *args, **kwargs)

    matplotlib.figure.Figure.savefig = timed_savefig
    for name, form in (
        ("to_latex", "tex"),
        ("to_markdown", "md"),
        ("to_html", "html"),
        ("to_docx", "docx"),
        ("to_csv", "csv"),
    ):
        setattr(output, name, clock.wrap(f"write {form}", getattr(output, name)))
    for module in _modules_using("pdf_font_type"):
        module.pdf_font_type = clock.wrap("font check", style.pdf_font_type)


def _modules_using(name: str) -> list[Any]:
    import sys

    return [
        module
        for module_name, module in list(sys.modules.items())
        if module_name.startswith("govcluster.render") and hasattr(module, name)
    ]


def source_paths(root: Path, sources: tuple[str, ...], panel_jobs: tuple[str, ...], did_outcomes):
    """Source key -> stored file(s) of a family, as the rule lists its inputs."""
    paths: dict[str, Any] = {}
    for key in sources:
        if key == "did":
            paths[key] = [
                root / f"results/estimates/did/{outcome}.json" for outcome in did_outcomes
            ]
        else:
            paths[key] = root / RENDER_SOURCES[key]
    if panel_jobs:
        paths["panel"] = [root / f"results/estimates/panel/{job}.json" for job in panel_jobs]
    return paths


def bench_render(args: argparse.Namespace) -> None:
    """Render every planned family into a temporary folder and print where the CPU goes."""
    import_clock = time.process_time()
    import_wall = time.perf_counter()
    import docx  # noqa: F401
    import matplotlib.pyplot  # noqa: F401
    import pandas  # noqa: F401
    import seaborn  # noqa: F401

    from govcluster.config import load_config
    from govcluster.render.catalog import build_exhibit, load_sources, write_exhibit
    from govcluster.render.families import exhibit_families
    from govcluster.render.latex import latex_options
    from govcluster.render.plan import planned_exhibits

    overrides = {"language": args.language} if args.language else None
    project = load_config(args.config, overrides=overrides)
    print(
        f"imports and configuration: wall {time.perf_counter() - import_wall:.2f} s, "
        f"CPU {time.process_time() - import_clock:.2f} s; language {project.language}"
    )
    did = project.raw.get("did") or {}
    did_outcomes = list(did.get("outcomes", [])) if did.get("enabled") else []
    families = exhibit_families(planned_exhibits(project))
    latex = latex_options(project.raw)
    clock = Clock()
    instrument(clock)
    profiler = cProfile.Profile() if args.profile else None
    header = (
        f"{'family':<28}{'n':>3}{'wall':>7}{'CPU':>7}{'load':>7}{'build':>7}"
        f"{'font':>6}{'png':>6}{'pdf':>6}{'tex':>6}{'md':>6}{'html':>6}{'docx':>6}{'csv':>6}"
    )
    print(header)
    totals: dict[str, float] = defaultdict(float)
    with tempfile.TemporaryDirectory(prefix="bench_render_") as scratch:
        folder = args.output or scratch
        for family in families:
            if args.families and family.name not in args.families:
                continue
            clock.cpu.clear()
            wall = time.perf_counter()
            cpu = time.process_time()
            if profiler:
                profiler.enable()
            with clock.step("load"):
                sources = load_sources(
                    source_paths(args.root, family.sources, family.panel_jobs, did_outcomes)
                )
            rows = []
            for exhibit in family.exhibits:
                exhibit_cpu = time.process_time()
                with clock.step("build"):
                    built = build_exhibit(exhibit.name, sources, project)
                built_cpu = time.process_time() - exhibit_cpu
                stem = Path(folder) / exhibit.kind / exhibit.name
                stem.parent.mkdir(parents=True, exist_ok=True)
                write_exhibit(exhibit.kind, built, stem, latex=latex)
                rows.append(
                    (exhibit.name, exhibit.kind, built_cpu, time.process_time() - exhibit_cpu)
                )
            if profiler:
                profiler.disable()
            wall = time.perf_counter() - wall
            cpu = time.process_time() - cpu
            c = clock.cpu
            print(
                f"{family.rule:<28}{len(family.exhibits):>3}{wall:>7.2f}{cpu:>7.2f}"
                f"{c['load']:>7.2f}{c['build']:>7.2f}{c['font check']:>6.2f}"
                + "".join(f"{c[key]:>6.2f}" for key in FORMAT_STEPS)
            )
            if args.per_exhibit:
                for name, kind, built_cpu, total_cpu in rows:
                    print(f"    {name:<34}{kind:<8} build {built_cpu:6.2f}  all {total_cpu:6.2f}")
            totals["wall"] += wall
            totals["cpu"] += cpu
            for key, value in c.items():
                totals[key] += value
    print(
        f"{'total':<28}{'':>3}{totals['wall']:>7.2f}{totals['cpu']:>7.2f}"
        f"{totals['load']:>7.2f}{totals['build']:>7.2f}{totals['font check']:>6.2f}"
        + "".join(f"{totals[key]:>6.2f}" for key in FORMAT_STEPS)
    )
    print("(seconds; load/build/font/png/pdf/... are CPU; build includes drawing the figures)")
    if profiler:
        profiler.dump_stats(args.profile)
        print(f"profile written to {args.profile}")


def _largest_difference(left: Any, right: Any, where: str = "") -> tuple[float, str]:
    """Largest absolute difference between the numbers of two JSON values (inf if unlike)."""
    if isinstance(left, dict) and isinstance(right, dict):
        if left.keys() != right.keys():
            return math.inf, f"{where}: keys differ"
        found = (0.0, "")
        for key in left:
            found = max(found, _largest_difference(left[key], right[key], f"{where}/{key}"))
        return found
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return math.inf, f"{where}: lengths differ"
        found = (0.0, "")
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            found = max(found, _largest_difference(a, b, f"{where}[{index}]"))
        return found
    numeric = (int, float)
    if (
        isinstance(left, numeric)
        and isinstance(right, numeric)
        and not isinstance(left, bool)
        and not isinstance(right, bool)
    ):
        if math.isnan(left) and math.isnan(right):
            return 0.0, ""
        if left == right:
            return 0.0, ""
        return abs(left - right), where
    return (0.0, "") if left == right else (math.inf, f"{where}: {left!r} != {right!r}")


def bench_did(args: argparse.Namespace) -> None:
    """Run the DiD stage outcome by outcome, as the did job does, and time it."""
    import numpy  # noqa: F401
    import pandas  # noqa: F401

    from govcluster import io
    from govcluster.config import load_config
    from govcluster.did import run_configured_did

    project = load_config(args.config)
    section = dict(project.raw["did"])
    analysis = io.read_parquet(args.root / "data/processed/analysis_panel.parquet")
    profiler = cProfile.Profile() if args.profile else None
    total_cpu = total_wall = 0.0
    worst = 0.0
    for outcome in section["outcomes"]:
        wall = time.perf_counter()
        cpu = time.process_time()
        if profiler:
            profiler.enable()
        result = run_configured_did(
            analysis, {**section, "outcomes": [outcome]}, seed=project.raw["seed"]
        )
        record = json.loads(json.dumps(result.to_dict()))
        if profiler:
            profiler.disable()
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu
        total_cpu += cpu
        total_wall += wall
        line = f"did {outcome:<10} wall {wall:6.2f} s  CPU {cpu:6.2f} s"
        if args.did_reference:
            stored = io.read_json(args.root / f"results/estimates/did/{outcome}.json")
            difference, where = _largest_difference(record, stored)
            identical = json.dumps(record, sort_keys=True) == json.dumps(stored, sort_keys=True)
            worst = max(worst, difference)
            line += f"  vs stored: largest difference {difference:.3g} at {where or '-'}"
            line += " (identical)" if identical else ""
        print(line)
    print(f"did total        wall {total_wall:6.2f} s  CPU {total_cpu:6.2f} s")
    if args.did_reference:
        print(f"largest difference from the stored records: {worst:.3g}")
    if profiler:
        profiler.dump_stats(args.profile)
        print(f"profile written to {args.profile}")


def main() -> None:
    """Parse the options and run one benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--root", type=Path, default=PROJECT_ROOT, help="a finished run (results/ and data/)"
    )
    parser.add_argument("--config", type=Path, default=PROJECT_ROOT / "config/config.yaml")
    parser.add_argument("--language", choices=("en", "zh"), help="override config language")
    parser.add_argument("--families", nargs="*", help="only these families (names without render_)")
    parser.add_argument("--per-exhibit", action="store_true", help="one line per exhibit")
    parser.add_argument("--did", action="store_true", help="time the DiD job instead")
    parser.add_argument(
        "--did-reference", action="store_true", help="compare the DiD records with the stored ones"
    )
    parser.add_argument("--profile", help="write a cProfile of the timed work to this file")
    parser.add_argument("--output", help="keep the rendered exhibits in this folder")
    args = parser.parse_args()
    if args.did or args.did_reference:
        bench_did(args)
    else:
        bench_render(args)


if __name__ == "__main__":
    main()
