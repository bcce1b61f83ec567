"""Running one pipeline step with a log file and clear errors.

Workflow scripts call :func:`run_step`; it sends log records to the rule's log file and to the
terminal, and turns a :class:`~govcluster.errors.GovclusterError` (bad data or configuration)
into a short message and exit status 1 instead of a traceback. Snakemake then removes the
step's incomplete outputs, so a failed step never leaves partial results behind.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from govcluster.errors import GovclusterError

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(log_path: str | Path | None) -> logging.Logger:
    """Log INFO and above to ``log_path`` (if given) and to standard error."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    formatter = logging.Formatter(LOG_FORMAT)
    terminal = logging.StreamHandler(sys.stderr)
    terminal.addFilter(_not_file_only)
    handlers: list[logging.Handler] = [terminal]
    if log_path is not None:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    logging.captureWarnings(True)
    return logging.getLogger("govcluster")


def _not_file_only(record: logging.LogRecord) -> bool:
    """Keep records meant for the log file only (``extra={"file_only": True}``) off the terminal."""
    return not getattr(record, "file_only", False)


def run_step(name: str, log_path: str | Path | None, step: Callable[[], Any]) -> Any:
    """Run ``step()`` with logging; exit with status 1 and a clear message on a user error.

    Parameters
    ----------
    name : str
        Name of the step, for the log.
    log_path : str or Path or None
        The rule's log file.
    step : callable
        The work; takes no arguments.
    """
    logger = configure_logging(log_path)
    started = time.perf_counter()
    logger.info("step %s: started", name)
    try:
        result = step()
    except GovclusterError as error:
        message = f"govcluster: step '{name}' stopped.\n{error}"
        logger.error(message, extra={"file_only": True})
        print(f"\n{message}\n", file=sys.stderr)
        sys.exit(1)
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


def run_rule(smk: Any, main: Callable[[Any], Any]) -> Any:
    """Run a workflow script's ``main(smk)`` as one logged step and record its provenance.

    ``smk`` is the ``snakemake`` object of a script; its ``params.config`` is the rule's
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
    result = run_step(name, smk.log[0] if smk.log else None, lambda: main(smk))
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
