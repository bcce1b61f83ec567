"""What the mediation exhibits need to know about the stored mediation record.

Lookups in a typed :class:`~govcluster.records.mediation.MediationRecord`: a path
coefficient, the row of one inference method for one indirect effect, a Wen-Ye decision and
its verdict in words.
"""

from __future__ import annotations

from govcluster.records.mediation import (
    InferenceRowRecord,
    MediationRecord,
    PathRecord,
    StepwiseDecisionRecord,
)
from govcluster.render.labels import word


def mediation_path(results: MediationRecord, path: str, mediator: str | None = None) -> PathRecord:
    """The path ``a``, ``b`` (of ``mediator``), ``c`` or ``c_prime`` of the results.

    Raises
    ------
    KeyError
        If the results have no such path.
    """
    for entry in results.paths:
        if entry.path == path and (mediator is None or entry.mediator == mediator):
            return entry
    raise KeyError(f"the mediation results have no path {path!r} for {mediator!r}")


def inference_row(
    results: MediationRecord,
    method: str,
    mediator: str,
    *,
    model: str = "parallel",
    kind: str = "indirect",
) -> InferenceRowRecord | None:
    """The ``method`` row of the inference table for an indirect effect (or a contrast).

    Parameters
    ----------
    results : MediationRecord
    method : str
        ``sobel``, ``aroian``, ``delta``, ``joint_significance``, ``monte_carlo``,
        ``percentile`` or ``bca``.
    mediator : str
        A mediator, ``TOTAL``, or a contrast ``"A-B"``.
    model : {"parallel", "single"}
    kind : {"indirect", "contrast"}

    Returns
    -------
    InferenceRowRecord or None
        None when the results have no such row.
    """
    if kind == "contrast":
        effect = f"contrast[{mediator}]"
    elif model == "single":
        effect = f"indirect_single[{mediator}]"
    else:
        effect = f"indirect[{mediator}]"
    for entry in results.inference:
        if entry.effect == effect and entry.method == method and entry.model == model:
            return entry
    return None


def stepwise_decision(
    results: MediationRecord, mediator: str, model: str
) -> StepwiseDecisionRecord | None:
    """The Wen-Ye decision for ``mediator`` in ``model`` ("single" or "parallel"), or None."""
    for decision in results.stepwise.decisions:
        if decision.mediator == mediator and decision.model == model:
            return decision
    return None


def verdict_text(decision: StepwiseDecisionRecord | None, language: str) -> str:
    """The verdict of a stepwise decision in words (the record's own Chinese wording in zh)."""
    if decision is None:
        return ""
    if language == "zh" and decision.verdict_zh:
        return decision.verdict_zh
    verdict = decision.verdict
    try:
        return word(f"verdict_{verdict}", language)
    except KeyError:
        return verdict.replace("_", " ")


def level_text(results: MediationRecord) -> str:
    """The confidence level of the intervals in percent: ``95``."""
    return f"{100 * float(results.spec.ci_level):g}"
