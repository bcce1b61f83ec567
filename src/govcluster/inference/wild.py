r"""The wild cluster bootstrap test of one linear restriction, and its confidence interval.

The model is :math:`y = X\beta + u` with errors correlated within :math:`G` clusters (fixed
effects already partialled out, :mod:`govcluster.inference.partial`). The hypothesis is
:math:`H_0: R\beta = r` for one row vector :math:`R`.

Algorithm (Roodman, MacKinnon, Nielsen and Webb 2019, "Fast and wild", sections 3-5)
--------------------------------------------------------------------------------
With :math:`A = (X'X)^{-1}` and the cluster cross-products :math:`X_g'X_g` and
:math:`X_g'y_g` computed once:

* WCR: the bootstrap data are :math:`y^*_g = X_g\tilde\beta + v_g\tilde u_g`, with
  :math:`\tilde\beta` the estimate under :math:`H_0` and :math:`\tilde u` its residuals.
  WCU: :math:`y^*_g = X_g\hat\beta + v_g\hat u_g`.
* With the cluster scores :math:`s_g = X_g'\ddot u_g` (:math:`\ddot u = \tilde u` or
  :math:`\hat u`), :math:`c_g = R A s_g` and :math:`M_g = R A X_g'X_g A`, a replicate with
  weights :math:`v` has numerator :math:`R\hat\beta^* - r = \sum_g v_g c_g` (WCU: centred at
  :math:`R\hat\beta`) and cluster-robust variance
  :math:`\hat V^* = q \sum_g \big(v_g c_g - M_g \sum_h v_h s_h\big)^2`, so each replicate
  costs :math:`O(Gk)` instead of :math:`O(Nk)`.
* :math:`t^* = (\sum_g v_g c_g) / \sqrt{\hat V^*}`; the observed
  :math:`t = (R\hat\beta - r)/\hat{se}` with the usual CRV1 standard error. Both use the same
  factor :math:`q = \frac{G}{G-1}\frac{N-1}{N-K}` (which therefore does not change the
  p-value).
* Symmetric p-value :math:`\frac1B\#\{|t^*_b| > |t|\}` with a strict inequality and
  exact ties not counted (boottest's convention; under WCR the replicates :math:`v=\pm1`
  reproduce the data and tie with :math:`t`, which ``fwildclusterboot`` and ``wildboottest``
  count or not depending on rounding); equal-tailed
  :math:`2\min(\frac1B\#\{t^*_b<t\}, \frac1B\#\{t^*_b>t\})`.
* Confidence interval by test inversion (section 3.5): under WCR the scores are linear in
  :math:`r` (:math:`\tilde\beta(r) = \hat\beta - AR'(RAR')^{-1}(R\hat\beta - r)`), so each
  replicate's numerator is linear and its variance quadratic in :math:`r`; the five
  per-replicate coefficients are stored and :math:`p(r)` costs :math:`O(B)`. The interval is
  :math:`\{r: p(r) > \alpha\}`, found by bracketing and bisection on each side of
  :math:`\hat\beta` with the same weights for every :math:`r`.

With Rademacher weights and :math:`2^G \le B` all :math:`2^G` sign vectors are used (full
enumeration, as ``boottest``), and the result is exact and free of randomness.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from govcluster.errors import EstimationError
from govcluster.inference.weights import WeightType, draw_wild_weights, enumerate_rademacher
from govcluster.panel.spec import check_option

BootstrapType = Literal["WCR", "WCU"]
PValueType = Literal["symmetric", "equal_tailed"]

SCHEMA_VERSION = 1
KIND = "wild_cluster_bootstrap"

#: Upper bound on the number of floats held at once in a (clusters x replicates) block.
_BLOCK_FLOATS = 4_000_000
#: Relative distance below which a replicate ties with the observed statistic.
_TIE_RTOL = 1e-9


@dataclass(frozen=True)
class WildBootstrapResult:
    r"""The wild cluster bootstrap test of :math:`R\beta = r` and its confidence interval.

    Attributes
    ----------
    coefficient : str
        Name of the tested combination (the coefficient name for a single coefficient).
    estimate : float
        :math:`R\hat\beta`.
    null_value : float
        :math:`r`.
    std_error : float
        Cluster-robust (CRV1) standard error of :math:`R\hat\beta`.
    t_stat : float
        :math:`(R\hat\beta - r)/\hat{se}`.
    p_value : float
        Wild bootstrap p-value.
    conf_int : tuple of float
        Confidence interval by test inversion (``nan`` when not requested; ``inf`` when the
        confidence set is unbounded on that side).
    level : float
        Confidence level.
    bootstrap_type, weights, p_value_type : str
        The options used.
    n_draws : int
        Number of bootstrap replicates actually used (``2**G`` under full enumeration).
    enumerated : bool
        Whether all Rademacher sign vectors were used.
    n_clusters, n_obs : int
        :math:`G` and :math:`N`.
    small_sample_factor : float
        :math:`q = \frac{G}{G-1}\frac{N-1}{N-K}`.
    seed : int or None
        Seed of the weights (``None`` under full enumeration).
    bootstrap_t : ndarray
        The :math:`B` bootstrap t statistics under :math:`H_0: R\beta = r` (not stored by
        :meth:`to_dict`).
    """

    coefficient: str
    estimate: float
    null_value: float
    std_error: float
    t_stat: float
    p_value: float
    conf_int: tuple[float, float]
    level: float
    bootstrap_type: str
    weights: str
    p_value_type: str
    n_draws: int
    enumerated: bool
    n_clusters: int
    n_obs: int
    small_sample_factor: float
    seed: int | None
    bootstrap_t: np.ndarray = field(repr=False, compare=False, default_factory=lambda: np.empty(0))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able record (without the bootstrap distribution)."""
        out = {k: v for k, v in asdict(self).items() if k != "bootstrap_t"}
        out["conf_int"] = [_json_float(x) for x in self.conf_int]
        for k in ("estimate", "null_value", "std_error", "t_stat", "p_value", "level"):
            out[k] = _json_float(out[k])
        return {"schema_version": SCHEMA_VERSION, "kind": KIND, **out}

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> WildBootstrapResult:
        """Rebuild a result from :meth:`to_dict` output (checks ``kind`` and version)."""
        _check_record(record, KIND, SCHEMA_VERSION)
        values = {k: v for k, v in record.items() if k not in ("schema_version", "kind")}
        values["conf_int"] = tuple(float(x) for x in values["conf_int"])
        for k in ("estimate", "null_value", "std_error", "t_stat", "p_value", "level"):
            values[k] = float(values[k])
        return cls(**values)


