"""Cluster-robust and wild cluster bootstrap inference side by side, for few clusters.

:func:`few_cluster_inference` takes a linear panel specification (a
:class:`govcluster.panel.PanelSpec`, or any object with the same ``outcome``, ``regressors``,
``controls``, ``entity``, ``time``, ``estimator`` and ``level`` attributes), partials the
fixed effects out, and reports for each regressor the CRV1 cluster-robust result
(:math:`t(G-1)`) and, when the clusters are fewer than ``threshold`` (50 by default), the wild
cluster bootstrap p-value and confidence interval, with a table note in English and Chinese
that states the bootstrap settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from govcluster.errors import EstimationError
from govcluster.inference.partial import partial_out_fixed_effects
from govcluster.inference.weights import WeightType
from govcluster.inference.wild import (
    BootstrapType,
    _check_record,
    _json_float,
    cluster_robust_interval,
    wild_cluster_bootstrap,
)
from govcluster.panel.spec import check_option

SCHEMA_VERSION = 1
KIND = "few_cluster_inference"

#: Fixed effects absorbed by each supported estimator.
_ABSORBED = {"pooled": (), "entity_fe": ("entity",), "twoway_fe": ("entity", "time")}

_WEIGHT_NAMES = {
    "rademacher": ("Rademacher", "Rademacher"),
    "webb": ("Webb six-point", "Webb 六点"),
    "mammen": ("Mammen", "Mammen"),
}


@dataclass(frozen=True)
class FewClusterRow:
    """One coefficient: cluster-robust and (when reported) wild-bootstrap inference."""

    coefficient: str
    estimate: float
    std_error: float
    t_stat: float
    p_value_cluster: float
    conf_int_cluster: tuple[float, float]
    p_value_wild: float | None
    conf_int_wild: tuple[float, float] | None


@dataclass(frozen=True)
class FewClusterReport:
    """Result of :func:`few_cluster_inference`.

    Attributes
    ----------
    rows : tuple of FewClusterRow
        One per regressor, in the order of the specification.
    cluster : str
        Clustering column.
    n_clusters, n_obs : int
    wild_reported : bool
        Whether the wild bootstrap was run (clusters fewer than ``threshold``).
    threshold : int
    bootstrap_type, weights : str
    n_draws : int
        Replicates used (``2**G`` under full enumeration; 0 when not run).
    enumerated : bool
    seed : int or None
    level : float
    note_en, note_zh : str
        Table notes.
    """

    rows: tuple[FewClusterRow, ...]
    cluster: str
    n_clusters: int
    n_obs: int
    wild_reported: bool
    threshold: int
    bootstrap_type: str
    weights: str
    n_draws: int
    enumerated: bool
    seed: int | None
    level: float
    note_en: str
    note_zh: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-able record."""
        out = asdict(self)
        out["rows"] = [
            {
                k: (
                    [_json_float(x) for x in v]
                    if isinstance(v, (tuple, list))
                    else (_json_float(v) if isinstance(v, float) else v)
                )
                for k, v in asdict(r).items()
            }
            for r in self.rows
        ]
        return {"schema_version": SCHEMA_VERSION, "kind": KIND, **out}

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> FewClusterReport:
        """Rebuild from :meth:`to_dict` output (checks ``kind`` and version)."""
        _check_record(record, KIND, SCHEMA_VERSION)
        values = {k: v for k, v in record.items() if k not in ("schema_version", "kind")}
        rows = []
        for r in values.pop("rows"):
            r = dict(r)
            for k in ("estimate", "std_error", "t_stat", "p_value_cluster"):
                r[k] = float(r[k])
            r["conf_int_cluster"] = tuple(float(x) for x in r["conf_int_cluster"])
            if r["p_value_wild"] is not None:
                r["p_value_wild"] = float(r["p_value_wild"])
                r["conf_int_wild"] = tuple(float(x) for x in r["conf_int_wild"])
            rows.append(FewClusterRow(**r))
        return cls(rows=tuple(rows), **values)

    def to_frame(self) -> pd.DataFrame:
        """One row per coefficient, for rendering."""
        return pd.DataFrame([asdict(r) for r in self.rows])


def _fixed_effect_parameters(fe_codes: Sequence[np.ndarray], cluster_codes: np.ndarray) -> int:
    """Absorbed parameters to count in K, as :mod:`govcluster.panel.covariance` does.

    The intercept (absorbed by the demeaning) counts one; a fixed-effect dimension whose every
    group lies within one cluster is not counted (as ``reghdfe``); any other counts its
    number of levels minus one (e.g. year effects when clustering by entity).
    """
    extra = 1 if len(fe_codes) else 0
    for codes in fe_codes:
        pairs = pd.DataFrame({"fe": codes, "cl": cluster_codes}).drop_duplicates()
        nested = pairs["fe"].is_unique
        if not nested:
            extra += int(pd.Series(codes).nunique()) - 1
    return extra


