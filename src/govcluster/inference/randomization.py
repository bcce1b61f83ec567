r"""Randomization inference for a staggered designation: permute adoption years across units.

Under the sharp null of no effect of the designation on any unit in any year, the outcomes
are fixed and only the assignment of adoption years (the cohorts, never-treated included) is
random. Re-assigning the observed cohorts across units (within strata, when configured) and
re-estimating gives the permutation distribution of each estimator; the share of
re-assignments with an estimate at least as extreme as the observed one is its p-value
(Fisher 1935; for difference-in-differences, MacKinnon and Webb 2020).

Both estimators used here are linear in the outcomes of each unit given its cohort, so every
permutation costs one gather-and-sum over units:

.. math::  \hat\theta(\pi) = \sum_i A_{i,\,k_{\pi(i)}}

where :math:`k_{\pi(i)}` is the cohort unit :math:`i` receives and :math:`A` (units x cohorts)
is computed once:

* **TWFE** (static coefficient on the post-treatment indicator, balanced panel):
  :math:`\hat\beta = \sum_{it} D_{it}\tilde y_{it} / \sum_{it}\tilde D_{it}^2` with
  :math:`\tilde y` the two-way demeaned outcome. The denominator depends on the cohorts only
  through their counts by year, which a permutation keeps, so
  :math:`A_{ik} = \sum_t C_{kt}\tilde y_{it} / \sum\tilde D^2` with :math:`C_{kt} =
  1\{t \ge g_k\}` the treatment path of cohort :math:`k`.
* **Callaway-Sant'Anna** (no covariates; overall ATT, the cohort-size weighted mean of the
  post-period ATT(g, t), as R ``did::aggte(type = "simple")``): each ATT(g, t) is a difference
  of cohort-by-year mean changes, and the cohort sizes (and so the weights) are the same in
  every permutation, so the overall ATT is :math:`\sum_{kt} W_{kt} S_{kt}` with
  :math:`S_{kt}` the sum of the outcomes of the units in cohort :math:`k` in year :math:`t`
  and :math:`W` fixed; :math:`A = Y W^\top`.

The imputation (Borusyak, Jaravel and Spiess) and Sun-Abraham estimators re-fit a regression
on a sample that changes with each permutation and have no such closed form; they are not
part of the randomization inference.

Draws come in blocks of :data:`DRAW_BLOCK` permutations, block ``j`` from the ``j``-th child
of ``numpy.random.SeedSequence(seed)``: the first ``n`` permutations are the same whatever the
total requested, and nothing depends on the number of cores.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Literal, get_args

import numpy as np

from govcluster.errors import ConfigError, DataValidationError

SCHEMA_VERSION = 1
#: Permutations drawn from one child seed; fixed so that results never depend on chunking.
DRAW_BLOCK = 1000
#: Relative tolerance under which a permuted estimate counts as equal to the observed one.
TIE_TOLERANCE = 1e-10

RandomizationEstimator = Literal["twfe", "callaway_santanna"]
Comparison = Literal["never_treated", "not_yet_treated"]
RANDOMIZATION_ESTIMATORS: tuple[str, ...] = get_args(RandomizationEstimator)


def _check_option(value: object, options: Any, name: str) -> None:
    allowed = get_args(options)
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise ConfigError(
            f"did.randomization.{name} = {value!r} is not an option; use one of {shown}."
        )


@dataclass(frozen=True)
class RandomizationSpec:
    """What the randomization inference of the designation asks for (config ``did.randomization``).

    Attributes
    ----------
    enabled : bool
    n_permutations : int
        Random re-assignments of the adoption years (drawn with replacement from all
        distinct re-assignments; at least 99).
    strata : tuple of str
        Columns constant within each unit (for example ``region`` or ``industry``); adoption
        years are permuted only among units of the same stratum (all combinations of the
        columns). Empty: across all units.
    estimators : tuple of str
        ``twfe`` and/or ``callaway_santanna`` (see the module docstring for why no others).
    seed : int
        Seed of the permutations (their own, independent of the bootstrap seeds).
    bins : int
        Bins of the stored histogram of each permutation distribution.
    """

    enabled: bool = False
    n_permutations: int = 10000
    strata: tuple[str, ...] = ()
    estimators: tuple[str, ...] = RANDOMIZATION_ESTIMATORS
    seed: int = 20261113
    bins: int = 60

    def __post_init__(self) -> None:
        for name in self.estimators:
            _check_option(name, RandomizationEstimator, "estimators[]")
        if not self.estimators:
            raise ConfigError("did.randomization.estimators must name at least one estimator")
        if isinstance(self.n_permutations, bool) or not isinstance(self.n_permutations, int):
            raise ConfigError(
                f"did.randomization.n_permutations must be a whole number, got "
                f"{self.n_permutations!r}"
            )
        if self.n_permutations < 99:
            raise ConfigError(
                f"did.randomization.n_permutations = {self.n_permutations} is too few for a "
                "p-value at the 1% level; use at least 99 (the default is 10000)"
            )
        if self.bins < 5:
            raise ConfigError(f"did.randomization.bins must be at least 5, got {self.bins}")

    @classmethod
    def from_config(cls, section: Any) -> RandomizationSpec:
        """Build from config ``did.randomization`` (a mapping or None; unknown keys fail)."""
        section = dict(section or {})
        valid = {f.name for f in fields(cls)}
        unknown = sorted(set(section) - valid)
        if unknown:
            raise ConfigError(
                f"Unknown key(s) in did.randomization: {', '.join(unknown)}. "
                f"Valid keys: {', '.join(sorted(valid))}."
            )
        for key in ("strata", "estimators"):
            if key in section:
                value = section[key]
                value = (value,) if isinstance(value, str) else tuple(value or ())
                if not all(isinstance(v, str) for v in value):
                    raise ConfigError(f"did.randomization.{key} must be a list of names")
                section[key] = value
        return cls(**section)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values."""
        return {
            f.name: list(getattr(self, f.name))
            if isinstance(getattr(self, f.name), tuple)
            else getattr(self, f.name)
            for f in fields(self)
        }