def _json_float(x: float) -> float | str:
    """Floats for JSON: infinities and NaN as strings that ``float()`` reads back."""
    x = float(x)
    return x if np.isfinite(x) else str(x)


def _check_record(record: dict[str, Any], kind: str, version: int) -> None:
    if record.get("kind") != kind:
        raise ValueError(f"record kind is {record.get('kind')!r}, expected {kind!r}.")
    if record.get("schema_version") != version:
        raise ValueError(
            f"{kind} record has schema_version {record.get('schema_version')!r}; this "
            f"version of govcluster reads {version}. Re-run the step that wrote it."
        )


@dataclass(frozen=True)
class _Replicates:
    """Per-replicate coefficients of :math:`t^*_b(r)`.

    The numerator is ``n0 + r n1`` and the variance ``q (d00 + 2 r d01 + r^2 d11)``.
    """

    n0: np.ndarray
    n1: np.ndarray
    d00: np.ndarray
    d01: np.ndarray
    d11: np.ndarray


def _validate(X: np.ndarray, y: np.ndarray, clusters: np.ndarray, R: np.ndarray) -> None:
    n, k = X.shape
    if y.shape != (n,):
        raise EstimationError(f"y has shape {y.shape}; expected ({n},) to match X.")
    if clusters.shape[0] != n:
        raise EstimationError(f"clusters has {clusters.shape[0]} entries; X has {n} rows.")
    if R.shape != (k,):
        raise EstimationError(f"restriction has shape {R.shape}; expected ({k},).")
    if not np.any(R != 0):
        raise EstimationError("restriction is all zeros; give the coefficient(s) to test.")
    for name, arr in (("X", X), ("y", y)):
        bad = np.flatnonzero(~np.isfinite(arr).reshape(n, -1).all(axis=1))
        if bad.size:
            raise EstimationError(
                f"{name} has missing or infinite values in rows {bad[:10].tolist()}"
                f"{' ...' if bad.size > 10 else ''}; drop those rows before the bootstrap."
            )


