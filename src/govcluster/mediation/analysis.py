"""Panel mediation analysis: the one entry point, :func:`panel_mediation`."""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from govcluster.columns import ENTITY, TIME
from govcluster.core.options import check_option
from govcluster.errors import EstimationError, FewClustersWarning, GovclusterWarning
from govcluster.mediation import inference as inf
from govcluster.mediation.bootstrap import (
    DRAW_BLOCK,
    MC_STREAM,
    BootstrapDraws,
    rng_for,
    run_bootstrap,
    run_jackknife,
)
from govcluster.mediation.causal import causal_mediation
from govcluster.mediation.crossprod import (
    TOTAL,
    contrast_pairs,
    statistic_names,
    statistics_matrix,
)
from govcluster.mediation.design import (
    Effects,
    PanelDesign,
    build_design,
    entity_crossproducts,
)
from govcluster.mediation.identification import IdentificationResult, identification_analysis
from govcluster.mediation.paths import PathFit, fit_paths
from govcluster.mediation.results import (
    BootstrapInfo,
    CIMethod,
    MediationResults,
    MediationSpec,
    SampleInfo,
)
from govcluster.mediation.stepwise import wen_ye_stepwise

#: Fewer entities than this triggers a FewClustersWarning.
FEW_CLUSTERS = 30
#: Smallest number of bootstrap replicates accepted.
MIN_BOOT = 20
DEFAULT_RHO_GRID = tuple(np.round(np.arange(-0.95, 0.951, 0.05), 2).tolist())


class DegenerateReplicatesWarning(GovclusterWarning):
    """Some bootstrap replicates could not identify a reported coefficient."""


