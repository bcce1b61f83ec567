r"""Moderated mediation: conditional indirect effects at levels of a moderator.

:func:`moderated_mediation` estimates, for every mechanism :math:`k`, the indirect effect of
the treatment :math:`T` through :math:`M_k` at each level of a moderator :math:`W`, with the
index of moderated mediation (Hayes 2015) and the differences between levels, all from one
entity-cluster bootstrap whose replicate :math:`r` draws exactly the entities that replicate
:math:`r` of :func:`~govcluster.mediation.panel_mediation` draws (same seed, same estimation
sample), so that intervals of differences and of indices are valid.

Model
-----
Write :math:`h(W) = (h_1(W), \dots, h_q(W))'` for the moderator's basis: the group dummies
:math:`D_1, \dots, D_G` of a categorical moderator (east / central / west, a development
level), or :math:`(1, W)'` for a continuous one. With fixed effects and controls partialled
out as in the unmoderated analysis (:mod:`govcluster.mediation.design`),

.. math::

    M_{k,it} &= \alpha_k' h(W_{it})\, T_{it} + \ldots \qquad \text{(first stage)}\\
    Y_{it} &= \gamma' h(W_{it})\, T_{it} + \sum_k \beta_k' h(W_{it})\, M_{k,it} + \ldots
    \qquad \text{(second stage)}

``stage="first"`` moderates the mediator equations (:math:`\beta_k` a scalar, Hayes' model 8,
with the direct effect moderated too so that a heterogeneous direct effect cannot bias
:math:`b_k`), ``"second"`` the outcome equation's mediator slopes (:math:`\alpha_k` a
scalar), ``"both"`` both. The main effects of the moderator (dummies of groups 2..G, or
:math:`W`) are controls; a moderator constant within each entity is absorbed by the entity
effects and dropped, as any absorbed control.

At a level :math:`w` (a group, or a value of :math:`W`), :math:`a_k(w) = \alpha_k'h(w)`,
:math:`b_k(w) = \beta_k'h(w)`, the conditional indirect effect is
:math:`\theta_k(w) = a_k(w)\, b_k(w)`, the total conditional indirect effect
:math:`\sum_k \theta_k(w)` and the conditional direct effect :math:`\gamma'h(w)`.

Index of moderated mediation (Hayes 2015, *Multivariate Behavioral Research* 50(1)): when
:math:`\theta_k` is linear in the moderator (first- or second-stage moderation) it is the
slope, :math:`\alpha_{k,W}\,b_k` (first stage) or :math:`a_k\,\beta_{k,W}` (second stage)
for a continuous moderator, and for a categorical one the difference from the reference
(first) group, :math:`\theta_k(g) - \theta_k(\text{ref})` (Hayes and Preacher 2014's
indices for a multicategorical moderator). Under ``"both"`` it is not defined (the effect is
quadratic in :math:`W`) and only the differences between levels are reported.

Computation
-----------
The design :math:`G = [h(W)T,\ \text{mediator block},\ Y,\ \text{nuisance}]` is built once and
its per-entity cross-products :math:`G_i'G_i` stored; replicate :math:`r` with entity counts
:math:`w_{ri}` (:func:`govcluster.mediation.bootstrap.draw_block_counts`) has
:math:`A_r = \sum_i w_{ri} G_i'G_i`, the nuisance block is partialled out
(:func:`govcluster.mediation.crossprod.partial_out_nuisance`) and every equation is a small
batched solve. A replicate in which a group's treatment column has no variation left (the
group's entities were not drawn) is degenerate, excluded and counted.

Intervals: percentile and BCa (Efron 1987; acceleration from the delete-one-cluster jackknife,
computed from the same cross-products), both stored (``percentile_lower`` ... and
``bca_lower`` ...); ``ci_lower``, ``ci_upper`` and ``p_value`` hold the ones of ``ci_method``,
as in :func:`~govcluster.mediation.panel_mediation`. p-values invert the intervals
(:func:`~govcluster.mediation.inference.percentile_pvalue`,
:func:`~govcluster.mediation.inference.bca_pvalue`); standard errors are the standard
deviations of the replicates.

Rows whose moderator is missing (and whose model columns are otherwise complete) leave the
estimation sample; their number is ``n_missing_moderator`` of the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from govcluster.core.options import check_option
from govcluster.errors import EstimationError
from govcluster.mediation import inference as inf
from govcluster.mediation.bootstrap import DRAW_BLOCK, draw_block_counts
from govcluster.mediation.crossprod import TOTAL, partial_out_nuisance
from govcluster.mediation.design import (
    Effects,
    build_design,
    entity_crossproducts,
    unpack_symmetric,
)

ModerationStage = Literal["first", "second", "both"]
IntervalMethod = Literal["percentile", "bca"]

SCHEMA_VERSION = 2
KIND = "moderated_mediation"

#: A group of a categorical moderator needs at least this many clusters (entities).
MIN_GROUP_CLUSTERS = 5
#: Relative size under which a batched system is treated as singular.
_IDENT_TOL = 1e-10


@dataclass(frozen=True, kw_only=True)
class ModeratorSpec:
    """The moderator of a moderated mediation analysis.

    Parameters
    ----------
    column : str
        Column of the data holding the moderator.
    groups : mapping of str to sequence, optional
        Categorical moderator: group label -> the values of ``column`` it holds, e.g.
        ``{"east": ["east"], "less_developed": ["central", "west"]}``; the first group is the
        reference of the index. None (and no ``values``): every distinct value is a group,
        in sorted order.
    values : sequence of float, optional
        Continuous moderator: the values at which the conditional effects are reported.
        Give ``continuous=True`` without values for the mean and the mean plus and minus one
        standard deviation of the moderator over the estimation sample.
    continuous : bool
        Treat the moderator as continuous (set automatically when ``values`` is given).
    stage : {"first", "second", "both"}
        Which equations the moderator enters (see the module docstring).
    """

    column: str
    groups: Mapping[str, Sequence[Any]] | None = None
    values: Sequence[float] | None = None
    continuous: bool = False
    stage: ModerationStage = "first"

    def __post_init__(self) -> None:
        check_option(self.stage, ModerationStage, name="stage")
        if not isinstance(self.column, str) or not self.column:
            raise EstimationError(f"moderator column must be a column name; got {self.column!r}.")
        if self.values is not None:
            object.__setattr__(self, "continuous", True)
            object.__setattr__(self, "values", tuple(float(v) for v in self.values))
            if not self.values:
                raise EstimationError("moderator values is empty; give at least one value.")
        if self.continuous and self.groups is not None:
            raise EstimationError(
                "a moderator has either groups (categorical) or values (continuous), not both."
            )
        if self.groups is not None:
            groups = {str(k): tuple(v) for k, v in self.groups.items()}
            if len(groups) < 2:
                raise EstimationError(
                    f"moderator groups of {self.column!r} must name at least two groups; got "
                    f"{list(groups)}."
                )
            seen: dict[Any, str] = {}
            for label, members in groups.items():
                if not members:
                    raise EstimationError(f"moderator group {label!r} lists no value.")
                for value in members:
                    if value in seen:
                        raise EstimationError(
                            f"value {value!r} of {self.column!r} is in groups {seen[value]!r} "
                            f"and {label!r}; put each value in one group."
                        )
                    seen[value] = label
            object.__setattr__(self, "groups", groups)


@dataclass(frozen=True)
class ModeratedMediationResult:
    r"""Result of :func:`moderated_mediation`.

    Attributes
    ----------
    treatment, outcome : str
    mediators : tuple of str
    moderator : str
    stage : str
    continuous : bool
    levels : tuple of str
        Group labels, or the moderator values as text (``"W=1.5"``).
    level_values : tuple of float or None
        The moderator values of a continuous moderator.
    reference : str
        Reference level of the index (first level).
    clusters_by_level : tuple of int
        Clusters (entities) with at least one row in each group (categorical), else the
        total.
    conditional : DataFrame
        One row per (mediator or ``TOTAL``, level): ``a``, ``b``, ``indirect``, ``se``,
        ``ci_lower``, ``ci_upper``, ``p_value`` (those of ``ci_method``), and both interval
        methods: ``percentile_lower``, ``percentile_upper``, ``percentile_p_value``,
        ``bca_lower``, ``bca_upper``, ``bca_p_value``; ``TOTAL`` rows hold the total
        conditional indirect effect (``a`` and ``b`` missing). The other frames carry the same
        interval columns.
    direct : DataFrame
        One row per level: the conditional direct effect with ``se``, ``ci_lower``,
        ``ci_upper``, ``p_value``.
    differences : DataFrame
        One row per (mediator or ``TOTAL``, level, versus): :math:`\theta(level) -
        \theta(versus)` with its interval and p-value, for every pair of levels.
    index : DataFrame
        Index of moderated mediation per mediator (and ``TOTAL``): ``versus`` is the
        reference group (categorical) or ``"slope"`` (continuous); empty under
        ``stage="both"``.
    n_obs, n_clusters, n_boot, n_valid, seed : int
    ci_level : float
    effects : str
    controls : tuple of str
    omitted : tuple of (str, str)
        Nuisance columns dropped as absorbed or collinear (e.g. a moderator constant within
        entities).
    ci_method : {"percentile", "bca"}
        The interval in ``ci_lower``, ``ci_upper`` and ``p_value``.
    n_missing_moderator : int
        Rows left out because the moderator is missing (their model columns complete).
    n_jackknife_degenerate : int
        Delete-one-cluster jackknife replicates that were degenerate (left out of the BCa
        acceleration).
    """

    treatment: str
    outcome: str
    mediators: tuple[str, ...]
    moderator: str
    stage: str
    continuous: bool
    levels: tuple[str, ...]
    level_values: tuple[float, ...] | None
    reference: str
    clusters_by_level: tuple[int, ...]
    conditional: pd.DataFrame
    direct: pd.DataFrame
    differences: pd.DataFrame
    index: pd.DataFrame
    n_obs: int
    n_clusters: int
    n_boot: int
    n_valid: int
    seed: int
    ci_level: float
    effects: str
    controls: tuple[str, ...]
    omitted: tuple[tuple[str, str], ...] = field(default=())
    ci_method: str = "percentile"
    n_missing_moderator: int = 0
    n_jackknife_degenerate: int = 0

    _FRAMES = ("conditional", "direct", "differences", "index")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able record (``kind`` "moderated_mediation"); NaN becomes null."""
        out: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "kind": KIND}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name in self._FRAMES:
                value = [{k: _json(v) for k, v in row.items()} for row in value.to_dict("records")]
            elif isinstance(value, tuple):
                value = [list(v) if isinstance(v, tuple) else _json(v) for v in value]
            else:
                value = _json(value)
            out[name] = value
        return out

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> ModeratedMediationResult:
        """Rebuild from :meth:`to_dict` output (checks ``kind`` and ``schema_version``)."""
        if record.get("kind") != KIND:
            raise ValueError(f"record kind is {record.get('kind')!r}, expected {KIND!r}.")
        if record.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(
                f"{KIND} record has schema_version {record.get('schema_version')!r}; this "
                f"version of govcluster reads {SCHEMA_VERSION}. Re-run the mediation rule."
            )
        values: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            if name not in record:
                raise ValueError(f"{KIND} record lacks {name!r}; re-run the mediation rule.")
            value = record[name]
            if name in cls._FRAMES:
                value = pd.DataFrame.from_records(value).astype(
                    {c: float for c in _FLOAT_COLUMNS if value and c in value[0]}
                )
            elif name == "omitted":
                value = tuple(tuple(v) for v in value)
            elif name == "level_values":
                value = None if value is None else tuple(float(v) for v in value)
            elif isinstance(value, list):
                value = tuple(value)
            values[name] = value
        return cls(**values)


