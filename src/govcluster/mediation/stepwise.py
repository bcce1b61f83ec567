r"""The stepwise mediation procedure of Wen and Ye (2014).

温忠麟, 叶宝娟 (2014). 中介效应分析：方法和模型发展. 心理科学进展, 22(5), 731-745.

Notes
-----
Decision tree, for each mechanism (at significance level :math:`\alpha = 1 -` ``ci_level``):

1. Test the total effect :math:`c` of ``Y = cT + e``. Significant: the analysis is argued on a
   *mediation* basis (按中介效应立论); not significant: on a *suppression* basis
   (按遮掩效应立论). Either way the procedure continues.
2. Test :math:`a` (``M = aT``) and :math:`b` (``Y = c'T + bM``) in turn. If both are
   significant the indirect effect is significant (evidence: ``"joint_significance"``); go to 4.
3. Otherwise test :math:`H_0: ab = 0` with the bootstrap interval (the ``ci_method`` of the
   analysis: percentile by default; Wen and Ye recommend the bias-corrected bootstrap, available
   as ``ci_method="bca"``, whose type I error is inflated when one path is zero, see
   :func:`govcluster.mediation.panel_mediation`). If the interval excludes 0 the
   indirect effect is significant (evidence ``"bootstrap"``); go to 4. If not: **no
   mediation** (中介效应不显著); stop.
4. Test the direct effect :math:`c'`. Not significant: **full mediation** (完全中介; only the
   indirect effect). Significant: go to 5.
5. Compare the signs of :math:`ab` and :math:`c'`. Same sign: **partial mediation** (部分中介),
   report the proportion mediated :math:`ab/c`. Opposite signs: **suppression** (遮掩效应),
   report :math:`|ab/c'|`.

The tree is applied to each mediator alone (``model="single"``: :math:`b` and :math:`c'` from
``Y = c'T + bM_k``) and within the parallel model (``model="parallel"``: :math:`b_k` and the
common :math:`c'` from ``Y = c'T + \sum_k b_kM_k``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np

Verdict = Literal["full_mediation", "partial_mediation", "suppression", "no_mediation"]

VERDICT_ZH = {
    "full_mediation": "完全中介",
    "partial_mediation": "部分中介",
    "suppression": "遮掩效应",
    "no_mediation": "中介效应不显著",
}


@dataclass(frozen=True)
class StepwiseDecision:
    """The Wen-Ye decision for one mechanism in one model.

    Attributes
    ----------
    mediator : str
    model : {"single", "parallel"}
    c, p_c : float
        Total effect and its p-value.
    basis : {"mediation", "suppression"}
        Step 1 basis of the argument.
    a, p_a, b, p_b : float
    indirect : float
        :math:`ab`.
    ci_lower, ci_upper : float
        Bootstrap interval of :math:`ab`.
    bootstrap_used : bool
        Whether step 3 was needed.
    indirect_significant : bool
    evidence : {"joint_significance", "bootstrap", "none"}
    c_prime, p_c_prime : float
    verdict : Verdict
    verdict_zh : str
    effect_ratio : float or None
        :math:`ab/c` (partial or full mediation), :math:`|ab/c'|` (suppression), else None.
    effect_ratio_kind : {"ab/c", "|ab/c'|"} or None
    """

    mediator: str
    model: str
    c: float
    p_c: float
    basis: str
    a: float
    p_a: float
    b: float
    p_b: float
    indirect: float
    ci_lower: float
    ci_upper: float
    bootstrap_used: bool
    indirect_significant: bool
    evidence: str
    c_prime: float
    p_c_prime: float
    verdict: Verdict
    verdict_zh: str
    effect_ratio: float | None
    effect_ratio_kind: str | None

    def to_dict(self) -> dict:
        """The JSON form: every attribute of the decision."""
        return asdict(self)


def wen_ye_stepwise(
    *,
    mediator: str,
    model: str,
    c: float,
    p_c: float,
    a: float,
    p_a: float,
    b: float,
    p_b: float,
    ci_lower: float,
    ci_upper: float,
    c_prime: float,
    p_c_prime: float,
    alpha: float,
) -> StepwiseDecision:
    r"""Apply the Wen-Ye (2014) decision tree (see the module notes).

    Parameters
    ----------
    mediator, model : str
        Labels carried into the result.
    c, p_c, a, p_a, b, p_b, c_prime, p_c_prime : float
        Coefficients and their p-values.
    ci_lower, ci_upper : float
        Bootstrap interval of :math:`ab` at level :math:`1-\alpha`.
    alpha : float
        Significance level.

    Returns
    -------
    StepwiseDecision
    """
    indirect = a * b
    basis = "mediation" if p_c < alpha else "suppression"
    bootstrap_used = False
    if p_a < alpha and p_b < alpha:
        significant, evidence = True, "joint_significance"
    else:
        bootstrap_used = True
        significant = bool(ci_lower > 0.0 or ci_upper < 0.0)
        evidence = "bootstrap" if significant else "none"
    ratio: float | None = None
    kind: str | None = None
    if not significant:
        verdict: Verdict = "no_mediation"
    elif not p_c_prime < alpha:
        verdict = "full_mediation"
        ratio, kind = (indirect / c if c != 0 else None), "ab/c"
    elif np.sign(indirect) == np.sign(c_prime):
        verdict = "partial_mediation"
        ratio, kind = (indirect / c if c != 0 else None), "ab/c"
    else:
        verdict = "suppression"
        ratio, kind = (abs(indirect / c_prime) if c_prime != 0 else None), "|ab/c'|"
    return StepwiseDecision(
        mediator=mediator,
        model=model,
        c=float(c),
        p_c=float(p_c),
        basis=basis,
        a=float(a),
        p_a=float(p_a),
        b=float(b),
        p_b=float(p_b),
        indirect=float(indirect),
        ci_lower=float(ci_lower),
        ci_upper=float(ci_upper),
        bootstrap_used=bootstrap_used,
        indirect_significant=significant,
        evidence=evidence,
        c_prime=float(c_prime),
        p_c_prime=float(p_c_prime),
        verdict=verdict,
        verdict_zh=VERDICT_ZH[verdict],
        effect_ratio=None if ratio is None else float(ratio),
        effect_ratio_kind=kind if ratio is not None else None,
    )