def _check_int(name: str, value: object, minimum: int) -> int:
    """``value`` as an int; raises :class:`EstimationError` unless an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise EstimationError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def panel_mediation(
    data: pd.DataFrame,
    *,
    treatment: str,
    mediators: Sequence[str],
    outcome: str,
    controls: Sequence[str] = (),
    entity: str = ENTITY,
    time: str = TIME,
    effects: Effects = "twoway",
    instruments: Sequence[str] = (),
    n_boot: int = 2000,
    seed: int,
    ci_level: float = 0.95,
    ci_method: CIMethod = "percentile",
    n_mc: int = 20_000,
    rho_grid: Sequence[float] = DEFAULT_RHO_GRID,
    block_size: int = 1000,
) -> MediationResults:
    r"""Mediation analysis on a panel with fixed effects and an entity-cluster bootstrap.

    Each mediator is analysed alone and all of them together as parallel mediators.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per entity and period.
    treatment : str
        Treatment column ``T`` (e.g. ``"GOV"``).
    mediators : sequence of str
        Mediator columns ``M_1..M_K``.
    outcome : str
        Outcome column ``Y`` (e.g. ``"SCA"``).
    controls : sequence of str, optional
        Control columns, in every equation. Controls absorbed by the fixed effects are omitted
        (listed in ``sample.omitted``).
    entity, time : str, optional
        Panel identifiers; default ``"cluster_id"`` and ``"year"``.
    effects : {"twoway", "entity", "none"}, optional
        Entity and year fixed effects (default), entity effects, or pooled OLS with a constant.
    instruments : sequence of str, optional
        Excluded instruments for the treatment; adds the within-2SLS effects of ``T`` on each
        mechanism and the first-stage F to ``identification``.
    n_boot : int, optional
        Cluster-bootstrap replicates (default 2000, at least 20).
    seed : int
        Seed of every random draw (bootstrap counts and Monte Carlo interval).
    ci_level : float, optional
        Confidence level (default 0.95); significance level of the tests is ``1 - ci_level``.
    ci_method : {"percentile", "bca"}, optional
        Bootstrap interval reported in the tables and used by the stepwise procedure. The
        default is the percentile interval: bias-corrected intervals (BC, BCa) have an inflated
        type I error for an indirect effect when one of its paths is zero and the other is not
        (Fritz, Taylor and MacKinnon 2012, Multivariate Behavioral Research 47(1)), which is
        exactly the case of a mechanism the treatment does not move. Both intervals are always
        in ``inference``.
    n_mc : int, optional
        Draws of the Monte Carlo interval (default 20000).
    rho_grid : sequence of float, optional
        Values of the error correlation for the sensitivity curves (in (-1, 1)).
    block_size : int, optional
        Bootstrap replicates held in memory at once; does not change any result.

    Returns
    -------
    MediationResults

    Raises
    ------
    EstimationError
        Invalid options or data (see :func:`govcluster.mediation.design.build_design`), or more
        than half of the bootstrap replicates degenerate.

    Warns
    -----
    FewClustersWarning
        Fewer than 30 entities.
    DegenerateReplicatesWarning
        Some bootstrap replicates were degenerate (they are counted and excluded).

    Notes
    -----
    Models, after the fixed effects (``X`` = controls, and year dummies for two-way effects):

    .. math::

        M_k &= a_k T + X\gamma_k + e_k, \\
        Y &= c'T + \textstyle\sum_k b_k M_k + X\gamma + e \quad\text{(parallel)}, \\
        Y &= c\,T + X\gamma_0 + e_0 \quad\text{(total)},

    and with one mediator at a time :math:`Y = c'_kT + b^s_kM_k + X\gamma^s_k + e^s_k`.
    Specific indirect effects :math:`a_kb_k`, total indirect effect :math:`\sum_k a_kb_k`
    (equal to :math:`c - c'` in the sample), contrasts :math:`a_jb_j - a_kb_k`, proportions
    mediated (indirect over :math:`c`). Standard errors: :mod:`govcluster.mediation.paths`;
    tests and intervals: :mod:`govcluster.mediation.inference`; bootstrap:
    :mod:`govcluster.mediation.bootstrap`; verdicts: :mod:`govcluster.mediation.stepwise`;
    primary mechanism evidence: :mod:`govcluster.mediation.identification`; causal mediation
    and sensitivity: :mod:`govcluster.mediation.causal`.

    Examples
    --------
    >>> res = panel_mediation(df, treatment="GOV", mediators=["OPEN", "COOP"], outcome="SCA",
    ...                       controls=["ln_employment"], seed=20240601)  # doctest: +SKIP
    >>> res.indirect  # doctest: +SKIP
    """
    spec = _checked_spec(
        treatment=treatment,
        mediators=mediators,
        outcome=outcome,
        controls=controls,
        entity=entity,
        time=time,
        effects=effects,
        instruments=instruments,
        n_boot=n_boot,
        seed=seed,
        ci_level=ci_level,
        ci_method=ci_method,
        n_mc=n_mc,
        rho_grid=rho_grid,
        block_size=block_size,
    )
    design = build_design(
        data,
        treatment=treatment,
        mediators=spec.mediators,
        outcome=outcome,
        controls=spec.controls,
        entity=entity,
        time=time,
        effects=effects,
        instruments=spec.instruments,
    )
    _warn_if_few_clusters(design)
    mediator_names = design.mediators
    xp = entity_crossproducts(design.matrix, design.entity_codes, design.n_entities)
    fit = fit_paths(design, xp.sum(axis=0))
    names = statistic_names(mediator_names)
    draws = _bootstrap_draws(xp, design, spec)
    jk, jk_deg = run_jackknife(
        xp, p=design.n_columns, n_mediators=design.n_mediators, block_size=spec.block_size
    )
    valid = draws.stats[~draws.degenerate]
    summary = _summarise_bootstrap(names, statistics_matrix(fit.solution)[0], valid, jk, spec=spec)
    ptab = fit.table(spec.ci_level)
    indirect, contrasts, proportion = _indirect_effect_tables(summary, mediator_names)
    inference_table = _inference_table(
        fit=fit,
        ptab=ptab,
        mediators=mediator_names,
        theta=summary.theta,
        col=summary.col,
        sd=summary.sd,
        boot_ci=summary.intervals,
        ci_level=spec.ci_level,
        n_mc=spec.n_mc,
        seed=spec.seed,
    )
    boot_stats, boot_indirect, jackknife = _replicate_frames(
        draws.stats, jk, names, design, entity=entity
    )
    return MediationResults(
        spec=spec,
        sample=_sample_info(design),
        identification=_identification(design, fit, ptab, ci_level=spec.ci_level),
        paths=_paths_table(fit, mediator_names, spec.ci_level),
        indirect=indirect,
        contrasts=contrasts,
        proportion=proportion,
        single=_single_mediator_table(summary, ptab, mediator_names),
        inference=inference_table,
        stepwise=_stepwise_decisions(summary, ptab, mediator_names, alpha=1.0 - spec.ci_level),
        causal=_causal_effects(summary, fit, valid, mediator_names, spec=spec),
        bootstrap=_bootstrap_info(draws, jk_deg, spec),
        boot=boot_indirect,
        boot_stats=boot_stats,
        jackknife=jackknife,
    )


def _checked_spec(
    *,
    treatment: str,
    mediators: Sequence[str],
    outcome: str,
    controls: Sequence[str],
    entity: str,
    time: str,
    effects: Effects,
    instruments: Sequence[str],
    n_boot: int,
    seed: int,
    ci_level: float,
    ci_method: CIMethod,
    n_mc: int,
    rho_grid: Sequence[float],
    block_size: int,
) -> MediationSpec:
    """Check the options of :func:`panel_mediation` and record them.

    Returns
    -------
    MediationSpec

    Raises
    ------
    EstimationError
        An option outside its allowed values (named, with the allowed values).
    """
    check_option(effects, Effects, name="effects")
    check_option(ci_method, CIMethod, name="ci_method")
    n_boot = _check_int("n_boot", n_boot, MIN_BOOT)
    seed = _check_int("seed", seed, 0)
    n_mc = _check_int("n_mc", n_mc, 1000)
    block_size = _check_int("block_size", block_size, 1)
    if (
        isinstance(ci_level, bool)
        or not isinstance(ci_level, numbers.Real)
        or not (0.5 <= float(ci_level) < 1.0)
    ):
        raise EstimationError(f"ci_level must be a number in [0.5, 1), got {ci_level!r}.")
    if isinstance(mediators, str):
        raise EstimationError(
            f"mediators must be a list of column names, got the string {mediators!r}; "
            f"write mediators=[{mediators!r}]."
        )
    grid = np.asarray(list(rho_grid), dtype=float)
    if grid.size == 0 or not (np.abs(grid) < 1).all():
        raise EstimationError("rho_grid must hold values strictly between -1 and 1.")
    return MediationSpec(
        treatment=treatment,
        mediators=tuple(mediators),
        outcome=outcome,
        controls=tuple(controls),
        entity=entity,
        time=time,
        effects=effects,
        instruments=tuple(instruments),
        n_boot=n_boot,
        seed=seed,
        ci_level=float(ci_level),
        ci_method=ci_method,
        n_mc=n_mc,
        rho_grid=tuple(float(r) for r in grid),
        block_size=block_size,
    )


def _warn_if_few_clusters(design: PanelDesign) -> None:
    """Issue a :class:`FewClustersWarning` below :data:`FEW_CLUSTERS` entities."""
    if design.n_entities < FEW_CLUSTERS:
        warnings.warn(
            f"only {design.n_entities} entities: entity-clustered standard errors and the "
            "cluster bootstrap are unreliable with fewer than "
            f"{FEW_CLUSTERS} clusters; interpret the intervals with care.",
            FewClustersWarning,
            stacklevel=3,
        )


def _bootstrap_draws(xp: np.ndarray, design: PanelDesign, spec: MediationSpec) -> BootstrapDraws:
    """Entity-cluster bootstrap replicates, with the degenerate ones counted.

    Raises
    ------
    EstimationError
        More than half of the replicates are degenerate.

    Warns
    -----
    DegenerateReplicatesWarning
        Some replicates are degenerate (they are excluded from the intervals).
    """
    n_boot = spec.n_boot
    draws = run_bootstrap(
        xp,
        p=design.n_columns,
        n_mediators=design.n_mediators,
        n_boot=n_boot,
        seed=spec.seed,
        block_size=spec.block_size,
    )
    n_deg = int(draws.degenerate.sum())
    if n_deg > n_boot // 2:
        raise EstimationError(
            f"{n_deg} of {n_boot} bootstrap replicates are degenerate (the treatment or a "
            "mediator has no within variation among the drawn entities); too few entities "
            "carry the identifying variation for a cluster bootstrap."
        )
    if n_deg:
        warnings.warn(
            f"{n_deg} of {n_boot} bootstrap replicates are degenerate (a reported coefficient "
            "is not identified in them); they are excluded from the intervals and listed in "
            "bootstrap.degenerate_replicates.",
            DegenerateReplicatesWarning,
            stacklevel=3,
        )
    return draws


@dataclass(frozen=True)
class _BootstrapSummary:
    """Full-sample statistics with their bootstrap standard errors, intervals and p-values.

    Attributes
    ----------
    theta : numpy.ndarray
        Full-sample value of every statistic of :func:`statistic_names`.
    col : dict of str to int
        Position of each statistic.
    sd : numpy.ndarray
        Bootstrap standard deviation (ddof 1) over the valid replicates.
    intervals : dict
        ``{"percentile": (lower, upper, pvalue), "bca": (...)}``.
    lower, upper, pvalue : numpy.ndarray
        Those of the reported method (``spec.ci_method``).
    """

    theta: np.ndarray
    col: dict[str, int]
    sd: np.ndarray
    intervals: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
    lower: np.ndarray
    upper: np.ndarray
    pvalue: np.ndarray

    def row(self, name: str) -> dict[str, float]:
        """Estimate, se, ci_lower, ci_upper and pvalue of the statistic ``name``."""
        j = self.col[name]
        return {
            "estimate": self.theta[j],
            "se": self.sd[j],
            "ci_lower": self.lower[j],
            "ci_upper": self.upper[j],
            "pvalue": self.pvalue[j],
        }

    def interval(self, name: str) -> tuple[float, float]:
        """Reported interval of the statistic ``name``."""
        j = self.col[name]
        return (self.lower[j], self.upper[j])


def _summarise_bootstrap(
    names: Sequence[str],
    theta: np.ndarray,
    valid: np.ndarray,
    jk: np.ndarray,
    *,
    spec: MediationSpec,
) -> _BootstrapSummary:
    """Percentile and BCa intervals and p-values of every statistic.

    Parameters
    ----------
    names : sequence of str
        Statistic names (:func:`statistic_names`).
    theta : numpy.ndarray
        Full-sample statistics.
    valid : numpy.ndarray
        ``(n_valid, n_stats)`` statistics of the non-degenerate replicates.
    jk : numpy.ndarray
        Jackknife statistics (for the BCa acceleration).
    spec : MediationSpec

    Returns
    -------
    _BootstrapSummary
    """
    ci_level = spec.ci_level
    sd = np.nanstd(valid, axis=0, ddof=1) if valid.shape[0] > 1 else np.full(len(names), np.nan)
    pct_lo, pct_hi = inf.percentile_interval(valid, ci_level=ci_level)
    pct_p = inf.percentile_pvalue(valid)
    accel = inf.acceleration(jk)
    bca_lo, bca_hi, z0 = inf.bca_interval(valid, theta, accel, ci_level=ci_level)
    bca_p = inf.bca_pvalue(valid, z0, accel)
    intervals = {"percentile": (pct_lo, pct_hi, pct_p), "bca": (bca_lo, bca_hi, bca_p)}
    lo, hi, pv = intervals["bca" if spec.ci_method == "bca" else "percentile"]
    return _BootstrapSummary(
        theta=theta,
        col={name: j for j, name in enumerate(names)},
        sd=sd,
        intervals=intervals,
        lower=lo,
        upper=hi,
        pvalue=pv,
    )


def _indirect_effect_tables(
    summary: _BootstrapSummary, mediators: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Indirect effects (parallel model, with the total), their contrasts and proportions."""
    with_total = [*mediators, TOTAL]
    indirect = pd.DataFrame(
        [summary.row(f"indirect[{m}]") for m in with_total],
        index=pd.Index(with_total, name="mediator"),
    )
    pairs = contrast_pairs(mediators)
    contrast_labels = [f"{mediators[j]}-{mediators[k]}" for j, k in pairs]
    contrasts = pd.DataFrame(
        [summary.row(f"contrast[{c}]") for c in contrast_labels],
        index=pd.Index(contrast_labels, name="contrast"),
        columns=["estimate", "se", "ci_lower", "ci_upper", "pvalue"],
    )
    proportion = pd.DataFrame(
        [
            {k: v for k, v in summary.row(f"proportion[{m}]").items() if k not in ("se", "pvalue")}
            for m in with_total
        ],
        index=pd.Index(with_total, name="mediator"),
    )
    return indirect, contrasts, proportion


