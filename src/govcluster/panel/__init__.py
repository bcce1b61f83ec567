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

from govcluster.panel.estimators import fit_panel_model
from govcluster.panel.heterogeneity import HeterogeneityResult, fit_heterogeneity
from govcluster.panel.horizons import LocalProjections, fit_local_projections
from govcluster.panel.iv import (
    AndersonRubin,
    FirstStage,
    PanelIVEstimate,
    fit_panel_iv,
)
from govcluster.panel.lags import add_differences, add_lags, add_leads
from govcluster.panel.results import (
    HausmanTest,
    LinearCombination,
    PanelEstimate,
    TestResult,
)
from govcluster.panel.spec import (
    LESS_DEVELOPED_GROUPS,
    CovType,
    Estimator,
    HeterogeneitySpec,
    IVEstimator,
    LocalProjectionSpec,
    PanelIVSpec,
    PanelSpec,
)
from govcluster.panel.spectests import (
    SpecificationTests,
    breusch_pagan_lm,
    hausman_test,
    mundlak_test,
    poolability_test,
    specification_tests,
)

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