def few_cluster_inference(
    data: pd.DataFrame,
    spec: Any,
    *,
    seed: int,
    cluster: str | None = None,
    threshold: int = 50,
    bootstrap_type: BootstrapType = "WCR",
    weights: WeightType = "webb",
    draws: int = 9999,
    always: bool = False,
) -> FewClusterReport:
    r"""Cluster-robust and wild cluster bootstrap inference for a linear panel model.

    Parameters
    ----------
    data : DataFrame
        Long panel.
    spec : PanelSpec or PanelEstimate
        Outcome, regressors, controls, entity, time, estimator (``pooled``, ``entity_fe``
        or ``twoway_fe``) and level; a fitted ``PanelEstimate`` is accepted for its
        ``spec``. Lags are not supported here: add lagged columns to the
        data instead.
    seed : int
        Seed of the bootstrap weights (from the configuration).
    cluster : str, optional
        Clustering column; default the specification's entity column.
    threshold : int
        The wild bootstrap is run when the clusters are fewer than this (default 50).
    bootstrap_type : {"WCR", "WCU"}
    weights : {"rademacher", "webb", "mammen"}
        Default ``"webb"`` (recommended by Webb (2023) and MacKinnon, Nielsen and Webb
        (2023) when clusters are very few, where Rademacher has only :math:`2^G` distinct
        values); Rademacher with :math:`2^G \le` ``draws`` is enumerated.
    draws : int
        Bootstrap replicates.
    always : bool
        Run the wild bootstrap whatever the number of clusters (the table note then says
        that the configuration asked for it).

    Returns
    -------
    FewClusterReport
    """
    check_option(bootstrap_type, BootstrapType, "bootstrap_type")
    check_option(weights, WeightType, "weights")
    if not hasattr(spec, "outcome") and hasattr(spec, "spec"):
        spec = spec.spec  # a fitted PanelEstimate: use the specification it was fitted with
    estimator = getattr(spec, "estimator", "twoway_fe")
    if estimator not in _ABSORBED:
        raise EstimationError(
            f"estimator={estimator!r} is not supported by the wild cluster bootstrap here; "
            f"use one of {', '.join(repr(e) for e in _ABSORBED)}."
        )
    if getattr(spec, "lags", ()):
        raise EstimationError(
            "the specification has lags; add the lagged columns to the data and list them "
            "as regressors for the wild cluster bootstrap."
        )
    regressors = (spec.regressors,) if isinstance(spec.regressors, str) else tuple(spec.regressors)
    controls = (spec.controls,) if isinstance(spec.controls, str) else tuple(spec.controls)
    cluster = cluster or spec.entity
    needed = [spec.outcome, *regressors, *controls, spec.entity, spec.time, cluster]
    missing = [c for c in dict.fromkeys(needed) if c not in data.columns]
    if missing:
        raise EstimationError(
            f"column(s) {', '.join(missing)} not in the data; available: "
            f"{', '.join(map(str, data.columns[:20]))}{' ...' if data.shape[1] > 20 else ''}."
        )
    used = data[list(dict.fromkeys(needed))].dropna()
    if used.empty:
        raise EstimationError("no complete rows for the wild cluster bootstrap sample.")
    columns = [*regressors, *controls]
    X = used[columns].to_numpy(dtype=float)
    y = used[spec.outcome].to_numpy(dtype=float)
    fe_names = [getattr(spec, dim) for dim in _ABSORBED[estimator]]
    fe_codes = [pd.factorize(used[c])[0] for c in fe_names]
    cluster_codes = pd.factorize(used[cluster])[0]
    if fe_codes:
        both = partial_out_fixed_effects(np.column_stack([y, X]), fe_codes)
        y, X = both[:, 0], both[:, 1:]
    else:
        X = np.column_stack([X, np.ones(len(y))])
    extra = _fixed_effect_parameters(fe_codes, cluster_codes)
    n_clusters = int(cluster_codes.max()) + 1
    run_wild = bool(always) or n_clusters < threshold
    level = float(getattr(spec, "level", 0.95))

    rows = []
    last = None
    for j, name in enumerate(regressors):
        R = np.zeros(X.shape[1])
        R[j] = 1.0
        res = wild_cluster_bootstrap(
            X,
            y,
            cluster_codes,
            restriction=R,
            seed=seed,
            bootstrap_type=bootstrap_type,
            weights=weights,
            draws=draws if run_wild else 1,
            level=level,
            confidence_interval=run_wild,
            extra_parameters=extra,
            name=name,
        )
        last = res
        p_cl, lo, hi = cluster_robust_interval(res)
        rows.append(
            FewClusterRow(
                coefficient=name,
                estimate=res.estimate,
                std_error=res.std_error,
                t_stat=res.t_stat,
                p_value_cluster=p_cl,
                conf_int_cluster=(lo, hi),
                p_value_wild=res.p_value if run_wild else None,
                conf_int_wild=res.conf_int if run_wild else None,
            )
        )
    assert last is not None
    n_draws = last.n_draws if run_wild else 0
    enumerated = bool(last.enumerated and run_wild)
    note_en, note_zh = table_notes(
        cluster=cluster,
        n_clusters=n_clusters,
        wild_reported=run_wild,
        threshold=threshold,
        bootstrap_type=bootstrap_type,
        weights=weights,
        n_draws=n_draws,
        enumerated=enumerated,
        seed=seed,
        level=level,
        requested=bool(always) and n_clusters >= threshold,
    )
    return FewClusterReport(
        rows=tuple(rows),
        cluster=cluster,
        n_clusters=n_clusters,
        n_obs=int(len(y)),
        wild_reported=run_wild,
        threshold=int(threshold),
        bootstrap_type=bootstrap_type,
        weights=weights,
        n_draws=int(n_draws),
        enumerated=enumerated,
        seed=int(seed) if run_wild and not enumerated else None,
        level=level,
        note_en=note_en,
        note_zh=note_zh,
    )