def _single_mediator_table(
    summary: _BootstrapSummary, ptab: pd.DataFrame, mediators: Sequence[str]
) -> pd.DataFrame:
    """Paths and indirect effect of each mediator analysed alone."""
    rows = []
    for m in mediators:
        row = summary.row(f"indirect_single[{m}]")
        rows.append(
            {
                "a": ptab.at[f"a[{m}]", "estimate"],
                "se_a": ptab.at[f"a[{m}]", "se"],
                "p_a": ptab.at[f"a[{m}]", "pvalue"],
                "b": ptab.at[f"b_single[{m}]", "estimate"],
                "se_b": ptab.at[f"b_single[{m}]", "se"],
                "p_b": ptab.at[f"b_single[{m}]", "pvalue"],
                "c_prime": ptab.at[f"c_prime_single[{m}]", "estimate"],
                "se_c_prime": ptab.at[f"c_prime_single[{m}]", "se"],
                "p_c_prime": ptab.at[f"c_prime_single[{m}]", "pvalue"],
                "indirect": row["estimate"],
                "se": row["se"],
                "ci_lower": row["ci_lower"],
                "ci_upper": row["ci_upper"],
                "pvalue": row["pvalue"],
                "proportion": summary.theta[summary.col[f"proportion_single[{m}]"]],
            }
        )
    return pd.DataFrame(rows, index=pd.Index(mediators, name="mediator"))


