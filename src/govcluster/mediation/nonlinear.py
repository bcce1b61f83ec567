r"""Causal mediation beyond the linear model (Imai, Keele and Tingley 2010).

:func:`causal_mediation` estimates the average causal mediation effects (ACME)
:math:`\bar\delta(t) = E[Y(t, M(t_1)) - Y(t, M(t_0))]`, the average direct effects (ADE)
:math:`\bar\zeta(t) = E[Y(t_1, M(t)) - Y(t_0, M(t))]` for :math:`t \in \{t_0, t_1\}`
(control and treated), their averages, the total effect
:math:`\bar\tau = (\bar\delta(1) + \bar\delta(0) + \bar\zeta(1) + \bar\zeta(0))/2` and the
proportions mediated :math:`\bar\delta(t)/\bar\tau`, for a linear, probit or logit mediator
model and a linear, probit or logit outcome model, optionally with a treatment-mediator
interaction in the outcome model, and the test of :math:`\bar\delta(1) = \bar\delta(0)`.

It follows R ``mediation::mediate`` (version 4.5.1, ``R/mediate.R``) and ``test.TMint``
(``R/medtests.R``):

Quasi-Bayesian Monte Carlo (``method="quasi_bayesian"``, Imai, Keele and Tingley 2010,
algorithm 1; King, Tomz and Wittenberg 2000)
    Draw ``sims`` coefficient vectors of each model from
    :math:`N(\hat\beta, \hat V)` (``classical``, ``hc3`` or ``cluster`` covariance). For draw
    :math:`j`, simulate the mediator of every observation under both treatment values:
    linear, :math:`M_i(t) = x_i(t)'\beta_j + \epsilon_{ij}` with one
    :math:`\epsilon_{ij} \sim N(0, \hat\sigma^2)` shared by :math:`t_0` and :math:`t_1`;
    binary, independent :math:`M_i(t) \sim \text{Bernoulli}(F(x_i(t)'\beta_j))`. Predict
    the outcome's mean :math:`g^{-1}(\eta)` at the four combinations of treatment and
    simulated mediator and average the differences over observations. Estimates are the
    means of the draws (proportions mediated: medians), intervals their quantiles.
Nonparametric bootstrap (``method="bootstrap"``)
    Resample observations (clusters, when ``cluster`` is set: an extension; R ignores
    ``cluster`` with ``boot=TRUE``), refit both models, simulate one mediator draw per
    observation at the refitted coefficients and compute the four effects. The estimate is
    the same computation on the original data; intervals are percentile intervals.
p-values
    :math:`\min(1, 2\min(\#\{x_j > 0\}, \#\{x_j < 0\})/\text{sims})` over the draws (R's
    ``pval``), 1 if the estimate is exactly 0.

Random numbers come from ``numpy.random.default_rng(seed)``, so draws differ from R's; the
estimates agree within Monte Carlo error (see ``docs/methods/mechanisms.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from govcluster.errors import EstimationError
from govcluster.mediation.nonlinear_models import (
    CovarianceType,
    ModelFamily,
    check_binary,
    design_matrix,
    fit_model,
    fit_point,
    inverse_link,
)
from govcluster.panel.spec import check_option

Method = Literal["quasi_bayesian", "bootstrap"]

SCHEMA_VERSION = 1
KIND = "causal_mediation_nonlinear"

#: Quantities reported, in R ``summary.mediate`` order, with their English and Chinese labels.
QUANTITIES: dict[str, tuple[str, str]] = {
    "acme_control": ("ACME (control)", "平均因果中介效应（对照）"),
    "acme_treated": ("ACME (treated)", "平均因果中介效应（处理）"),
    "ade_control": ("ADE (control)", "平均直接效应（对照）"),
    "ade_treated": ("ADE (treated)", "平均直接效应（处理）"),
    "total": ("Total Effect", "总效应"),
    "prop_mediated_control": ("Prop. Mediated (control)", "中介比例（对照）"),
    "prop_mediated_treated": ("Prop. Mediated (treated)", "中介比例（处理）"),
    "acme_average": ("ACME (average)", "平均因果中介效应（平均）"),
    "ade_average": ("ADE (average)", "平均直接效应（平均）"),
    "prop_mediated_average": ("Prop. Mediated (average)", "中介比例（平均）"),
}


@dataclass(frozen=True, kw_only=True)
class TreatmentContrast:
    """The two treatment values compared, and how they were chosen.

    Use :meth:`binary`, :meth:`one_sd` or :meth:`values`; :func:`default_contrast` picks
    0 -> 1 for a 0/1 treatment and mean -> mean + 1 SD otherwise.
    """

    control_value: float
    treat_value: float
    rule: Literal["binary", "one_sd", "user"]

    def describe(self, treatment: str, language: Literal["en", "zh"] = "en") -> str:
        """One sentence for a table note."""
        c, t = f"{self.control_value:.4g}", f"{self.treat_value:.4g}"
        if language == "zh":
            rule = {
                "binary": "处理组与对照组之比较",
                "one_sd": "自均值提高一个标准差",
                "user": "用户设定的取值",
            }[self.rule]
            return f"处理对比：{treatment} 由 {c} 变为 {t}（{rule}）。"
        rule = {
            "binary": "treated versus control",
            "one_sd": "a one-standard-deviation increase from the mean",
            "user": "values set by the user",
        }[self.rule]
        return f"Treatment contrast: {treatment} from {c} to {t} ({rule})."


def default_contrast(
    values: pd.Series,
    *,
    control_value: float | None = None,
    treat_value: float | None = None,
) -> TreatmentContrast:
    """0 -> 1 for a 0/1 treatment, mean -> mean + SD for a continuous one, or user values."""
    if (control_value is None) != (treat_value is None):
        raise EstimationError(
            "set both control_value and treat_value (or neither, for the default contrast)."
        )
    if control_value is not None:
        if control_value == treat_value:
            raise EstimationError("control_value and treat_value are equal; nothing to compare.")
        return TreatmentContrast(
            control_value=float(control_value), treat_value=float(treat_value), rule="user"
        )
    v = pd.to_numeric(values, errors="coerce").dropna()
    if set(np.unique(v)) <= {0.0, 1.0}:
        return TreatmentContrast(control_value=0.0, treat_value=1.0, rule="binary")
    mean, sd = float(v.mean()), float(v.std(ddof=1))
    if not sd > 0:
        raise EstimationError("the treatment does not vary; there is no contrast to estimate.")
    return TreatmentContrast(control_value=mean, treat_value=mean + sd, rule="one_sd")


@dataclass(frozen=True, kw_only=True)
class NonlinearMediationSpec:
    """What :func:`causal_mediation` estimates.

    Parameters
    ----------
    treatment, mediator, outcome : str
        Columns.
    mediator_covariates, outcome_covariates : sequence of str
        Pre-treatment covariates of each model (text columns become dummies).
    mediator_model, outcome_model : {"linear", "probit", "logit"}
    interaction : bool
        Include treatment x mediator in the outcome model (R ``mediate`` then reports
        ``INT = TRUE``; :func:`causal_mediation` adds the ``test.TMint`` test).
    method : {"quasi_bayesian", "bootstrap"}
    sims : int
        Simulation draws or bootstrap replicates (R default 1000).
    cov_type : {"classical", "hc3", "cluster"}
        Covariance of the quasi-Bayesian draws (ignored by the bootstrap, as in R).
    cluster : str, optional
        Cluster column (``cov_type="cluster"``; with the bootstrap, clusters are resampled).
    control_value, treat_value : float, optional
        Treatment contrast; default 0 -> 1 for 0/1 treatments, mean -> mean + 1 SD otherwise.
    level : float
        Confidence level.
    """

    treatment: str
    mediator: str
    outcome: str
    mediator_covariates: Sequence[str] = ()
    outcome_covariates: Sequence[str] = ()
    mediator_model: ModelFamily = "linear"
    outcome_model: ModelFamily = "linear"
    interaction: bool = False
    method: Method = "quasi_bayesian"
    sims: int = 1000
    cov_type: CovarianceType = "classical"
    cluster: str | None = None
    control_value: float | None = None
    treat_value: float | None = None
    level: float = 0.95

    def __post_init__(self) -> None:
        check_option(self.mediator_model, ModelFamily, "mediator_model")
        check_option(self.outcome_model, ModelFamily, "outcome_model")
        check_option(self.method, Method, "method")
        check_option(self.cov_type, CovarianceType, "cov_type")
        object.__setattr__(self, "mediator_covariates", tuple(self.mediator_covariates))
        object.__setattr__(self, "outcome_covariates", tuple(self.outcome_covariates))
        if self.cov_type == "cluster" and not self.cluster:
            raise EstimationError("cov_type='cluster' needs cluster=<column>.")
        if int(self.sims) < 2:
            raise EstimationError(f"sims={self.sims!r}: use at least 2 (R's default is 1000).")
        if not 0 < self.level < 1:
            raise EstimationError(f"level={self.level!r} must be between 0 and 1.")
        roles = {"treatment": self.treatment, "mediator": self.mediator, "outcome": self.outcome}
        if len(set(roles.values())) < 3:
            raise EstimationError(f"treatment, mediator and outcome must differ; got {roles}.")

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of the specification, covariate tuples as lists."""
        out = asdict(self)
        out["mediator_covariates"] = list(self.mediator_covariates)
        out["outcome_covariates"] = list(self.outcome_covariates)
        return out


