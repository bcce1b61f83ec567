"""Knowing, without starting Snakemake, that a rerun has nothing to do.

Starting Snakemake and building the DAG takes several seconds before it can say "Nothing to be
done". :mod:`govcluster.run_guard` skips that when it can prove the answer: it keeps, in
``.snakemake/govcluster-up-to-date.json``, the *fingerprint* of the project as a successful run
left it, and a later run whose fingerprint is the same has nothing to do.

The fingerprint is the Snakemake command line, the Snakemake version, the interpreter and the
environment variables that reach the workflow (``GOVCLUSTER_*``, ``SNAKEMAKE_*``, ``PATH``,
``PYTHONPATH``), and the size and modification time (in nanoseconds) of

- every file of the project directory (code, configuration, raw data, outputs, logs), except
  version-control, environment and cache folders and Snakemake's own ``.snakemake`` folder;
- every file of ``.snakemake/metadata`` (what Snakemake knows of each output), and the
  contents of ``.snakemake/incomplete`` and ``.snakemake/locks``;
- every input a job read from outside the project (as recorded in that metadata, e.g. a data
  file elsewhere, relative paths such as ``../data.csv`` included) and every file named on
  the command line (e.g. ``--configfile``);
- every input, output and log any recorded job names, statted directly wherever it is (under
  a linked folder, or under an absolute ``output_root``).

So any change Snakemake would act on (code, configuration, raw data, an output removed or
touched, an interrupted job) changes the fingerprint. The fingerprint is saved only when it is
safe to trust it:

- only after Snakemake exited with status 0, and only for command lines that ask for nothing
  but the default targets (``--cores``/``--jobs``, ``--configfile``,
  ``--replace-workflow-config``, ``--rerun-incomplete``; anything else, e.g. ``--forceall`` or a
  target, always starts Snakemake);
- only when every file that changed during the run was written by a job of the run (its
  declared outputs and log, and its provenance record), and no output changed after its job
  ended: a file edited while the run was going (e.g. the configuration) makes the run's result
  unprovable, and the next run starts Snakemake;
- never for a run that read a glob of firm files from outside the project (``aggregate``),
  since a new file there would not show in the fingerprint.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 2
KIND = "up_to_date_fingerprint"

#: Where the fingerprint of the last provably complete run is kept.
FINGERPRINT_FILE = Path(".snakemake") / "govcluster-up-to-date.json"

#: Folders of the project that no rule reads or writes.
SKIPPED_FOLDERS = frozenset(
    {
        ".git",
        ".venv",
        ".tools",
        ".snakemake",
        ".dvc",
        "__pycache__",
        ".pytest_cache",
        ".ruff_cache",
        ".mypy_cache",
    }
)

#: Options a trusted command line may carry: option -> whether it takes values.
ALLOWED_OPTIONS: Mapping[str, str] = {
    "--cores": "one",
    "-c": "one",
    "--jobs": "one",
    "-j": "one",
    "--configfile": "many",
    "--configfiles": "many",
    "--replace-workflow-config": "none",
    "--rerun-incomplete": "none",
    "--ri": "none",
}

#: Files a job writes besides its declared outputs and log (govcluster.runner).
UNDECLARED_JOB_FILES = ("logs/provenance/",)

#: Environment variables that reach the workflow or its scripts.
ENVIRONMENT_PREFIXES = ("GOVCLUSTER_", "SNAKEMAKE_")
ENVIRONMENT_NAMES = ("PATH", "PYTHONPATH")


def command_is_trusted(command: Sequence[str]) -> bool:
    """Whether ``command`` (Snakemake and its arguments) asks only for the default targets."""
    expecting = "none"
    for word in command[1:]:
        if word.startswith("-"):
            if word not in ALLOWED_OPTIONS:
                return False
            expecting = ALLOWED_OPTIONS[word]
            continue
        if expecting == "none":
            return False  # a target, or an option value we do not know
        if expecting == "one":
            expecting = "none"
    return True


def _stat(path: Path) -> list[int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]


def _project_files(directory: Path) -> dict[str, list[int]]:
    files: dict[str, list[int]] = {}
    for folder, subfolders, names in os.walk(directory):
        subfolders[:] = sorted(name for name in subfolders if name not in SKIPPED_FOLDERS)
        for name in names:
            path = Path(folder) / name
            stat = _stat(path)
            if stat is not None:
                files[path.relative_to(directory).as_posix()] = stat
    return files


def _snakemake_state(directory: Path) -> dict[str, list[int]]:
    state: dict[str, list[int]] = {}
    for sub in ("metadata", "incomplete", "locks"):
        folder = directory / ".snakemake" / sub
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            stat = _stat(path) if path.is_file() else None
            if stat is not None:
                state[path.relative_to(directory).as_posix()] = stat
    return state


def job_records(directory: Path) -> list[dict[str, Any]]:
    """Snakemake's metadata records (one per output), each with its ``output`` path added."""
    folder = directory / ".snakemake" / "metadata"
    records = []
    if not folder.is_dir():
        return records
    for path in folder.iterdir():
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            record["output"] = base64.urlsafe_b64decode(path.name).decode()
        except (OSError, ValueError):
            continue
        records.append(record)
    return records


