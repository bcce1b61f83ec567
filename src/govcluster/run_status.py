"""What a failed run leaves behind: no output that looks current but is not.

When a run fails, Snakemake removes the outputs of the failed job, but the outputs of every
job that was due to run and did not (the failed job's dependents, and jobs not reached) still
hold the results of an earlier run, made from other data or another configuration. The
workflow's ``onerror`` handler calls :func:`handle_failed_run`, which moves each of them into
``stale/`` (same relative path; nothing is deleted), writes ``stale/README.txt`` and prints
the list (:func:`set_aside_stale_outputs`). ``onsuccess`` calls :func:`handle_successful_run`,
which drops the copies of outputs that were rebuilt.

:func:`unfinished_outputs` reads the workflow's job graph: it takes any object with
``needrun_jobs()`` and ``finished(job)`` (Snakemake's DAG) and returns plain paths.
"""

from __future__ import annotations

import datetime
import os
import shutil
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

#: Folder (under the output root) that receives the outputs of a failed run.
STALE_DIR = "stale"

_LISTED = 40


def unfinished_outputs(dag: Any) -> list[str]:
    """Outputs of the jobs a run was due to run but did not finish.

    Parameters
    ----------
    dag : object
        Snakemake's job graph (``workflow.dag``): ``needrun_jobs()`` lists the jobs of the
        run, ``finished(job)`` says whether one completed.
    """
    outputs = []
    for job in dag.needrun_jobs():
        if not dag.finished(job):
            outputs.extend(str(path) for path in job.output)
    return sorted(dict.fromkeys(outputs))


def set_aside_stale_outputs(
    outputs: Iterable[str | Path], *, root: str | Path = ".", now: datetime.datetime | None = None
) -> tuple[list[str], str]:
    """Move every existing path of ``outputs`` into ``<root>/stale/``; describe what was moved.

    Parameters
    ----------
    outputs : iterable of str or Path
        Outputs of the failed run's unfinished jobs (relative to the working directory).
    root : str or Path
        The output root of the run (``output_root`` of the configuration).
    now : datetime, optional
        Time stamp for the note (default: now, UTC).

    Returns
    -------
    moved : list of str
        The outputs moved (as given).
    message : str
        What happened and what to do, for the console.
    """
    root = Path(root)
    stale = root / STALE_DIR
    existing = [str(path) for path in outputs if Path(path).exists()]
    if stale.exists():
        shutil.rmtree(stale)
    for path in existing:
        target = stale / _relative_to_root(Path(path), root)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    message = failed_run_message(existing, stale=stale)
    if existing:
        stamp = (now or datetime.datetime.now(datetime.UTC)).isoformat(timespec="seconds")
        stale.mkdir(parents=True, exist_ok=True)
        (stale / "README.txt").write_text(
            f"Set aside at {stamp} after a failed run.\n\n{message}\n", encoding="utf-8"
        )
    return existing, message


def _relative_to_root(path: Path, root: Path) -> Path:
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return Path(*[part for part in path.parts if part not in ("/", "..")])


def failed_run_message(moved: Sequence[str], *, stale: Path) -> str:
    """The console message after a failed run."""
    if not moved:
        return (
            "govcluster: the run failed. No result of an earlier run is out of date: the "
            "outputs on disk are those of completed steps of this run."
        )
    listed = "\n".join(f"    {path}" for path in moved[:_LISTED])
    more = f"\n    ... and {len(moved) - _LISTED} more" if len(moved) > _LISTED else ""
    return (
        f"govcluster: the run failed, so {len(moved)} result(s) of an earlier run no longer "
        "match the data and configuration and are NOT valid. They were moved to "
        f"{stale}/ (same paths):\n{listed}{more}\n"
        "  Fix the problem shown above, then run `make run` again; it rebuilds them."
    )


def clear_stale_outputs(*, root: str | Path = ".") -> str | None:
    """After a successful run, drop the set-aside copies of outputs that exist again.

    Copies whose output was not rebuilt (a run of a few targets only) are kept; the folder
    goes when it holds nothing else. Returns a message when copies were removed.
    """
    root = Path(root)
    stale = root / STALE_DIR
    if not stale.is_dir():
        return None
    removed = 0
    for copy in sorted(p for p in stale.rglob("*") if p.is_file() and p.name != "README.txt"):
        if (root / copy.relative_to(stale)).exists():
            copy.unlink()
            removed += 1
    left = [p for p in stale.rglob("*") if p.is_file() and p.name != "README.txt"]
    if not left:
        shutil.rmtree(stale)
    if not removed:
        return None
    return (
        f"govcluster: {removed} result(s) set aside by a failed run are current again; their "
        f"outdated copies in {stale}/ were removed."
    )


def handle_failed_run(dag: Any, *, root: str | Path = ".") -> list[str]:
    """The workflow's ``onerror`` handler: set aside what the run did not remake, say so."""
    moved, message = set_aside_stale_outputs(unfinished_outputs(dag), root=root)
    print(f"\n{message}\n", file=sys.stderr)
    return moved


def handle_successful_run(*, root: str | Path = ".") -> None:
    """The workflow's ``onsuccess`` handler: drop outdated copies of rebuilt outputs."""
    message = clear_stale_outputs(root=root)
    if message:
        print(message, file=sys.stderr)
