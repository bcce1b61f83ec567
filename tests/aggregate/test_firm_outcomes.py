"""The simulated firm panel of the firm-level case (govcluster.firm_outcomes).

Checked against the cluster simulator it is drawn from (each firm-year carries the latent GOV
of its cluster-year), against its own truth (pyfixest ``feols`` with every effect of the DGP
absorbed recovers the true coefficients within three standard errors) and for reproducibility
(same seed, same panel). With few clusters per province the province x year cells leave
little variation of GOV and CRV1 understates the uncertainty (30 clusters: 3.3 standard
errors off), hence 60 clusters here.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from govcluster.config import check_data_file, load_config
from govcluster.errors import ConfigError, DataReadError
from govcluster.firm_outcomes import (
    FIRM_PANEL_COLUMNS,
    FirmOutcomeDesign,
    draw_firm_case,
    read_truth,
    simulate_firm_outcome_panel,
)
from govcluster.simulate import simulate_cluster_panel

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261129


@pytest.fixture(scope="module")
def cluster_panel():
    return simulate_cluster_panel(n_clusters=60, years=(2010, 2014), seed=SEED)


@pytest.fixture(scope="module")
def firm_panel(cluster_panel):
    raw, truth = cluster_panel
    return simulate_firm_outcome_panel(
        raw, truth.latent, seed=SEED, typos=truth.messiness["typos"], firm_scale=0.1
    )


def test_firm_years_carry_their_clusters_gov(firm_panel, cluster_panel):
    frame = firm_panel.frame
    assert tuple(frame.columns) == FIRM_PANEL_COLUMNS
    assert not frame.duplicated(["firm_id", "year"]).any()
    assert frame.groupby("firm_id")["cluster"].nunique().max() == 1
    latent = cluster_panel[1].latent.rename(columns={"cluster_id": "cluster"})
    merged = frame.merge(latent[["cluster", "year", "GOV"]], on=["cluster", "year"])
    assert len(merged) == len(frame)
    np.testing.assert_array_equal(merged["GOV_x"].to_numpy(), merged["GOV_y"].to_numpy())
    employees = np.exp(frame["ln_employees"].to_numpy())
    np.testing.assert_allclose(employees, np.rint(employees))


@pytest.mark.slow  # pyfixest's first call compiles its demeaner (about 10 s)
def test_truth_record_and_recovery_with_every_effect_absorbed(firm_panel):
    pf = pytest.importorskip("pyfixest")
    truth = read_truth(firm_panel.truth)
    assert truth["effects"] == {"GOV": 0.3, "ln_employees": 0.2}
    assert truth["size"]["firm_years"] == len(firm_panel.frame)
    fit = pf.feols(
        "ln_tfp ~ GOV + ln_employees | firm_id + year + industry^year + province^year",
        data=firm_panel.frame,
        vcov={"CRV1": "cluster"},
    )
    for name, value in truth["effects"].items():
        assert abs(fit.coef()[name] - value) < 3 * fit.se()[name], name


def test_same_seed_same_panel_other_seed_other_outcome():
    def draw(seed: int) -> pd.DataFrame:
        return draw_firm_case(n_clusters=12, years=(2010, 2012), seed=seed, firm_scale=0.05).frame

    first = draw(SEED)
    pd.testing.assert_frame_equal(draw(SEED), first)
    assert not np.allclose(draw(SEED + 1)["ln_tfp"].head(50), first["ln_tfp"].head(50))


def test_a_bad_design_value_names_its_key():
    message = "firm_panel.design.noise_sd must be a finite number >= 0"
    with pytest.raises(ConfigError, match=message):
        FirmOutcomeDesign(noise_sd=-1.0)


def test_the_case_configuration_reads_the_firm_panel(tmp_path):
    project = load_config(ROOT / "config" / "cases" / "firms.yaml")
    assert str(project.data.path) == project.raw["firm_panel"]["output"]
    assert project.data.entity == "firm_id"
    assert not project.simulate.enabled  # the default run's clusters.csv is not touched
    check_data_file(project)  # the file does not exist yet: rule firm_panel writes it
    other = replace(project, data=replace(project.data, path=tmp_path / "missing.parquet"))
    with pytest.raises(DataReadError):
        check_data_file(other)


def test_the_case_panel_is_the_cluster_simulators_firms():
    panel = draw_firm_case(n_clusters=12, years=(2010, 2012), seed=SEED, firm_scale=0.05)
    raw, truth = simulate_cluster_panel(n_clusters=12, years=(2010, 2012), seed=SEED)
    direct = simulate_firm_outcome_panel(
        raw, truth.latent, seed=SEED, typos=truth.messiness["typos"], firm_scale=0.05
    )
    pd.testing.assert_frame_equal(panel.frame, direct.frame)
