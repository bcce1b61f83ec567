"""Running workflow steps in fresh processes that start with their imports done.

A rendering job spends more time importing pandas, matplotlib and the exhibit builders
(about three seconds) than drawing its exhibits. Rules that compute or draw for seconds
(rendering, the DiD, the case study, the index-weight bootstrap) therefore hand their step to
a *job server*: a :class:`~concurrent.futures.ProcessPoolExecutor` whose processes are forked
from a multiprocessing fork server that imported those modules once (:data:`PRELOAD`). Every
step gets a process of its own (``max_tasks_per_child=1``): it starts as a copy of the server,
which never ran a step, so no state passes from one step to another, and steps run in parallel
on as many cores as Snakemake gives. The step runs under one BLAS thread, as Snakemake runs a
one-thread job, so its numbers are those of a job in a process of its own.

The rule's ``run:`` block (``run_in_job_server`` in ``workflow/rules/common.smk``) sends the
script's path and the job's input, output, parameters, wildcards and log as plain values
(:class:`NamedValues`), waits, and raises :class:`~govcluster.runner.StepStopped` when the step
stopped on a user error (its message is printed by the step).
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import types
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import context as mp_context
from multiprocessing import popen_forkserver
from pathlib import Path
from types import SimpleNamespace
from typing import Any

#: Modules the fork server imports once, so that no step imports them again (with every module
#: of ``govcluster.render``, see :func:`preloaded_modules`).
PRELOAD = (
    "numpy",
    "pandas",
    "scipy.stats",
    "matplotlib",
    "matplotlib.pyplot",
    "seaborn",
    "docx",
    "diff_diff",
    "threadpoolctl",
    "govcluster.io",
    "govcluster.job_server",
    "govcluster.runner",
    "govcluster.provenance",
    "govcluster.workflow_config",
    "govcluster.did.plan",
    "govcluster.casestudy.plan",
    "govcluster.index_bootstrap",
    "govcluster.mediation.plan",
    "govcluster.panel.plan",
    "govcluster.registry.estimators",
)


def preloaded_modules() -> list[str]:
    """The modules the fork server imports, in order.

    :data:`PRELOAD`, every module of ``govcluster.render`` (found without importing), the
    modules of the registered panel estimators (imported by their first fit, see
    :func:`govcluster.registry.estimators.fit_imported_on_call`), and last
    :mod:`govcluster.fork_server_ready`, which freezes what they made.
    """
    import pkgutil

    from govcluster import render
    from govcluster.registry.estimators import FIT_MODULES

    rendering = [f"govcluster.render.{m.name}" for m in pkgutil.iter_modules(render.__path__)]
    return [*PRELOAD, *rendering, *FIT_MODULES, "govcluster.fork_server_ready"]


_SERVER: ProcessPoolExecutor | None = None
_SERVER_LOCK = threading.Lock()
_LAUNCH_LOCK = threading.Lock()


class _StepProcess(mp_context.ForkServerProcess):
    """A fork-server process that does not run the parent's main script again.

    multiprocessing makes each new process import the parent's ``__main__`` (for Snakemake's
    console script that means importing Snakemake's command line and its executor plugins:
    seconds, and on a machine with a SLURM client but no reachable controller a ten-second
    wait for ``scontrol``). A step needs nothing from it, so the process is described to the
    fork server while ``__main__`` is a bare module.
    """

    @staticmethod
    def _Popen(process_obj):  # noqa: N802 (multiprocessing's name)
        with _LAUNCH_LOCK:
            main = sys.modules["__main__"]
            sys.modules["__main__"] = types.ModuleType("__main__")
            try:
                return popen_forkserver.Popen(process_obj)
            finally:
                sys.modules["__main__"] = main


class _StepContext(mp_context.ForkServerContext):
    Process = _StepProcess


class NamedValues(list):
    """A list whose items may also be reached by name, like a rule's ``input`` or ``log``.

    Parameters
    ----------
    items : iterable
        The values in order (file paths as ``str``).
    names : mapping, optional
        Name -> value (one item, or a list of items for a named list of files).
    """

    def __init__(self, items: Iterable[Any] = (), names: Mapping[str, Any] | None = None):
        super().__init__(items)
        self._names = dict(names or {})

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_names"][name]
        except KeyError:
            raise AttributeError(name) from None

    def items(self) -> Iterable[tuple[str, Any]]:
        """(name, value) pairs of the named values."""
        return self._names.items()

    def keys(self) -> Iterable[str]:
        """Names of the named values."""
        return self._names.keys()


def plain_values(named: Any) -> NamedValues:
    """A Snakemake named list (input, output, params, wildcards, log) as :class:`NamedValues`.

    File objects become ``str``; parameter values are kept as they are (the configuration
    slices are plain dicts and lists).
    """

    def plain(value: Any) -> Any:
        if isinstance(value, str):
            return str(value)
        if isinstance(value, list):
            return [plain(item) for item in value]
        return value

    return NamedValues(
        [plain(item) for item in named],
        {name: plain(value) for name, value in named.items()},
    )


def job_server(workers: int) -> ProcessPoolExecutor:
    """The job server of this process, made on first use with ``workers`` processes.

    Its processes are made when steps are submitted (not at the start of a run): a run that
    stops before, e.g. at validation, then exits without a half-made worker that would find
    the run's semaphores gone and print a traceback. The fork server they are forked from may
    have been started earlier, by :func:`start_fork_server`.
    """
    global _SERVER
    with _SERVER_LOCK:
        if _SERVER is None:
            _SERVER = ProcessPoolExecutor(
                max_workers=max(1, workers), mp_context=_step_context(), max_tasks_per_child=1
            )
        return _SERVER


def start_fork_server() -> None:
    """Start the fork server now, so that it imports :data:`PRELOAD` while other steps run.

    Called when a run starts that has steps for the job server: the imports (about four
    seconds) then overlap with the first steps (simulation, ingestion, validation), which run
    in Snakemake's own process, instead of delaying the first step sent to the server. Only
    the fork server starts, no worker: a run that stops before its first server step leaves a
    fork server that sees its parent gone and exits quietly once its imports are done.
    """
    from multiprocessing import forkserver

    with _SERVER_LOCK:
        _step_context()
        forkserver.ensure_running()


def _step_context() -> _StepContext:
    """The multiprocessing context of the job server, with its fork server's imports set."""
    context = _StepContext()
    context.set_forkserver_preload(preloaded_modules())
    return context


def run_script(script: str, smk: SimpleNamespace) -> str | None:
    """Run workflow script ``script``'s ``main(smk)`` as a logged step (in a server process).

    Returns
    -------
    str or None
        None when the step finished; a one-line note when it stopped on a user error (the
        message itself is printed and logged by :func:`govcluster.runner.run_step`).
    """
    from threadpoolctl import threadpool_limits

    from govcluster.runner import run_rule

    main = load_script_main(script)
    try:
        with threadpool_limits(limits=1):
            run_rule(smk, main)
    except SystemExit as stop:
        if stop.code:
            return f"step of rule {smk.rule} stopped; the message is printed above"
    return None


def load_script_main(script: str | Path) -> Any:
    """The ``main(smk)`` function of a workflow script, loaded once per process."""
    name = f"govcluster_workflow_script_{Path(script).stem}"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, script)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return module.main