def _resolved(path: str, directory: Path) -> Path:
    """``path`` as Snakemake reads it: relative paths are relative to the project."""
    candidate = Path(path)
    return candidate if candidate.is_absolute() else directory / candidate


def recorded_paths(records: Iterable[Mapping[str, Any]], directory: Path) -> list[Path]:
    """Every input, output and log the recorded jobs name, wherever it is.

    Statted directly (following links), so that files under a linked folder, outside the
    project (``../data.csv``) or under an absolute ``output_root`` are watched too.
    """
    found = set()
    for record in records:
        names = [*(record.get("input") or ()), record["output"], *(record.get("log") or ())]
        found.update(_resolved(str(name), directory) for name in names)
    return sorted(found)


def _outside(path: str, directory: Path) -> Path | None:
    candidate = _resolved(path, directory)
    try:
        candidate.resolve().relative_to(directory.resolve())
    except ValueError:
        return candidate
    return None


def external_inputs(records: Iterable[Mapping[str, Any]], directory: Path) -> list[Path]:
    """Inputs the recorded jobs read from outside ``directory``."""
    found = {
        outside
        for record in records
        for path in record.get("input") or ()
        if (outside := _outside(str(path), directory)) is not None
    }
    return sorted(found)


def reads_external_globs(records: Iterable[Mapping[str, Any]], directory: Path) -> bool:
    """Whether the rule ``aggregate`` (firm files found by glob) read files outside."""
    return any(
        record.get("rule") == "aggregate" and external_inputs([record], directory)
        for record in records
    )


def snakemake_version() -> str:
    """The installed Snakemake's version, read from the name of its ``dist-info`` folder.

    Neither Snakemake is imported nor every installed distribution scanned.
    """
    import importlib.util

    spec = importlib.util.find_spec("snakemake")
    if spec is None or spec.origin is None:
        return ""
    site = Path(spec.origin).parent.parent
    found = sorted(path.name for path in site.glob("snakemake-*.dist-info"))
    return found[-1].removeprefix("snakemake-").removesuffix(".dist-info") if found else ""


def fingerprint(command: Sequence[str], directory: Path) -> dict[str, Any]:
    """The fingerprint of ``directory`` for a run of ``command`` (see the module docstring)."""
    records = job_records(directory)
    named = [
        path
        for word in command[1:]
        if not word.startswith("-") and (path := _resolved(word, directory)).exists()
    ]  # files named on the command line (a value such as the number of cores is no file)
    outside = [*external_inputs(records, directory), *named]
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": KIND,
        "command": list(command),
        "snakemake": snakemake_version(),
        "python": sys.executable,
        "environment": {
            name: value
            for name, value in sorted(os.environ.items())
            if name.startswith(ENVIRONMENT_PREFIXES) or name in ENVIRONMENT_NAMES
        },
        "files": _project_files(directory),
        "snakemake_state": _snakemake_state(directory),
        "outside": {str(path): _stat(path) for path in outside},
        "recorded": {str(path): _stat(path) for path in recorded_paths(records, directory)},
    }


