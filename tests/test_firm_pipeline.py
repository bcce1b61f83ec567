"""The firm-level case (config/cases/firms.yaml) through the Snakemake DAG.

A small version of the case (40 clusters over 2008-2013, about 9,000 firm-years) runs
simulate -> firm_panel -> ingest -> validate -> clean -> indices -> estimate_panel (estimator
hdfe) -> the panel tables in a temporary directory. Oracles:

- ``pyfixest.feols`` on the very file that ingest read (data.path), with the same fixed
  effects and CRV1 clustering: coefficients and clustered standard errors to 1e-8 relative,
  and the same number of observations after singletons are dropped;
- the truth of the firm panel's data-generating process (the truth file of rule firm_panel):
  every model's 95% interval for GOV covers the true effect 0.3;
- the rendered tables: one row per absorbed effect, with Yes/No where each model has it, and
  the clustering variable and its number of clusters.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from govcluster.config import read_yaml

pf = pytest.importorskip("pyfixest")

pytestmark = [pytest.mark.pipeline, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]

#: model -> (fixed effects of the feols formula, clustering column)
MODELS = {
    "baseline_firm_year": ("firm_id + year", "cluster"),
    "baseline_industry_year": ("firm_id + year + industry^year", "cluster"),
    "baseline_province_year": ("firm_id + year + industry^year + province^year", "cluster"),
    "baseline_province_year_by_province": (
        "firm_id + year + industry^year + province^year",
        "province",
    ),
}


@pytest.fixture(scope="module")
def firm_run(tmp_path_factory, snakemake) -> Path:
    """Run the small firm case; return its working directory."""
    workdir = tmp_path_factory.mktemp("firms")
    config = read_yaml((ROOT / "config" / "cases" / "firms.yaml").read_text(encoding="utf-8"))
    config["simulate"].update(n_clusters=40, first_year=2008, last_year=2013)
    (workdir / "case.yaml").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    targets = [f"runs/firms/results/estimates/panel/{job}.json" for job in MODELS]
    targets += [f"runs/firms/results/tables/panel_{t}.md" for t in ("baseline", "robustness")]
    result = snakemake(workdir, "--cores", "2", *targets, configfile=workdir / "case.yaml")
    assert result.returncode == 0, result.stderr[-4000:]
    return workdir


def _record(workdir: Path, job: str) -> dict:
    path = workdir / "runs" / "firms" / "results" / "estimates" / "panel" / f"{job}.json"
    return json.loads(path.read_text(encoding="utf-8"))["result"]


@pytest.fixture(scope="module")
def firm_file(firm_run) -> pd.DataFrame:
    """The data file the pipeline's ingest rule read (data.path of the case)."""
    return pd.read_parquet(firm_run / "data" / "raw" / "firms" / "firm_panel.parquet")


@pytest.mark.parametrize("job", list(MODELS))
def test_pipeline_hdfe_equals_pyfixest_on_the_ingested_file(firm_run, firm_file, job):
    effects, cluster = MODELS[job]
    reference = pf.feols(
        f"ln_tfp ~ GOV + ln_employees | {effects}",
        data=firm_file,
        vcov={"CRV1": cluster},
        demeaner=pf.MapDemeaner(fixef_tol=1e-13),
    )
    record = _record(firm_run, job)
    coefficients = {c["name"]: c for c in record["coefficients"]}
    assert list(coefficients) == ["GOV", "ln_employees"]
    names = list(coefficients)
    np.testing.assert_allclose(
        [coefficients[n]["estimate"] for n in names], reference.coef()[names], rtol=1e-8
    )
    np.testing.assert_allclose(
        [coefficients[n]["std_error"] for n in names], reference.se()[names], rtol=1e-8
    )
    assert record["n_obs"] == reference._N
    assert record["n_obs"] + dict(record["n_dropped"])["singletons"] == len(firm_file)
    assert record["estimator"] == "hdfe"


def test_every_model_covers_the_true_effect_of_gov(firm_run):
    truth = json.loads(
        (firm_run / "data" / "raw" / "firms" / "firm_panel_truth.json").read_text("utf-8")
    )
    assert truth["kind"] == "firm_panel_truth"
    effect = truth["effects"]["GOV"]
    assert effect == 0.3
    for job in MODELS:
        gov = {c["name"]: c for c in _record(firm_run, job)["coefficients"]}["GOV"]
        assert gov["ci_lower"] < effect < gov["ci_upper"], (job, gov)
        assert gov["ci_upper"] - gov["ci_lower"] < 0.2, (job, gov)  # informative, not wide


def _table(workdir: Path, name: str) -> dict[str, list[str]]:
    text = (workdir / "runs" / "firms" / "results" / "tables" / f"panel_{name}.md").read_text(
        encoding="utf-8"
    )
    rows = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| :"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            rows.setdefault(cells[0], cells[1:])
    return rows


def test_tables_show_the_absorbed_effects_and_the_clustering(firm_run):
    baseline = _table(firm_run, "baseline")
    assert baseline["Firm fixed effects"] == ["Yes", "Yes", "Yes"]
    assert baseline["Year fixed effects"] == ["Yes", "Yes", "Yes"]
    assert baseline["Industry × year fixed effects"] == ["No", "Yes", "Yes"]
    assert baseline["Province × year fixed effects"] == ["No", "No", "Yes"]
    assert baseline["Standard errors"] == ["Cluster (cluster)"] * 3
    assert baseline["Number of SE clusters"] == ["40"] * 3
    robustness = _table(firm_run, "robustness")
    assert robustness["Standard errors"] == ["Cluster (cluster)", "Cluster (province)"]
    provinces = _record(firm_run, "baseline_province_year_by_province")["clusters"]
    assert robustness["Number of SE clusters"] == ["40", str(dict(provinces)["province"])]
    assert robustness["Province × year fixed effects"] == ["Yes", "Yes"]
