"""Compare a case study with the simulator's known effect path.

The simulator records the flagship case in its truth file as::

    "case_study": {"cluster_id": str, "cluster_name": str, "year": int,
                   "effect_on_SCA": {"<year>": float, ...}}

The effect is on the SCA construct in the simulator's latent units; the estimates are on the
analysis panel's SCA index. Both are reported; the comparison table shows estimate minus
truth for the average post-intervention effect and by year.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from govcluster.casestudy.results import CaseStudyResult
from govcluster.errors import EstimationError


def compare_case_study_truth(
    record: CaseStudyResult | Mapping[str, Any], truth_case_study: Mapping[str, Any]
) -> pd.DataFrame:
    """Estimated against true effects of the flagship case.

    Parameters
    ----------
    record : CaseStudyResult or its ``to_dict()``
    truth_case_study : mapping
        The ``case_study`` entry of the truth file.

    Returns
    -------
    pandas.DataFrame
        One row per estimator (``synthetic_control``, ``sdid``, ``sc``, ``did``) and target
        (``"att"`` = mean over the post years, then each post year), with columns
        ``estimator``, ``target``, ``estimate``, ``truth``, ``error``.

    Raises
    ------
    EstimationError
        When the case study is not of the truth's cluster and year, or the truth lacks
        effects for some post years.
    """
    result = (
        record if isinstance(record, CaseStudyResult) else CaseStudyResult.from_dict(dict(record))
    )
    for key in ("cluster_id", "year", "effect_on_SCA"):
        if key not in truth_case_study:
            raise EstimationError(
                f"The truth file's case_study entry has no {key!r}; it needs cluster_id, "
                "year and effect_on_SCA. Regenerate the simulated data."
            )
    if str(truth_case_study["cluster_id"]) != result.treated_id:
        raise EstimationError(
            f"The case study treats {result.treated_id!r} but the simulated flagship case is "
            f"{truth_case_study['cluster_id']!r}; set case_study.treated to it."
        )
    if int(truth_case_study["year"]) != result.intervention_year:
        raise EstimationError(
            f"The case study starts in {result.intervention_year} but the simulated "
            f"intervention is in {truth_case_study['year']}; set case_study.intervention_year."
        )
    # The pipeline's SCA is a standardised index: compare on that scale where the truth has it.
    scale_key = (
        "effect_on_SCA_standardised"
        if "effect_on_SCA_standardised" in truth_case_study
        else "effect_on_SCA"
    )
    effects = {int(y): float(v) for y, v in truth_case_study[scale_key].items()}
    missing = [y for y in result.post_years if y not in effects]
    if missing:
        raise EstimationError(
            f"The truth file has no effect_on_SCA for post years {missing}; regenerate the "
            "simulated data or shorten the case-study window."
        )
    n_fit = len(result.fit_years)
    true_path = np.array([effects[y] for y in result.post_years])
    paths = {"synthetic_control": np.asarray(result.synthetic_control.gap[n_fit:])}
    for est in result.sdid.estimates:
        paths[est.estimator] = np.asarray(est.effect_path[n_fit:])
    rows = []
    for name, path in paths.items():
        rows.append((name, "att", float(path.mean()), float(true_path.mean())))
        for year, est, tru in zip(result.post_years, path, true_path, strict=True):
            rows.append((name, str(year), float(est), float(tru)))
    out = pd.DataFrame(rows, columns=["estimator", "target", "estimate", "truth"])
    out["error"] = out["estimate"] - out["truth"]
    return out