_INTERVAL_COLUMNS = (
    "percentile_lower",
    "percentile_upper",
    "percentile_p_value",
    "bca_lower",
    "bca_upper",
    "bca_p_value",
)
_FLOAT_COLUMNS = (
    "a",
    "b",
    "indirect",
    "estimate",
    "se",
    "ci_lower",
    "ci_upper",
    "p_value",
    *_INTERVAL_COLUMNS,
)


def _json(value: Any) -> Any:
    if isinstance(value, (np.floating, float)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


# --------------------------------------------------------------------------- the layout


@dataclass(frozen=True)
class _Layout:
    """Where each block sits among the core columns, and how levels are evaluated.

    ``evaluation`` holds :math:`h(w)` of each reported level (rows); ``index_rows`` the
    pairs of rows of ``evaluation`` whose difference is the index (continuous moderators
    append the rows :math:`h = (1, 0)` and :math:`(1, 1)` for the slope).
    """

    q: int
    n_mediators: int
    stage: str
    unit: np.ndarray
    evaluation: np.ndarray
    n_levels: int
    index_rows: tuple[tuple[int, int], ...]

    @property
    def mediator_block(self) -> int:
        return self.n_mediators * (self.q if self.stage != "first" else 1)

    @property
    def n_core(self) -> int:
        return self.q + self.mediator_block + 1

    def mediator_columns(self, k: int) -> np.ndarray:
        """Core positions of mediator ``k``'s block (one column, or q interactions)."""
        if self.stage == "first":
            return np.array([self.q + k])
        start = self.q + k * self.q
        return np.arange(start, start + self.q)


def _make_layout(
    q: int, n_mediators: int, stage: str, unit: np.ndarray, levels: np.ndarray, continuous: bool
) -> _Layout:
    n_levels = levels.shape[0]
    if stage == "both":
        index_rows: tuple[tuple[int, int], ...] = ()
        evaluation = levels
    elif continuous:
        evaluation = np.vstack([levels, [[1.0, 0.0], [1.0, 1.0]]])
        index_rows = ((n_levels + 1, n_levels),)
    else:
        evaluation = levels
        index_rows = tuple((g, 0) for g in range(1, n_levels))
    return _Layout(q, n_mediators, stage, unit, evaluation, n_levels, index_rows)


def _regress(S: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients of the regression of combination ``y`` on combinations ``X`` per matrix.

    ``S`` is ``(b, c, c)``, ``X`` ``(c, m)``, ``y`` ``(c,)``; returns ``(b, m)`` coefficients
    (NaN where the system is singular) and the ``(b,)`` singular flags.
    """
    SX = S @ X
    xtx = np.einsum("cm,bcn->bmn", X, SX)
    xty = np.einsum("bcm,c->bm", SX, y)
    diag = np.diagonal(xtx, axis1=1, axis2=2)
    scale = np.sqrt(np.clip(diag, 0.0, None))
    ok = (scale > 0.0).all(axis=1)
    scale = np.where(scale > 0.0, scale, 1.0)
    scaled = xtx / (scale[:, :, None] * scale[:, None, :])
    lam = np.linalg.eigvalsh(scaled)
    ok &= lam[:, 0] > _IDENT_TOL * np.maximum(lam[:, -1], np.finfo(float).tiny)
    out = np.full(xty.shape, np.nan)
    if ok.any():
        sol = np.linalg.solve(scaled[ok], (xty[ok] / scale[ok])[..., None])[..., 0]
        out[ok] = sol / scale[ok]
    return out, ~ok


def statistic_layout(layout: _Layout) -> dict[str, slice]:
    """Column slices of :func:`_statistics`' output, by block."""
    E, K = layout.n_levels, layout.n_mediators
    n_pairs = E * (E - 1) // 2
    sizes = {
        "a": E * K,
        "b": E * K,
        "indirect": E * (K + 1),
        "direct": E,
        "differences": n_pairs * (K + 1),
        "index": len(layout.index_rows) * (K + 1),
    }
    out, start = {}, 0
    for name, size in sizes.items():
        out[name] = slice(start, start + size)
        start += size
    return out


def _statistics(S: np.ndarray, layout: _Layout, reference_ss: np.ndarray) -> np.ndarray:
    r"""Every reported statistic for a stack of partialled core cross-products.

    Blocks (:func:`statistic_layout`), level-major: ``a`` and ``b`` (levels x mediators),
    ``indirect`` (levels x (mediators + TOTAL)), ``direct`` (levels), the pairwise
    ``differences`` :math:`\theta(j) - \theta(i)`, ``i < j`` (pairs x (mediators + TOTAL))
    and the ``index`` (index rows x (mediators + TOTAL)). Degenerate rows are NaN.
    """
    q, K = layout.q, layout.n_mediators
    ev = layout.evaluation
    n_eval = ev.shape[0]
    n = S.shape[0]
    tt = np.diagonal(S, axis1=1, axis2=2)[:, :q]
    degenerate = ~(tt > _IDENT_TOL * reference_ss[None, :q]).all(axis=1)
    eye = np.eye(layout.n_core)
    if layout.stage == "second":
        X_a = (eye[:, :q] @ layout.unit)[:, None]
    else:
        X_a = eye[:, :q]
    a = np.empty((n, n_eval, K))
    b = np.empty((n, n_eval, K))
    for k in range(K):
        cols = layout.mediator_columns(k)
        y_k = eye[:, cols] @ (np.ones(1) if layout.stage == "first" else layout.unit)
        coef, singular = _regress(S, X_a, y_k)
        degenerate |= singular
        a[:, :, k] = coef[:, :1] if layout.stage == "second" else coef @ ev.T
    coef, singular = _regress(S, eye[:, : q + layout.mediator_block], eye[:, -1])
    degenerate |= singular
    direct = coef[:, :q] @ ev.T
    for k in range(K):
        beta = coef[:, layout.mediator_columns(k)]
        b[:, :, k] = beta if layout.stage == "first" else beta @ ev.T
    indirect = a * b
    indirect = np.concatenate([indirect, indirect.sum(axis=2, keepdims=True)], axis=2)
    E = layout.n_levels
    pairs = [(i, j) for i in range(E) for j in range(i + 1, E)]
    diff = [indirect[:, j] - indirect[:, i] for i, j in pairs]
    index = [indirect[:, j] - indirect[:, i] for j, i in layout.index_rows]
    blocks = [
        a[:, :E].reshape(n, -1),
        b[:, :E].reshape(n, -1),
        indirect[:, :E].reshape(n, -1),
        direct[:, :E],
        *(d for d in diff),
        *(x for x in index),
    ]
    stats = np.column_stack(blocks)
    stats[degenerate | ~np.isfinite(stats).all(axis=1)] = np.nan
    return stats


def _bootstrap(
    xp: np.ndarray,
    p: int,
    layout: _Layout,
    reference_ss: np.ndarray,
    *,
    n_boot: int,
    seed: int,
    block_size: int,
) -> np.ndarray:
    """Statistics of replicates ``0 .. n_boot - 1`` (the draws of ``panel_mediation``)."""
    per = max(1, -(-block_size // DRAW_BLOCK))
    n_blocks = -(-n_boot // DRAW_BLOCK)
    out = []
    for first in range(0, n_blocks, per):
        blocks = range(first, min(first + per, n_blocks))
        counts = np.vstack([draw_block_counts(seed, xp.shape[0], j) for j in blocks])
        keep = min(counts.shape[0], n_boot - first * DRAW_BLOCK)
        packed = counts[:keep].astype(float) @ xp
        S, _ = partial_out_nuisance(unpack_symmetric(packed, p), layout.n_core)
        out.append(_statistics(S, layout, reference_ss))
    return np.vstack(out)


def _jackknife(
    xp: np.ndarray, p: int, layout: _Layout, reference_ss: np.ndarray, *, block_size: int
) -> np.ndarray:
    """Statistics with each cluster left out in turn (row ``i``: without cluster ``i``)."""
    total = xp.sum(axis=0)
    out = []
    for start in range(0, xp.shape[0], max(1, block_size)):
        packed = total[None, :] - xp[start : start + block_size]
        S, _ = partial_out_nuisance(unpack_symmetric(packed, p), layout.n_core)
        out.append(_statistics(S, layout, reference_ss))
    return np.vstack(out)


# --------------------------------------------------------------------------- the analysis


def _moderator_basis(
    data: pd.DataFrame, moderator: ModeratorSpec
) -> tuple[pd.DataFrame, list[str], np.ndarray, tuple[str, ...]]:
    """Basis columns h(W), their unit combination and the group labels (categorical)."""
    column = moderator.column
    if column not in data.columns:
        raise EstimationError(
            f"moderator column {column!r} is not in the data (columns: {list(data.columns)}); "
            "check the moderator's column name."
        )
    values = data[column]
    if moderator.continuous:
        numeric = pd.to_numeric(values, errors="coerce")
        bad = values.notna() & numeric.isna()
        if bad.any():
            raise EstimationError(
                f"continuous moderator {column!r} holds non-numeric values "
                f"{sorted(map(str, values[bad].unique()))[:5]} (rows "
                f"{list(values.index[bad][:5])}); give a numeric column, or groups for a "
                "categorical moderator."
            )
        if numeric.nunique() < 2:
            raise EstimationError(
                f"the moderator {column!r} has no variation (values "
                f"{sorted(numeric.dropna().unique())[:3]}); a continuous moderator must vary."
            )
        basis = pd.DataFrame({"__h0": 1.0, "__h1": numeric}, index=data.index)
        basis.loc[numeric.isna(), "__h0"] = np.nan
        return basis, ["__h0", "__h1"], np.array([1.0, 0.0]), ()
    groups = moderator.groups
    if groups is None:
        present = sorted(values.dropna().unique(), key=str)
        groups = {str(v): (v,) for v in present}
    label = pd.Series(None, index=data.index, dtype=object)
    for name, members in groups.items():
        label[values.isin(list(members))] = name
    unknown = values.notna() & label.isna()
    if unknown.any():
        raise EstimationError(
            f"values {sorted(map(str, values[unknown].unique()))[:10]} of moderator {column!r} "
            f"are in no group of {list(groups)} (rows {list(values.index[unknown][:5])}); add "
            "them to a group or drop those rows."
        )
    if len(groups) < 2:
        raise EstimationError(
            f"the moderator {column!r} has a single group {list(groups)}; a categorical "
            "moderator needs at least two."
        )
    names = [f"__h{j}" for j in range(len(groups))]
    basis = pd.DataFrame(
        {
            n: (label == g).astype(float).where(label.notna())
            for n, g in zip(names, groups, strict=True)
        },
        index=data.index,
    )
    return basis, names, np.ones(len(groups)), tuple(groups)


def _check_variation(
    frame: pd.DataFrame,
    treat_cols: Sequence[str],
    levels: Sequence[str],
    moderator: ModeratorSpec,
    *,
    entity: str,
    effects: str,
) -> None:
    """Each treatment column h_j(W) T must vary within entities (or at all, without effects)."""
    for j, column in enumerate(treat_cols):
        values = frame[column]
        ok = values.notna()
        if effects == "none":
            left = values[ok] - values[ok].mean()
        else:
            left = values[ok] - values[ok].groupby(frame.loc[ok, entity]).transform("mean")
        scale = float((values[ok] ** 2).sum())
        if not ok.any() or float((left**2).sum()) <= 1e-12 * max(scale, 1e-300):
            if moderator.continuous:
                raise EstimationError(
                    f"the moderator {moderator.column!r} times the treatment has no variation "
                    "within clusters; a continuous moderator must vary."
                )
            raise EstimationError(
                f"in moderator group {levels[j]!r} of {moderator.column!r} the treatment has "
                "no variation within clusters, so its conditional effects are not identified; "
                "merge the group with another or drop it."
            )


def moderated_mediation(
    data: pd.DataFrame,
    *,
    treatment: str,
    mediators: Sequence[str],
    outcome: str,
    moderator: ModeratorSpec,
    controls: Sequence[str] = (),
    entity: str = "cluster_id",
    time: str = "year",
    effects: Effects = "twoway",
    n_boot: int = 2000,
    seed: int,
    ci_level: float = 0.95,
    ci_method: IntervalMethod = "percentile",
    min_group_clusters: int = MIN_GROUP_CLUSTERS,
    block_size: int = 2000,
) -> ModeratedMediationResult:
    """Conditional indirect effects, index of moderated mediation and their differences.

    Parameters
    ----------
    data : DataFrame
        Long panel.
    treatment, outcome : str
    mediators : sequence of str
    moderator : ModeratorSpec
    controls : sequence of str
    entity, time : str
    effects : {"twoway", "entity", "none"}
        Fixed effects, as in :func:`~govcluster.mediation.panel_mediation`.
    n_boot : int
        Entity-cluster bootstrap replicates (replicate ``r`` draws the entities that
        replicate ``r`` of ``panel_mediation`` with the same seed and sample draws).
    seed : int
    ci_level : float
    ci_method : {"percentile", "bca"}
        The interval reported in ``ci_lower``, ``ci_upper``, ``p_value`` (both are stored).
    min_group_clusters : int
        A group of a categorical moderator with fewer clusters is an error (default 5).
    block_size : int
        Replicates held in memory at once (does not change results).

    Returns
    -------
    ModeratedMediationResult

    Raises
    ------
    EstimationError
        Missing moderator column, a value in no group, a single group, a group with fewer
        than ``min_group_clusters`` clusters, a group (or a continuous moderator) in which
        the treatment has no variation left after the fixed effects, a continuous moderator
        without variation, or more than half of the replicates degenerate.
    """
    mediators = tuple(mediators)
    controls = tuple(controls)
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 20:
        raise EstimationError(f"n_boot={n_boot!r} must be an integer of at least 20.")
    if not 0.5 <= float(ci_level) < 1.0:
        raise EstimationError(f"ci_level={ci_level!r} must lie in [0.5, 1).")
    check_option(effects, Effects, name="effects")
    check_option(ci_method, IntervalMethod, name="ci_method")
    for c in (entity, time, treatment, outcome, *mediators, *controls):
        if c not in data.columns:
            raise EstimationError(
                f"column {c!r} is not in the data (columns: {list(data.columns)})."
            )
    basis, names, unit, groups = _moderator_basis(data, moderator)
    model_columns = [entity, time, treatment, outcome, *mediators, *controls]
    n_missing_moderator = int(
        (data[moderator.column].isna() & data[model_columns].notna().all(axis=1)).sum()
    )
    frame = pd.concat([data[[entity, time]], basis], axis=1)
    t = pd.to_numeric(data[treatment], errors="coerce")
    treat_cols = [f"__T{n}" for n in names]
    for n, tc in zip(names, treat_cols, strict=True):
        frame[tc] = t * basis[n]
    stage = moderator.stage
    mediator_cols: list[str] = []
    for m in mediators:
        if stage == "first":
            frame[m] = data[m]
            mediator_cols.append(m)
            continue
        mv = pd.to_numeric(data[m], errors="coerce")
        for n in names:
            frame[f"__M{m}{n}"] = mv * basis[n]
            mediator_cols.append(f"__M{m}{n}")
    frame[outcome] = data[outcome]
    for c in controls:
        frame[c] = data[c]
    _check_variation(
        frame,
        treat_cols,
        groups if not moderator.continuous else (moderator.column,) * len(names),
        moderator,
        entity=entity,
        effects=effects,
    )
    design = build_design(
        frame,
        treatment=treat_cols[0],
        mediators=(*treat_cols[1:], *mediator_cols),
        outcome=outcome,
        controls=(*names[1:], *controls),  # moderator main effects, then the controls
        entity=entity,
        time=time,
        effects=effects,
    )
    rows = frame.set_index([entity, time]).loc[
        list(zip(design.row_entity, design.row_time, strict=True))
    ]
    if moderator.continuous:
        w = rows["__h1"].to_numpy(dtype=float)
        if np.std(w) == 0.0:
            raise EstimationError(
                f"the moderator {moderator.column!r} has no variation in the estimation "
                "sample; a continuous moderator must vary."
            )
        points = moderator.values or (w.mean() - w.std(ddof=1), w.mean(), w.mean() + w.std(ddof=1))
        levels_matrix = np.column_stack([np.ones(len(points)), np.asarray(points, float)])
        levels = tuple(f"{moderator.column}={v:.4g}" for v in points)
        clusters_by_level = tuple(design.n_entities for _ in points)
        level_values: tuple[float, ...] | None = tuple(float(v) for v in points)
    else:
        counts = []
        for n, g in zip(names, groups, strict=True):
            in_group = rows[n].to_numpy() == 1.0
            count = len(np.unique(design.entity_codes[in_group]))
            if count < min_group_clusters:
                raise EstimationError(
                    f"moderator group {g!r} of {moderator.column!r} has {count} cluster(s) in "
                    f"the estimation sample; each group needs at least {min_group_clusters} "
                    "for a cluster bootstrap. Merge it with another group (groups) or drop it."
                )
            counts.append(count)
        levels_matrix = np.eye(len(names))
        levels = groups
        clusters_by_level = tuple(counts)
        level_values = None
    layout = _make_layout(
        len(names), len(mediators), stage, unit, levels_matrix, moderator.continuous
    )
    xp = entity_crossproducts(design.matrix, design.entity_codes, design.n_entities)
    p = design.n_columns
    full = unpack_symmetric(xp.sum(axis=0)[None, :], p)
    reference_ss = np.diag(full[0])[: layout.n_core].copy()
    S_full, _ = partial_out_nuisance(full, layout.n_core)
    estimate = _statistics(S_full, layout, reference_ss)[0]
    if not np.isfinite(estimate).all():
        raise EstimationError(
            "the moderated mediation model is not identified on the full sample (a group's "
            "treatment or mediator has no variation left after the fixed effects and "
            "controls)."
        )
    draws = _bootstrap(xp, p, layout, reference_ss, n_boot=n_boot, seed=seed, block_size=block_size)
    valid = np.isfinite(draws).all(axis=1)
    n_valid = int(valid.sum())
    if n_valid < n_boot / 2:
        raise EstimationError(
            f"{n_boot - n_valid} of {n_boot} bootstrap replicates are degenerate (a group's "
            "clusters were not drawn or carry no variation); use larger groups."
        )
    jackknife = _jackknife(xp, p, layout, reference_ss, block_size=block_size)
    jackknife_degenerate = ~np.isfinite(jackknife).all(axis=1)
    frames = _summaries(
        estimate,
        draws[valid],
        jackknife[~jackknife_degenerate],
        layout,
        mediators,
        levels,
        float(ci_level),
        ci_method,
    )
    return ModeratedMediationResult(
        treatment=treatment,
        outcome=outcome,
        mediators=mediators,
        moderator=moderator.column,
        stage=stage,
        continuous=moderator.continuous,
        levels=tuple(levels),
        level_values=level_values,
        reference=levels[0],
        clusters_by_level=clusters_by_level,
        n_obs=int(design.n_obs),
        n_clusters=int(design.n_entities),
        n_boot=int(n_boot),
        n_valid=n_valid,
        seed=int(seed),
        ci_level=float(ci_level),
        effects=effects,
        controls=tuple(c for c in controls if c in design.controls),
        omitted=tuple((_public_name(name, moderator, groups), why) for name, why in design.omitted),
        ci_method=ci_method,
        n_missing_moderator=n_missing_moderator,
        n_jackknife_degenerate=int(jackknife_degenerate.sum()),
        **frames,
    )


def _public_name(name: str, moderator: ModeratorSpec, groups: Sequence[str]) -> str:
    """``__h<j>`` -> the moderator group or column it stands for."""
    if name.startswith("__h"):
        j = int(name[3:])
        return moderator.column if moderator.continuous else f"{moderator.column}={groups[j]}"
    return name


def _summaries(
    estimate: np.ndarray,
    draws: np.ndarray,
    jackknife: np.ndarray,
    layout: _Layout,
    mediators: Sequence[str],
    levels: Sequence[str],
    ci_level: float,
    ci_method: str,
) -> dict[str, pd.DataFrame]:
    """The four result tables from the full-sample statistics, replicates and jackknife."""
    pct_lo, pct_hi = inf.percentile_interval(draws, ci_level=ci_level)
    pct_p = inf.percentile_pvalue(draws)
    accel = inf.acceleration(jackknife)
    bca_lo, bca_hi, z0 = inf.bca_interval(draws, estimate, accel, ci_level=ci_level)
    bca_p = inf.bca_pvalue(draws, z0, accel)
    both = {
        "percentile_lower": pct_lo,
        "percentile_upper": pct_hi,
        "percentile_p_value": pct_p,
        "bca_lower": bca_lo,
        "bca_upper": bca_hi,
        "bca_p_value": bca_p,
    }
    lo, hi, pv = (bca_lo, bca_hi, bca_p) if ci_method == "bca" else (pct_lo, pct_hi, pct_p)
    se = draws.std(axis=0, ddof=1)
    where = statistic_layout(layout)
    E, K = layout.n_levels, len(mediators)
    names = [*mediators, TOTAL]

    def block(key: str) -> slice:
        return where[key]

    def inference(position: int) -> dict[str, float]:
        return {
            "estimate": estimate[position],
            "se": se[position],
            "ci_lower": lo[position],
            "ci_upper": hi[position],
            "p_value": pv[position],
            **{name: values[position] for name, values in both.items()},
        }

    conditional = []
    a0, b0, i0 = block("a").start, block("b").start, block("indirect").start
    for e in range(E):
        for k, m in enumerate(names):
            row = {"mediator": m, "level": levels[e]}
            is_total = k == K
            row["a"] = np.nan if is_total else estimate[a0 + e * K + k]
            row["b"] = np.nan if is_total else estimate[b0 + e * K + k]
            info = inference(i0 + e * (K + 1) + k)
            row["indirect"] = info.pop("estimate")
            conditional.append({**row, **info})
    direct = [{"level": levels[e], **inference(block("direct").start + e)} for e in range(E)]
    pairs = [(i, j) for i in range(E) for j in range(i + 1, E)]
    differences = []
    d0 = block("differences").start
    for n_pair, (i, j) in enumerate(pairs):
        for k, m in enumerate(names):
            position = d0 + n_pair * (K + 1) + k
            differences.append(
                {"mediator": m, "level": levels[j], "versus": levels[i], **inference(position)}
            )
    index = []
    x0 = block("index").start
    for n_index, (j, i) in enumerate(layout.index_rows):
        versus = "slope" if j >= E else levels[i]
        level = "slope" if j >= E else levels[j]
        for k, m in enumerate(names):
            position = x0 + n_index * (K + 1) + k
            index.append({"mediator": m, "level": level, "versus": versus, **inference(position)})
    columns = ["estimate", "se", "ci_lower", "ci_upper", "p_value", *_INTERVAL_COLUMNS]
    return {
        "conditional": pd.DataFrame(
            conditional,
            columns=["mediator", "level", "a", "b", "indirect", *columns[1:]],
        ),
        "direct": pd.DataFrame(direct, columns=["level", *columns]),
        "differences": pd.DataFrame(differences, columns=["mediator", "level", "versus", *columns]),
        "index": pd.DataFrame(index, columns=["mediator", "level", "versus", *columns]),
    }
