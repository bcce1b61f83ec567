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
    assert "nodefaults" in env["channels"]  # no package from Anaconda's defaults channel


# Runtime dependencies that no module imports by name, and why they are needed.
USED_WITHOUT_IMPORT = {
    "pyarrow": "pandas' Parquet engine (io.read_parquet / write_parquet)",
    "openpyxl": "pandas' Excel engine (io.read_table of .xlsx files)",
    "tabulate": "pandas' DataFrame.to_markdown",
    "snakemake": "the workflow engine (make run)",
    "snakemake-executor-plugin-slurm": "Snakemake's SLURM executor (profiles/slurm)",
    "dvc": "the data and pipeline versioning tool (make repro)",
    "noto-cjk-sans-otc": "the Chinese font of figures, found by render.style",
}
IMPORT_NAMES = {
    "pyyaml": "yaml",
    "python-docx": "docx",
    "charset-normalizer": "charset_normalizer",
    "markdown-it-py": "markdown_it",
}


def _imported_modules() -> set[str]:
    pattern = re.compile(r"^\s*(?:import|from)\s+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)
    found = set()
    for folder in ("src", "workflow"):
        for path in (ROOT / folder).rglob("*.py"):
            found |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_runtime_dependency_is_used():
    """Runtime dependencies are imported by the package or the workflow (or listed above)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    imported = _imported_modules()
    for requirement in project["project"]["dependencies"]:
        name = _name(requirement)
        module = IMPORT_NAMES.get(name, name.replace("-", "_"))
        assert name in USED_WITHOUT_IMPORT or module in imported, (
            f"{name} is a dependency of govcluster but nothing in src/ or workflow/ imports it: "
            "remove it, or move it to the dev group if only the tests use it"
        )


def test_rules_declare_no_per_rule_conda_environment():
    """One environment runs every rule (README, "Other environments"), so no `conda:`."""
    rules = [ROOT / "Snakefile", *sorted((ROOT / "workflow" / "rules").glob("*.smk"))]
    for path in rules:
        assert not re.search(r"^\s*conda:", path.read_text(encoding="utf-8"), re.M), path.name
