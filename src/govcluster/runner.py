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
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path is not None:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    logging.captureWarnings(True)
    return logging.getLogger("govcluster")


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
        logger.error(message)
        print(f"\n{message}\n", file=sys.stderr)
        sys.exit(1)
    logger.info("step %s: finished in %.1f s", name, time.perf_counter() - started)
    return result
