"""Formatting and lint checks that CI runs with the tests.

``ruff check`` includes the numpy-convention docstring rules (``D``, configured in
pyproject.toml) and ``ruff format --check`` the formatting.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHECKED = ["src", "tests", "workflow", "benchmarks"]


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True)


def test_snakefmt_leaves_the_workflow_unchanged():
    result = _run(str(BIN / "snakefmt"), "--check", "Snakefile", "workflow/rules")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing_but_docstring_rules():
    result = _run(str(BIN / "ruff"), "check", "--extend-ignore", "D", *CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_docstring_rules_are_the_numpy_convention():
    import tomllib

    lint = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["ruff"]["lint"]
    assert "D" in lint["select"] and lint["pydocstyle"]["convention"] == "numpy"


def test_ruff_finds_nothing():
    result = _run(str(BIN / "ruff"), "check", *CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_leaves_the_code_unchanged():
    result = _run(str(BIN / "ruff"), "format", "--check", *CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr
