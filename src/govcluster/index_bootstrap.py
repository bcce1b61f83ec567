r"""Cluster bootstrap in which every replicate re-estimates the index weights.

The mechanism and outcome indices are built with weights estimated from the same data (entropy
or principal components; :mod:`govcluster.indices`). The usual cluster bootstrap of the
mediation analysis and of the panel models treats the indices as data. Here each replicate
draws clusters with replacement (the same draws as the mediation bootstrap,
:func:`govcluster.mediation.bootstrap.draw_block_counts`, so replicate ``r`` of both is the same
resampled panel), re-estimates the weights of every index on the drawn clusters and then refits
the models. Both sets of intervals come from the same draws, so their ratio of widths is the
price of the estimated weights.

Design
------
Only the indices change between replicates, and they are affine in the raw indicators
(:mod:`govcluster.index_replicates`). Write the design of a model as
:math:`G = [V, N]`, core columns :math:`V` (treatment, mediators, outcome; or regressors and
outcome) and nuisance :math:`N`, after the within transformation. Replace every core column that
is an index by the raw indicators it is made of: :math:`G^e = [X^e, N]`, transformed the same way.
Then :math:`G^{(r)} = G^e L_r` with :math:`L_r` holding the replicate's slopes, and

.. math::

    A_r = \sum_i w_{ri}\, G_i^{(r)\prime} G_i^{(r)}
        = L_r' \Big(\sum_i w_{ri}\, G_i^{e\prime} G_i^e\Big) L_r ,

so a replicate costs one matrix product on stored per-cluster cross-products (as the usual
bootstrap), the replicate's slopes (:func:`govcluster.index_replicates.replicate_slopes`) and a
small congruence transform, never a pass through the indices or a refit on rows. The intercept of
an index drops out under entity effects (and is absorbed by the constant of a pooled model).
``tests/test_index_bootstrap.py`` compares replicates with a refit on the resampled panel whose
indices are rebuilt by :func:`govcluster.indices.build_analysis_panel`.

Scope: the constructs re-estimated are those among the core columns (treatment, mediators,
outcome; a panel model's regressors and outcome). A construct used as a control keeps its weights.
Clusters without a row in the estimation sample are never drawn, so they do not enter the
replicates' weights.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from govcluster.columns import ENTITY, TIME
from govcluster.core.absorb import demean, group_codes, year_dummies
from govcluster.errors import ConfigError, EstimationError
from govcluster.index_replicates import (
    IndexRecipe,
    entity_moments,
    recipe_from_config,
    replicate_slopes,
)
from govcluster.mediation.bootstrap import DRAW_BLOCK, core_reference, draw_block_counts
from govcluster.mediation.crossprod import (
    partial_out_nuisance,
    solve_crossproducts,
    statistic_names,
    statistics_matrix,
)
from govcluster.mediation.design import build_design, entity_crossproducts, unpack_symmetric
from govcluster.records.index_uncertainty import (
    SUMMARY_COLUMNS,
    TABLE_COLUMNS,
    IndexWeightUncertainty,
)

#: Mediation statistics reported (per mediator where bracketed).
MEDIATION_STATISTICS = ("a", "b", "indirect", "c", "c_prime", "indirect[TOTAL]")


@dataclass(frozen=True)
class CoreDesign:
    """A transformed design with core columns first, ready for reweighted cross-products.

    Attributes
    ----------
    matrix : (n, p) array
        Core columns, then nuisance columns (within-transformed when the model has entity
        effects).
    core_names : tuple of str
    n_nuisance : int
    entity_codes : (n,) int array
    entity_labels : tuple
    row_entity, row_time : (n,) arrays
    effects : {"twoway", "entity", "none"}
    """

    matrix: np.ndarray
    core_names: tuple[str, ...]
    n_nuisance: int
    entity_codes: np.ndarray
    entity_labels: tuple
    row_entity: np.ndarray
    row_time: np.ndarray
    effects: str

    @classmethod
    def from_mediation_design(cls, design: Any) -> CoreDesign:
        """The core view of a :class:`govcluster.mediation.design.PanelDesign`."""
        return cls(
            matrix=design.matrix,
            core_names=design.columns[: design.n_core],
            n_nuisance=design.n_columns - design.n_core,
            entity_codes=design.entity_codes,
            entity_labels=design.entity_labels,
            row_entity=design.row_entity,
            row_time=design.row_time,
            effects=design.effects,
        )

    @property
    def n_core(self) -> int:
        """Number of core columns."""
        return len(self.core_names)

    @property
    def n_entities(self) -> int:
        """Number of entities (clusters)."""
        return len(self.entity_labels)


@dataclass(frozen=True)
class ExpandedDesign:
    """:class:`CoreDesign` with every index column replaced by its raw indicators.

    Attributes
    ----------
    matrix : (n, p_e) array
        Expanded core columns, then the nuisance columns.
    source : tuple of (int, int or None)
        For each expanded core column: the core column it belongs to and, for an index, the
        position of the indicator in :attr:`IndexRecipe.indicator_columns` (None for a core
        column kept as it is).
    n_core : int
        Core columns of the original design.
    """

    matrix: np.ndarray
    source: tuple[tuple[int, int | None], ...]
    n_core: int

    @property
    def n_expanded_core(self) -> int:
        """Number of expanded core columns."""
        return len(self.source)

    @property
    def n_columns(self) -> int:
        """Number of columns of :attr:`matrix`."""
        return self.matrix.shape[1]


def _indicator_rows(
    indicators: pd.DataFrame, design: CoreDesign, columns: Sequence[str]
) -> np.ndarray:
    """Raw indicator values at the design's rows (matched on entity and period)."""
    keys = pd.DataFrame({ENTITY: design.row_entity, TIME: design.row_time})
    table = indicators[[ENTITY, TIME, *dict.fromkeys(columns)]]
    merged = keys.merge(table, on=[ENTITY, TIME], how="left", validate="one_to_one")
    values = merged[list(columns)].to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise EstimationError(
            "Some indicators are missing at rows of the estimation sample; the index weights "
            "cannot be re-estimated there. Check that the cleaned panel and the analysis panel "
            "come from the same run."
        )
    return values