@dataclass(frozen=True)
class EffectEstimate:
    """One quantity: estimate, percentile interval and p-value."""

    estimate: float
    ci_lower: float
    ci_upper: float
    p_value: float


@dataclass(frozen=True)
class NonlinearMediationResult:
    """Result of :func:`causal_mediation`.

    Attributes
    ----------
    spec : NonlinearMediationSpec
    contrast : TreatmentContrast
    effects : dict of str to EffectEstimate
        Keys of :data:`QUANTITIES`.
    interaction_test : EffectEstimate or None
        ``test.TMint``: ACME(treated) - ACME(control), its interval and p-value (only with
        ``interaction=True``).
    n_obs : int
    sims : int
    seed : int
    draws : dict of str to ndarray
        Simulation draws of ``d1, d0, z1, z0`` (not stored by :meth:`to_dict`).
    """

    spec: NonlinearMediationSpec
    contrast: TreatmentContrast
    effects: dict[str, EffectEstimate]
    interaction_test: EffectEstimate | None
    n_obs: int
    sims: int
    seed: int
    draws: dict[str, np.ndarray] = field(repr=False, compare=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able record."""
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": KIND,
            "spec": self.spec.to_dict(),
            "contrast": asdict(self.contrast),
            "effects": {k: asdict(v) for k, v in self.effects.items()},
            "interaction_test": None
            if self.interaction_test is None
            else asdict(self.interaction_test),
            "n_obs": self.n_obs,
            "sims": self.sims,
            "seed": self.seed,
        }

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> NonlinearMediationResult:
        """Rebuild from :meth:`to_dict` output (checks ``kind`` and version)."""
        if record.get("kind") != KIND:
            raise ValueError(f"record kind is {record.get('kind')!r}, expected {KIND!r}.")
        if record.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(
                f"{KIND} record has schema_version {record.get('schema_version')!r}; this "
                f"version reads {SCHEMA_VERSION}. Re-run the step that wrote it."
            )
        it = record["interaction_test"]
        return cls(
            spec=NonlinearMediationSpec(**record["spec"]),
            contrast=TreatmentContrast(**record["contrast"]),
            effects={k: EffectEstimate(**v) for k, v in record["effects"].items()},
            interaction_test=None if it is None else EffectEstimate(**it),
            n_obs=record["n_obs"],
            sims=record["sims"],
            seed=record["seed"],
        )

    def to_frame(self, language: Literal["en", "zh"] = "en") -> pd.DataFrame:
        """Table in R ``summary.mediate`` order, labelled in English or Chinese."""
        idx = 0 if language == "en" else 1
        rows = [{"quantity": QUANTITIES[k][idx], **asdict(v)} for k, v in self.effects.items()]
        return pd.DataFrame(rows)


def r_pvalue(draws: np.ndarray, estimate: float) -> float:
    """R ``mediation``'s p-value: twice the smaller share of draws on one side of zero."""
    if estimate == 0:
        return 1.0
    out = 2 * min(np.sum(draws > 0), np.sum(draws < 0)) / len(draws)
    return float(min(out, 1.0))


def _prepare(data: pd.DataFrame, spec: NonlinearMediationSpec) -> pd.DataFrame:
    needed = [
        spec.treatment,
        spec.mediator,
        spec.outcome,
        *spec.mediator_covariates,
        *spec.outcome_covariates,
    ]
    if spec.cluster:
        needed.append(spec.cluster)
    needed = list(dict.fromkeys(needed))
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise EstimationError(
            f"column(s) {', '.join(missing)} not in the data; available: "
            f"{', '.join(map(str, data.columns[:25]))}."
        )
    used = data[needed].dropna()
    if len(used) < 10:
        raise EstimationError(f"only {len(used)} complete rows for the mediation models.")
    for column, role in ((spec.treatment, "treatment"),):
        if not pd.api.types.is_numeric_dtype(used[column]):
            raise EstimationError(f"{role} column {column!r} must be numeric.")
    if spec.mediator_model != "linear":
        check_binary(used[spec.mediator], column=spec.mediator, role="mediator")
    if spec.outcome_model != "linear":
        check_binary(used[spec.outcome], column=spec.outcome, role="outcome")
    return used.reset_index(drop=True)


@dataclass(frozen=True)
class _Designs:
    """Design matrices; the treatment (and mediator) columns are set per counterfactual."""

    Xm: np.ndarray
    Xy: np.ndarray
    m_treat_col: int
    y_med_col: int
    y_treat_col: int
    y_inter_col: int | None
    names_m: list[str]
    names_y: list[str]


def _designs(used: pd.DataFrame, spec: NonlinearMediationSpec) -> _Designs:
    Xm, names_m = design_matrix(used, [spec.treatment, *spec.mediator_covariates])
    Xy, names_y = design_matrix(used, [spec.mediator, spec.treatment, *spec.outcome_covariates])
    inter = None
    if spec.interaction:
        prod = (used[spec.mediator] * used[spec.treatment]).to_numpy(dtype=float)
        Xy = np.column_stack([Xy[:, :3], prod, Xy[:, 3:]])
        names_y = [*names_y[:3], f"{spec.mediator}:{spec.treatment}", *names_y[3:]]
        inter = 3
    return _Designs(Xm, Xy, 1, 1, 2, inter, names_m, names_y)


def _effects(
    beta_m: np.ndarray,
    beta_y: np.ndarray,
    sigma_m: np.ndarray,
    d: _Designs,
    spec: NonlinearMediationSpec,
    contrast: TreatmentContrast,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """The four average effects for each of ``S`` coefficient draws (rows of ``beta_*``).

    Vectorised over draws and observations: arrays of shape (S, n).
    """
    t0, t1 = contrast.control_value, contrast.treat_value
    # Mediator linear predictor without the treatment term, then with each treatment value.
    bt = beta_m[:, d.m_treat_col][:, None]
    other_m = np.delete(beta_m, d.m_treat_col, axis=1) @ np.delete(d.Xm, d.m_treat_col, axis=1).T
    eta_m1, eta_m0 = other_m + bt * t1, other_m + bt * t0
    S, n = eta_m1.shape
    if spec.mediator_model == "linear":
        err = rng.normal(0.0, 1.0, size=(S, n)) * sigma_m[:, None]
        m1, m0 = eta_m1 + err, eta_m0 + err
    else:
        p1 = inverse_link(spec.mediator_model, eta_m1)
        p0 = inverse_link(spec.mediator_model, eta_m0)
        m1 = (rng.random((S, n)) < p1).astype(float)
        m0 = (rng.random((S, n)) < p0).astype(float)
    fixed_cols = [
        j for j in range(d.Xy.shape[1]) if j not in (d.y_med_col, d.y_treat_col, d.y_inter_col)
    ]
    base_y = beta_y[:, fixed_cols] @ d.Xy[:, fixed_cols].T  # (S, n)
    g_m = beta_y[:, d.y_med_col][:, None]
    g_t = beta_y[:, d.y_treat_col][:, None]
    g_tm = beta_y[:, d.y_inter_col][:, None] if d.y_inter_col is not None else 0.0

    def mean_y(t: float, m: np.ndarray) -> np.ndarray:
        return inverse_link(spec.outcome_model, base_y + g_m * m + g_t * t + g_tm * t * m)

    y11, y10 = mean_y(t1, m1), mean_y(t1, m0)
    y01, y00 = mean_y(t0, m1), mean_y(t0, m0)
    return {
        "d1": (y11 - y10).mean(axis=1),
        "d0": (y01 - y00).mean(axis=1),
        "z1": (y11 - y01).mean(axis=1),
        "z0": (y10 - y00).mean(axis=1),
    }


def causal_mediation(
    data: pd.DataFrame, spec: NonlinearMediationSpec, *, seed: int
) -> NonlinearMediationResult:
    """Causal mediation analysis with linear, probit or logit models (R ``mediate``).

    Parameters
    ----------
    data : DataFrame
        One row per unit; rows with a missing value in a used column are dropped.
    spec : NonlinearMediationSpec
    seed : int
        Seed of every random draw (coefficients, mediators, resamples).

    Returns
    -------
    NonlinearMediationResult

    Raises
    ------
    EstimationError
        Missing columns; a binary (probit/logit) model whose variable is not 0/1 (the error
        names the column and the offending values); collinear designs; non-convergence.
    """
    if not isinstance(spec, NonlinearMediationSpec):
        raise EstimationError("spec must be a NonlinearMediationSpec.")
    used = _prepare(data, spec)
    contrast = default_contrast(
        used[spec.treatment], control_value=spec.control_value, treat_value=spec.treat_value
    )
    d = _designs(used, spec)
    m = used[spec.mediator].to_numpy(dtype=float)
    y = used[spec.outcome].to_numpy(dtype=float)
    clusters = used[spec.cluster].to_numpy() if spec.cluster else None
    rng = np.random.default_rng(seed)
    sims = int(spec.sims)

    if spec.method == "quasi_bayesian":
        fm = fit_model(
            d.Xm,
            m,
            family=spec.mediator_model,
            names=d.names_m,
            cov_type=spec.cov_type,
            clusters=clusters,
        )
        fy = fit_model(
            d.Xy,
            y,
            family=spec.outcome_model,
            names=d.names_y,
            cov_type=spec.cov_type,
            clusters=clusters,
        )
        beta_m = rng.multivariate_normal(fm.params, fm.cov, size=sims, method="eigh")
        beta_y = rng.multivariate_normal(fy.params, fy.cov, size=sims, method="eigh")
        draws = _effects(beta_m, beta_y, np.full(sims, fm.sigma), d, spec, contrast, rng)
        point = {k: float(np.mean(v)) for k, v in draws.items()}
        tau_draws = (draws["d1"] + draws["d0"] + draws["z1"] + draws["z0"]) / 2
        with np.errstate(divide="ignore", invalid="ignore"):
            nu0, nu1 = draws["d0"] / tau_draws, draws["d1"] / tau_draws
        tau = float(np.mean(tau_draws))
        n0, n1 = float(np.median(nu0)), float(np.median(nu1))
    else:
        draws = _bootstrap(d, m, y, spec, contrast, rng, clusters)
        original = _effects(*_refit(d, m, y, spec, np.arange(len(y))), d, spec, contrast, rng)
        point = {k: float(v[0]) for k, v in original.items()}
        tau_draws = (draws["d1"] + draws["d0"] + draws["z1"] + draws["z0"]) / 2
        with np.errstate(divide="ignore", invalid="ignore"):
            nu0, nu1 = draws["d0"] / tau_draws, draws["d1"] / tau_draws
        tau = (point["d1"] + point["d0"] + point["z1"] + point["z0"]) / 2
        n0, n1 = point["d0"] / tau, point["d1"] / tau

    low, high = (1 - spec.level) / 2, 1 - (1 - spec.level) / 2

    def summarise(x: np.ndarray, est: float) -> EffectEstimate:
        lo, hi = np.nanquantile(x, [low, high])
        return EffectEstimate(float(est), float(lo), float(hi), r_pvalue(x, est))

    d_avg = (draws["d1"] + draws["d0"]) / 2
    z_avg = (draws["z1"] + draws["z0"]) / 2
    effects = {
        "acme_control": summarise(draws["d0"], point["d0"]),
        "acme_treated": summarise(draws["d1"], point["d1"]),
        "ade_control": summarise(draws["z0"], point["z0"]),
        "ade_treated": summarise(draws["z1"], point["z1"]),
        "total": summarise(tau_draws, tau),
        "prop_mediated_control": summarise(nu0, n0),
        "prop_mediated_treated": summarise(nu1, n1),
        "acme_average": summarise(d_avg, (point["d0"] + point["d1"]) / 2),
        "ade_average": summarise(z_avg, (point["z0"] + point["z1"]) / 2),
        "prop_mediated_average": summarise((nu0 + nu1) / 2, (n0 + n1) / 2),
    }
    interaction_test = None
    if spec.interaction:
        interaction_test = summarise(draws["d1"] - draws["d0"], point["d1"] - point["d0"])
    return NonlinearMediationResult(
        spec=spec,
        contrast=contrast,
        effects=effects,
        interaction_test=interaction_test,
        n_obs=len(y),
        sims=sims,
        seed=int(seed),
        draws=draws,
    )


def _refit(
    d: _Designs,
    m: np.ndarray,
    y: np.ndarray,
    spec: NonlinearMediationSpec,
    index: np.ndarray,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Refit both models on rows ``index``; return one-row coefficient arrays and sigma."""
    sm_, sy = (None, None) if start is None else start
    bm, sigma = fit_point(d.Xm[index], m[index], family=spec.mediator_model, start=sm_)
    by, _ = fit_point(d.Xy[index], y[index], family=spec.outcome_model, start=sy)
    return bm[None, :], by[None, :], np.array([sigma])


def _bootstrap(
    d: _Designs,
    m: np.ndarray,
    y: np.ndarray,
    spec: NonlinearMediationSpec,
    contrast: TreatmentContrast,
    rng: np.random.Generator,
    clusters: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """Nonparametric (cluster) bootstrap replicates of the four effects.

    As R's ``med.fun``, each replicate refits both models on the resampled rows and
    evaluates the effects over the resampled rows with one simulated mediator per row.
    """
    n = len(y)
    if clusters is not None:
        codes = pd.factorize(pd.Series(clusters))[0]
        members = [np.flatnonzero(codes == g) for g in range(codes.max() + 1)]
    full_m, full_y, _ = _refit(d, m, y, spec, np.arange(n))
    start = (full_m[0], full_y[0])
    out: dict[str, list[float]] = {"d1": [], "d0": [], "z1": [], "z0": []}
    for _ in range(int(spec.sims)):
        if clusters is None:
            index = rng.integers(0, n, size=n)
        else:
            picked = rng.integers(0, len(members), size=len(members))
            index = np.concatenate([members[g] for g in picked])
        sub = _Designs(
            d.Xm[index],
            d.Xy[index],
            d.m_treat_col,
            d.y_med_col,
            d.y_treat_col,
            d.y_inter_col,
            d.names_m,
            d.names_y,
        )
        try:
            coefs = _refit(d, m, y, spec, index, start)
        except (np.linalg.LinAlgError, ValueError) as exc:
            raise EstimationError(
                f"a bootstrap replicate could not be fitted ({exc}); the binary variable may "
                "be too rare for resampling. Use method='quasi_bayesian' or more data."
            ) from exc
        eff = _effects(*coefs, sub, spec, contrast, rng)
        for k in out:
            out[k].append(float(eff[k][0]))
    return {k: np.asarray(v) for k, v in out.items()}