def wild_cluster_bootstrap(
    X: np.ndarray,
    y: np.ndarray,
    clusters: np.ndarray,
    *,
    restriction: np.ndarray,
    seed: int | None,
    null_value: float = 0.0,
    bootstrap_type: BootstrapType = "WCR",
    weights: WeightType = "rademacher",
    draws: int = 9999,
    level: float = 0.95,
    p_value_type: PValueType = "symmetric",
    confidence_interval: bool = True,
    extra_parameters: int = 0,
    name: str = "",
) -> WildBootstrapResult:
    r"""Wild cluster bootstrap test of :math:`R\beta = r` in a linear model.

    Parameters
    ----------
    X : ndarray, shape (n, k)
        Regressors (fixed effects already partialled out).
    y : ndarray, shape (n,)
        Outcome (fixed effects partialled out the same way).
    clusters : ndarray, shape (n,)
        Cluster identifiers (any hashable values).
    restriction : ndarray, shape (k,)
        :math:`R`; a unit vector tests one coefficient.
    seed : int or None
        Seed of :func:`numpy.random.default_rng` for the weights. Required (pass ``None``
        only when the weights are fully enumerated).
    null_value : float
        :math:`r`.
    bootstrap_type : {"WCR", "WCU"}
        Restricted (null imposed, recommended) or unrestricted bootstrap data.
    weights : {"rademacher", "webb", "mammen"}
        Weight distribution (:mod:`govcluster.inference.weights`).
    draws : int
        Number of replicates :math:`B`. Rademacher weights with :math:`2^G \le B` are
        enumerated instead (:math:`2^G` replicates, no randomness).
    level : float
        Confidence level of the interval.
    p_value_type : {"symmetric", "equal_tailed"}
        Symmetric (``|t*| > |t|``) or equal-tailed p-value.
    confidence_interval : bool
        Whether to invert the test into an interval.
    extra_parameters : int
        Absorbed parameters not nested in the clusters, added to :math:`K` in the
        small-sample factor (e.g. year effects when clustering by entity).
    name : str
        Label of the tested combination.

    Returns
    -------
    WildBootstrapResult
    """
    check_option(bootstrap_type, BootstrapType, "bootstrap_type")
    check_option(weights, WeightType, "weights")
    check_option(p_value_type, PValueType, "p_value_type")
    if not 0 < level < 1:
        raise EstimationError(f"level={level!r} must be between 0 and 1 (e.g. 0.95).")
    if int(draws) < 1:
        raise EstimationError(f"draws={draws!r} must be a positive number of replicates.")
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    R = np.asarray(restriction, dtype=float).ravel()
    clusters = np.asarray(clusters)
    if X.ndim == 1:
        X = X[:, None]
    _validate(X, y, clusters, R)
    codes = np.unique(clusters, return_inverse=True)[1].ravel()
    n, k = X.shape
    G = int(codes.max()) + 1
    if G < 2:
        raise EstimationError("the wild cluster bootstrap needs at least 2 clusters; got 1.")

    # Cluster-level cross-products, computed once: O(N k^2).
    XgXg = np.zeros((G, k, k))
    np.add.at(XgXg, codes, X[:, :, None] * X[:, None, :])
    Xgy = np.column_stack([np.bincount(codes, weights=X[:, j] * y, minlength=G) for j in range(k)])
    XX = XgXg.sum(axis=0)
    try:
        A = np.linalg.inv(XX)
    except np.linalg.LinAlgError as exc:
        raise EstimationError(
            "the regressors are collinear (X'X is singular); drop redundant columns."
        ) from exc
    beta_hat = A @ Xgy.sum(axis=0)
    RA = R @ A
    q = G / (G - 1) * (n - 1) / (n - k - extra_parameters)

    # Observed statistic with CRV1 standard error (unrestricted residuals).
    scores_hat = Xgy - XgXg @ beta_hat  # (G, k)
    c_hat = scores_hat @ RA
    std_error = float(np.sqrt(q * np.sum(c_hat**2)))
    estimate = float(R @ beta_hat)

    # Scores of the bootstrap data: s_g(r) = S0_g + r S1_g.
    M = np.einsum("j,gjl,lm->gm", RA, XgXg, A)  # R A X_g'X_g A
    if bootstrap_type == "WCR":
        direction = A @ R / float(R @ A @ R)  # beta_tilde(r) = beta_hat - direction (R b - r)
        beta0 = beta_hat - direction * estimate
        S0 = Xgy - XgXg @ beta0
        S1 = -(XgXg @ direction)
    else:
        S0 = scores_hat
        S1 = np.zeros_like(S0)

    enumerated = weights == "rademacher" and G <= 20 and 2**G <= draws
    if not enumerated and seed is None:
        raise EstimationError(
            "seed=None: the bootstrap weights are random here; pass an integer seed (the "
            "config's seed) so that results can be reproduced."
        )
    n_draws = 2**G if enumerated else int(draws)
    rng = None if enumerated else np.random.default_rng(seed)
    all_signs = enumerate_rademacher(G) if enumerated else None

    c0 = S0 @ RA
    c1 = S1 @ RA
    parts: dict[str, list[np.ndarray]] = {k_: [] for k_ in ("n0", "n1", "d00", "d01", "d11")}
    block = max(1, _BLOCK_FLOATS // max(G, 1))
    for start in range(0, n_draws, block):
        size = min(block, n_draws - start)
        if all_signs is not None:
            V = all_signs[start : start + size]
        else:
            V = draw_wild_weights(rng, n_draws=size, n_clusters=G, weights=weights)
        # V: (b, G). Numerators and the (G, b) blocks of per-cluster variance terms.
        parts["n0"].append(V @ c0)
        parts["n1"].append(V @ c1)
        Z0 = V * c0 - (V @ S0) @ M.T  # (b, G)
        parts["d00"].append(np.einsum("bg,bg->b", Z0, Z0))
        if bootstrap_type == "WCR":
            Z1 = V * c1 - (V @ S1) @ M.T
            parts["d01"].append(np.einsum("bg,bg->b", Z0, Z1))
            parts["d11"].append(np.einsum("bg,bg->b", Z1, Z1))
        else:
            parts["d01"].append(np.zeros(size))
            parts["d11"].append(np.zeros(size))
    reps = _Replicates(**{k_: np.concatenate(v) for k_, v in parts.items()})

    def t_boot(r: float) -> np.ndarray:
        shift = r if bootstrap_type == "WCR" else 0.0
        var = q * (reps.d00 + 2 * shift * reps.d01 + shift**2 * reps.d11)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (reps.n0 + shift * reps.n1) / np.sqrt(var)

    # Replicates within a relative 1e-9 of the observed statistic are exact ties computed
    # with different rounding (under WCR the replicates v = +-1 reproduce the data); as in
    # boottest, where the observed statistic is the unit-weight replicate compared with a
    # strict inequality, ties are not counted.
    def t_observed(r: float) -> float:
        return (estimate - r) / std_error

    def p_of(r: float) -> float:
        t_obs = t_observed(r)
        tb = t_boot(r)
        if p_value_type == "symmetric":
            tie = np.isclose(np.abs(tb), abs(t_obs), rtol=_TIE_RTOL, atol=0)
            return float(np.mean((np.abs(tb) > abs(t_obs)) & ~tie))
        tie = np.isclose(tb, t_obs, rtol=_TIE_RTOL, atol=0)
        below = np.mean((tb < t_obs) & ~tie)
        above = np.mean((tb > t_obs) & ~tie)
        return float(2 * min(below, above))

    p_value = p_of(null_value)
    alpha = 1 - level
    if confidence_interval:
        conf_int = (
            _invert(p_of, estimate, std_error, alpha, side=-1),
            _invert(p_of, estimate, std_error, alpha, side=+1),
        )
    else:
        conf_int = (float("nan"), float("nan"))
    return WildBootstrapResult(
        coefficient=name,
        estimate=estimate,
        null_value=float(null_value),
        std_error=std_error,
        t_stat=(estimate - null_value) / std_error,
        p_value=p_value,
        conf_int=conf_int,
        level=float(level),
        bootstrap_type=bootstrap_type,
        weights=weights,
        p_value_type=p_value_type,
        n_draws=n_draws,
        enumerated=bool(enumerated),
        n_clusters=G,
        n_obs=n,
        small_sample_factor=float(q),
        seed=None if enumerated else int(seed),
        bootstrap_t=t_boot(null_value),
    )


def _invert(p_of, estimate: float, std_error: float, alpha: float, *, side: int) -> float:
    r"""Endpoint of :math:`\{r: p(r) > \alpha\}` on one side of the estimate.

    Steps outward from the estimate by multiples of the standard error until the test
    rejects, then bisects to a relative precision of about :math:`10^{-10}` of the
    standard error. Returns ``±inf`` if the test never rejects within :math:`10^6` standard
    errors.
    """
    from scipy import stats  # imported when used: the workflow's plan imports this module

    inside = estimate
    step = std_error * max(stats.norm.ppf(1 - alpha / 2), 1.0)
    outside = None
    for _ in range(60):
        candidate = inside + side * step
        if p_of(candidate) <= alpha:
            outside = candidate
            break
        inside = candidate
        step *= 2
        if step > 1e6 * std_error:
            return float(side * np.inf)
    if outside is None:
        return float(side * np.inf)
    tol = 1e-10 * max(std_error, 1e-300)
    for _ in range(200):
        if abs(outside - inside) <= tol:
            break
        mid = 0.5 * (inside + outside)
        if p_of(mid) > alpha:
            inside = mid
        else:
            outside = mid
    return float(0.5 * (inside + outside))


def cluster_robust_interval(result: WildBootstrapResult) -> tuple[float, float, float]:
    """CRV1 p-value and interval with :math:`t(G-1)` (the usual cluster-robust inference).

    Returns
    -------
    (p_value, lower, upper)
    """
    from scipy import stats

    dof = result.n_clusters - 1
    p = float(2 * stats.t.sf(abs(result.t_stat), dof))
    half = float(stats.t.ppf(1 - (1 - result.level) / 2, dof)) * result.std_error
    return p, result.estimate - half, result.estimate + half