def _stepwise_decisions(
    summary: _BootstrapSummary, ptab: pd.DataFrame, mediators: Sequence[str], *, alpha: float
) -> tuple:
    """Wen-Ye stepwise verdict of every mediator, alone and in the parallel model."""
    decisions = []
    for model in ("single", "parallel"):
        for m in mediators:
            if model == "single":
                b_name, cp_name = f"b_single[{m}]", f"c_prime_single[{m}]"
                ind = f"indirect_single[{m}]"
            else:
                b_name, cp_name, ind = f"b[{m}]", "c_prime", f"indirect[{m}]"
            lower, upper = summary.interval(ind)
            decisions.append(
                wen_ye_stepwise(
                    mediator=m,
                    model=model,
                    c=ptab.at["c", "estimate"],
                    p_c=ptab.at["c", "pvalue"],
                    a=ptab.at[f"a[{m}]", "estimate"],
                    p_a=ptab.at[f"a[{m}]", "pvalue"],
                    b=ptab.at[b_name, "estimate"],
                    p_b=ptab.at[b_name, "pvalue"],
                    ci_lower=lower,
                    ci_upper=upper,
                    c_prime=ptab.at[cp_name, "estimate"],
                    p_c_prime=ptab.at[cp_name, "pvalue"],
                    alpha=alpha,
                )
            )
    return tuple(decisions)


