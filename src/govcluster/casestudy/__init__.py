"""Case studies of one cluster: synthetic control and synthetic difference-in-differences.

Public entry points: :func:`case_study_spec_from_config` (the ``case_study:`` configuration
section to a :class:`CaseStudySpec`), :func:`run_case_study` (checks, then estimates) and
:func:`compare_case_study_truth` (estimates against the simulator's known effect path).
"""

from govcluster.casestudy.data import CaseStudyData, prepare_case_study_data
from govcluster.casestudy.estimate import estimate_case_study, run_case_study
from govcluster.casestudy.results import CaseStudyResult
from govcluster.casestudy.spec import CaseStudySpec, case_study_spec_from_config
from govcluster.casestudy.truth import compare_case_study_truth

__all__ = [
    "CaseStudyData",
    "CaseStudyResult",
    "CaseStudySpec",
    "case_study_spec_from_config",
    "compare_case_study_truth",
    "estimate_case_study",
    "prepare_case_study_data",
    "run_case_study",
]
