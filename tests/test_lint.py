"""Formatting and lint checks that CI runs with the tests.

``ruff check`` includes the numpy-convention docstring rules (``D``, configured in
pyproject.toml) and ``ruff format --check`` the formatting. The tree is brought to both in one
formatting pass; until then the two whole-tree checks are expected to fail (strict: once the
tree is clean they pass, and the marker must go), while every other lint rule is enforced.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHECKED = ["src", "tests", "workflow", "benchmarks"]
FORMATTING_PASS_PENDING = pytest.mark.xfail(
    strict=True,
    reason="docstrings and formatting of the tree are brought to the convention in one pass; "
    "remove this marker when `ruff check` and `ruff format --check` are clean",
)


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


@FORMATTING_PASS_PENDING
def test_ruff_finds_nothing():
    result = _run(str(BIN / "ruff"), "check", *CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr


@FORMATTING_PASS_PENDING
def test_ruff_format_leaves_the_code_unchanged():
    result = _run(str(BIN / "ruff"), "format", "--check", *CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr
