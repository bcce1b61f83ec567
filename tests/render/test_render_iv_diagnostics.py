"""IV diagnostics as ivreghdfe prints them, checked against independent computations.

The endogeneity test against linearmodels' ``IV2SLS.wooldridge_regression`` (the same
regression-based test, cluster-robust, on the two-way demeaned data); the Kleibergen-Paap rk
LM statistic against the cluster-robust score statistic written out here with numpy, and,
with homoskedastic errors, against N times linearmodels' partial R² of the first stage
(Anderson's canonical-correlation LM); the critical values against Stock and Yogo (2005,
Table 5.2) and Montiel Olea and Pflueger (2013).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govcluster.panel.iv import fit_panel_iv
from govcluster.panel.plan import project_panel_jobs
from govcluster.render.panel_tables import iv_table


@pytest.fixture(scope="module")
def iv_data(small_run):
    """The IV specification without small-sample factors and the data.

    The analysis panel, and the two-way demeaned variables with their cluster codes.
    """
    spec = project_panel_jobs(small_run.project())["iv_twoway_fe"].spec
    spec = spec.replace(small_sample=False)
    data = pd.read_parquet(small_run.path("analysis"))
    columns = [spec.outcome, *spec.endogenous, *spec.instruments, *spec.controls]
    panel = data.dropna(subset=columns)
    entity = panel[spec.entity].to_numpy()
    year = panel[spec.time].to_numpy()
    dummies = np.column_stack(
        [
            np.ones(len(panel)),
            pd.get_dummies(entity, drop_first=True).to_numpy(dtype=float),
            pd.get_dummies(year, drop_first=True).to_numpy(dtype=float),
        ]
    )
    values = panel[columns].to_numpy(dtype=float)
    demeaned = values - dummies @ np.linalg.lstsq(dummies, values, rcond=None)[0]
    frame = pd.DataFrame(demeaned, columns=columns)
    codes = pd.Series(pd.factorize(entity)[0])
    return spec, data, frame, codes


def test_endogeneity_test_matches_linearmodels(iv_data):
    from linearmodels.iv import IV2SLS

    spec, data, frame, codes = iv_data
    result = fit_panel_iv(data, spec).to_dict()
    oracle = IV2SLS(
        frame[spec.outcome],
        frame[list(spec.controls)],
        frame[list(spec.endogenous)],
        frame[list(spec.instruments)],
    ).fit(cov_type="clustered", clusters=codes)
    assert result["coefficients"][0]["estimate"] == pytest.approx(
        oracle.params[spec.endogenous[0]], rel=1e-9
    )
    test = oracle.wooldridge_regression
    assert result["endogeneity"]["statistic"] == pytest.approx(test.stat, rel=1e-6)
    assert result["endogeneity"]["p_value"] == pytest.approx(test.pval, rel=1e-5)
    assert result["endogeneity"]["df"] == 1


def test_kleibergen_paap_lm_matches_the_robust_score_statistic(iv_data):
    spec, data, frame, codes = iv_data
    result = fit_panel_iv(data, spec).to_dict()
    controls = frame[list(spec.controls)].to_numpy()

    def partialled(column: str) -> np.ndarray:
        values = frame[column].to_numpy()
        return values - controls @ np.linalg.lstsq(controls, values, rcond=None)[0]

    z = partialled(spec.instruments[0])
    x = partialled(spec.endogenous[0])
    scores = pd.Series(z * x).groupby(codes.to_numpy()).sum().to_numpy()
    lm = scores.sum() ** 2 / (scores**2).sum()
    assert result["underidentification_lm"]["statistic"] == pytest.approx(lm, rel=1e-8)
    assert result["underidentification_lm"]["df"] == 1


def test_kleibergen_paap_lm_is_n_times_the_partial_r2_under_homoskedasticity(iv_data):
    from linearmodels.iv import IV2SLS

    spec, data, frame, codes = iv_data
    result = fit_panel_iv(data, spec.replace(cov_type="unadjusted")).to_dict()
    oracle = IV2SLS(
        frame[spec.outcome],
        frame[list(spec.controls)],
        frame[list(spec.endogenous)],
        frame[list(spec.instruments)],
    ).fit(cov_type="unadjusted")
    partial_r2 = oracle.first_stage.diagnostics.loc[spec.endogenous[0], "partial.rsquared"]
    # the absorbed entity effects are taken off N, as ivreg2's dofminus() does for the
    # within transformation (the year effects are regressors of the design)
    absorbed = codes.nunique() - 1
    expected = (len(frame) - absorbed) * partial_r2
    assert result["underidentification_lm"]["statistic"] == pytest.approx(expected, rel=1e-6)


def test_iv_table_prints_the_ivreghdfe_diagnostics(small_run):
    records = small_run.records("iv_")
    table = iv_table(records, small_run.project())
    rows = {row.label: row.cells for row in table.rows}
    first = next(iter(records.values()))["result"]
    lm = first["underidentification_lm"]
    assert rows["Kleibergen–Paap rk LM (underidentification)"][0] == f"{lm['statistic']:.3f}"
    endogeneity = first["endogeneity"]
    assert rows["Endogeneity test, χ²"][0] == f"{endogeneity['statistic']:.3f}"
    # Stock and Yogo (2005), Table 5.2, K1 = 1, L = 1; Montiel Olea and Pflueger (2013)
    assert rows["Stock–Yogo critical value, 10% maximal IV size"] == ("16.38", "16.38")
    assert rows["Stock–Yogo critical value, 15% maximal IV size"] == ("8.96", "8.96")
    label = "Montiel Olea–Pflueger critical value of the effective F (τ = 10%)"
    assert rows[label] == ("23.109", "23.109")
    assert "Kleibergen–Paap rk LM p-value" in rows and "Endogeneity test p-value" in rows
