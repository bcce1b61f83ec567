"""Panel estimators against the truth of govcluster's own simulator (the default data's DGP).

Run on the latent variables of `simulate_cluster_panel` (no measurement error), two-way fixed
effects must recover the true total effect of GOV on SCA recorded in the truth, with
cluster-robust intervals that cover it at close to the nominal rate; with a confounder
(`endogeneity > 0`) fixed effects are biased and FE-IV with the simulator's instrument is not.
"""

import numpy as np
import pytest

from govcluster.panel import PanelIVSpec, PanelSpec, fit_panel_iv, fit_panel_model
from govcluster.simulate import simulate_cluster_panel

CONTROLS = ["ln_employment", "ln_firms", "ln_gdp_pc"]


def latent_panel(seed, *, n_clusters=240, years=(2008, 2022), **params):
    _, truth = simulate_cluster_panel(n_clusters=n_clusters, years=years, seed=seed, **params)
    return truth.latent, truth.to_json_dict()["effects"]


def total_effect_spec(estimator="twoway_fe"):
    # The outcome equation has lagged effects of GOV; they enter as regressors so that the
    # coefficient on GOV is the contemporaneous total effect c' + sum_k a_k b_k.
    return PanelSpec(
        outcome="SCA",
        regressors=["GOV", "GOV_lag1", "GOV_lag2"],
        controls=CONTROLS,
        estimator=estimator,
    )


def test_twoway_fe_recovers_the_total_effect_and_lags():
    latent, effects = latent_panel(seed=101)
    est = fit_panel_model(latent, total_effect_spec())
    # 4 standard errors: a false failure has probability about 6e-5 per coefficient.
    for name, truth in [
        ("GOV", effects["total_effect"]),
        ("GOV_lag1", effects["lag_effects"][0]),
        ("GOV_lag2", effects["lag_effects"][1]),
    ]:
        assert abs(est.params[name] - truth) < 4 * est.std_errors[name], name


def test_pooled_ols_is_biased_where_fixed_effects_are_not():
    latent, effects = latent_panel(seed=102)
    pooled = fit_panel_model(latent, total_effect_spec("pooled"))
    fixed = fit_panel_model(latent, total_effect_spec())
    # Designation (and so GOV) is more likely where the cluster effect is high.
    assert pooled.params["GOV"] - effects["total_effect"] > 6 * pooled.std_errors["GOV"]
    assert abs(fixed.params["GOV"] - effects["total_effect"]) < 4 * fixed.std_errors["GOV"]


@pytest.mark.slow
def test_cluster_robust_intervals_cover_the_truth_at_the_nominal_rate():
    """200 small panels (50 clusters x 10 years): coverage of the 95% interval.

    With 200 repetitions the binomial standard error of a 95% coverage is 1.5 points, so the
    test accepts [0.90, 0.99] (about 3 standard errors either side).
    """
    covered = []
    for rep in range(200):
        latent, effects = latent_panel(seed=5000 + rep, n_clusters=50, years=(2010, 2019))
        est = fit_panel_model(latent, total_effect_spec())
        low, high = est.conf_int(0.95).loc["GOV"]
        covered.append(low <= effects["total_effect"] <= high)
    coverage = float(np.mean(covered))
    assert 0.90 <= coverage <= 0.99, coverage


def test_fe_iv_recovers_the_truth_when_fixed_effects_are_confounded():
    latent, effects = latent_panel(seed=103, endogeneity=1.0)
    truth = effects["total_effect"]
    fixed = fit_panel_model(latent, total_effect_spec())
    iv = fit_panel_iv(
        latent,
        PanelIVSpec(
            outcome="SCA",
            endogenous=["GOV"],
            instruments=["Z"],
            controls=["GOV_lag1", "GOV_lag2", *CONTROLS],
        ),
    )
    assert abs(fixed.params["GOV"] - truth) > 8 * fixed.std_errors["GOV"]
    assert abs(iv.params["GOV"] - truth) < 4 * iv.std_errors["GOV"]
    assert iv.first_stages[0].f_statistic > 10