def expand_design(
    design: CoreDesign, recipe: IndexRecipe, indicators: pd.DataFrame
) -> ExpandedDesign:
    """Replace each core column that is an index of ``recipe`` by its raw indicators.

    Parameters
    ----------
    design : CoreDesign
    recipe : IndexRecipe
        Constructs among ``design.core_names``.
    indicators : pandas.DataFrame
        The cleaned panel: entity, period and the indicator columns.

    Returns
    -------
    ExpandedDesign
    """
    by_name = {
        c.name: (c, block) for c, block in zip(recipe.constructs, recipe.blocks, strict=True)
    }
    columns: list[np.ndarray] = []
    source: list[tuple[int, int | None]] = []
    for k, name in enumerate(design.core_names):
        if name not in by_name:
            columns.append(design.matrix[:, [k]])
            source.append((k, None))
            continue
        construct, block = by_name[name]
        raw = _indicator_rows(indicators, design, construct.indicators)
        if design.effects != "none":
            raw = demean(raw, design.entity_codes, design.n_entities)
        columns.append(raw)
        source.extend((k, pos) for pos in range(block.start, block.stop))
    nuisance = design.matrix[:, design.n_core :]
    return ExpandedDesign(
        matrix=np.ascontiguousarray(np.hstack([*columns, nuisance])),
        source=tuple(source),
        n_core=design.n_core,
    )


def map_matrices(expanded: ExpandedDesign, slopes: np.ndarray) -> np.ndarray:
    """The maps :math:`L_r` from expanded columns to design columns.

    Returns
    -------
    (R, p_e, p) array
    """
    n_rep = slopes.shape[0]
    n_nuisance = expanded.n_columns - expanded.n_expanded_core
    p = expanded.n_core + n_nuisance
    maps = np.zeros((n_rep, expanded.n_columns, p))
    for row, (core, position) in enumerate(expanded.source):
        maps[:, row, core] = 1.0 if position is None else slopes[:, position]
    for j in range(n_nuisance):
        maps[:, expanded.n_expanded_core + j, expanded.n_core + j] = 1.0
    return maps


def index_moments(
    indicators: pd.DataFrame, recipe: IndexRecipe, entity_labels: Sequence[Any]
) -> Any:
    """Per-entity moments of the recipe's indicators over all rows of the design's entities."""
    positions = {label: i for i, label in enumerate(entity_labels)}
    codes = indicators[ENTITY].map(positions)
    keep = codes.notna().to_numpy()
    values = indicators.loc[keep, list(recipe.indicator_columns)].to_numpy(dtype=float)
    return entity_moments(values, codes[keep].to_numpy(dtype=np.int64), len(entity_labels))