def _identification(
    design: PanelDesign, fit: PathFit, ptab: pd.DataFrame, *, ci_level: float
) -> IdentificationResult:
    """Identification-first evidence from the fixed-effects ``a`` paths and ``c``."""
    fe_table = {}
    for name, coef in [*((m, f"a[{m}]") for m in design.mediators), (design.outcome, "c")]:
        fe_table[name] = tuple(
            float(ptab.at[coef, c]) for c in ("estimate", "se", "pvalue", "ci_lower", "ci_upper")
        )
    return identification_analysis(
        design, fe_table=fe_table, nuisance_coef=fit.nuisance_coef, ci_level=ci_level
    )


def _causal_effects(
    summary: _BootstrapSummary,
    fit: PathFit,
    valid: np.ndarray,
    mediators: Sequence[str],
    *,
    spec: MediationSpec,
) -> tuple:
    """Causal mediation effects and sensitivity curves of each mediator alone."""
    theta, col = summary.theta, summary.col
    grid = np.asarray(spec.rho_grid, dtype=float)
    causal = []
    for j, m in enumerate(mediators):
        intervals = {
            "acme": summary.interval(f"indirect_single[{m}]"),
            "ade": summary.interval(f"c_prime_single[{m}]"),
            "total": summary.interval("c"),
            "rho_tilde": summary.interval(f"rho_tilde[{m}]"),
        }
        causal.append(
            causal_mediation(
                mediator=m,
                acme=theta[col[f"indirect_single[{m}]"]],
                ade=theta[col[f"c_prime_single[{m}]"]],
                total=theta[col["c"]],
                beta2=theta[col[f"a[{m}]"]],
                sigma_ratio=theta[col[f"sigma_ratio[{m}]"]],
                rho_tilde=theta[col[f"rho_tilde[{m}]"]],
                r2_mediator=float(fit.r2_mediator[j]),
                r2_outcome=float(fit.r2_outcome_single[j]),
                rho_grid=grid,
                boot_beta2=valid[:, col[f"a[{m}]"]],
                boot_sigma_ratio=valid[:, col[f"sigma_ratio[{m}]"]],
                boot_rho_tilde=valid[:, col[f"rho_tilde[{m}]"]],
                intervals=intervals,
                ci_level=spec.ci_level,
            )
        )
    return tuple(causal)