@dataclass(frozen=True)
class RandomizationResult:
    """The permutation distribution of one estimator on one outcome and its p-values.

    Attributes
    ----------
    estimator, outcome : str
    observed : float
        The estimate under the observed assignment (equal to the estimator's own estimate).
    n_permutations : int
    n_distinct_log10 : float
        log10 of the number of distinct assignments the permutations are drawn from.
    strata : tuple of str
    seed : int
    p_value : float
        Two-sided: ``(1 + #{|theta_b| >= |theta_obs|}) / (B + 1)``, valid at every ``B``
        (the observed assignment counted once).
    p_value_upper, p_value_lower : float
        One-sided, ``theta_b >= theta_obs`` and ``theta_b <= theta_obs``, same convention.
    share_extreme : float
        ``#{|theta_b| >= |theta_obs|} / B`` (the Monte Carlo estimate of the exact p-value).
    mc_se : float
        Its Monte Carlo standard error ``sqrt(share (1 - share) / B)``.
    mean, sd : float
        Of the permutation distribution.
    quantiles : dict
        ``"0.005"``, ``"0.025"``, ``"0.05"``, ``"0.5"``, ``"0.95"``, ``"0.975"``, ``"0.995"``.
    histogram : dict
        ``edges`` (bins + 1) and ``counts`` (bins) of the permutation estimates.
    method : str
        How the permuted estimates were computed.
    """

    kind: ClassVar[str] = "did_randomization"
    estimator: str
    outcome: str
    observed: float
    n_permutations: int
    n_distinct_log10: float
    strata: tuple[str, ...]
    seed: int
    p_value: float
    p_value_upper: float
    p_value_lower: float
    share_extreme: float
    mc_se: float
    mean: float
    sd: float
    quantiles: dict[str, float]
    histogram: dict[str, list[float]]
    method: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict with ``schema_version`` and ``kind``."""
        out: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "kind": self.kind}
        for item in fields(self):
            value = getattr(self, item.name)
            out[item.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RandomizationResult:
        """Rebuild from :meth:`to_dict` output, checking ``kind`` and ``schema_version``."""
        if d.get("kind") != cls.kind:
            raise ValueError(f"expected a record of kind {cls.kind!r}, got {d.get('kind')!r}")
        if d.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(
                f"{cls.kind} record has schema_version {d.get('schema_version')!r}; this "
                f"version of govcluster reads {SCHEMA_VERSION}. Rerun the did stage."
            )
        body = {f.name: d[f.name] for f in fields(cls)}
        body["strata"] = tuple(body["strata"])
        return cls(**body)


# --------------------------------------------------------------------------------------------
# Assignments
# --------------------------------------------------------------------------------------------


def distinct_assignments_log10(cohorts: np.ndarray, strata: np.ndarray) -> float:
    """log10 of :func:`count_distinct_assignments`, by log-gamma (no huge integers)."""
    total = 0.0
    for stratum in np.unique(strata):
        members = cohorts[strata == stratum]
        total += math.lgamma(members.size + 1)
        total -= sum(math.lgamma(int(n) + 1) for n in np.unique(members, return_counts=True)[1])
    return total / math.log(10)


def count_distinct_assignments(cohorts: np.ndarray, strata: np.ndarray) -> int:
    """Number of distinct assignments of the cohorts to units, permuting within strata.

    ``prod_s n_s! / prod_k n_{s,k}!`` (a multinomial coefficient per stratum), exact.
    """
    total = 1
    for stratum in np.unique(strata):
        members = cohorts[strata == stratum]
        count = math.factorial(members.size)
        for size in np.unique(members, return_counts=True)[1]:
            count //= math.factorial(int(size))
        total *= count
    return total


def check_strata(strata: np.ndarray, unit_ids: Sequence[str], columns: Sequence[str]) -> None:
    """Every stratum must hold at least two units (else its units cannot be re-assigned)."""
    labels, counts = np.unique(strata, return_counts=True)
    single = labels[counts < 2]
    if single.size:
        units = [str(unit_ids[int(np.flatnonzero(strata == s)[0])]) for s in single[:10]]
        raise DataValidationError(
            f"did.randomization.strata = {list(columns)}: {single.size} stratum/strata hold a "
            f"single unit ({', '.join(map(str, single[:10]))}; units {', '.join(units)}), whose "
            "adoption year cannot be permuted. Use coarser strata (fewer or other columns), or "
            "exclude those units (did.exclude_units)"
        )


def assignment_blocks(
    labels: np.ndarray, strata: np.ndarray, *, n_permutations: int, seed: int
) -> Iterator[np.ndarray]:
    """Permuted cohort labels in blocks of :data:`DRAW_BLOCK` rows, permuting within strata.

    Parameters
    ----------
    labels : numpy.ndarray of int, shape (n_units,)
        Observed cohort index of every unit.
    strata : numpy.ndarray, shape (n_units,)
        Stratum of every unit (any sortable labels).
    n_permutations : int
    seed : int
        Block ``j`` is drawn from child ``j`` of ``SeedSequence(seed)`` (the last block is
        cut to ``n_permutations``).

    Yields
    ------
    numpy.ndarray of int, shape (rows, n_units)
        Each row one re-assignment.
    """
    n_blocks = -(-n_permutations // DRAW_BLOCK)
    children = np.random.SeedSequence(seed).spawn(n_blocks)
    groups = [np.flatnonzero(strata == s) for s in np.unique(strata)]
    small = labels.astype(np.intp)  # numpy shuffles native integers fastest
    for j, child in enumerate(children):
        rng = np.random.default_rng(child)
        block = np.empty((DRAW_BLOCK, labels.size), dtype=small.dtype)
        for members in groups:
            rows = np.broadcast_to(small[members], (DRAW_BLOCK, members.size))
            block[:, members] = rng.permuted(rows, axis=1)
        yield block[: n_permutations - j * DRAW_BLOCK]


def draw_assignments(
    labels: np.ndarray, strata: np.ndarray, *, n_permutations: int, seed: int
) -> np.ndarray:
    """All blocks of :func:`assignment_blocks` stacked: shape (n_permutations, n_units)."""
    blocks = assignment_blocks(labels, strata, n_permutations=n_permutations, seed=seed)
    return np.concatenate(list(blocks))


# --------------------------------------------------------------------------------------------
# Linear forms of the estimators
# --------------------------------------------------------------------------------------------


def cohort_paths(cohort_years: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Treatment path of each cohort: ``C[k, t] = 1{g_k > 0 and year_t >= g_k}``."""
    g = cohort_years[:, None]
    return ((g > 0) & (years[None, :] >= g)).astype(float)