@dataclass(frozen=True)
class ReplicateMatrices:
    """Cross-product matrices of one block of replicates under fixed and re-estimated weights."""

    fixed: np.ndarray
    reweighted: np.ndarray
    weights_undefined: np.ndarray


class ReweightedBootstrap:
    """Replicate cross-products of a design, with fixed and with re-estimated index weights.

    Parameters
    ----------
    design : CoreDesign
    recipe : IndexRecipe
    indicators : pandas.DataFrame
        The cleaned panel (entity, period, indicators).
    """

    def __init__(self, design: CoreDesign, recipe: IndexRecipe, indicators: pd.DataFrame):
        self.design = design
        self.recipe = recipe
        self.expanded = expand_design(design, recipe, indicators)
        codes, n = design.entity_codes, design.n_entities
        self.fixed_xp = entity_crossproducts(design.matrix, codes, n)
        self.expanded_xp = entity_crossproducts(self.expanded.matrix, codes, n)
        self.moments = index_moments(indicators, recipe, design.entity_labels)

    def matrices(self, counts: np.ndarray) -> ReplicateMatrices:
        """Cross-products of the replicates with entity ``counts`` (``(R, n_entities)``)."""
        counts = np.asarray(counts, dtype=float)
        p = self.design.matrix.shape[1]
        fixed = unpack_symmetric(counts @ self.fixed_xp, p)
        slopes = replicate_slopes(self.recipe, self.moments, counts)
        undefined = ~np.isfinite(slopes).all(axis=1)
        maps = map_matrices(self.expanded, np.where(undefined[:, None], 0.0, slopes))
        inner = unpack_symmetric(counts @ self.expanded_xp, self.expanded.n_columns)
        reweighted = np.matmul(maps.transpose(0, 2, 1), np.matmul(inner, maps))
        reweighted = 0.5 * (reweighted + reweighted.transpose(0, 2, 1))
        return ReplicateMatrices(fixed=fixed, reweighted=reweighted, weights_undefined=undefined)


# --------------------------------------------------------------------------- designs


def panel_core_design(
    data: pd.DataFrame,
    *,
    regressors: Sequence[str],
    controls: Sequence[str],
    outcome: str,
    effects: str,
) -> CoreDesign:
    """Design of a linear panel model ``outcome ~ regressors + controls`` with fixed effects.

    Core columns: the regressors, the controls, the outcome (so every slope is reported);
    nuisance: the constant (``effects="none"``) or the dummies of every period but the first
    (``"twoway"``). Rows with a missing value in a used column are dropped.
    """
    used = [*regressors, *controls, outcome]
    frame = data[[ENTITY, TIME, *used]].dropna().reset_index(drop=True)
    entity_codes, entity_labels = group_codes(frame[ENTITY])
    time_codes, time_labels = group_codes(frame[TIME])
    order = np.lexsort((time_codes, entity_codes))
    core = frame[used].to_numpy(dtype=float)[order]
    entity_codes, time_codes = entity_codes[order], time_codes[order]
    n = core.shape[0]
    if effects == "none":
        nuisance = np.ones((n, 1))
    elif effects == "twoway":
        nuisance = year_dummies(time_codes, len(time_labels))
    else:
        nuisance = np.zeros((n, 0))
    if effects != "none":
        core = demean(core, entity_codes, len(entity_labels))
        nuisance = demean(nuisance, entity_codes, len(entity_labels)) if nuisance.size else nuisance
    return CoreDesign(
        matrix=np.ascontiguousarray(np.hstack([core, nuisance])),
        core_names=tuple(used),
        n_nuisance=nuisance.shape[1],
        entity_codes=entity_codes,
        entity_labels=entity_labels,
        row_entity=frame[ENTITY].to_numpy()[order],
        row_time=frame[TIME].to_numpy()[order],
        effects=effects,
    )


