"""Shared fixtures and helpers.

Helpers reach the test modules as fixtures (``snakemake``, ``snakemake_cli``, ``copy_project``,
``half_unit``, ``assert_printed``, ``required_program``):
``tests/render`` has a conftest of its own, so a plain ``from conftest import ...`` would be
ambiguous.
"""

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

# One BLAS thread per process, set before numpy loads: the suite runs on two pytest-xdist
# workers (and Snakemake jobs, which inherit this), so threaded BLAS would only oversubscribe
# the cores (measured: 40% more CPU time for the same tests). Results do not depend on it
# (tests/mediation/test_mediation_replicates.py::test_draws_do_not_depend_on_blas_threads).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def run_snakemake(
    workdir: Path, *args: str, configfile: Path | None = None
) -> subprocess.CompletedProcess:
    """Run the project's Snakefile in ``workdir`` and return the finished process.

    Parameters
    ----------
    workdir : Path
        Working directory of the run (outputs, logs and ``.snakemake`` go there).
    *args : str
        Further command-line arguments (``--cores 2``, ``--dry-run``, targets, ...).
    configfile : Path, optional
        The configuration; it replaces ``config/config.yaml`` entirely
        (default: ``workdir/config.yaml``).

    Returns
    -------
    subprocess.CompletedProcess
        With ``stdout`` and ``stderr`` as text; the caller checks ``returncode``.
    """
    command = snakemake_command(workdir, *args, configfile=configfile)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=workdir)


