"""Monte Carlo study of the estimators on the simulator (a Snakemake target).

* :mod:`~govcluster.study.design`: the study (replications, design grid) and per-replication
  seeds derived from the master seed;
* :mod:`~govcluster.study.replication`: one replication: draw a panel, run the estimators;
* :mod:`~govcluster.study.summary`: bias, RMSE, coverage and rejection rates over replications.
"""

from govcluster.lazy_exports import exported_on_first_use

#: Public name -> its module, imported on first use (PEP 562): the workflow's plan reads the
#: design without importing the estimators a replication runs.
_PUBLIC = {
    "ReplicationResult": "govcluster.study.replication",
    "StudyDesign": "govcluster.study.design",
    "StudySpec": "govcluster.study.design",
    "build_study_spec": "govcluster.study.design",
    "replication_seed": "govcluster.study.design",
    "run_replication": "govcluster.study.replication",
    "summarise_study": "govcluster.study.summary",
}

__all__ = [
    "ReplicationResult",
    "StudyDesign",
    "StudySpec",
    "build_study_spec",
    "replication_seed",
    "run_replication",
    "summarise_study",
]


__getattr__, __dir__ = exported_on_first_use(globals(), _PUBLIC)
