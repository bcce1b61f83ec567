r"""Inference with few clusters: the wild cluster bootstrap.

:func:`wild_cluster_bootstrap` tests one linear restriction :math:`R\beta = r` in a linear
model and inverts the test into a confidence interval, by the restricted (WCR) or
unrestricted (WCU) wild cluster bootstrap with Rademacher, Webb six-point or Mammen weights,
with the fast algorithm of Roodman, MacKinnon, Nielsen and Webb (2019). Fixed effects are
partialled out first (:func:`partial_out_fixed_effects`). :func:`few_cluster_inference`
reports, for each coefficient of a linear panel model, the cluster-robust and the
wild-bootstrap results side by side with a table note in English and Chinese.

Modules: :mod:`~govcluster.inference.weights` (weight distributions and enumeration),
:mod:`~govcluster.inference.partial` (fixed effects), :mod:`~govcluster.inference.wild`
(the bootstrap) and :mod:`~govcluster.inference.few_clusters` (the panel report).
"""

from govcluster.inference.few_clusters import (
    FewClusterReport,
    FewClusterRow,
    few_cluster_inference,
)
from govcluster.inference.partial import partial_out_fixed_effects
from govcluster.inference.weights import draw_wild_weights
from govcluster.inference.wild import WildBootstrapResult, wild_cluster_bootstrap

__all__ = [
    "FewClusterReport",
    "FewClusterRow",
    "WildBootstrapResult",
    "draw_wild_weights",
    "few_cluster_inference",
    "partial_out_fixed_effects",
    "wild_cluster_bootstrap",
]
