"""Monte Carlo study of the estimators on the simulator (a Snakemake target).

* :mod:`~govcluster.study.design`: the study (replications, design grid) and per-replication
  seeds derived from the master seed;
* :mod:`~govcluster.study.replication`: one replication: draw a panel, run the estimators;
* :mod:`~govcluster.study.summary`: bias, RMSE, coverage and rejection rates over replications.
"""

from govcluster.study.design import StudyDesign, StudySpec, build_study_spec, replication_seed
from govcluster.study.replication import ReplicationResult, run_replication
from govcluster.study.summary import summarise_study

__all__ = [
    "ReplicationResult",
    "StudyDesign",
    "StudySpec",
    "build_study_spec",
    "replication_seed",
    "run_replication",
    "summarise_study",
]
