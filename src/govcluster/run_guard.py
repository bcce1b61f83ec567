"""Starting a run safely: one run per directory, and recovery after a killed run.

``python -m govcluster.run_guard SNAKEMAKE [ARGS...]`` (what ``make run`` calls) runs
Snakemake in the current directory so that

- two runs never share a directory: the guard holds an exclusive lock on
  ``.snakemake/govcluster-run.lock`` for the whole run; a second run finds it taken and stops
  with a message naming the running process;
- a run that was killed (SIGKILL, power loss) is recovered by itself: Snakemake's own lock
  left behind by a process that no longer exists is removed (what ``snakemake --unlock``
  does), and Snakemake is started with ``--rerun-incomplete`` so that files a killed job left
  half-written are made again;
- when the guard cannot tell whether the lock is stale (no ``/proc``), it stops with the one
  command to run.

The operating system releases the lock when the process holding it dies, however it dies, so
a lock on ``govcluster-run.lock`` is always held by a live run.
"""

from __future__ import annotations

import datetime
import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from govcluster import run_fingerprint

#: Lock file held by a running guard (relative to the working directory).
RUN_LOCK = Path(".snakemake") / "govcluster-run.lock"

#: Snakemake's lock folder.
SNAKEMAKE_LOCKS = Path(".snakemake") / "locks"

#: The end-of-run line about cleaning, as the last successful run printed it (Snakefile
#: onsuccess), printed again when a run is skipped as up to date.
DATA_CHANGES_FILE = Path(".snakemake") / "govcluster-data-changes.txt"


class RunInProgress(RuntimeError):
    """Another run is active in this directory."""


class StaleLockUndecided(RuntimeError):
    """Snakemake's lock is present and its owner cannot be checked."""


def snakemake_processes(directory: Path, *, exclude: Sequence[int] = ()) -> list[int] | None:
    """Process ids of live Snakemake processes working in ``directory``; None without /proc."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    target = directory.resolve()
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) in exclude:
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            cwd = Path(os.readlink(entry / "cwd"))
        except OSError:
            continue
        words = [part.decode(errors="replace") for part in cmdline if part]
        if not any(Path(word).name == "snakemake" or word == "snakemake" for word in words):
            continue
        if cwd == target or _directory_argument(words) == target:
            found.append(int(entry.name))
    return sorted(found)


def _directory_argument(words: Sequence[str]) -> Path | None:
    for flag in ("--directory", "-d"):
        if flag in words[:-1]:
            return Path(words[words.index(flag) + 1]).resolve()
    return None


def remove_stale_snakemake_lock(directory: Path) -> list[str]:
    """Remove Snakemake's lock when no Snakemake process works in ``directory``.

    Returns
    -------
    list of str
        The lock files removed (empty when there was no lock).

    Raises
    ------
    RunInProgress
        When a live Snakemake process works in the directory.
    StaleLockUndecided
        When there is a lock and processes cannot be listed.
    """
    locks = directory / SNAKEMAKE_LOCKS
    files = sorted(p for p in locks.glob("*") if p.is_file()) if locks.is_dir() else []
    if not files:
        return []
    running = snakemake_processes(directory, exclude=(os.getpid(),))
    if running is None:
        raise StaleLockUndecided(
            "govcluster: Snakemake's lock is present in "
            f"{directory / SNAKEMAKE_LOCKS}, and this system does not let me check whether "
            "another run is active.\n  If no other run is active in this directory, run:\n"
            "    .venv/bin/snakemake --unlock && make run"
        )
    if running:
        raise RunInProgress(_in_progress_message(directory, running))
    for path in files:
        path.unlink(missing_ok=True)
    return [str(path) for path in files]


def _in_progress_message(directory: Path, pids: Sequence[int], started: str = "") -> str:
    shown = ", ".join(str(p) for p in pids)
    since = f" (started {started})" if started else ""
    return (
        f"govcluster: another run is in progress in {directory.resolve()} (process {shown}"
        f"{since}).\n  Wait for it to finish and run `make run` again, or stop it first with:\n"
        f"    kill {pids[0]}"
    )


def acquire_run_lock(directory: Path):
    """Hold the exclusive run lock of ``directory``; return the open lock file.

    Raises
    ------
    RunInProgress
        When another guard holds it.
    """
    path = directory / RUN_LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole run
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        owner = handle.read().split()
        handle.close()
        pid = int(owner[0]) if owner and owner[0].isdigit() else 0
        started = owner[1] if len(owner) > 1 else ""
        raise RunInProgress(_in_progress_message(directory, [pid], started)) from None
    handle.seek(0)
    handle.truncate()
    stamp = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    handle.write(f"{os.getpid()} {stamp}\n")
    handle.flush()
    return handle


def snakemake_command(command: Sequence[str]) -> list[str]:
    """``command`` with ``--rerun-incomplete`` added (unless it is there already)."""
    command = list(command)
    if "--rerun-incomplete" not in command and "--ri" not in command:
        command.append("--rerun-incomplete")
    return command


def run_guarded(command: Sequence[str], *, directory: Path | None = None) -> int:
    """Run Snakemake ``command`` under the run lock; return its exit status.

    Prints a message and returns 1 instead when another run is active or a lock cannot be
    judged.
    """
    directory = Path.cwd() if directory is None else directory
    try:
        handle = acquire_run_lock(directory)
        removed = remove_stale_snakemake_lock(directory)
    except (RunInProgress, StaleLockUndecided) as problem:
        print(f"\n{problem}\n", file=sys.stderr)
        return 1
    if removed:
        print(
            "govcluster: an earlier run was interrupted (killed or power loss) and left "
            "Snakemake's lock; no run is active, so the lock was removed and the run resumes "
            "(files the interrupted jobs left incomplete are made again).",
            file=sys.stderr,
        )
    with handle:
        command = snakemake_command(command)
        if not removed and run_fingerprint.is_up_to_date(command, directory):
            print(UP_TO_DATE_MESSAGE, file=sys.stderr)
            _print_data_changes(directory)
            return 0
        before = run_fingerprint.fingerprint(command, directory)
        started = time.time()
        status = _run_snakemake(command, directory)
        if status == 0:
            run_fingerprint.record_run(command, directory, before=before, started=started)
        else:
            run_fingerprint.forget(directory)
        return status


#: Printed instead of starting Snakemake when the last run provably left nothing to do.
UP_TO_DATE_MESSAGE = (
    "govcluster: nothing to be done: no code, configuration, data or output file changed since "
    "the last complete run (.snakemake/govcluster-up-to-date.json), so Snakemake was not "
    "started. Run .venv/bin/snakemake directly to have Snakemake check everything itself."
)


def _print_data_changes(directory: Path) -> None:
    """The end-of-run line about cleaning that the last run printed (Snakefile onsuccess)."""
    try:
        message = (directory / DATA_CHANGES_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return
    if message:
        print(message, file=sys.stderr)


def _run_snakemake(command: Sequence[str], directory: Path) -> int:
    child = subprocess.Popen(list(command), cwd=directory)

    def forward(signum, _frame):
        child.send_signal(signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    try:
        return child.wait()
    except KeyboardInterrupt:
        return child.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: ``python -m govcluster.run_guard SNAKEMAKE [ARGS...]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print("usage: python -m govcluster.run_guard SNAKEMAKE [ARGS...]", file=sys.stderr)
        return 2
    return run_guarded(args)


if __name__ == "__main__":
    sys.exit(main())