def table_notes(
    *,
    cluster: str,
    n_clusters: int,
    wild_reported: bool,
    threshold: int,
    bootstrap_type: str,
    weights: str,
    n_draws: int,
    enumerated: bool,
    seed: int | None,
    level: float,
    requested: bool = False,
) -> tuple[str, str]:
    """English and Chinese table notes describing the inference reported.

    ``requested`` marks a wild bootstrap run although the clusters are not fewer than
    ``threshold`` (the configuration asked for it).
    """
    pct = f"{100 * level:g}"
    crv_en = (
        f"Standard errors clustered by {cluster} ({n_clusters} clusters; CRV1 with "
        f"G/(G-1)(N-1)/(N-K); t({n_clusters - 1}) critical values)."
    )
    crv_zh = (
        f"标准误按 {cluster} 聚类（{n_clusters} 个聚类；CRV1，小样本校正 G/(G-1)(N-1)/(N-K)；"
        f"临界值取 t({n_clusters - 1})）。"
    )
    if not wild_reported:
        return (
            crv_en + f" With {n_clusters} >= {threshold} clusters no wild bootstrap is reported.",
            crv_zh + f"聚类数 {n_clusters} 不少于 {threshold}，未报告野聚类自助法结果。",
        )
    w_en, w_zh = _WEIGHT_NAMES[weights]
    kind_en = "restricted (null imposed)" if bootstrap_type == "WCR" else "unrestricted"
    kind_zh = "施加原假设的限制性" if bootstrap_type == "WCR" else "非限制性"
    if enumerated:
        draws_en = f"all {n_draws} Rademacher sign vectors enumerated"
        draws_zh = f"完全枚举全部 {n_draws} 个 Rademacher 符号向量"
    else:
        draws_en = f"{n_draws} replicates, seed {seed}"
        draws_zh = f"{n_draws} 次重复抽样，随机种子 {seed}"
    lead_en = (
        "As the configuration requests, wild"
        if requested
        else f"With fewer than {threshold} clusters, wild"
    )
    lead_zh = "按配置要求，同时报告" if requested else f"由于聚类数少于 {threshold}，同时报告"
    en = (
        f"{crv_en} {lead_en} cluster bootstrap p-values and "
        f"{pct}% confidence intervals (by test inversion) are also reported: {bootstrap_type}, "
        f"{kind_en}, {w_en} weights, {draws_en} (Roodman, MacKinnon, Nielsen and Webb 2019)."
    )
    zh = (
        f"{crv_zh}{lead_zh}野聚类自助法（wild cluster bootstrap）"
        f"的 p 值与 {pct}% 置信区间（检验反演法）：{bootstrap_type}（{kind_zh}），"
        f"{w_zh} 权重，{draws_zh}（Roodman、MacKinnon、Nielsen 和 Webb，2019）。"
    )
    return en, zh
