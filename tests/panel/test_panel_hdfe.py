"""Firm-level models with many fixed effects through the panel stage (``estimator: hdfe``).

A small simulated firm panel (``govcluster.simulate_firms`` on a 40-cluster, 5-year cluster
panel) with a cluster-level treatment whose effect is known (0.3) goes through the panel
stage's own functions (``panel_jobs`` -> ``run_panel_job`` -> the typed record -> a regression
table). Oracles: ``pyfixest.feols`` with CRV1 (coefficients 1e-10, standard errors 1e-8
relative; its demeaner run to 1e-12) for two-way and higher-dimensional effects, and
``linearmodels.PanelOLS`` for the two-way model (coefficients 1e-10; the raw cluster sandwich,
``small_sample: false`` against ``debiased=False``, 1e-8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from linearmodels import PanelOLS

from govcluster.errors import ConfigError, SpecificationWarning
from govcluster.panel import PanelSpec, fit_panel_model
from govcluster.panel.plan import panel_jobs, run_panel_job
from govcluster.records.panel import PanelEstimateRecord
from govcluster.render.regression import model_from_panel_record, regression_table
from govcluster.simulate import simulate_cluster_panel
from govcluster.simulate_firms import simulate_firm_panel

pf = pytest.importorskip("pyfixest")

EFFECT = 0.3
SEED = 20261129


@pytest.fixture(scope="module")
def firm_panel() -> pd.DataFrame:
    """Firm-years with their cluster, province, industry and a cluster-year treatment."""
    raw, truth = simulate_cluster_panel(n_clusters=40, years=(2008, 2012), seed=SEED)
    firms = simulate_firm_panel(raw, truth.latent, seed=SEED, firm_scale=0.05)
    frame = firms.firms.merge(firms.cluster_map, on=["county_code", "industry_code"])
    rng = np.random.default_rng(SEED)
    cells = frame[["cluster_id", "year"]].drop_duplicates().reset_index(drop=True)
    cells["gov"] = rng.normal(size=len(cells))
    frame = frame.merge(cells, on=["cluster_id", "year"])
    frame["ln_employees"] = np.log(frame["employees"].astype(float))
    frame["ln_productivity"] = (
        np.log(frame["sales"] / frame["employees"])
        + EFFECT * frame["gov"]
        + 0.2 * frame["ln_employees"]
        + rng.normal(scale=0.3, size=len(frame))
    )
    frame["industry"] = frame["industry_code"].astype(str)
    return frame.sort_values(["firm_id", "year"]).reset_index(drop=True)


def _job(entry: dict) -> object:
    jobs = panel_jobs(
        {"cov_type": "cluster_entity", "baseline": {"firms": entry}},
        outcome="ln_productivity",
        treatment="gov",
        instruments=(),
    )
    return jobs["baseline_firms"]


def _record(frame: pd.DataFrame, entry: dict) -> PanelEstimateRecord:
    job = _job(
        {
            "estimator": "hdfe",
            "controls": ["ln_employees"],
            "entity": "firm_id",
            "time": "year",
            **entry,
        }
    )
    record = run_panel_job(frame, job)
    return PanelEstimateRecord.from_dict(record["result"])


def _pyfixest(frame: pd.DataFrame, effects: str, cluster: str):
    return pf.feols(
        f"ln_productivity ~ gov + ln_employees | {effects}",
        data=frame,
        vcov={"CRV1": cluster},
        demeaner=pf.MapDemeaner(fixef_tol=1e-12),
    )


def _check_against(record: PanelEstimateRecord, reference) -> None:
    names = ["gov", "ln_employees"]
    estimates = {c.name: c for c in record.coefficients}
    assert list(estimates) == names  # no intercept: the effects absorb it
    np.testing.assert_allclose(
        [estimates[n].estimate for n in names], reference.coef()[names].to_numpy(), rtol=1e-10
    )
    np.testing.assert_allclose(
        [estimates[n].std_error for n in names], reference.se()[names].to_numpy(), rtol=1e-8
    )
    assert record.n_obs == reference._N


@pytest.mark.parametrize(
    ("entry", "effects", "cluster"),
    [
        ({"cov_type": "cluster", "cluster": "cluster_id"}, "firm_id + year", "cluster_id"),
        ({"cov_type": "cluster_entity"}, "firm_id + year", "firm_id"),
        (
            {
                "absorb": ["industry^year", "province^year"],
                "cov_type": "cluster",
                "cluster": "province",
            },
            "firm_id + year + industry^year + province^year",
            "province",
        ),
    ],
)
def test_panel_stage_equals_pyfixest(firm_panel, entry, effects, cluster):
    record = _record(firm_panel, entry)
    _check_against(record, _pyfixest(firm_panel, effects, cluster))
    n_singletons = dict(record.n_dropped)["singletons"]
    assert record.n_obs + n_singletons == len(firm_panel)
    assert record.estimator == "hdfe"
    assert set(record.fixed_effects) >= {"entity", "time"}


def test_two_way_equals_panelols_and_recovers_the_effect(firm_panel):
    record = _record(
        firm_panel, {"cov_type": "cluster", "cluster": "cluster_id", "small_sample": False}
    )
    indexed = firm_panel.set_index(["firm_id", "year"])
    reference = PanelOLS(
        indexed["ln_productivity"],
        indexed[["gov", "ln_employees"]],
        entity_effects=True,
        time_effects=True,
        singletons=False,
    ).fit(
        cov_type="clustered",
        clusters=indexed["cluster_id"],
        debiased=False,
        auto_df=False,
        count_effects=False,
    )
    estimates = {c.name: c for c in record.coefficients}
    np.testing.assert_allclose(
        [estimates["gov"].estimate, estimates["ln_employees"].estimate],
        reference.params.to_numpy(),
        rtol=1e-10,
    )
    np.testing.assert_allclose(
        [estimates["gov"].std_error, estimates["ln_employees"].std_error],
        reference.std_errors.to_numpy(),
        rtol=1e-8,
    )
    # the known effect of the simulated treatment, within two standard errors
    assert abs(estimates["gov"].estimate - EFFECT) < 2 * estimates["gov"].std_error


def test_the_record_renders_as_a_regression_table(firm_panel):
    record = _record(firm_panel, {"cov_type": "cluster", "cluster": "cluster_id"})
    table = regression_table(
        [model_from_panel_record(record, name="HDFE")], ["gov", "ln_employees"], {}
    )
    cells = {row.label: row.cells[0] for row in table.rows}
    estimate = {c.name: c.estimate for c in record.coefficients}["gov"]
    assert cells["gov"].startswith(f"{estimate:.3f}")
    assert any(cell.replace(",", "") == str(record.n_obs) for cell in cells.values())


def test_hdfe_refuses_a_covariance_it_does_not_compute():
    with pytest.raises(ConfigError, match="estimator 'hdfe' takes cov_type 'cluster_entity'"):
        _job({"estimator": "hdfe", "cov_type": "driscoll_kraay"})


def test_a_missing_absorbed_key_is_named(firm_panel):
    frame = firm_panel.copy()
    frame.loc[5, "province"] = None
    spec = PanelSpec(
        outcome="ln_productivity",
        regressors=["gov"],
        entity="firm_id",
        time="year",
        estimator="hdfe",
        absorb=["province^year"],
    )
    with pytest.raises(Exception, match="'province' is missing in 1 row"):
        fit_panel_model(frame, spec)


def test_a_regressor_varying_almost_only_between_firms_is_flagged(firm_panel):
    frame = firm_panel.copy()
    firm_level = frame.groupby("firm_id")["ln_employees"].transform("mean")
    frame["size_class"] = firm_level + 1e-3 * np.random.default_rng(1).normal(size=len(frame))
    spec = PanelSpec(
        outcome="ln_productivity",
        regressors=["gov"],
        controls=["size_class"],
        entity="firm_id",
        time="year",
        estimator="hdfe",
    )
    with pytest.warns(SpecificationWarning, match="the hdfe coefficient of size_class"):
        fit_panel_model(frame, spec)