def _sample_info(design: PanelDesign) -> SampleInfo:
    """The estimation sample as recorded in the results."""
    return SampleInfo(
        n_obs=design.n_obs,
        n_entities=design.n_entities,
        n_periods=design.n_periods,
        first_period=design.time_labels[0],
        last_period=design.time_labels[-1],
        balanced=design.balanced,
        n_dropped_missing=design.n_dropped_missing,
        n_singletons=design.n_singletons,
        nuisance=design.nuisance,
        controls_used=design.controls,
        omitted=design.omitted,
    )


def _bootstrap_info(
    draws: BootstrapDraws, jk_degenerate: np.ndarray, spec: MediationSpec
) -> BootstrapInfo:
    """Counts and settings of the bootstrap as recorded in the results."""
    n_deg = int(draws.degenerate.sum())
    return BootstrapInfo(
        n_boot=spec.n_boot,
        n_valid=int(spec.n_boot - n_deg),
        n_degenerate=n_deg,
        degenerate_replicates=tuple(int(i) for i in np.flatnonzero(draws.degenerate)),
        n_nuisance_deficient=int((draws.nuisance_deficient & ~draws.degenerate).sum()),
        n_jackknife_degenerate=int(jk_degenerate.sum()),
        draw_block=DRAW_BLOCK,
        block_size=spec.block_size,
        seed=spec.seed,
        ci_method=spec.ci_method,
        ci_level=spec.ci_level,
    )