def snakemake_command(workdir: Path, *args: str, configfile: Path | None = None) -> list[str]:
    """The command line of :func:`run_snakemake`, for a test that starts and stops it itself."""
    return [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(ROOT / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        str(configfile or workdir / "config.yaml"),
        "--replace-workflow-config",
        *args,
    ]


def copy_project_files(destination: Path) -> None:
    """Copy the project's files (tracked and new, not ignored) into ``destination``."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for relative in listed:
        source = ROOT / relative
        if source.is_file():
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def require_program(name: str) -> str:
    """The path of the external program ``name`` (pdflatex, xelatex, libreoffice, chromium).

    A test that needs the program skips with a clear message when it is absent, except when the
    environment variable ``GOVCLUSTER_REQUIRE_EXTERNAL_TOOLS=1`` is set (``.ci/run`` sets it, after
    installing the Debian packages): then it fails.
    """
    path = shutil.which(name)
    if path is None:
        message = (
            f"the external program '{name}' is not installed (.ci/run lists the Debian packages "
            "that provide it)"
        )
        if os.environ.get("GOVCLUSTER_REQUIRE_EXTERNAL_TOOLS") == "1":
            pytest.fail(f"{message}; GOVCLUSTER_REQUIRE_EXTERNAL_TOOLS=1 requires it")
        pytest.skip(message)
    return path


def printed_half_unit(printed: str) -> float:
    """Half a unit of the last printed digit of ``printed`` (e.g. '.151' -> 0.0005)."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return 0.5 * 10.0 ** (-decimals)


def assert_equals_printed(value: float, printed: str) -> None:
    """``value`` equals the published ``printed`` number at its printed precision."""
    np.testing.assert_allclose(value, float(printed), rtol=0, atol=printed_half_unit(printed))


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


def shipped_config_for_tests() -> dict:
    """Return the shipped config/config.yaml as a dict (copying it is up to the caller).

    Sized for the short panels the tests simulate: the did event window is narrowed to
    [-3, 4] (a window outside the data is an error before estimation), the did runs on the
    outcome and one mechanism with 99 bootstrap draws, and the case study's in-space placebos
    stop at 10 donors.
    """
    with open(ROOT / "config" / "config.yaml", encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    config["did"].update(event_window=[-3, 4], outcomes=["SCA", "OPEN"], n_bootstrap=99)
    config["case_study"]["placebo_max_units"] = 10
    return config


@pytest.fixture(scope="session")
def default_config_dict() -> dict:
    """:func:`shipped_config_for_tests`, sized for the short panels the tests simulate."""
    return shipped_config_for_tests()


@pytest.fixture(scope="session")
def snakemake() -> Callable[..., subprocess.CompletedProcess]:
    """:func:`run_snakemake`: the project's Snakefile in a working directory."""
    return run_snakemake


@pytest.fixture
def no_config_file_in_use():
    """Unset the variable naming the configuration file in use, and restore it afterwards.

    Outside a workflow run, messages then name ``config/config.yaml`` unless the test itself
    records another file (``govcluster.config.set_config_files``).
    """
    from govcluster.config import CONFIG_FILE_VARIABLE

    saved = os.environ.pop(CONFIG_FILE_VARIABLE, None)
    yield
    os.environ.pop(CONFIG_FILE_VARIABLE, None)
    if saved is not None:
        os.environ[CONFIG_FILE_VARIABLE] = saved


@pytest.fixture(scope="session")
def snakemake_cli() -> Callable[..., list[str]]:
    """:func:`snakemake_command`: the command line of the ``snakemake`` fixture's runs."""
    return snakemake_command


@pytest.fixture(scope="session")
def copy_project() -> Callable[[Path], None]:
    """:func:`copy_project_files`: the project's files into a directory."""
    return copy_project_files


@pytest.fixture(scope="session")
def half_unit() -> Callable[[str], float]:
    """:func:`printed_half_unit`: the tolerance of a number quoted at its printed precision."""
    return printed_half_unit


@pytest.fixture(scope="session")
def assert_printed() -> Callable[[float, str], None]:
    """:func:`assert_equals_printed`: a value against a published number as printed."""
    return assert_equals_printed


@pytest.fixture(scope="session")
def required_program() -> Callable[[str], str]:
    """:func:`require_program`: an external program's path; skip (or fail in CI) when absent."""
    return require_program


def write_did_records(root: Path) -> None:
    """Write the did records of :func:`did_records` to ``root/<outcome>.json``.

    As the did stage writes them with the default ``did.randomization``: each outcome record
    carries its randomization inference (here 499 permutations of the adoption years).
    """
    from govcluster.did import DidSpec, estimate_did
    from govcluster.inference.randomization import RandomizationSpec
    from govcluster.simulate import simulate_latent_panel

    latent, _ = simulate_latent_panel(
        n_clusters=80, years=(2008, 2016), case_study_cluster=0, designation_last_year=2014
    )
    latent["demo_cluster"] = latent["D"]
    root.mkdir(parents=True, exist_ok=True)
    for outcome in ("SCA", "OPEN"):
        spec = DidSpec(
            outcomes=(outcome,),
            event_window=(-3, 3),
            n_bootstrap=49,
            sup_t_draws=500,
            randomization=RandomizationSpec(enabled=True, n_permutations=499),
        )
        (root / f"{outcome}.json").write_text(json.dumps(estimate_did(latent, spec).to_dict()))


@pytest.fixture(scope="session")
def build_once(request, tmp_path_factory) -> Callable[[str, Callable[[Path], object]], Path]:
    """``build_once(name, make)``: the directory ``make(directory)`` filled, once per session.

    Under pytest-xdist the first worker to ask runs ``make`` in the directory the workers
    share (the parent of their temporary directories), under a file lock; the other finds it
    complete there. The tests only read what it holds.
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if hasattr(request.config, "workerinput") else base

    def build(name: str, make: Callable[[Path], object]) -> Path:
        root = shared / name
        with open(shared / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (root / ".complete").is_file():
                shutil.rmtree(root, ignore_errors=True)
                make(root)
                (root / ".complete").touch()
        return root

    return build


@pytest.fixture(scope="session")
def did_records(build_once) -> dict:
    """Outcome -> did record (JSON round-tripped) of a small simulated staggered panel.

    80 clusters over 2008-2016 with the designation in staggered years; the outcome SCA and
    one mechanism (OPEN), few bootstrap draws: enough to build every did exhibit.
    """
    root = build_once("did_records", write_did_records)
    return {
        outcome: json.loads((root / f"{outcome}.json").read_text()) for outcome in ("SCA", "OPEN")
    }


#: The small configuration of :func:`finished_run` (a copy of the shipped one, then narrowed).
FINISHED_RUN_SIZE = {"n_clusters": 40, "first_year": 2008, "last_year": 2019}


def finished_run_config() -> dict:
    """The configuration of the shared whole-pipeline run: 40 clusters over 2008-2019.

    ``test_cleaning_corrects_exactly_the_planted_typos`` expects every planted x100 typo of this
    draw to be found. Not every draw allows that: with 30 clusters over 2010-2017 one typo sits on
    a value three times its cluster's median, so the written value is 307 times the median, outside
    the step's tolerance (``clean.scale_typos``), and is left alone.
    """
    config = shipped_config_for_tests()
    config["simulate"].update(FINISHED_RUN_SIZE)
    config["mediation"].update(n_boot=200, n_mc=2000)
    config["did"].update(outcomes=["SCA"], n_bootstrap=99)
    return config


@pytest.fixture(scope="session")
def finished_run(tmp_path_factory) -> tuple[Path, dict]:
    """A copy of the project in which the whole pipeline ran once, committed to DVC.

    The run is the most expensive thing in the suite, so every test that needs a finished
    pipeline reads this one (without writing into it, or restoring what it changed).
    :func:`pytest_xdist_make_scheduler` keeps those tests (:data:`FINISHED_RUN_READERS`) on one
    pytest-xdist worker, so the run is made once. The copy is a DVC repository without git; its
    configuration file is ``config/config.yaml``.

    Returns
    -------
    tuple of (Path, dict)
        The project directory and the configuration it ran.
    """
    project = tmp_path_factory.mktemp("finished_run")
    copy_project_files(project)
    config = finished_run_config()
    config_file = project / "config" / "config.yaml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    result = run_snakemake(project, "--cores", "2", configfile=config_file)
    assert result.returncode == 0, result.stderr[-4000:]
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    for command in (["dvc", "config", "core.no_scm", "true"], ["dvc", "commit", "--force", "-q"]):
        done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    return project, config


#: The tests that read :func:`finished_run` (a test file, or one test of a file). The scheduler
#: below keeps them on one pytest-xdist worker; :func:`pytest_collection_modifyitems` stops
#: with a message when a test uses the fixture without being listed.
FINISHED_RUN_READERS = (
    "tests/test_pipeline.py",
    "tests/test_rerun.py",
    "tests/test_report.py::test_the_report_renders_every_section_and_figure_in_chromium",
    "tests/test_reproducibility.py::test_estimates_do_not_depend_on_the_number_of_cores",
)


def reads_finished_run(nodeid: str) -> bool:
    """Whether the test ``nodeid`` is one of :data:`FINISHED_RUN_READERS`."""
    return any(
        nodeid == reader or nodeid.startswith(f"{reader}::") for reader in FINISHED_RUN_READERS
    )


def _shared_run_scheduler(config, log):
    """``--dist loadfile``, except that :data:`FINISHED_RUN_READERS` count as one file.

    A session fixture is built once per xdist worker; the tests reading :func:`finished_run`
    therefore share one worker, so the pipeline runs once in the whole suite.
    """
    from xdist.scheduler import LoadFileScheduling

    class SharedRunScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "finished_run" if reads_finished_run(nodeid) else super()._split_scope(nodeid)

    return SharedRunScheduling(config, log)


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """With ``--dist loadfile`` (the Makefile's test targets), :func:`_shared_run_scheduler`."""
    if config.getvalue("dist") == "loadfile":
        return _shared_run_scheduler(config, log)
    return None


def pytest_collection_modifyitems(config, items) -> None:
    """Stop when a test reads :func:`finished_run` but is not in :data:`FINISHED_RUN_READERS`."""
    unlisted = [
        item.nodeid
        for item in items
        if "finished_run" in getattr(item, "fixturenames", ())
        and not reads_finished_run(item.nodeid)
    ]
    if unlisted:
        raise pytest.UsageError(
            f"{', '.join(unlisted)} use the fixture finished_run but are not listed in "
            "FINISHED_RUN_READERS (tests/conftest.py); add their file (or the test) there, so "
            "that the pipeline runs once on one worker"
        )
