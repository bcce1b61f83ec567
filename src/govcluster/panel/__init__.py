"""Panel econometrics of the effect of government intervention on competitive advantage.

One module per job:

- :mod:`~govcluster.panel.spec`: what an estimation asks for (frozen specifications);
- :mod:`~govcluster.panel.lags`: lags, leads and differences by calendar year;
- :mod:`~govcluster.panel.sample`: the estimation sample and the checks before estimating;
- :mod:`~govcluster.panel.covariance`: covariance estimators and small-sample corrections;
- :mod:`~govcluster.panel.estimators`: pooled, fixed, random, between, first differences;
- :mod:`~govcluster.panel.spectests`: poolability F, Breusch-Pagan LM, Hausman, Mundlak;
- :mod:`~govcluster.panel.horizons`: local projections of sustained effects;
- :mod:`~govcluster.panel.heterogeneity`: split samples and interactions by group;
- :mod:`~govcluster.panel.iv`: fixed-effects and first-difference 2SLS with weak-IV
  diagnostics and Anderson-Rubin inference;
- :mod:`~govcluster.panel.results`: typed results and their JSON records.
"""

from govcluster.lazy_exports import exported_on_first_use

#: Public name -> the module that defines it. The modules are imported on first use (PEP 562),
#: so that importing a light module of the package (e.g. ``govcluster.panel.spec`` for the
#: workflow's plan) does not import linearmodels and scipy.
_PUBLIC = {
    "AndersonRubin": "govcluster.panel.iv",
    "CovType": "govcluster.panel.spec",
    "Estimator": "govcluster.panel.spec",
    "FirstStage": "govcluster.panel.iv",
    "HausmanTest": "govcluster.panel.results",
    "HeterogeneityResult": "govcluster.panel.heterogeneity",
    "HeterogeneitySpec": "govcluster.panel.spec",
    "IVEstimator": "govcluster.panel.spec",
    "LESS_DEVELOPED_GROUPS": "govcluster.panel.spec",
    "LinearCombination": "govcluster.panel.results",
    "LocalProjectionSpec": "govcluster.panel.spec",
    "LocalProjections": "govcluster.panel.horizons",
    "PanelEstimate": "govcluster.panel.results",
    "PanelIVEstimate": "govcluster.panel.iv",
    "PanelIVSpec": "govcluster.panel.spec",
    "PanelSpec": "govcluster.panel.spec",
    "SpecificationTests": "govcluster.panel.spectests",
    "TestResult": "govcluster.panel.results",
    "add_differences": "govcluster.panel.lags",
    "add_lags": "govcluster.panel.lags",
    "add_leads": "govcluster.panel.lags",
    "breusch_pagan_lm": "govcluster.panel.spectests",
    "fit_heterogeneity": "govcluster.panel.heterogeneity",
    "fit_local_projections": "govcluster.panel.horizons",
    "fit_panel_iv": "govcluster.panel.iv",
    "fit_panel_model": "govcluster.panel.estimators",
    "hausman_test": "govcluster.panel.spectests",
    "mundlak_test": "govcluster.panel.spectests",
    "poolability_test": "govcluster.panel.spectests",
    "specification_tests": "govcluster.panel.spectests",
}

__all__ = [
    "AndersonRubin",
    "CovType",
    "Estimator",
    "FirstStage",
    "HausmanTest",
    "HeterogeneityResult",
    "HeterogeneitySpec",
    "IVEstimator",
    "LESS_DEVELOPED_GROUPS",
    "LinearCombination",
    "LocalProjectionSpec",
    "LocalProjections",
    "PanelEstimate",
    "PanelIVEstimate",
    "PanelIVSpec",
    "PanelSpec",
    "SpecificationTests",
    "TestResult",
    "add_differences",
    "add_lags",
    "add_leads",
    "breusch_pagan_lm",
    "fit_heterogeneity",
    "fit_local_projections",
    "fit_panel_iv",
    "fit_panel_model",
    "hausman_test",
    "mundlak_test",
    "poolability_test",
    "specification_tests",
]


__getattr__, __dir__ = exported_on_first_use(globals(), _PUBLIC)
