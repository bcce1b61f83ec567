"""A SLURM cluster for the study's test: is one answering, and a job cancelled while it runs.

``.ci/run`` installs Debian's ``slurm-wlm`` and starts a one-node cluster with
``tests/slurm/one_node_cluster.sh start`` before the suite. On a machine without a cluster the
test skips, and fails under ``GOVCLUSTER_REQUIRE_EXTERNAL_TOOLS=1``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time

import pytest

#: Quick status polling for a test cluster (the profile's own values suit a real cluster).
FAST_STATUS_CHECKS = (
    "--slurm-init-seconds-before-status-checks",
    "1",
    "--seconds-between-status-checks",
    "1",
)

#: Node states in which SLURM can start a job.
USABLE_STATES = {"idle", "mixed", "allocated", "completing"}


def _fail_or_skip(message: str) -> None:
    if os.environ.get("GOVCLUSTER_REQUIRE_EXTERNAL_TOOLS") == "1":
        pytest.fail(f"{message}; GOVCLUSTER_REQUIRE_EXTERNAL_TOOLS=1 requires it")
    pytest.skip(message)


def require_slurm_cluster() -> None:
    """Skip (or fail in CI) unless SLURM answers with a node that can run jobs."""
    for program in ("sinfo", "sbatch", "squeue", "scancel"):
        if shutil.which(program) is None:
            _fail_or_skip(f"the SLURM program '{program}' is not installed (Debian slurm-wlm)")
    listed = subprocess.run(
        ["sinfo", "--noheader", "--format=%T"], capture_output=True, text=True, timeout=60
    )
    states = {line.strip().rstrip("*~#") for line in listed.stdout.splitlines()}
    if listed.returncode != 0 or not states & USABLE_STATES:
        _fail_or_skip(
            "no SLURM cluster with a usable node answers on this machine (sinfo: "
            f"{(listed.stdout + listed.stderr).strip()[:200]!r}); start the one-node test "
            "cluster with tests/slurm/one_node_cluster.sh start"
        )


class CancelFirstRunningJob:
    """While in its ``with`` block, cancel the first running job of ``rule`` (``scancel``).

    The SLURM executor plugin writes ``rule_<name>_wildcards_...`` into each job's comment,
    which is how the job is recognised. :attr:`job` is the cancelled job's id, or None.
    """

    def __init__(self, rule: str) -> None:
        self.rule = f"rule_{rule}"
        self.job: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> CancelFirstRunningJob:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _watch(self) -> None:
        while not self._stop.is_set() and self.job is None:
            queue = subprocess.run(
                ["squeue", "--noheader", "--states=RUNNING", "--format=%i %k"],
                capture_output=True,
                text=True,
            ).stdout
            for line in queue.splitlines():
                job, _, comment = line.partition(" ")
                if comment.startswith(self.rule):
                    subprocess.run(["scancel", job], check=True)
                    self.job = job
                    return
            time.sleep(0.2)
