"""Running one pipeline step with a log file and clear errors.

Workflow scripts call :func:`run_step`; it sends log records to the rule's log file and to the
terminal, and turns a :class:`~govcluster.errors.GovclusterError` (bad data or configuration)
into a short message and exit status 1 instead of a traceback. Snakemake then removes the
step's incomplete outputs, so a failed step never leaves partial results behind.

Steps that take less time than starting Python and importing pandas also run *inside the
workflow's own process* (``in_process=True``: a rule's ``run:`` block, executed in a thread of
the Snakemake process when it runs locally with ``force-use-threads``, see
``profiles/default``): the imports are then paid once per run, not once per job. Such steps
run one at a time (a lock), so that the logging set-up, recorded warnings and process-wide
state of one step never mix with another's; their log records go to their own log file only
(a filter on the thread), and a user error raises :class:`StepStopped` instead of ending the
process.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from govcluster.errors import GovclusterError

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

#: Held by a step running inside the workflow's process, so that such steps run one at a time.
IN_PROCESS_LOCK = threading.Lock()


class StepStopped(RuntimeError):
    """A step run inside the workflow's process stopped on a user error (message printed)."""


def configure_logging(log_path: str | Path | None) -> logging.Logger:
    """Log INFO and above to ``log_path`` (if given) and to standard error."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in _step_handlers(log_path):
        root.addHandler(handler)
    logging.captureWarnings(True)
    return logging.getLogger("govcluster")


def _step_handlers(log_path: str | Path | None) -> list[logging.Handler]:
    """A step's handlers: the terminal (without file-only records) and ``log_path`` if given."""
    formatter = logging.Formatter(LOG_FORMAT)
    terminal = logging.StreamHandler(sys.stderr)
    terminal.addFilter(_not_file_only)
    handlers: list[logging.Handler] = [terminal]
    if log_path is not None:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(formatter)
    return handlers


@contextmanager
def in_process_logging(log_path: str | Path | None) -> Iterator[logging.Logger]:
    """Log this thread's records to ``log_path`` and the terminal; restore the logging after.

    For a step running in a thread of the workflow's process: the records of other threads
    (Snakemake's own, another job's) stay out of this step's handlers, and the root logger's
    handlers and level are put back when the step ends.
    """
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    thread = threading.get_ident()

    def this_thread(record: logging.LogRecord) -> bool:
        return record.thread == thread

    handlers = _step_handlers(log_path)
    for handler in handlers:
        handler.addFilter(this_thread)
    for handler in saved_handlers:
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)
    try:
        yield logging.getLogger("govcluster")
    finally:
        logging.captureWarnings(False)
        for handler in handlers:
            root.removeHandler(handler)
            handler.close()
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)


def _not_file_only(record: logging.LogRecord) -> bool:
    """Keep records meant for the log file only (``extra={"file_only": True}``) off the terminal."""
    return not getattr(record, "file_only", False)


def run_step(
    name: str,
    log_path: str | Path | None,
    step: Callable[[], Any],
    *,
    in_process: bool = False,
) -> Any:
    """Run ``step()`` with logging; stop with a clear message on a user error.

    Parameters
    ----------
    name : str
        Name of the step, for the log.
    log_path : str or Path or None
        The rule's log file.
    step : callable
        The work; takes no arguments.
    in_process : bool, default False
        The step runs in a thread of the workflow's process (a rule's ``run:`` block), not
        in a process of its own: it waits for :data:`IN_PROCESS_LOCK`, logs through
        :func:`in_process_logging` with one BLAS thread (as in a job process of its own), and
        a user error raises :class:`StepStopped` after printing the message, where a step in
        its own process exits with status 1.
    """
    if not in_process:
        return _logged_step(name, configure_logging(log_path), step, in_process=False)
    from threadpoolctl import threadpool_limits

    # One BLAS/OpenMP thread, as Snakemake gives a one-thread job in a process of its own
    # (OMP_NUM_THREADS=1 ...): sums then run in the same order whatever the machine's cores.
    with IN_PROCESS_LOCK, threadpool_limits(limits=1), in_process_logging(log_path) as logger:
        return _logged_step(name, logger, step, in_process=True)


def _logged_step(
    name: str, logger: logging.Logger, step: Callable[[], Any], *, in_process: bool
) -> Any:
    started, started_cpu = time.perf_counter(), time.thread_time()
    logger.info("step %s: started", name)
    try:
        result = step()
    except GovclusterError as error:
        message = f"govcluster: step '{name}' stopped.\n{error}"
        logger.error(message, extra={"file_only": True})
        print(f"\n{message}\n", file=sys.stderr)
        if in_process:
            raise StepStopped(f"step '{name}' stopped; the message is printed above") from None
        sys.exit(1)
    if in_process:
        logger.info(
            "step %s: finished in %.1f s (thread CPU %.1f s, in the workflow's process)",
            name,
            time.perf_counter() - started,
            time.thread_time() - started_cpu,
        )
    else:
        logger.info(
            "step %s: finished in %.1f s (process CPU %.1f s, start-up and imports included)",
            name,
            time.perf_counter() - started,
            _process_cpu_seconds(),
        )
    return result


def _process_cpu_seconds() -> float:
    """CPU time (user + system) of this process so far."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _job_name(smk: Any) -> str:
    wildcards = dict(smk.wildcards.items())
    return "__".join([smk.rule, *(str(v) for v in wildcards.values())])


def provenance_path(config: dict[str, Any], job_name: str) -> Path:
    """Where a job's provenance record goes: ``<output_root>/logs/provenance/<job>.json``."""
    root = config.get("output_root", ".") or "."
    return Path(root) / "logs" / "provenance" / f"{job_name}.json"


def run_rule(smk: Any, main: Callable[[Any], Any], *, in_process: bool = False) -> Any:
    """Run a workflow script's ``main(smk)`` as one logged step and record its provenance.

    ``smk`` is the ``snakemake`` object of a script (or, with ``in_process=True``, the same
    attributes gathered by a rule's ``run:`` block); its ``params.config`` is the rule's
    configuration slice (:func:`govcluster.workflow_config.rule_config_slice`). On success the
    job's provenance record (inputs and outputs with their SHA-256, parameters including that
    slice, the seed when the rule reads one, times; see :mod:`govcluster.provenance`) is
    written next to the logs; on a user error the step exits with a clear message (see
    :func:`run_step`).
    """
    from datetime import UTC, datetime

    from govcluster.io import write_json
    from govcluster.provenance import job_record
    from govcluster.workflow_config import slice_values

    name = _job_name(smk)
    started = datetime.now(UTC)
    result = run_step(
        name, smk.log[0] if smk.log else None, lambda: main(smk), in_process=in_process
    )
    params = {key: value for key, value in smk.params.items()}
    config = slice_values(params["config"])
    record = job_record(
        rule=smk.rule,
        wildcards=dict(smk.wildcards.items()),
        inputs=[str(p) for p in smk.input],
        outputs=[str(p) for p in smk.output],
        params=params,
        seed=config.get("seed"),
        started=started,
        finished=datetime.now(UTC),
    )
    write_json(record, provenance_path(config, name))
    return result
