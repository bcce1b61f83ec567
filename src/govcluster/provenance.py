"""Provenance: for every output file, what made it and from what.

Each pipeline job records a *job record* when it finishes (:func:`job_record`, written by
:func:`govcluster.runner.run_rule` to ``logs/provenance/<job>.json``): the rule, the wildcards,
the SHA-256 of every input and output file, the parameters (among them the rule's
configuration slice, :mod:`govcluster.workflow_config`: exactly the configuration values the
rule read), the seed when the rule reads one, and the start, end and duration of the run. The
final rule ``provenance`` writes ``results/config_resolved.yaml`` with a record of its own, and
combines the job records into ``results/provenance.json`` (:func:`build_provenance`), keyed by
output file, for every file found on disk under the folders the run writes
(:data:`WRITTEN_FOLDERS`, found by :func:`written_files`), so that a file with no record, or
whose record names another SHA-256 than the file has now, is listed rather than skipped. It
adds the git commit of the code (or ``"uncommitted changes"``) and the versions of govcluster
and of the packages it requires (read from the installed package's metadata).

Format of ``results/provenance.json``::

    {"git_commit": str, "git_state": "clean" | "uncommitted changes" | "not a git repository",
     "python": str, "packages": {name: version},
     "outputs": {path: {"rule": str, "wildcards": {...}, "inputs": {path: sha256},
                        "sha256": str, "params": {...}, "seed": int | null,
                        "started": iso-time, "finished": iso-time, "seconds": float}},
     "outputs_without_record": [path, ...],
     "outputs_with_stale_record": [path, ...]}

``results/provenance.json`` does not describe itself.
"""

from __future__ import annotations

import hashlib
import platform
import re
import subprocess
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

#: The folders (under the output root) whose files the run writes; every file in them is
#: described by ``results/provenance.json``.
WRITTEN_FOLDERS = ("results", "data/processed", "data/interim")

PROJECT_DISTRIBUTION = "govcluster"


def recorded_packages(distribution: str = PROJECT_DISTRIBUTION) -> tuple[str, ...]:
    """``distribution`` and the distributions it requires, from its installed metadata.

    Optional requirements (behind an ``extra``) are left out.
    """
    try:
        requirements = metadata.requires(distribution) or []
    except metadata.PackageNotFoundError:
        return ()
    names = [distribution]
    for requirement in requirements:
        requirement_name, _, marker = requirement.partition(";")
        if "extra" in marker:
            continue
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement_name)
        if match:
            names.append(match.group(1))
    return tuple(dict.fromkeys(names))


def file_sha256(path: str | Path) -> str | None:
    """SHA-256 of a file (None when it does not exist; directories hash their files)."""
    path = Path(path)
    if path.is_dir():
        digest = hashlib.sha256()
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(str(child.relative_to(path)).encode())
            digest.update((file_sha256(child) or "").encode())
        return digest.hexdigest()
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def display_path(path: str | Path, root: str | Path | None = None) -> str:
    """``path`` relative to the project root when it lies inside it, else as given."""
    root = Path(root) if root is not None else Path(__file__).resolve().parents[2]
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return str(candidate.relative_to(root))
        except ValueError:
            return str(candidate)
    return str(candidate)


def job_record(
    *,
    rule: str,
    wildcards: Mapping[str, str],
    inputs: Iterable[str],
    outputs: Iterable[str],
    params: Mapping[str, Any],
    seed: int | None,
    started: datetime,
    finished: datetime,
) -> dict[str, Any]:
    """Return the provenance record of one finished job (see the module docstring)."""
    return {
        "rule": rule,
        "wildcards": dict(wildcards),
        "inputs": {display_path(p): file_sha256(p) for p in inputs},
        "outputs": {str(p): file_sha256(p) for p in outputs},
        "params": dict(params),
        "seed": seed,
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "seconds": round((finished - started).total_seconds(), 3),
    }


def git_state(directory: str | Path) -> tuple[str, str]:
    """(commit, state) of the git repository holding ``directory``."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=directory, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown", "not a git repository"
    return commit, "uncommitted changes" if dirty else "clean"


def package_versions(names: Iterable[str] | None = None) -> dict[str, str]:
    """Installed versions of ``names`` (default: :func:`recorded_packages`); others left out."""
    names = recorded_packages() if names is None else names
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def written_files(
    output_root: str | Path = ".",
    *,
    folders: Iterable[str] = WRITTEN_FOLDERS,
    exclude: Iterable[str | Path] = (),
) -> list[str]:
    """Every file on disk under ``folders`` of ``output_root``, as paths the rules use.

    Parameters
    ----------
    output_root : str or Path
        The configuration's ``output_root`` ("." for the project directory).
    folders : iterable of str
        Folders below the root that the run writes.
    exclude : iterable of str or Path
        Files to leave out (the provenance file itself).

    Returns
    -------
    list of str
        Sorted paths, relative like the rules' outputs (``results/...`` or
        ``<output_root>/results/...``).
    """
    root = Path(output_root or ".")
    skipped = {Path(p) for p in exclude}
    found = []
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and path not in skipped:
                found.append(str(path))
    return sorted(found)


def build_provenance(
    job_records: Iterable[Mapping[str, Any]],
    *,
    code_directory: str | Path,
    outputs: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Combine job records into the provenance of every output file.

    When two records claim the same output (a job that ran twice), the later one wins.
    With ``outputs`` given (the files found on disk, :func:`written_files`), only those files
    are described; those without a job record are listed under ``outputs_without_record``,
    and those whose file now has another SHA-256 than its record under
    ``outputs_with_stale_record`` (both empty when provenance is complete).
    """
    described: dict[str, dict[str, Any]] = {}
    for record in sorted(job_records, key=lambda r: r["finished"]):
        for path, sha256 in record["outputs"].items():
            entry = {k: v for k, v in record.items() if k != "outputs"}
            described[path] = {**entry, "sha256": sha256}
    missing: list[str] = []
    stale: list[str] = []
    if outputs is not None:
        wanted = {str(p) for p in outputs}
        described = {k: v for k, v in described.items() if k in wanted}
        missing = sorted(wanted - set(described))
        stale = sorted(
            path for path, entry in described.items() if file_sha256(path) != entry["sha256"]
        )
    commit, state = git_state(code_directory)
    return {
        "git_commit": commit,
        "git_state": state,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "packages": package_versions(),
        "outputs": dict(sorted(described.items())),
        "outputs_without_record": missing,
        "outputs_with_stale_record": stale,
    }


def resolved_config_yaml(config: Mapping[str, Any]) -> str:
    """Return the configuration the run used, with every default filled in, as YAML."""
    import yaml

    return yaml.safe_dump(dict(config), allow_unicode=True, sort_keys=False)
