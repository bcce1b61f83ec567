"""Steps run inside the workflow's own process (govcluster.runner, ``in_process=True``).

Short steps run in a thread of Snakemake's process (a rule's ``run:`` block with
``force-use-threads``, profiles/default). These tests check what makes that safe: one step at
a time, each step's log records in its own log file only, the logging put back afterwards,
one BLAS thread during the step (as in a job process of its own), and a user error that stops
the step with its message instead of ending the process.
"""

from __future__ import annotations

import logging
import threading
import time

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from govcluster.errors import DataValidationError
from govcluster.runner import IN_PROCESS_LOCK, StepStopped, run_step


@pytest.fixture
def root_logging():
    """Put the root logger back as it was, whatever a test did to it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(False)


def test_a_user_error_stops_the_step_without_ending_the_process(tmp_path, capsys, root_logging):
    def step():
        raise DataValidationError("Bad rows.", file="data/raw/x.csv", column="年份", rows=[3])

    log = tmp_path / "validate.log"
    with pytest.raises(StepStopped, match="step 'validate' stopped"):
        run_step("validate", log, step, in_process=True)
    terminal = capsys.readouterr().err
    assert terminal.count("Bad rows.") == 1 and "column: 年份" in terminal
    assert "Traceback" not in terminal
    assert log.read_text(encoding="utf-8").count("Bad rows.") == 1
    assert not IN_PROCESS_LOCK.locked()


def test_the_logging_is_put_back_after_the_step(tmp_path, root_logging):
    marker = logging.NullHandler()
    root_logging.addHandler(marker)
    root_logging.setLevel(logging.WARNING)
    before = list(root_logging.handlers)

    def step():
        assert marker not in logging.getLogger().handlers
        logging.getLogger("govcluster.test").info("inside the step")
        return 42

    assert run_step("indices", tmp_path / "indices.log", step, in_process=True) == 42
    assert root_logging.handlers == before and root_logging.level == logging.WARNING
    text = (tmp_path / "indices.log").read_text(encoding="utf-8")
    assert "inside the step" in text
    assert "step indices: finished in" in text and "thread CPU" in text


def test_records_of_other_threads_stay_out_of_the_steps_log(tmp_path, root_logging):
    other_logged = threading.Event()

    def other_thread():
        logging.getLogger("snakemake.scheduler").warning("a message of another thread")
        other_logged.set()

    def step():
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
        logging.getLogger("govcluster.test").info("the step's own message")

    run_step("describe", tmp_path / "describe.log", step, in_process=True)
    assert other_logged.is_set()
    text = (tmp_path / "describe.log").read_text(encoding="utf-8")
    assert "the step's own message" in text
    assert "another thread" not in text


def test_steps_run_one_at_a_time(tmp_path, root_logging):
    spans: dict[str, tuple[float, float]] = {}

    def step(name):
        def work():
            start = time.perf_counter()
            time.sleep(0.2)
            spans[name] = (start, time.perf_counter())

        return work

    threads = [
        threading.Thread(
            target=run_step,
            args=(name, tmp_path / f"{name}.log", step(name)),
            kwargs={"in_process": True},
        )
        for name in ("first", "second")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (start_a, end_a), (start_b, end_b) = sorted(spans.values())
    assert end_a <= start_b, "the second step started before the first had finished"


def test_blas_uses_one_thread_inside_the_step(tmp_path, root_logging):
    def blas_threads():
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    np.dot(np.ones((4, 4)), np.ones((4, 4)))  # numpy's BLAS is loaded
    if not blas_threads():
        pytest.skip("numpy reports no BLAS thread pool here")
    inside = run_step("clean", tmp_path / "clean.log", blas_threads, in_process=True)
    assert inside and all(n == 1 for n in inside)