def twfe_unit_contributions(
    outcome: np.ndarray, labels: np.ndarray, cohort_years: np.ndarray, years: np.ndarray
) -> np.ndarray:
    """``A`` of the static TWFE coefficient: ``beta = sum_i A[i, cohort of i]``.

    Parameters
    ----------
    outcome : numpy.ndarray, shape (n_units, n_years)
        Balanced panel of the outcome.
    labels : numpy.ndarray of int
        Observed cohort index of every unit (fixes the denominator, the same in every
        permutation).
    cohort_years : numpy.ndarray of int
        First-treatment year of each cohort index (0 = never treated).
    years : numpy.ndarray
        The years, in the column order of ``outcome``.
    """
    paths = cohort_paths(cohort_years, years)
    y = outcome - outcome.mean(axis=1, keepdims=True) - outcome.mean(axis=0, keepdims=True)
    y = y + outcome.mean()
    d = paths[labels]
    d_within = d - d.mean(axis=1, keepdims=True) - d.mean(axis=0, keepdims=True) + d.mean()
    denominator = float(np.sum(d_within**2))
    if denominator <= 0:
        raise DataValidationError(
            "did.randomization: the treatment indicator has no variation left after unit and "
            "year effects; there is no TWFE estimate to permute"
        )
    return (y @ paths.T) / denominator


