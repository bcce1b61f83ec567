r"""One specification of the curve: its estimate, standard error and permuted fits (numpy only).

The coefficient of the treatment :math:`x` in

.. math:: y_{it} = \beta x_{it} + \gamma' w_{it} + \alpha_i + \delta' d_{it} + \varepsilon_{it}

(:math:`\alpha_i` entity effects, :math:`d_{it}` year or region-year indicators, as the
specification's fixed effects say) is computed by Frisch-Waugh-Lovell: :math:`y`, :math:`x` and
the nuisance columns :math:`N = [w, d]` are demeaned within entities, :math:`\tilde N` is
replaced by an orthonormal basis :math:`U` of its column space (collinear indicators drop out,
as in the panel stage), and

.. math:: \hat\beta = \frac{\ddot x'\ddot y}{\ddot x'\ddot x}, \qquad
          \ddot v = \tilde v - U U'\tilde v .

The residuals are :math:`\hat e = \ddot y - \hat\beta \ddot x`, the same as those of the full
regression, so the sandwich needs only :math:`\ddot x` and :math:`\hat e`:
:math:`\hat V = q \sum_g (\sum_{i \in g} \ddot x_i \hat e_i)^2 / (\ddot x'\ddot x)^2` with the
panel stage's small-sample factors (:mod:`govcluster.panel.covariance`):
:math:`q = \frac{G}{G-1}\frac{N-1}{N-K}` for clustering (entity effects not counted in
:math:`K` when the entities are nested in the clusters), :math:`N/(N-K-d)` for ``robust`` and
:math:`\hat\sigma^2 = \hat e'\hat e/(N-K-d)` for ``unadjusted`` (:math:`d` absorbed entity
effects), where :math:`K` counts the treatment, the nuisance columns kept and the intercept.

The permuted treatments (:mod:`govcluster.speccurve.permutation`) are residualised in the same
pass, as the columns of one matrix, in chunks that bound the memory: the cost of P permutations
is a few matrix products, not P regressions.

Only numpy is imported (a job per specification starts in a fraction of a second); p-values and
intervals, which need the t distribution, are computed when the curve is assembled
(:mod:`govcluster.speccurve.joint`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from govcluster.errors import ConfigError, EstimationError
from govcluster.speccurve.permutation import cluster_keys, donor_matrix, exchangeable_groups
from govcluster.speccurve.spec import (
    SCHEMA_VERSION,
    CurveDimensions,
    Specification,
    _check_record,
    sample_kind,
)

#: Largest number of cells (rows x permutations) residualised at once.
CHUNK_CELLS = 4_000_000


@dataclass(frozen=True, kw_only=True)
class VariantData:
    """A data variant as plain arrays (the form the per-specification jobs read).

    Parameters
    ----------
    cluster_ids : ndarray of str
        Sorted distinct cluster identifiers.
    entity : ndarray of int
        Row -> index into ``cluster_ids``.
    year : ndarray of int
    region, province : ndarray of str
    stratum : ndarray of str
        Row -> permutation stratum label (the configured strata columns joined; ``""``).
    columns : mapping of str to ndarray of float
        The outcome, the treatment and every control of every control set.
    name : str
        Name of the variant.
    """

    cluster_ids: np.ndarray
    entity: np.ndarray
    year: np.ndarray
    region: np.ndarray
    province: np.ndarray
    stratum: np.ndarray
    columns: Mapping[str, np.ndarray]
    name: str = ""

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Flat name -> array mapping (for ``numpy.savez``; no object arrays)."""
        arrays = {
            "cluster_ids": np.asarray(self.cluster_ids, dtype=str),
            "entity": self.entity,
            "year": self.year,
            "region": np.asarray(self.region, dtype=str),
            "province": np.asarray(self.province, dtype=str),
            "stratum": np.asarray(self.stratum, dtype=str),
            "name": np.asarray(self.name),
        }
        arrays.update({f"column:{k}": np.asarray(v, dtype=float) for k, v in self.columns.items()})
        return arrays

    def to_npz_arrays(self, dims_config: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """:meth:`to_arrays` plus the curve's configuration (JSON text under ``speccurve``).

        The per-specification jobs read the configuration from the variant file, so they
        need no configuration object of Snakemake's (a bare Python process starts faster).
        """
        import json

        return {**self.to_arrays(), "speccurve": np.asarray(json.dumps(dict(dims_config)))}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> VariantData:
        """Inverse of :meth:`to_arrays`."""
        columns = {
            k.split(":", 1)[1]: np.asarray(arrays[k]) for k in arrays if k.startswith("column:")
        }
        return cls(
            cluster_ids=np.asarray(arrays["cluster_ids"]),
            entity=np.asarray(arrays["entity"]),
            year=np.asarray(arrays["year"]),
            region=np.asarray(arrays["region"]),
            province=np.asarray(arrays["province"]),
            stratum=np.asarray(arrays["stratum"]),
            columns=columns,
            name=str(arrays["name"]) if "name" in arrays else "",
        )


@dataclass(frozen=True, kw_only=True)
class SpecificationEstimate:
    """The treatment coefficient of one specification and its permutation distribution.

    Attributes
    ----------
    specification : Specification
    estimate, std_error : float
    df : int or None
        Degrees of freedom of the t reference distribution (None: normal).
    n_obs, n_entities, n_se_clusters, n_parameters : int
        Rows, clusters, clusters of the standard error (rows for robust/unadjusted) and
        :math:`K`.
    permuted_estimates, permuted_std_errors : tuple of float
        The same fit with the treatment paths permuted, one per permutation.
    seed, n_permutations : int
    strata : tuple of str
    """

    specification: Specification
    estimate: float
    std_error: float
    df: int | None
    n_obs: int
    n_entities: int
    n_se_clusters: int
    n_parameters: int
    permuted_estimates: tuple[float, ...]
    permuted_std_errors: tuple[float, ...]
    seed: int
    n_permutations: int
    strata: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able record of this object."""
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "speccurve_estimate",
            "specification": self.specification.to_dict(),
            "estimate": self.estimate,
            "std_error": self.std_error,
            "df": self.df,
            "n_obs": self.n_obs,
            "n_entities": self.n_entities,
            "n_se_clusters": self.n_se_clusters,
            "n_parameters": self.n_parameters,
            "seed": self.seed,
            "n_permutations": self.n_permutations,
            "strata": list(self.strata),
            "permuted_estimates": list(self.permuted_estimates),
            "permuted_std_errors": list(self.permuted_std_errors),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SpecificationEstimate:
        """Rebuild from :meth:`to_dict`, checking its kind and schema version."""
        _check_record(d, "speccurve_estimate")
        return cls(
            specification=Specification.from_dict(d["specification"]),
            estimate=float(d["estimate"]),
            std_error=float(d["std_error"]),
            df=None if d["df"] is None else int(d["df"]),
            n_obs=int(d["n_obs"]),
            n_entities=int(d["n_entities"]),
            n_se_clusters=int(d["n_se_clusters"]),
            n_parameters=int(d["n_parameters"]),
            permuted_estimates=tuple(float(v) for v in d["permuted_estimates"]),
            permuted_std_errors=tuple(float(v) for v in d["permuted_std_errors"]),
            seed=int(d["seed"]),
            n_permutations=int(d["n_permutations"]),
            strata=tuple(d["strata"]),
        )


@dataclass(frozen=True)
class SampleRows:
    """The rows of a specification's sample, sorted by entity and year."""

    rows: np.ndarray
    n_clusters: int


def _sample_error(spec: Specification, problem: str, fix: str) -> ConfigError:
    return ConfigError(
        f"config key speccurve.samples: option {spec.sample!r} (specification {spec.name}: "
        f"{spec.fixed_effects} effects, controls {spec.control_set!r}, data {spec.variant}) "
        f"{problem}. {fix}"
    )


def select_sample(data: VariantData, spec: Specification, dims: CurveDimensions) -> SampleRows:
    """The rows a specification uses, after the checks that keep the fit meaningful.

    Raises
    ------
    ConfigError
        A region to drop that is not in the data, a sample left with fewer than
        ``speccurve.min_clusters`` clusters or two years, or fewer than two provinces for
        ``cluster_province`` standard errors; the message names the config key.
    """
    keep = np.ones(len(data.year), dtype=bool)
    kind, argument = sample_kind(spec.sample)
    if kind == "drop_region":
        regions = sorted(set(data.region.tolist()))
        if argument not in regions:
            raise _sample_error(
                spec,
                f"names a region that is not in the data (regions: {', '.join(regions)})",
                "Write drop_region:<one of these regions>.",
            )
        keep &= data.region != argument
    elif kind == "drop_edge_years":
        first, last = int(data.year.min()), int(data.year.max())
        keep &= (data.year >= first + dims.edge_years) & (data.year <= last - dims.edge_years)
    used = [dims.outcome, dims.treatment, *spec.controls]
    for column in used:
        keep &= np.isfinite(data.columns[column])
    if kind == "balanced":
        years = np.unique(data.year[keep])
        counts = np.bincount(data.entity[keep], minlength=len(data.cluster_ids))
        keep &= counts[data.entity] == len(years)
    rows = np.flatnonzero(keep)
    rows = rows[np.lexsort((data.year[rows], data.entity[rows]))]
    n_clusters = len(np.unique(data.entity[rows]))
    n_years = len(np.unique(data.year[rows]))
    if n_clusters < dims.min_clusters or n_years < 2:
        raise _sample_error(
            spec,
            f"leaves {n_clusters} clusters and {n_years} years, fewer than "
            f"speccurve.min_clusters = {dims.min_clusters} clusters or 2 years",
            "Remove the option from speccurve.samples, lower speccurve.edge_years, or lower "
            "speccurve.min_clusters.",
        )
    if spec.se_type == "cluster_province" and len(np.unique(data.province[rows])) < 2:
        raise ConfigError(
            f"config key speccurve.se_types: 'cluster_province' in specification {spec.name} "
            f"(sample {spec.sample!r}) has fewer than 2 provinces; drop it or the sample."
        )
    return SampleRows(rows=rows, n_clusters=n_clusters)


def _codes(values: np.ndarray) -> np.ndarray:
    return np.unique(values, return_inverse=True)[1].reshape(-1)


def _nuisance(data: VariantData, spec: Specification, rows: np.ndarray) -> np.ndarray:
    """Controls and fixed-effect indicators (before entity demeaning)."""
    parts = [data.columns[c][rows][:, None] for c in spec.controls]
    year_codes = _codes(data.year[rows])
    if spec.fixed_effects == "entity_year":
        parts.append(np.eye(year_codes.max() + 1)[year_codes][:, 1:])
    elif spec.fixed_effects == "entity_region_year":
        cell = _codes(
            np.char.add(
                np.char.add(data.region[rows].astype(str), "|"), data.year[rows].astype(str)
            )
        )
        parts.append(np.eye(cell.max() + 1)[cell])
    elif spec.fixed_effects == "none":
        parts.append(np.ones((len(rows), 1)))
    return np.hstack(parts) if parts else np.empty((len(rows), 0))


class _Demeaner:
    """Within-entity demeaning of rows sorted by entity."""

    def __init__(self, entity: np.ndarray) -> None:
        change = np.flatnonzero(np.diff(entity)) + 1
        self.starts = np.concatenate([[0], change])
        self.counts = np.diff(np.concatenate([self.starts, [len(entity)]]))

    def __call__(self, values: np.ndarray) -> np.ndarray:
        sums = np.add.reduceat(values, self.starts, axis=0)
        means = sums / (self.counts if values.ndim == 1 else self.counts[:, None])
        return values - np.repeat(means, self.counts, axis=0)


def _basis(matrix: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the column space of ``matrix`` (collinear columns dropped).

    From the eigen-decomposition of the (column-scaled) cross-product matrix: small
    (k x k) and much cheaper than a decomposition of the n x k matrix itself.
    """
    if matrix.shape[1] == 0:
        return matrix
    scale = np.sqrt(np.einsum("ij,ij->j", matrix, matrix))
    keep = scale > 0
    scaled = matrix[:, keep] / scale[keep]
    values, vectors = np.linalg.eigh(scaled.T @ scaled)
    kept = values > values.max() * 1e-10
    basis = scaled @ (vectors[:, kept] / np.sqrt(values[kept]))
    # one re-orthonormalisation step removes the rounding of the cross-product route
    values, vectors = np.linalg.eigh(basis.T @ basis)
    return basis @ (vectors / np.sqrt(values))


def _group_sums_order(codes: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
    """Row order that groups the codes (None when they are sorted already) and group starts."""
    if np.all(codes[1:] >= codes[:-1]):
        return None, np.concatenate([[0], np.flatnonzero(np.diff(codes)) + 1])
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.concatenate([[0], np.flatnonzero(np.diff(sorted_codes)) + 1])
    return order, starts


def _fit_columns(
    x: np.ndarray,
    y: np.ndarray,
    *,
    se_type: str,
    cluster_order: tuple[np.ndarray, np.ndarray] | None,
    q: float,
    dof_resid: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Slopes and standard errors of ``y`` on each residualised column of ``x``."""
    sxx = np.einsum("ij,ij->j", x, x)
    beta = (x.T @ y) / sxx
    resid = y[:, None] - x * beta
    if se_type in ("cluster_entity", "cluster_province"):
        order, starts = cluster_order
        scores = x * resid
        sums = np.add.reduceat(scores if order is None else scores[order], starts, axis=0)
        var = q * np.einsum("ij,ij->j", sums, sums) / sxx**2
    elif se_type == "robust":
        var = q * np.einsum("ij,ij->j", x * resid, x * resid) / sxx**2
    else:
        var = np.einsum("ij,ij->j", resid, resid) / dof_resid / sxx
    return beta, np.sqrt(var)


def fit_specification(
    data: VariantData, spec: Specification, dims: CurveDimensions
) -> SpecificationEstimate:
    """Fit one specification and its ``dims.n_permutations`` permuted treatments.

    Parameters
    ----------
    data : VariantData
        The data variant of the specification (``spec.variant``).
    spec : Specification
    dims : CurveDimensions
        Outcome, treatment, sample settings, permutations (seed, number, strata).

    Returns
    -------
    SpecificationEstimate

    Raises
    ------
    ConfigError
        A sample that is too small (:func:`select_sample`).
    EstimationError
        A treatment without variation once the fixed effects and controls are removed.
    """
    sample = select_sample(data, spec, dims)
    rows = sample.rows
    entity = data.entity[rows]
    entity_effects = spec.fixed_effects != "none"
    demean = _Demeaner(entity) if entity_effects else (lambda v: v)
    basis = _basis(demean(_nuisance(data, spec, rows)))

    def residualise(values: np.ndarray, *, demeaned: bool = False) -> np.ndarray:
        values = values if demeaned else demean(values)
        return values - basis @ (basis.T @ values)

    y = residualise(data.columns[dims.outcome][rows])
    x = residualise(data.columns[dims.treatment][rows])
    if np.einsum("i,i->", x, x) <= 1e-12 * max(
        1.0, float(np.sum(data.columns[dims.treatment][rows] ** 2))
    ):
        raise EstimationError(
            f"specification {spec.name}: {dims.treatment} has no variation left once the "
            f"{spec.fixed_effects} effects and the controls {list(spec.controls)} are removed."
        )
    n_obs = len(rows)
    n_entities = sample.n_clusters
    n_parameters = 1 + basis.shape[1] + (1 if entity_effects else 0)
    absorbed = n_entities - 1 if entity_effects else 0
    cluster_order = None
    df: int | None
    if spec.se_type in ("cluster_entity", "cluster_province"):
        labels = entity if spec.se_type == "cluster_entity" else _codes(data.province[rows])
        cluster_order = _group_sums_order(labels)
        n_groups = len(cluster_order[1])
        k = n_parameters
        if spec.se_type == "cluster_province" and entity_effects:
            pairs = np.unique(np.column_stack([entity, labels]), axis=0)
            if len(pairs) != n_entities:  # entities not nested in provinces: count them
                k += absorbed
        q = n_groups / (n_groups - 1) * (n_obs - 1) / (n_obs - k)
        df = n_groups - 1
        n_se_clusters = n_groups
    else:
        dof = n_obs - n_parameters - absorbed
        q = n_obs / dof
        df = dof
        n_se_clusters = n_obs
    dof_resid = n_obs - n_parameters - absorbed
    options = dict(se_type=spec.se_type, cluster_order=cluster_order, q=q, dof_resid=dof_resid)
    beta, se = _fit_columns(x[:, None], y, **options)

    perm_beta, perm_se = _permuted_fits(
        data,
        rows,
        dims,
        residualise=residualise,
        y=y,
        options=options,
        entity_effects=entity_effects,
    )
    return SpecificationEstimate(
        specification=spec,
        estimate=float(beta[0]),
        std_error=float(se[0]),
        df=df,
        n_obs=n_obs,
        n_entities=n_entities,
        n_se_clusters=n_se_clusters,
        n_parameters=n_parameters,
        permuted_estimates=tuple(perm_beta.tolist()),
        permuted_std_errors=tuple(perm_se.tolist()),
        seed=dims.seed,
        n_permutations=dims.n_permutations,
        strata=tuple(dims.strata),
    )


def _permuted_fits(
    data: VariantData,
    rows: np.ndarray,
    dims: CurveDimensions,
    *,
    residualise: Any,
    y: np.ndarray,
    options: dict[str, Any],
    entity_effects: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Estimates and standard errors with the treatment paths permuted (chunked).

    A donor has the same years in the sample as its recipient (:func:`exchangeable_groups`),
    so the within-entity mean of a permuted path is the donor's own mean: the paths are
    demeaned once, on the cluster-by-year grid, instead of once per permutation.
    """
    entity = data.entity[rows]
    clusters, local = np.unique(entity, return_inverse=True)
    year_values, year_codes = np.unique(data.year[rows], return_inverse=True)
    grid = np.full((len(clusters), len(year_values)), np.nan)
    grid[local, year_codes] = data.columns[dims.treatment][rows]
    presence = np.isfinite(grid)
    first_row = np.zeros(len(clusters), dtype=np.int64)
    first_row[local[::-1]] = rows[::-1]
    stratum = _codes(data.stratum[first_row])
    groups = exchangeable_groups(stratum, presence)
    keys = cluster_keys(
        data.cluster_ids[clusters], seed=dims.seed, n_permutations=dims.n_permutations
    )
    donors = donor_matrix(keys, groups)
    if entity_effects:
        grid = grid - np.nanmean(grid, axis=1, keepdims=True)
    chunk = max(1, CHUNK_CELLS // max(1, len(rows)))
    betas, ses = [], []
    for start in range(0, dims.n_permutations, chunk):
        block = donors[start : start + chunk]
        permuted = grid[block.T[local], year_codes[:, None]]
        b, s = _fit_columns(residualise(permuted, demeaned=entity_effects), y, **options)
        betas.append(b)
        ses.append(s)
    return np.concatenate(betas), np.concatenate(ses)
