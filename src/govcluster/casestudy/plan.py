"""The configured case study of the pipeline, and the truth it is compared with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from govcluster.casestudy.estimate import run_case_study
from govcluster.casestudy.results import CaseStudyResult
from govcluster.casestudy.spec import CaseStudyColumns, case_study_spec_from_config
from govcluster.casestudy.truth import compare_case_study_truth

TRUTH_COLUMNS = ["estimator", "target", "estimate", "truth", "error", "truth_source"]


def run_configured_case_study(
    panel: pd.DataFrame, section: Mapping[str, Any], *, seed: int
) -> CaseStudyResult:
    """Run the case study of the ``case_study:`` configuration section on the analysis panel.

    Parameters
    ----------
    panel : pandas.DataFrame
        The analysis panel (canonical column names).
    section : mapping
        The ``case_study:`` section.
    seed : int
        The master seed.

    Returns
    -------
    CaseStudyResult
    """
    spec = case_study_spec_from_config(section, seed=seed)
    return run_case_study(panel, spec)


def case_study_truth(
    result: CaseStudyResult, truth: Mapping[str, Any], panel: pd.DataFrame
) -> tuple[dict[str, Any] | None, str]:
    """The known effect path of the case study's cluster, and where it comes from.

    The simulator's flagship case (``truth["case_study"]``) when the case study treats that
    cluster; otherwise, when the treated cluster is never designated in the data
    (``spec.designation_column``), a placebo case whose true effect is zero in every post
    year; otherwise nothing is known (``None``).
    """
    flagship = truth.get("case_study")
    if flagship and str(flagship.get("cluster_id")) == result.treated_id:
        return dict(flagship), "simulated intervention"
    designation = result.spec.get("designation_column")
    entity = result.spec.get("columns", {}).get("entity", CaseStudyColumns().entity)
    if designation and designation in panel:
        rows = panel[panel[entity].astype(str) == result.treated_id]
        if not (rows[designation] > 0).any():
            return (
                {
                    "cluster_id": result.treated_id,
                    "cluster_name": result.treated_name,
                    "year": result.intervention_year,
                    "effect_on_SCA": {str(y): 0.0 for y in result.post_years},
                },
                "placebo case: no intervention",
            )
    return None, "none"


def case_study_truth_table(
    result: CaseStudyResult, truth: Mapping[str, Any], panel: pd.DataFrame
) -> pd.DataFrame:
    """Estimates against the known effects (see :func:`case_study_truth`); empty if unknown."""
    known, source = case_study_truth(result, truth, panel)
    if known is None:
        return pd.DataFrame(columns=TRUTH_COLUMNS)
    table = compare_case_study_truth(result, known)
    table["truth_source"] = source
    return table[TRUTH_COLUMNS]
