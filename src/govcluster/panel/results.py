"""Typed, read-only results of the panel estimations and their JSON records.

:class:`PanelEstimate` is returned by :func:`govcluster.panel.fit_panel_model`; its
``to_dict()`` gives this JSON record (``null`` for a value that does not apply or is not
finite)::

    {
      "schema_version": 1,                   # see govcluster.records
      "kind": "panel_estimate",
      "name": str,
      "spec": {...},                         # PanelSpec.to_dict()
      "estimator": str, "cov_type": str, "cov_description": str,
      "dependent": str,                      # column regressed (e.g. "d_SCA" for FD)
      "fixed_effects": [str],                # subset of ["entity", "time"]
      "coefficients": [{"name", "estimate", "std_error", "statistic", "p_value",
                        "ci_lower", "ci_upper"}],
      "covariance": {"names": [str], "matrix": [[float]]},
      "inference": {"distribution": "t" | "normal", "df": int | null,
                    "correction": str, "level": float},
      "n_obs": int, "n_entities": int, "n_periods": int,
      "n_clusters": int | null,              # smallest cluster dimension
      "clusters": {column: count},           # years for Driscoll-Kraay
      "n_input_rows": int,
      "n_dropped": {"missing_entity_or_time": int, "missing_values": int,
                    "missing_lags_leads_or_differences": int,
                    "singletons": int},      # the last for estimator hdfe only
      "first_year": int, "last_year": int,
      "r2": float | null, "r2_within": float | null, "mean_dependent": float,
      "dk_bandwidth": int | null,
      "poolability": TestResult record | null,   # FE estimators
      "warnings": [str]
    }

A :class:`TestResult` record is ``{"kind": "test", "name", "null_hypothesis", "statistic",
"df", "df_denom", "p_value", "distribution" ("chi2" | "F" | "normal"), "notes": [str]}``;
:class:`HausmanTest` adds ``"generalized_inverse"``, ``"rank"`` and ``"compared"``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from govcluster.errors import EstimationError
from govcluster.panel.spec import PanelSpec
from govcluster.records.base import SCHEMA_VERSION


def json_number(value: Any) -> Any:
    """A float or int for JSON; None for missing / non-finite values."""
    if value is None:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    value = float(value)
    return value if math.isfinite(value) else None


def readonly(array: Any) -> np.ndarray:
    """A read-only float copy of ``array``."""
    out = np.array(array, dtype=float, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class TestResult:
    """A test statistic with its reference distribution.

    Attributes
    ----------
    name : str
    null_hypothesis : str
    statistic : float
    df : float
        Degrees of freedom (numerator for F).
    p_value : float
    distribution : {"chi2", "F", "normal"}
    df_denom : float or None
        Denominator degrees of freedom of an F test.
    notes : tuple of str
        Remarks on how the test was computed.
    """

    name: str
    null_hypothesis: str
    statistic: float
    df: float
    p_value: float
    distribution: Literal["chi2", "F", "normal"]
    df_denom: float | None = None
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON record (see the module docstring)."""
        return {
            "kind": "test",
            "name": self.name,
            "null_hypothesis": self.null_hypothesis,
            "statistic": json_number(self.statistic),
            "df": json_number(self.df),
            "df_denom": json_number(self.df_denom),
            "p_value": json_number(self.p_value),
            "distribution": self.distribution,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class HausmanTest(TestResult):
    """Classic Hausman test; see :func:`govcluster.panel.spectests.hausman_test`.

    Attributes
    ----------
    generalized_inverse : bool
        True if the difference of the covariances was not positive definite and its
        Moore-Penrose inverse was used, with ``df`` = its rank.
    rank : int
        Rank of the difference of the covariances.
    compared : tuple of str
        The coefficients compared.
    """

    generalized_inverse: bool = False
    rank: int = 0
    compared: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON record (see the module docstring)."""
        out = super().to_dict()
        out.update(
            generalized_inverse=self.generalized_inverse,
            rank=self.rank,
            compared=list(self.compared),
        )
        return out


def wald(
    params: np.ndarray,
    cov: np.ndarray,
    restriction: np.ndarray,
    value: np.ndarray,
    *,
    df_denom: int | None,
    name: str,
    null: str,
    notes: Sequence[str] = (),
) -> TestResult:
    """Wald test of ``restriction @ params = value``.

    With ``df_denom`` the statistic is W/q against F(q, df_denom) (Stata's ``test`` after a
    regression with small-sample inference), otherwise W against chi2(q).
    """
    r = np.atleast_2d(restriction)
    diff = r @ params - value
    v = r @ cov @ r.T
    q = r.shape[0]
    try:
        w = float(diff @ np.linalg.solve(v, diff))
    except np.linalg.LinAlgError:
        w = float(diff @ np.linalg.pinv(v) @ diff)
        notes = (*notes, "singular covariance of the restrictions: generalized inverse used")
    if df_denom is None:
        return TestResult(name, null, w, q, float(stats.chi2.sf(w, q)), "chi2", None, tuple(notes))
    f = w / q
    return TestResult(
        name, null, f, q, float(stats.f.sf(f, q, df_denom)), "F", float(df_denom), tuple(notes)
    )


@dataclass(frozen=True)
class LinearCombination:
    """A linear combination of coefficients (e.g. the cumulative effect of lags)."""

    weights: tuple[tuple[str, float], ...]
    estimate: float
    std_error: float
    statistic: float
    p_value: float
    ci_lower: float
    ci_upper: float
    level: float

    def to_dict(self) -> dict[str, Any]:
        """The JSON record of the combination.

        ``{"weights": {name: w}, "estimate", "std_error", "statistic", "p_value",
        "ci_lower", "ci_upper", "level"}``.
        """
        return {
            "weights": dict(self.weights),
            **{
                k: json_number(getattr(self, k))
                for k in (
                    "estimate",
                    "std_error",
                    "statistic",
                    "p_value",
                    "ci_lower",
                    "ci_upper",
                    "level",
                )
            },
        }


class CoefficientsMixin:
    """Coefficient table methods and the common JSON record shared by the estimate classes.

    Requires the attributes ``names``, ``params_array``, ``cov_array``, ``df_inference`` and
    ``level``; :meth:`common_record`, :attr:`n_clusters` and :attr:`n_dropped` also use
    ``spec``, ``clusters``, ``dropped`` and the sample attributes of the estimate classes.
    """

    names: tuple[str, ...]
    params_array: np.ndarray
    cov_array: np.ndarray
    df_inference: int | None
    level: float

    @property
    def n_clusters(self) -> int | None:
        """Smallest number of clusters (None if the covariance does not cluster)."""
        if self.spec.cov_type not in ("cluster_entity", "cluster_twoway", "cluster"):
            return None
        return min(c for _, c in self.clusters)

    @property
    def n_dropped(self) -> dict[str, int]:
        """Rows dropped, by reason."""
        return dict(self.dropped)

    def common_record(self, kind: str) -> dict[str, Any]:
        """The fields every estimate's JSON record shares (see the module docstring)."""
        from govcluster.panel.covariance import DESCRIPTIONS

        return {
            "schema_version": SCHEMA_VERSION,
            "kind": kind,
            "name": self.spec.name,
            "spec": self.spec.to_dict(),
            "estimator": self.spec.estimator,
            "cov_type": self.spec.cov_type,
            "cov_description": (
                f"cluster-robust by {self.spec.cluster}"
                if self.spec.cov_type == "cluster"
                else DESCRIPTIONS[self.spec.cov_type]
            ),
            "dependent": self.dependent,
            "fixed_effects": list(self.fixed_effects),
            "coefficients": self.coefficients_records(),
            "covariance": {
                "names": list(self.names),
                "matrix": [[json_number(v) for v in row] for row in self.cov_array],
            },
            "inference": {
                "distribution": "normal" if self.df_inference is None else "t",
                "df": self.df_inference,
                "correction": self.correction,
                "level": self.spec.level,
            },
            "n_obs": self.n_obs,
            "n_entities": self.n_entities,
            "n_periods": self.n_periods,
            "n_clusters": self.n_clusters,
            "clusters": {k: v for k, v in self.clusters},
            "n_input_rows": self.n_input_rows,
            "n_dropped": self.n_dropped,
            "first_year": self.first_year,
            "last_year": self.last_year,
            "r2": json_number(self.r2),
            "mean_dependent": json_number(self.mean_dependent),
            "dk_bandwidth": self.dk_bandwidth,
        }

    def _dist(self) -> Any:
        return stats.norm if self.df_inference is None else stats.t(self.df_inference)

    @property
    def params(self) -> pd.Series:
        """Estimated coefficients."""
        return pd.Series(self.params_array, index=list(self.names), name="estimate")

    @property
    def cov(self) -> pd.DataFrame:
        """Covariance of the coefficients."""
        return pd.DataFrame(self.cov_array, index=list(self.names), columns=list(self.names))

    @property
    def std_errors(self) -> pd.Series:
        """Standard errors."""
        se = np.sqrt(np.clip(np.diag(self.cov_array), 0, None))
        return pd.Series(se, index=list(self.names), name="std_error")

    @property
    def tstats(self) -> pd.Series:
        """Coefficient / standard error."""
        return (self.params / self.std_errors).rename("statistic")

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values (t(df_inference), or normal if df_inference is None)."""
        p = 2 * self._dist().sf(np.abs(self.tstats.to_numpy()))
        return pd.Series(p, index=list(self.names), name="p_value")

    def conf_int(self, level: float | None = None) -> pd.DataFrame:
        """Confidence intervals at ``level`` (default: the specification's level)."""
        level = self.level if level is None else level
        if not 0 < level < 1:
            raise EstimationError(f"level={level!r} must be in (0, 1), e.g. 0.95.")
        c = float(self._dist().ppf(0.5 + level / 2))
        se = self.std_errors.to_numpy()
        b = self.params_array
        return pd.DataFrame({"lower": b - c * se, "upper": b + c * se}, index=list(self.names))

    def summary(self, level: float | None = None) -> pd.DataFrame:
        """Coefficient table: estimate, std_error, statistic, p_value, ci_lower, ci_upper."""
        ci = self.conf_int(level)
        return pd.DataFrame(
            {
                "estimate": self.params,
                "std_error": self.std_errors,
                "statistic": self.tstats,
                "p_value": self.pvalues,
                "ci_lower": ci["lower"],
                "ci_upper": ci["upper"],
            }
        )

    def _index(self, name: str) -> int:
        if name not in self.names:
            raise EstimationError(
                f"{name!r} is not a coefficient of this estimate; coefficients: "
                f"{', '.join(self.names)}."
            )
        return self.names.index(name)

    def wald_test(
        self,
        restrictions: Mapping[str, float] | Sequence[Mapping[str, float]],
        values: Sequence[float] | None = None,
        *,
        name: str = "Wald test",
    ) -> TestResult:
        """Wald test of linear restrictions ``sum_j w_j b_j = value`` (one mapping each).

        F(q, df_inference) if the estimate uses t inference, otherwise chi2(q).
        """
        rows = [restrictions] if isinstance(restrictions, Mapping) else list(restrictions)
        r = np.zeros((len(rows), len(self.names)))
        for i, row in enumerate(rows):
            for nm, w in row.items():
                r[i, self._index(nm)] = w
        val = np.zeros(len(rows)) if values is None else np.asarray(values, dtype=float)
        null = "; ".join(
            " + ".join(f"{w:g}*{n}" for n, w in row.items()) + f" = {v:g}"
            for row, v in zip(rows, val, strict=True)
        )
        return wald(
            self.params_array,
            self.cov_array,
            r,
            val,
            df_denom=self.df_inference,
            name=name,
            null=null,
        )

    def lincom(self, weights: Mapping[str, float], level: float | None = None) -> LinearCombination:
        """Estimate, standard error and interval of ``sum_j w_j b_j``."""
        level = self.level if level is None else level
        w = np.zeros(len(self.names))
        for nm, x in weights.items():
            w[self._index(nm)] = x
        est = float(w @ self.params_array)
        se = float(np.sqrt(max(w @ self.cov_array @ w, 0.0)))
        stat = est / se if se > 0 else math.nan
        dist = self._dist()
        p = float(2 * dist.sf(abs(stat))) if se > 0 else math.nan
        c = float(dist.ppf(0.5 + level / 2))
        return LinearCombination(
            tuple((k, float(v)) for k, v in weights.items()),
            est,
            se,
            stat,
            p,
            est - c * se,
            est + c * se,
            level,
        )

    def coefficients_records(self) -> list[dict[str, Any]]:
        """The coefficient table as a list of JSON records."""
        table = self.summary()
        return [
            {"name": name, **{k: json_number(v) for k, v in row.items()}}
            for name, row in table.iterrows()
        ]


@dataclass(frozen=True, eq=False)
class PanelEstimate(CoefficientsMixin):
    """Result of :func:`govcluster.panel.fit_panel_model` (read-only).

    Attributes
    ----------
    spec : PanelSpec
        What was asked for.
    names : tuple of str
        Reported coefficients: the regressors (with lags), the controls and the intercept.
        Year dummies of ``twoway_fe`` are estimated but not reported.
    params_array, cov_array : ndarray
        Read-only coefficients and covariance in the order of ``names``.
    dependent : str
        Column regressed (``d_{outcome}`` for first differences).
    df_inference : int or None
        Degrees of freedom of t and F tests; None = normal / chi2.
    correction : str
        Small-sample factor applied, in words.
    n_obs, n_entities, n_periods : int
    clusters : tuple of (str, int)
        Cluster dimensions and counts (years for Driscoll-Kraay); empty otherwise.
    n_input_rows : int
    dropped : tuple of (str, int)
        Rows dropped, by reason (see :class:`govcluster.panel.sample.Sample`).
    first_year, last_year : int
        Years of the estimation sample (of the dependent variable).
    r2 : float
        R-squared of the estimated equation (within for FE, of the differences for FD,
        overall for pooled / random, between for between).
    r2_within : float or None
        Within R-squared (None for first differences).
    mean_dependent : float
        Mean of the dependent variable in the estimation sample.
    fixed_effects : tuple of str
        ``("entity",)``, ``("entity", "time")`` or ``()``.
    poolability : TestResult or None
        F test that the entity effects are zero (fixed-effects estimators).
    dk_bandwidth : int or None
        Bandwidth used by Driscoll-Kraay.
    warnings : tuple of str
        Messages of the warnings issued while estimating.
    base_levels : tuple of (str, str)
        Base level of each categorical regressor or control (its indicators
        ``<variable>[<level>]`` are differences from it).
    """

    spec: PanelSpec
    names: tuple[str, ...]
    params_array: np.ndarray
    cov_array: np.ndarray
    dependent: str
    df_inference: int | None
    correction: str
    n_obs: int
    n_entities: int
    n_periods: int
    clusters: tuple[tuple[str, int], ...]
    n_input_rows: int
    dropped: tuple[tuple[str, int], ...]
    first_year: int
    last_year: int
    r2: float
    r2_within: float | None
    mean_dependent: float
    fixed_effects: tuple[str, ...]
    poolability: TestResult | None
    dk_bandwidth: int | None
    warnings: tuple[str, ...] = ()
    base_levels: tuple[tuple[str, str], ...] = ()

    @property
    def level(self) -> float:  # type: ignore[override]
        """Confidence level of the specification."""
        return self.spec.level

    @property
    def estimator(self) -> str:
        """The estimator used."""
        return self.spec.estimator

    @property
    def cov_type(self) -> str:
        """The covariance type used."""
        return self.spec.cov_type

    def to_dict(self) -> dict[str, Any]:
        """JSON record (schema in the module docstring)."""
        return {
            **self.common_record("panel_estimate"),
            "r2_within": json_number(self.r2_within),
            "poolability": None if self.poolability is None else self.poolability.to_dict(),
            "warnings": list(self.warnings),
            "base_levels": dict(self.base_levels),
        }
