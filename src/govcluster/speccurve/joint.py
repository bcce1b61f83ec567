r"""The assembled curve and its joint test under the null (Simonsohn, Simmons and Nelson 2020).

Each specification :math:`s` gives an estimate :math:`\hat\beta_s`, a standard error and the
reference distribution of its t test (t with the specification's degrees of freedom). It is
*significant* when :math:`|\hat\beta_s/\widehat{se}_s|` exceeds the two-sided critical value at
``1 - level``. The curve is summarised by three statistics,

* the share of significant specifications,
* the share significant in the dominant direction,
  :math:`\max(\text{share significant and positive}, \text{share significant and negative})`,
* the median estimate (compared in absolute value: its null mean and quantile are of
  :math:`|median|` too),

and each is compared with its distribution under the null, computed from the same
permutations of the treatment paths in every specification
(:mod:`govcluster.speccurve.permutation`): permutation :math:`p` gives a whole curve
:math:`(\hat\beta_{s,p})_s`, hence a value of each statistic. The p-value of a statistic
:math:`S` is :math:`(1 + \#\{p: S_p \ge S_{obs}\}) / (1 + P)`, which is exact in finite
samples for the randomisation null.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from govcluster.errors import GovclusterError
from govcluster.speccurve.fit import SpecificationEstimate
from govcluster.speccurve.spec import SCHEMA_VERSION, _check_record

#: Columns of the per-specification table of the curve.
CURVE_COLUMNS = (
    "specification",
    "index_method",
    "winsorize",
    "control_set",
    "fixed_effects",
    "sample",
    "se_type",
    "estimate",
    "std_error",
    "df",
    "ci_lower",
    "ci_upper",
    "p_value",
    "significant",
    "n_obs",
    "n_entities",
    "n_se_clusters",
    "rank",
)


@dataclass(frozen=True, kw_only=True)
class JointTest:
    """One statistic of the curve, its permutation distribution and p-value."""

    statistic: str
    observed: float
    null_mean: float
    null_quantile_95: float
    p_value: float

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able record of this object."""
        return {
            "statistic": self.statistic,
            "observed": self.observed,
            "null_mean": self.null_mean,
            "null_quantile_95": self.null_quantile_95,
            "p_value": self.p_value,
        }