def callaway_santanna_weights(
    cohort_years: np.ndarray,
    sizes: np.ndarray,
    years: np.ndarray,
    *,
    comparison: str,
    anticipation: int,
) -> np.ndarray:
    """``W`` (cohorts x years) with overall ATT = ``sum_{k,t} W[k, t] S[k, t]``.

    ``S[k, t]`` is the sum of the outcome over the units of cohort ``k`` in year ``t``. Post
    cells are ``t >= g - anticipation`` with base period ``g - 1 - anticipation`` (the same
    under a varying and a universal base); comparison units are the never treated, or with
    ``not_yet_treated`` also the cohorts with ``g > t + anticipation``; cells without a
    comparison unit or a base year in the data are left out (as the library leaves NaN
    cells out); weights proportional to the cohort size.
    """
    _check_option(comparison, Comparison, "comparison (did.comparison)")
    position = {int(y): j for j, y in enumerate(years)}
    cells: list[tuple[int, int, int, list[int]]] = []
    for k, g in enumerate(cohort_years):
        if g <= 0:
            continue
        base = int(g) - 1 - anticipation
        if base not in position:
            continue
        for t in years:
            if t < g - anticipation:
                continue
            controls = [
                c
                for c, h in enumerate(cohort_years)
                if h == 0
                or (comparison == "not_yet_treated" and h > max(int(t), base) + anticipation)
            ]
            if not controls or sizes[controls].sum() == 0:
                continue
            cells.append((k, position[int(t)], position[base], controls))
    if not cells:
        raise DataValidationError(
            "did.randomization: no post-treatment cohort-year cell has a comparison group; "
            "there is no Callaway-Sant'Anna estimate to permute"
        )
    total = float(sum(sizes[k] for k, *_ in cells))
    weights = np.zeros((cohort_years.size, years.size))
    for k, t, base, controls in cells:
        share = sizes[k] / total
        weights[k, t] += share / sizes[k]
        weights[k, base] -= share / sizes[k]
        n_controls = float(sizes[controls].sum())
        for c in controls:
            weights[c, t] -= share / n_controls
            weights[c, base] += share / n_controls
    return weights


