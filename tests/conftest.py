"""Shared fixtures and helpers.

Helpers reach the test modules as fixtures (``snakemake``, ``copy_project``, ``half_unit``,
``assert_printed``, ``required_program``):
``tests/render`` has a conftest of its own, so a plain ``from conftest import ...`` would be
ambiguous.
"""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml

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
    command = [
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
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=workdir)


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


@pytest.fixture(scope="session")
def default_config_dict() -> dict:
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
def snakemake() -> Callable[..., subprocess.CompletedProcess]:
    """:func:`run_snakemake`: the project's Snakefile in a working directory."""
    return run_snakemake


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


@pytest.fixture(scope="session")
def did_records() -> dict:
    """Outcome -> did record (JSON round-tripped) of a small simulated staggered panel.

    80 clusters over 2008-2016 with the designation in staggered years; the outcome SCA and
    one mechanism (OPEN), few bootstrap draws: enough to build every did exhibit.
    """
    from govcluster.did import DidSpec, estimate_did
    from govcluster.simulate import simulate_latent_panel

    latent, _ = simulate_latent_panel(
        n_clusters=80, years=(2008, 2016), case_study_cluster=0, designation_last_year=2014
    )
    latent["demo_cluster"] = latent["D"]
    records = {}
    for outcome in ("SCA", "OPEN"):
        spec = DidSpec(outcomes=(outcome,), event_window=(-3, 3), n_bootstrap=49, sup_t_draws=500)
        records[outcome] = json.loads(json.dumps(estimate_did(latent, spec).to_dict()))
    return records