def panel_coefficients(matrices: np.ndarray, n_core: int) -> np.ndarray:
    """Slopes of the last core column on the other core columns, after the nuisance block.

    Returns
    -------
    (R, n_core - 1) array
        NaN rows where the regressors are collinear in a replicate.
    """
    s, _ = partial_out_nuisance(matrices, n_core)
    sxx, sxy = s[:, :-1, :-1], s[:, :-1, -1]
    scale = np.sqrt(np.clip(np.diagonal(sxx, axis1=1, axis2=2), 0.0, None))
    ok = (scale > 0).all(axis=1)
    safe = np.where(scale > 0, scale, 1.0)
    scaled = sxx / (safe[:, :, None] * safe[:, None, :])
    smallest = np.full(matrices.shape[0], -1.0)
    if ok.any():
        smallest[ok] = np.linalg.eigvalsh(scaled[ok])[:, 0]
    ok &= smallest > 1e-10
    out = np.full((matrices.shape[0], n_core - 1), np.nan)
    if ok.any():
        out[ok] = np.linalg.solve(scaled[ok], (sxy[ok] / safe[ok])[..., None])[..., 0] / safe[ok]
    return out


# --------------------------------------------------------------------------- running


def _replicate_statistics(
    boot: ReweightedBootstrap, n_boot: int, seed: int, statistics
) -> tuple[np.ndarray, np.ndarray, int]:
    """Statistics of ``n_boot`` replicates under fixed and re-estimated weights."""
    fixed, reweighted, undefined = [], [], 0
    for block in range(-(-n_boot // DRAW_BLOCK)):
        counts = draw_block_counts(seed, boot.design.n_entities, block)
        keep = min(DRAW_BLOCK, n_boot - block * DRAW_BLOCK)
        mats = boot.matrices(counts[:keep])
        fixed.append(statistics(mats.fixed))
        stats = statistics(mats.reweighted)
        stats[mats.weights_undefined] = np.nan
        undefined += int(mats.weights_undefined.sum())
        reweighted.append(stats)
    return np.vstack(fixed), np.vstack(reweighted), undefined


def _interval_rows(
    analysis: str,
    names: Sequence[str],
    estimate: np.ndarray,
    fixed: np.ndarray,
    reweighted: np.ndarray,
    ci_level: float,
) -> list[dict[str, Any]]:
    tail = 100 * (1 - ci_level) / 2
    rows = []
    for j, name in enumerate(names):
        # the same replicates on both sides: those where both schemes are defined
        both = np.isfinite(fixed[:, j]) & np.isfinite(reweighted[:, j])
        f, r = fixed[both, j], reweighted[both, j]
        if f.size < 2 or r.size < 2:
            raise EstimationError(
                f"inference.index_weights: {analysis} {name} is undefined in all but "
                f"{min(f.size, r.size)} bootstrap replicates; too few clusters carry the "
                "variation of its indices for a cluster bootstrap."
            )
        lf, uf = np.percentile(f, [tail, 100 - tail])
        lr, ur = np.percentile(r, [tail, 100 - tail])
        width = uf - lf
        rows.append(
            {
                "analysis": analysis,
                "statistic": name,
                "estimate": float(estimate[j]),
                "se_fixed": float(np.std(f, ddof=1)),
                "lower_fixed": float(lf),
                "upper_fixed": float(uf),
                "se_reestimated": float(np.std(r, ddof=1)),
                "lower_reestimated": float(lr),
                "upper_reestimated": float(ur),
                "width_ratio": float((ur - lr) / width) if width > 0 else float("nan"),
            }
        )
    return rows


def _summary_row(analysis, fixed, reweighted, undefined, rows) -> dict[str, Any]:
    ratios = [row["width_ratio"] for row in rows if math.isfinite(row["width_ratio"])]
    return {
        "analysis": analysis,
        "n_valid_fixed": int(np.isfinite(fixed).all(axis=1).sum()),
        "n_valid_reestimated": int(np.isfinite(reweighted).all(axis=1).sum()),
        "n_weights_undefined": int(undefined),
        "median_width_ratio": float(np.median(ratios)) if ratios else float("nan"),
    }


def _check_constructs(recipe: IndexRecipe, where: str) -> None:
    if not recipe.constructs:
        raise ConfigError(
            f"inference.index_weights: none of the variables of {where} is a construct index, "
            "so there are no index weights to re-estimate. Turn inference.index_weights.enabled "
            "off, or use constructs as treatment, mediators or outcome."
        )


def mediation_index_uncertainty(
    analysis: pd.DataFrame,
    indicators: pd.DataFrame,
    project: Any,
    *,
    n_boot: int,
) -> tuple[list[dict[str, Any]], dict[str, Any], tuple[str, ...]]:
    """Mediation statistics of the configured analysis under both bootstraps.

    Returns
    -------
    rows : list of dict
        Rows of :attr:`IndexWeightUncertainty.table`.
    summary : dict
        The row of :attr:`IndexWeightUncertainty.summary`.
    constructs : tuple of str
        Constructs whose weights are re-estimated.
    """
    settings = project.mediation
    controls = settings.get("controls")
    if controls is None:
        controls = project.models.get("controls", [])
    mediators = list(project.roles.mediators)
    # the instruments only add rows' requirements here: the sample is the mediation's own
    instruments = project.roles.instruments if settings.get("use_instruments", True) else ()
    design = build_design(
        analysis,
        treatment=project.roles.treatment,
        mediators=mediators,
        outcome=project.roles.outcome,
        controls=list(controls),
        entity=ENTITY,
        time=TIME,
        effects=settings["effects"],
        instruments=list(instruments),
    )
    core = CoreDesign.from_mediation_design(design)
    names_in = [n for n in core.core_names if n in project.constructs]
    recipe = recipe_from_config(
        project.constructs,
        names_in,
        method=project.indices.method,
        standardize=project.indices.standardize,
    )
    _check_constructs(recipe, "the mediation (roles.treatment, roles.mediators, roles.outcome)")
    boot = ReweightedBootstrap(core, recipe, indicators)
    full = boot.fixed_xp.sum(axis=0)[None, :]
    reference = core_reference(boot.fixed_xp, design.n_columns, design.n_mediators)
    all_names = statistic_names(tuple(mediators))
    wanted = [
        i
        for i, name in enumerate(all_names)
        if name.split("[")[0] in MEDIATION_STATISTICS or name in MEDIATION_STATISTICS
    ]

    def statistics(matrices: np.ndarray) -> np.ndarray:
        sol = solve_crossproducts(matrices, design.n_mediators, reference=reference)
        return statistics_matrix(sol)[:, wanted]

    estimate = statistics(unpack_symmetric(full, design.n_columns))[0]
    fixed, reweighted, undefined = _replicate_statistics(boot, n_boot, project.seed, statistics)
    names = [all_names[i] for i in wanted]
    rows = _interval_rows(
        "mediation", names, estimate, fixed, reweighted, project.mediation["ci_level"]
    )
    summary = _summary_row("mediation", fixed, reweighted, undefined, rows)
    return rows, summary, tuple(c.name for c in recipe.constructs)


#: Baseline estimators whose design is a within (or pooled) regression on the core columns.
SUPPORTED_ESTIMATORS = {"pooled": "none", "entity_fe": "entity", "twoway_fe": "twoway"}


def _panel_skip_reason(
    job: Any, constructs: Mapping[str, Any], analysis: pd.DataFrame
) -> str | None:
    spec = job.spec
    estimator = getattr(spec, "estimator", None)
    if estimator not in SUPPORTED_ESTIMATORS:
        return f"estimator {estimator}"
    if getattr(spec, "lags", ()):
        return "lags"
    if getattr(spec, "absorb", ()):
        return "absorbed fixed effects"
    if job.years is not None:
        return "a restricted year range"
    names = [spec.outcome, *spec.regressors]
    if not any(name in constructs for name in names):
        return "no construct among its outcome and regressors"
    used = [name for name in (*names, *spec.controls) if name in analysis.columns]
    if any(not pd.api.types.is_numeric_dtype(analysis[name]) for name in used):
        return "a categorical variable"
    return None


def panel_index_uncertainty(
    analysis: pd.DataFrame,
    indicators: pd.DataFrame,
    jobs: Mapping[str, Any],
    project: Any,
    *,
    n_boot: int,
    ci_level: float,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[tuple[str, str]], set[str]]:
    """Coefficients of the eligible baseline panel models under both bootstraps."""
    rows, summaries, skipped, used = [], [], [], set()
    computed: dict[tuple, tuple[list[dict[str, Any]], dict[str, Any]]] = {}
    for name, job in jobs.items():
        if job.kind != "baseline":
            continue
        reason = _panel_skip_reason(job, project.constructs, analysis)
        if reason:
            skipped.append((name, reason))
            continue
        spec = job.spec
        label = f"panel:{name}"
        key = (tuple(spec.regressors), tuple(spec.controls), spec.outcome, spec.estimator)
        if key in computed:  # same coefficients, another covariance type: same bootstrap
            earlier_rows, earlier_summary = computed[key]
            rows.extend({**row, "analysis": label} for row in earlier_rows)
            summaries.append({**earlier_summary, "analysis": label})
            continue
        design = panel_core_design(
            analysis,
            regressors=list(spec.regressors),
            controls=list(spec.controls),
            outcome=spec.outcome,
            effects=SUPPORTED_ESTIMATORS[spec.estimator],
        )
        recipe = recipe_from_config(  # constructs among the controls keep their weights
            project.constructs,
            [n for n in (*spec.regressors, spec.outcome) if n in project.constructs],
            method=project.indices.method,
            standardize=project.indices.standardize,
        )
        boot = ReweightedBootstrap(design, recipe, indicators)
        n_core = design.n_core

        def statistics(matrices: np.ndarray, n_core: int = n_core) -> np.ndarray:
            return panel_coefficients(matrices, n_core)

        full = unpack_symmetric(boot.fixed_xp.sum(axis=0)[None, :], design.matrix.shape[1])
        estimate = statistics(full)[0]
        fixed, reweighted, undefined = _replicate_statistics(boot, n_boot, project.seed, statistics)
        n_reg = len(spec.regressors)
        model_rows = _interval_rows(
            label,
            list(spec.regressors),
            estimate[:n_reg],
            fixed[:, :n_reg],
            reweighted[:, :n_reg],
            ci_level,
        )
        rows.extend(model_rows)
        summaries.append(_summary_row(label, fixed, reweighted, undefined, model_rows))
        computed[key] = (model_rows, summaries[-1])
        used.update(c.name for c in recipe.constructs)
    return rows, summaries, skipped, used


def baseline_jobs(project: Any) -> dict[str, Any]:
    """The panel jobs of the configuration, without the wild bootstrap settings it ignores."""
    from govcluster.panel.plan import project_panel_jobs

    return project_panel_jobs(project, wild_bootstrap=False)


def index_weight_uncertainty(
    analysis: pd.DataFrame,
    indicators: pd.DataFrame,
    project: Any,
    *,
    panel_jobs: Mapping[str, Any] | None = None,
) -> IndexWeightUncertainty:
    """Intervals of the mediation and the baseline panel models with re-estimated weights.

    Parameters
    ----------
    analysis : pandas.DataFrame
        The analysis panel (:func:`govcluster.indices.build_analysis_panel`).
    indicators : pandas.DataFrame
        The cleaned panel the analysis panel was built from.
    project : govcluster.config.ProjectConfig
        Roles, constructs, ``indices``, ``mediation``, ``models``, ``seed`` and
        ``inference.index_weights`` (``n_boot``; null = ``mediation.n_boot``).
    panel_jobs : mapping, optional
        :func:`govcluster.panel.plan.panel_jobs` of the configuration; the ``baseline`` jobs
        with a supported estimator are bootstrapped.

    Returns
    -------
    IndexWeightUncertainty
    """
    settings = dict((project.raw.get("inference") or {}).get("index_weights") or {})
    n_boot = settings.get("n_boot") or project.mediation["n_boot"]
    ci_level = project.mediation["ci_level"]
    rows: list[dict[str, Any]] = []
    summaries: list[dict[str, Any]] = []
    constructs: set[str] = set()
    if project.mediation.get("enabled", True) and project.roles.mediators:
        mediation_rows, summary, used = mediation_index_uncertainty(
            analysis, indicators, project, n_boot=n_boot
        )
        rows.extend(mediation_rows)
        summaries.append(summary)
        constructs.update(used)
    skipped: list[tuple[str, str]] = []
    if panel_jobs:
        panel_rows, panel_summaries, skipped, used = panel_index_uncertainty(
            analysis, indicators, panel_jobs, project, n_boot=n_boot, ci_level=ci_level
        )
        rows.extend(panel_rows)
        summaries.extend(panel_summaries)
        constructs.update(used)
    order = [name for name in project.constructs if name in constructs]
    return IndexWeightUncertainty(
        table=pd.DataFrame(rows, columns=TABLE_COLUMNS),
        summary=pd.DataFrame(summaries, columns=SUMMARY_COLUMNS),
        method=project.indices.method,
        standardize=bool(project.indices.standardize),
        constructs=tuple(order),
        n_boot=int(n_boot),
        seed=int(project.seed),
        ci_level=float(ci_level),
        skipped=tuple(skipped),
    )
