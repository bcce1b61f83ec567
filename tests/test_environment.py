"""environment.yml (conda users) and pyproject.toml (the tested pip path) name the same packages."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    """Normalised distribution name of a requirement string (PEP 503)."""
    bare = re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", bare).lower()


def _pyproject_packages() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    names = {_name(r) for r in project["project"]["dependencies"]}
    for group in project.get("dependency-groups", {}).values():
        names |= {_name(r) for r in group if isinstance(r, str)}
    return names


def _conda_packages() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    names = set()
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            names |= {_name(r) for r in entry["pip"] if not r.startswith("-e")}
        else:
            names.add(_name(entry))
    return names - {"python", "pip"}


def test_environment_yml_and_pyproject_name_the_same_packages():
    conda, pip = _conda_packages(), _pyproject_packages()
    assert conda - pip == set(), "in environment.yml but not in pyproject.toml"
    assert pip - conda == set(), "in pyproject.toml but not in environment.yml"


def test_environment_yml_installs_the_package_and_python_311():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert "python=3.11" in env["dependencies"]
    pip_section = next(e["pip"] for e in env["dependencies"] if isinstance(e, dict))
    assert "-e ." in pip_section
    assert "conda-forge" in env["channels"]