@dataclass(frozen=True, kw_only=True)
class CurveResult:
    """A specification curve with its joint tests.

    Attributes
    ----------
    curve : DataFrame
        One row per specification (:data:`CURVE_COLUMNS`), sorted by estimate (``rank`` 1 =
        smallest).
    n_specifications : int
    share_significant, share_positive, share_negative : float
        Shares of all specifications: significant, estimate above / below zero.
    share_significant_positive, share_significant_negative : float
    median_estimate : float
    tests : tuple of JointTest
    level : float
    n_permutations, seed : int
    strata : tuple of str
    null_shares, null_medians : tuple of float
        The permutation distributions of the share significant and of the median.
    """

    curve: pd.DataFrame
    n_specifications: int
    share_significant: float
    share_positive: float
    share_negative: float
    share_significant_positive: float
    share_significant_negative: float
    median_estimate: float
    tests: tuple[JointTest, ...]
    level: float
    n_permutations: int
    seed: int
    strata: tuple[str, ...]
    outcome: str
    treatment: str
    null_shares: tuple[float, ...]
    null_medians: tuple[float, ...]

    def test(self, statistic: str) -> JointTest:
        """The joint test of ``statistic``.

        One of ``share_significant``, ``share_dominant_sign``, ``median_estimate``.
        """
        for t in self.tests:
            if t.statistic == statistic:
                return t
        raise KeyError(statistic)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able record of this object."""
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "speccurve_result",
            "outcome": self.outcome,
            "treatment": self.treatment,
            "n_specifications": self.n_specifications,
            "share_significant": self.share_significant,
            "share_positive": self.share_positive,
            "share_negative": self.share_negative,
            "share_significant_positive": self.share_significant_positive,
            "share_significant_negative": self.share_significant_negative,
            "median_estimate": self.median_estimate,
            "tests": [t.to_dict() for t in self.tests],
            "level": self.level,
            "n_permutations": self.n_permutations,
            "seed": self.seed,
            "strata": list(self.strata),
            "null_shares": list(self.null_shares),
            "null_medians": list(self.null_medians),
            "curve": [
                {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
                for row in self.curve.astype(object).to_dict(orient="records")
            ],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CurveResult:
        """Rebuild from :meth:`to_dict`, checking its kind and schema version."""
        _check_record(d, "speccurve_result")
        return cls(
            curve=pd.DataFrame(d["curve"], columns=list(CURVE_COLUMNS)),
            n_specifications=int(d["n_specifications"]),
            share_significant=float(d["share_significant"]),
            share_positive=float(d["share_positive"]),
            share_negative=float(d["share_negative"]),
            share_significant_positive=float(d["share_significant_positive"]),
            share_significant_negative=float(d["share_significant_negative"]),
            median_estimate=float(d["median_estimate"]),
            tests=tuple(JointTest(**t) for t in d["tests"]),
            level=float(d["level"]),
            n_permutations=int(d["n_permutations"]),
            seed=int(d["seed"]),
            strata=tuple(d["strata"]),
            outcome=str(d["outcome"]),
            treatment=str(d["treatment"]),
            null_shares=tuple(float(v) for v in d["null_shares"]),
            null_medians=tuple(float(v) for v in d["null_medians"]),
        )


def _critical_values(dfs: Sequence[int | None], level: float) -> np.ndarray:
    alpha = 1.0 - level
    return np.array(
        [
            stats.norm.ppf(1 - alpha / 2) if df is None else stats.t.ppf(1 - alpha / 2, df)
            for df in dfs
        ]
    )


def _p_value(null: np.ndarray, observed: float) -> float:
    # an absolute tolerance (the statistics are shares and estimates of order one) keeps ties
    # counted as at least as extreme
    return float((1 + np.sum(null >= observed - 1e-12)) / (1 + len(null)))


def _dominant_share(significant: np.ndarray, estimates: np.ndarray) -> np.ndarray:
    positive = (significant & (estimates > 0)).mean(axis=0)
    negative = (significant & (estimates < 0)).mean(axis=0)
    return np.maximum(positive, negative)


def assemble_curve(
    estimates: Sequence[SpecificationEstimate], *, level: float, outcome: str, treatment: str
) -> CurveResult:
    """Assemble the curve from its specifications and run the joint tests.

    Parameters
    ----------
    estimates : sequence of SpecificationEstimate
        Every specification, fitted with the same permutations (same seed, number, strata).
    level : float
        Confidence level of the intervals (significance at ``1 - level``).
    outcome, treatment : str
        Names, for the record.

    Raises
    ------
    GovclusterError
        No specification, or specifications fitted with different permutations (a stale
        record: rerun the curve).
    """
    if not estimates:
        raise GovclusterError("the specification curve has no specifications to assemble.")
    draws = {(e.seed, e.n_permutations, e.strata) for e in estimates}
    if len(draws) != 1:
        raise GovclusterError(
            "the specifications were fitted with different permutations (seed, number, "
            f"strata: {sorted(map(str, draws))}); rerun `snakemake speccurve` to refit them."
        )
    seed, n_perm, strata = draws.pop()
    beta = np.array([e.estimate for e in estimates])
    se = np.array([e.std_error for e in estimates])
    dfs = [e.df for e in estimates]
    crit = _critical_values(dfs, level)
    tstat = beta / se
    significant = np.abs(tstat) > crit
    p_values = np.array(
        [
            2 * stats.norm.sf(abs(t)) if df is None else 2 * stats.t.sf(abs(t), df)
            for t, df in zip(tstat, dfs, strict=True)
        ]
    )
    perm_beta = np.array([e.permuted_estimates for e in estimates])  # (S, P)
    perm_se = np.array([e.permuted_std_errors for e in estimates])
    perm_sig = np.abs(perm_beta / perm_se) > crit[:, None]
    null_shares = perm_sig.mean(axis=0)
    null_dominant = _dominant_share(perm_sig, perm_beta)
    null_medians = np.median(perm_beta, axis=0)
    observed = {
        "share_significant": float(significant.mean()),
        "share_dominant_sign": float(_dominant_share(significant[:, None], beta[:, None])[0]),
        "median_estimate": float(np.median(beta)),
    }
    nulls = {
        "share_significant": null_shares,
        "share_dominant_sign": null_dominant,
        "median_estimate": null_medians,
    }
    tests = []
    for name, value in observed.items():
        null = nulls[name]
        compared = np.abs(null) if name == "median_estimate" else null
        tests.append(
            JointTest(
                statistic=name,
                observed=value,
                null_mean=float(np.mean(compared)),
                null_quantile_95=float(np.quantile(compared, 0.95)),
                p_value=_p_value(compared, abs(value) if name == "median_estimate" else value),
            )
        )
    rows = []
    for e, ci_half, p, sig in zip(estimates, crit * se, p_values, significant, strict=True):
        s = e.specification
        rows.append(
            {
                "specification": s.name,
                **s.choices(),
                "estimate": e.estimate,
                "std_error": e.std_error,
                "df": e.df,
                "ci_lower": e.estimate - ci_half,
                "ci_upper": e.estimate + ci_half,
                "p_value": float(p),
                "significant": bool(sig),
                "n_obs": e.n_obs,
                "n_entities": e.n_entities,
                "n_se_clusters": e.n_se_clusters,
            }
        )
    curve = pd.DataFrame(rows).sort_values(["estimate", "specification"], kind="stable")
    curve["rank"] = np.arange(1, len(curve) + 1)
    curve = curve.reset_index(drop=True)[list(CURVE_COLUMNS)]
    return CurveResult(
        curve=curve,
        n_specifications=len(estimates),
        share_significant=observed["share_significant"],
        share_positive=float((beta > 0).mean()),
        share_negative=float((beta < 0).mean()),
        share_significant_positive=float((significant & (beta > 0)).mean()),
        share_significant_negative=float((significant & (beta < 0)).mean()),
        median_estimate=observed["median_estimate"],
        tests=tuple(tests),
        level=float(level),
        n_permutations=int(n_perm),
        seed=int(seed),
        strata=tuple(strata),
        outcome=outcome,
        treatment=treatment,
        null_shares=tuple(float(v) for v in null_shares),
        null_medians=tuple(float(v) for v in null_medians),
    )


def assemble_curve_files(records: Sequence[Mapping[str, Any]], dimensions: Any) -> CurveResult:
    """:func:`assemble_curve` from the stored per-specification records."""
    return assemble_curve(
        [SpecificationEstimate.from_dict(r) for r in records],
        level=dimensions.level,
        outcome=dimensions.outcome,
        treatment=dimensions.treatment,
    )
