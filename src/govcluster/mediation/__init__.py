"""Panel mediation analysis: how the treatment works through the cluster mechanisms.

:func:`panel_mediation` estimates, on a panel with entity (and year) fixed effects, the paths
``T -> M_k`` (a), ``M_k -> Y`` (b), the total (c) and direct (c') effects, the specific, total
and contrasted indirect effects with each mediator alone and all together as parallel
mediators, and reports

* the identification-first mechanism evidence of Jiang (2022) (``identification``);
* Sobel, Aroian, delta-method, joint-significance, Monte Carlo, percentile and BCa inference
  (``inference``), with an exact, fast entity-cluster bootstrap;
* the stepwise verdicts of Wen and Ye (2014) (``stepwise``);
* the linear causal mediation effects of Imai, Keele and Yamamoto (2010) with the sensitivity
  analysis to sequential ignorability (``causal``).

Modules: :mod:`~govcluster.mediation.design` (sample, within transformation with
:mod:`govcluster.core.absorb`, per-entity cross-products),
:mod:`~govcluster.mediation.crossprod` (equations from cross-products),
:mod:`~govcluster.mediation.paths` (clustered standard errors),
:mod:`~govcluster.mediation.bootstrap`, :mod:`~govcluster.mediation.inference`,
:mod:`~govcluster.mediation.stepwise`, :mod:`~govcluster.mediation.identification`,
:mod:`~govcluster.mediation.causal`, :mod:`~govcluster.mediation.results` (result classes and
the ``to_dict`` schema) and :mod:`~govcluster.mediation.analysis` (the entry point).
"""

from govcluster.mediation.analysis import DegenerateReplicatesWarning, panel_mediation
from govcluster.mediation.crossprod import TOTAL
from govcluster.mediation.results import MediationResults, MediationSpec

__all__ = [
    "DegenerateReplicatesWarning",
    "MediationResults",
    "MediationSpec",
    "TOTAL",
    "panel_mediation",
]