def callaway_santanna_unit_contributions(outcome: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``A = Y W^T``: the overall ATT is ``sum_i A[i, cohort of i]``."""
    return outcome @ weights.T


def permuted_estimates(contributions: np.ndarray, assignments: np.ndarray) -> np.ndarray:
    """``theta_b = sum_i A[i, assignments[b, i]]`` for every row ``b``."""
    units = np.arange(contributions.shape[0])
    out = np.empty(assignments.shape[0])
    for start in range(0, assignments.shape[0], DRAW_BLOCK):
        block = assignments[start : start + DRAW_BLOCK]
        out[start : start + DRAW_BLOCK] = contributions[units[None, :], block].sum(axis=1)
    return out


def permutation_distributions(
    contributions: Sequence[np.ndarray],
    labels: np.ndarray,
    strata: np.ndarray,
    *,
    n_permutations: int,
    seed: int,
) -> np.ndarray:
    """Permuted estimates of several linear estimators on the same draws, block by block.

    Memory stays at one block of assignments whatever ``n_permutations``.

    Returns
    -------
    numpy.ndarray, shape (len(contributions), n_permutations)
    """
    out = np.empty((len(contributions), n_permutations))
    start = 0
    for block in assignment_blocks(labels, strata, n_permutations=n_permutations, seed=seed):
        for k, a in enumerate(contributions):
            out[k, start : start + len(block)] = permuted_estimates(a, block)
        start += len(block)
    return out


# --------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------

QUANTILES = (0.005, 0.025, 0.05, 0.5, 0.95, 0.975, 0.995)


def permutation_p_values(observed: float, draws: np.ndarray) -> dict[str, float]:
    """Two- and one-sided permutation p-values, ``(1 + count) / (B + 1)``.

    Ties within :data:`TIE_TOLERANCE` (relative) count as at least as extreme.
    """
    scale = max(abs(observed), float(np.max(np.abs(draws))), 1e-300)
    tol = TIE_TOLERANCE * scale
    n = draws.size
    extreme = int(np.sum(np.abs(draws) >= abs(observed) - tol))
    upper = int(np.sum(draws >= observed - tol))
    lower = int(np.sum(draws <= observed + tol))
    share = extreme / n
    return {
        "p_value": (1 + extreme) / (n + 1),
        "p_value_upper": (1 + upper) / (n + 1),
        "p_value_lower": (1 + lower) / (n + 1),
        "share_extreme": share,
        "mc_se": math.sqrt(share * (1 - share) / n),
    }


def summarise_permutations(
    draws: np.ndarray,
    observed: float,
    *,
    estimator: str,
    outcome: str,
    n_distinct_log10: float,
    strata: Sequence[str],
    seed: int,
    bins: int,
    method: str,
) -> RandomizationResult:
    """The :class:`RandomizationResult` of permuted estimates ``draws``."""
    low = min(float(draws.min()), observed)
    high = max(float(draws.max()), observed)
    if high <= low:
        high = low + 1.0
    counts, edges = np.histogram(draws, bins=bins, range=(low, high))
    quantiles = np.quantile(draws, QUANTILES)
    return RandomizationResult(
        estimator=estimator,
        outcome=outcome,
        observed=float(observed),
        n_permutations=int(draws.size),
        n_distinct_log10=float(n_distinct_log10),
        strata=tuple(strata),
        seed=int(seed),
        **permutation_p_values(observed, draws),
        mean=float(draws.mean()),
        sd=float(draws.std(ddof=1)),
        quantiles={f"{q:g}": float(v) for q, v in zip(QUANTILES, quantiles, strict=True)},
        histogram={"edges": edges.tolist(), "counts": counts.astype(int).tolist()},
        method=method,
    )


def check_enough_assignments(
    cohorts: np.ndarray, strata: np.ndarray, n_permutations: int, columns: Sequence[str]
) -> float:
    """log10 of the number of distinct assignments; fail when fewer than requested exist.

    The count is exact (integers) whenever it could be near ``n_permutations``.
    """
    log10 = distinct_assignments_log10(cohorts, strata)
    if log10 > math.log10(n_permutations) + 3:
        return log10
    n_distinct = count_distinct_assignments(cohorts, strata)
    others = n_distinct - 1
    if others < n_permutations:
        where = f"within the strata {list(columns)}" if columns else "across all units"
        raise DataValidationError(
            f"did.randomization.n_permutations = {n_permutations}, but permuting the adoption "
            f"years {where} gives only {n_distinct} distinct assignments ({others} besides the "
            f"observed one). Set did.randomization.n_permutations to at most {others}"
            + (" or use coarser strata" if columns else "")
            + (
                "; with so few assignments the smallest attainable p-value is "
                f"{1 / max(n_distinct, 1):.3g}"
            )
        )
    return math.log10(n_distinct)