def _replicate_frames(
    boot: np.ndarray, jk: np.ndarray, names: Sequence[str], design: PanelDesign, *, entity: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Bootstrap statistics, bootstrap indirect effects and jackknife statistics as frames."""
    mediators = design.mediators
    boot_stats = pd.DataFrame(boot, columns=pd.Index(names, name="statistic"))
    boot_stats.index.name = "replicate"
    boot_indirect = boot_stats[[f"indirect[{m}]" for m in mediators]].copy()
    boot_indirect.columns = pd.Index(mediators, name="mediator")
    jackknife = pd.DataFrame(
        jk,
        columns=pd.Index(names, name="statistic"),
        index=pd.Index(list(design.entity_labels), name=entity),
    )
    return boot_stats, boot_indirect, jackknife


def _paths_table(fit: PathFit, mediators: Sequence[str], ci_level: float) -> pd.DataFrame:
    """The ``a``, ``c``, ``c_prime`` and ``b`` paths with their model and mediator."""
    tab = fit.table(ci_level)
    rows = (
        [(f"a[{m}]", "a", m, "mediator") for m in mediators]
        + [("c", "c", "", "total"), ("c_prime", "c_prime", "", "parallel")]
        + [(f"b[{m}]", "b", m, "parallel") for m in mediators]
    )
    out = tab.loc[[r[0] for r in rows]].copy()
    out.insert(0, "model", [r[3] for r in rows])
    out.insert(0, "mediator", [r[2] for r in rows])
    out.insert(0, "path", [r[1] for r in rows])
    out.index.name = "name"
    return out


def _inference_table(
    *,
    fit: PathFit,
    ptab: pd.DataFrame,
    mediators: Sequence[str],
    theta: np.ndarray,
    col: dict[str, int],
    sd: np.ndarray,
    boot_ci: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
    ci_level: float,
    n_mc: int,
    seed: int,
) -> pd.DataFrame:
    """Long table of every test and interval of every indirect effect and contrast."""
    k = len(mediators)
    par_names = (
        [f"a[{m}]" for m in mediators]
        + [f"b[{m}]" for m in mediators]
        + [f"b_single[{m}]" for m in mediators]
    )
    idx = [fit.index(n) for n in par_names]
    mean = fit.estimates[idx]
    cov = fit.cov[np.ix_(idx, idx)]
    pairs = contrast_pairs(mediators)

    def effects_of(th: np.ndarray) -> np.ndarray:
        a, b, bs = th[:, :k], th[:, k : 2 * k], th[:, 2 * k :]
        ind = a * b
        parts = [ind, a * bs, ind.sum(axis=1, keepdims=True)]
        if pairs:
            parts.append(np.column_stack([ind[:, j] - ind[:, m] for j, m in pairs]))
        return np.hstack(parts)

    labels = (
        [(f"indirect[{m}]", "parallel", m) for m in mediators]
        + [(f"indirect_single[{m}]", "single", m) for m in mediators]
        + [(f"indirect[{TOTAL}]", "parallel", TOTAL)]
        + [
            (f"contrast[{pair}]", "parallel", pair)
            for pair in (f"{mediators[j]}-{mediators[m]}" for j, m in pairs)
        ]
    )
    grads = []
    for j in range(k):
        g = np.zeros(3 * k)
        g[j], g[k + j] = mean[k + j], mean[j]
        grads.append(g)
    for j in range(k):
        g = np.zeros(3 * k)
        g[j], g[2 * k + j] = mean[2 * k + j], mean[j]
        grads.append(g)
    grads.append(np.sum(grads[:k], axis=0))
    for j, m in pairs:
        grads.append(grads[j] - grads[m])

    mc = inf.monte_carlo_draws(mean, cov, effects_of, n_draws=n_mc, rng=rng_for(seed, MC_STREAM))
    mc_lo, mc_hi = inf.percentile_interval(mc, ci_level=ci_level)
    mc_p = inf.percentile_pvalue(mc)
    mc_sd = mc.std(axis=0, ddof=1)
    alpha = 1.0 - ci_level

    rows = []
    for pos, (name, model, label) in enumerate(labels):
        est = theta[col[name]]
        base = {"effect": name, "model": model, "mediator": label}
        is_product = pos < 2 * k
        if is_product:
            j = pos % k
            m = mediators[j]
            b_name = f"b[{m}]" if model == "parallel" else f"b_single[{m}]"
            a_, sa = ptab.at[f"a[{m}]", "estimate"], ptab.at[f"a[{m}]", "se"]
            b_, sb = ptab.at[b_name, "estimate"], ptab.at[b_name, "se"]
            for method, test in (
                ("sobel", inf.sobel_test(a_, sa, b_, sb, ci_level=ci_level)),
                ("aroian", inf.aroian_test(a_, sa, b_, sb, ci_level=ci_level)),
            ):
                rows.append(
                    {
                        **base,
                        "method": method,
                        "estimate": test.estimate,
                        "se": test.se,
                        "statistic": test.z,
                        "pvalue": test.pvalue,
                        "ci_lower": test.ci_lower,
                        "ci_upper": test.ci_upper,
                    }
                )
            p_joint, _ = inf.joint_significance(
                ptab.at[f"a[{m}]", "pvalue"], ptab.at[b_name, "pvalue"], alpha=alpha
            )
            rows.append(
                {
                    **base,
                    "method": "joint_significance",
                    "estimate": est,
                    "se": np.nan,
                    "statistic": np.nan,
                    "pvalue": p_joint,
                    "ci_lower": np.nan,
                    "ci_upper": np.nan,
                }
            )
        test = inf.delta_test(est, grads[pos], cov, ci_level=ci_level)
        rows.append(
            {
                **base,
                "method": "delta",
                "estimate": est,
                "se": test.se,
                "statistic": test.z,
                "pvalue": test.pvalue,
                "ci_lower": test.ci_lower,
                "ci_upper": test.ci_upper,
            }
        )
        rows.append(
            {
                **base,
                "method": "monte_carlo",
                "estimate": est,
                "se": mc_sd[pos],
                "statistic": np.nan,
                "pvalue": mc_p[pos],
                "ci_lower": mc_lo[pos],
                "ci_upper": mc_hi[pos],
            }
        )
        for method, (blo, bhi, bp) in boot_ci.items():
            c = col[name]
            rows.append(
                {
                    **base,
                    "method": method,
                    "estimate": est,
                    "se": sd[c],
                    "statistic": np.nan,
                    "pvalue": bp[c],
                    "ci_lower": blo[c],
                    "ci_upper": bhi[c],
                }
            )
    return pd.DataFrame(rows)