def files_written_by_run(records: Iterable[Mapping[str, Any]], *, since: float) -> set[str]:
    """Outputs and logs of the jobs that started at or after ``since`` (seconds since epoch)."""
    written: set[str] = set()
    for record in records:
        if float(record.get("starttime") or 0) < since:
            continue
        written.add(str(record["output"]))
        written.update(str(path) for path in record.get("log") or ())
    return written


def outputs_edited_after_their_job(
    records: Iterable[Mapping[str, Any]], files: Mapping[str, list[int]], *, since: float
) -> list[str]:
    """Outputs of the run's jobs modified after their job ended (e.g. edited by hand)."""
    edited = []
    for record in records:
        if float(record.get("starttime") or 0) < since:
            continue
        stat = files.get(str(record["output"]))
        ended = float(record.get("endtime") or 0)
        if stat is not None and stat[1] > (ended + 1.0) * 1e9:
            edited.append(str(record["output"]))
    return edited


def changes_not_made_by_jobs(
    before: Mapping[str, Any], after: Mapping[str, Any], written: set[str], *, since: float
) -> list[str]:
    """Files that changed between ``before`` and ``after`` but that no job of the run wrote.

    An input outside the project first recorded by this run counts as changed when it was
    modified after the run started (``since``, seconds since the epoch).
    """
    if before.get("command") != after.get("command"):
        return ["<command line>"]
    changed = []
    if before.get("environment") != after.get("environment"):
        changed.append("<environment>")
    for path, stat in after["outside"].items():
        known = before["outside"].get(path)
        if (path in before["outside"] and known != stat) or (
            stat is None or stat[1] >= since * 1e9
        ):
            changed.append(path)
    old, new = before["files"], after["files"]
    for path in sorted(set(old) | set(new)):
        if old.get(path) == new.get(path) or path in written:
            continue
        if path.startswith(UNDECLARED_JOB_FILES) and path in new:
            continue
        changed.append(path)
    return changed


def read_saved(directory: Path) -> dict[str, Any] | None:
    """The saved fingerprint, or None (absent, unreadable or of another layout)."""
    path = directory / FINGERPRINT_FILE
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if saved.get("kind") != KIND or saved.get("schema_version") != SCHEMA_VERSION:
        return None
    return saved


def forget(directory: Path) -> None:
    """Remove the saved fingerprint (the next run starts Snakemake)."""
    (directory / FINGERPRINT_FILE).unlink(missing_ok=True)


def save(directory: Path, value: Mapping[str, Any]) -> None:
    """Save ``value`` as the fingerprint of a provably complete run."""
    path = directory / FINGERPRINT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(value, sort_keys=True), encoding="utf-8")
    temporary.replace(path)


def is_up_to_date(command: Sequence[str], directory: Path) -> bool:
    """Whether a run of ``command`` in ``directory`` provably has nothing to do."""
    if not command_is_trusted(command):
        return False
    saved = read_saved(directory)
    return saved is not None and saved == fingerprint(command, directory)


def record_run(
    command: Sequence[str], directory: Path, *, before: Mapping[str, Any], started: float
) -> bool:
    """After a successful run: save the fingerprint if the run's result is provable.

    Parameters
    ----------
    command : sequence of str
    directory : Path
    before : mapping
        The fingerprint taken just before Snakemake started.
    started : float
        When Snakemake started (seconds since the epoch).

    Returns
    -------
    bool
        Whether the fingerprint was saved.
    """
    forget(directory)
    if not command_is_trusted(command):
        return False
    records = job_records(directory)
    if reads_external_globs(records, directory):
        return False
    after = fingerprint(command, directory)
    written = files_written_by_run(records, since=started)
    if changes_not_made_by_jobs(before, after, written, since=started):
        return False
    if outputs_edited_after_their_job(records, after["files"], since=started):
        return False
    save(directory, after)
    return True
