r"""The estimation sample, the within transformation and the per-entity cross-products.

Every regression of the mediation analysis is a regression among the columns of one matrix

.. math::

    G = [\underbrace{T,\; M_1, \dots, M_K,\; Y}_{\text{core}},\;
         \underbrace{N}_{\text{nuisance}}]

after the fixed effects have been removed. The nuisance block ``N`` holds the regressors whose
coefficients are not reported: the constant (``effects="none"``), the year dummies
(``effects="twoway"``) and the controls. :func:`build_design` builds ``G`` once, on the
estimation sample, and :func:`entity_crossproducts` stores :math:`G_i'G_i` for every entity
``i``, from which any (re)weighted regression of the analysis is a matrix product.

Within transformation and the cluster bootstrap
-----------------------------------------------
``effects="entity"``: every column is demeaned within its entity,
:math:`\tilde x_{it} = x_{it} - \bar x_{i}`, with the entity mean over the entity's own rows
of the estimation sample (so unbalanced panels are handled exactly).

``effects="twoway"``: the year effects enter as dummies for every period but the first
(the baseline), and the dummies are demeaned within entity like every other column. By the
Frisch-Waugh-Lovell theorem, regressing the demeaned outcome on the demeaned regressors and
demeaned dummies gives the least-squares-dummy-variable (two-way fixed-effects) estimate,
balanced or not.

A cluster-bootstrap sample draws entities with replacement and gives every copy of an entity a
new identity (its own fixed effect). A copy has exactly the rows of the original entity, so its
within transformation equals the original entity's. The resampled panel's two-way
estimate is therefore the regression of the stacked, already demeaned rows of the copies on the
already demeaned regressors and year dummies, that is
:math:`(\sum_i w_i G_i'G_i)` with :math:`w_i` the number of copies of entity ``i``: no
re-demeaning is needed. A period that none of the drawn entities observes (possible in an
unbalanced panel) leaves an all-zero dummy column; the solver treats the nuisance block with a
pseudo-inverse, which leaves the reported coefficients exact (see
:mod:`govcluster.mediation.crossprod`).

Collinear nuisance columns
--------------------------
A control that the fixed effects absorb (for instance a cluster age that grows by one each year,
under two-way effects) or that is collinear with earlier nuisance columns is omitted, as Stata
omits it, and listed in :attr:`PanelDesign.omitted` with the reason. The columns are checked in
the order constant, year dummies, controls. A core variable (treatment, mediator, outcome) with
no variation left after the fixed effects and controls raises
:class:`~govcluster.errors.EstimationError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from govcluster.core.absorb import demean, group_codes, year_dummies
from govcluster.core.options import check_option
from govcluster.errors import EstimationError

Effects = Literal["twoway", "entity", "none"]

#: A nuisance column whose variance left after the earlier nuisance columns is below this
#: share of its own variance is omitted as collinear.
COLLINEAR_TOL = 1e-9


@dataclass(frozen=True)
class PanelDesign:
    """The transformed design matrix of a panel mediation analysis.

    Attributes
    ----------
    matrix : numpy.ndarray
        ``(n_obs, p)`` transformed columns: treatment, mediators, outcome, then nuisance.
    columns : tuple of str
        Names of the ``p`` columns (year dummies are named ``"year=<label>"``, the constant
        ``"const"``).
    treatment, outcome : str
    mediators : tuple of str
    controls : tuple of str
        Controls kept in the design (those not omitted).
    nuisance : tuple of str
        Names of the nuisance columns kept, in order.
    omitted : tuple of (str, str)
        Nuisance columns dropped, with the reason.
    effects : {"twoway", "entity", "none"}
    entity_codes : numpy.ndarray
        ``(n_obs,)`` entity of each row, ``0 .. n_entities - 1`` in sorted label order; rows are
        sorted by entity and then time.
    entity_labels : tuple
        Entity label of each code.
    time_labels : tuple
        Sorted periods of the estimation sample.
    row_entity, row_time : numpy.ndarray
        Entity and time label of every row (in row order).
    instruments : numpy.ndarray or None
        ``(n_obs, L)`` transformed excluded instruments, or None.
    instrument_names : tuple of str
    n_dropped_missing : int
        Rows of the input dropped because a used column is missing.
    n_singletons : int
        Entities with a single row (under entity effects they carry no information about the
        slopes but are kept, and counted as clusters, as in Stata's ``xtreg, fe``).
    balanced : bool
    """

    matrix: np.ndarray
    columns: tuple[str, ...]
    treatment: str
    mediators: tuple[str, ...]
    outcome: str
    controls: tuple[str, ...]
    nuisance: tuple[str, ...]
    omitted: tuple[tuple[str, str], ...]
    effects: Effects
    entity_codes: np.ndarray
    entity_labels: tuple
    time_labels: tuple
    row_entity: np.ndarray
    row_time: np.ndarray
    instruments: np.ndarray | None
    instrument_names: tuple[str, ...]
    n_dropped_missing: int
    n_singletons: int
    balanced: bool

    @property
    def n_obs(self) -> int:
        """Number of rows of the estimation sample."""
        return int(self.matrix.shape[0])

    @property
    def n_entities(self) -> int:
        """Number of entities (clusters)."""
        return len(self.entity_labels)

    @property
    def n_periods(self) -> int:
        """Number of distinct periods."""
        return len(self.time_labels)

    @property
    def n_mediators(self) -> int:
        """Number of mediators."""
        return len(self.mediators)

    @property
    def n_core(self) -> int:
        """Number of core columns: treatment, mediators and outcome."""
        return len(self.mediators) + 2

    @property
    def n_columns(self) -> int:
        """Number of columns of the design matrix (core and nuisance)."""
        return int(self.matrix.shape[1])

    @property
    def absorbed_intercept(self) -> int:
        """1 when an intercept is absorbed by entity effects, else 0.

        The absorbed intercept is counted in the small-sample correction as Stata's
        ``xtreg, fe`` counts ``_cons``.
        """
        return 0 if self.effects == "none" else 1


def triu_pairs(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the upper triangle (diagonal included) of a ``p x p`` matrix."""
    return np.triu_indices(p)


def pack_symmetric(matrices: np.ndarray) -> np.ndarray:
    """``(..., p, p)`` symmetric matrices -> ``(..., p(p+1)/2)`` upper triangles."""
    iu, ju = triu_pairs(matrices.shape[-1])
    return matrices[..., iu, ju]


def unpack_symmetric(packed: np.ndarray, p: int) -> np.ndarray:
    """``(b, p(p+1)/2)`` upper triangles -> ``(b, p, p)`` symmetric matrices."""
    iu, ju = triu_pairs(p)
    out = np.empty((packed.shape[0], p, p))
    out[:, iu, ju] = packed
    out[:, ju, iu] = packed
    return out


def entity_crossproducts(matrix: np.ndarray, codes: np.ndarray, n_entities: int) -> np.ndarray:
    """Per-entity cross-product matrices :math:`G_i'G_i`, packed.

    Parameters
    ----------
    matrix : numpy.ndarray
        ``(n, p)`` design matrix ``G``.
    codes : numpy.ndarray
        ``(n,)`` entity codes.
    n_entities : int

    Returns
    -------
    numpy.ndarray
        ``(n_entities, p(p+1)/2)``: row ``i`` is the upper triangle of :math:`G_i'G_i`. The
        memory is that of the result plus one column of ``matrix``.
    """
    p = matrix.shape[1]
    iu, ju = triu_pairs(p)
    out = np.empty((n_entities, iu.size))
    columns = [np.ascontiguousarray(matrix[:, j]) for j in range(p)]
    for pos, (i, j) in enumerate(zip(iu, ju, strict=True)):
        out[:, pos] = np.bincount(codes, weights=columns[i] * columns[j], minlength=n_entities)
    return out


def _centred_ss(values: np.ndarray) -> np.ndarray:
    """Sum of squares of each column around its mean (the scale of its raw variation)."""
    dev = values - values.mean(axis=0)
    return np.einsum("ij,ij->j", dev, dev)


def _collinear_nuisance(
    nuisance: np.ndarray, reference: np.ndarray, names: Sequence[str], effects: str
) -> tuple[list[int], list[tuple[str, str]]]:
    """Indices of the nuisance columns to keep, and (name, reason) of those omitted.

    ``reference`` is the raw scale of each column (centred sum of squares before the within
    transformation; the number of rows for the constant).
    """
    keep: list[int] = []
    omitted: list[tuple[str, str]] = []
    if nuisance.shape[1] == 0:
        return keep, omitted
    gram = nuisance.T @ nuisance
    for j in range(nuisance.shape[1]):
        own = gram[j, j]
        if not own > COLLINEAR_TOL * reference[j]:
            reason = (
                "no variation within entities (absorbed by the entity effects)"
                if effects != "none"
                else "no variation (collinear with the constant)"
            )
            omitted.append((names[j], reason))
            continue
        if keep:
            sub = gram[np.ix_(keep, keep)]
            cross = gram[keep, j]
            scale = np.sqrt(np.diag(sub))
            coef = np.linalg.lstsq(sub / np.outer(scale, scale), cross / scale, rcond=None)[0]
            left = own - cross @ (coef / scale)
        else:
            left = own
        if left <= COLLINEAR_TOL * own:
            reason = (
                "collinear with the fixed effects and earlier controls"
                if effects != "none"
                else "collinear with the constant and earlier controls"
            )
            omitted.append((names[j], reason))
            continue
        keep.append(j)
    return keep, omitted


@dataclass(frozen=True)
class _PanelRows:
    """The complete rows of the estimation sample, sorted by entity and then period.

    Attributes
    ----------
    raw : numpy.ndarray
        ``(n, v)`` values of the model's variables, in the order of the roles.
    entity_codes, time_codes : numpy.ndarray of int
        Codes in sorted label order.
    entity_labels, time_labels : tuple
    row_entity, row_time : numpy.ndarray
        Labels of every row.
    n_dropped : int
        Input rows dropped for a missing value.
    """

    raw: np.ndarray
    entity_codes: np.ndarray
    time_codes: np.ndarray
    entity_labels: tuple
    time_labels: tuple
    row_entity: np.ndarray
    row_time: np.ndarray
    n_dropped: int

    @property
    def n_entities(self) -> int:
        """Number of entities (clusters)."""
        return len(self.entity_labels)


def _check_roles(
    data: pd.DataFrame,
    *,
    variables: tuple[str, ...],
    mediators: tuple[str, ...],
    entity: str,
    time: str,
) -> None:
    """Check that the data is a frame holding every column, each column with one role.

    Raises
    ------
    EstimationError
        Not a DataFrame, no mediator, a column given two roles, identifiers that are model
        variables or equal, or a column missing from the data.
    """
    if not isinstance(data, pd.DataFrame):
        raise EstimationError(
            f"data must be a pandas DataFrame, got {type(data).__name__}; "
            "pass the analysis panel in long format."
        )
    if not mediators:
        raise EstimationError("mediators is empty; name at least one mediator column.")
    repeated = sorted({v for v in variables if variables.count(v) > 1})
    if repeated:
        raise EstimationError(
            f"column(s) {repeated} are given more than one role (treatment, mediator, outcome, "
            "control, instrument); give each column one role."
        )
    if entity in variables or time in variables or entity == time:
        raise EstimationError(
            f"entity={entity!r} and time={time!r} must be two distinct identifier columns, "
            "not variables of the model."
        )
    missing = [c for c in (entity, time, *variables) if c not in data.columns]
    if missing:
        raise EstimationError(
            f"column(s) {missing} are not in the data (columns: {list(data.columns)}); "
            "check the spelling or rename the columns."
        )


def _complete_numeric_rows(
    data: pd.DataFrame, *, variables: tuple[str, ...], entity: str, time: str
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """The rows with every used column present, and the variables as floats.

    Returns
    -------
    frame : DataFrame
        Identifiers and variables of the complete rows.
    values : DataFrame
        The variables as float64.
    n_dropped : int
        Rows dropped for a missing value.

    Raises
    ------
    EstimationError
        A variable that is not numeric, an infinite value, or no complete row.
    """
    frame = data[[entity, time, *variables]]
    for name in variables:
        if pd.api.types.is_bool_dtype(frame[name]):
            continue
        if not pd.api.types.is_numeric_dtype(frame[name]):
            raise EstimationError(
                f"column {name!r} has dtype {frame[name].dtype}, not numbers; convert it with "
                "govcluster.parsing.parse_numeric or pandas.to_numeric first."
            )
    values = frame[list(variables)].astype("float64")
    infinite = np.isinf(values.to_numpy()).any(axis=1)
    if infinite.any():
        rows = np.flatnonzero(infinite)[:10].tolist()
        raise EstimationError(
            f"{int(infinite.sum())} row(s) hold an infinite value (positions {rows}); "
            "replace them by NaN or fix the transformation that produced them (log of 0?)."
        )
    complete = values.notna().all(axis=1) & frame[entity].notna() & frame[time].notna()
    n_dropped = int((~complete).sum())
    frame = frame.loc[complete]
    values = values.loc[complete]
    if frame.empty:
        raise EstimationError(
            "no row has all of the used columns non-missing; check the columns "
            f"{list(variables)} for missing values."
        )
    return frame, values, n_dropped


def _sorted_panel_rows(
    frame: pd.DataFrame, values: pd.DataFrame, *, entity: str, time: str, n_dropped: int
) -> _PanelRows:
    """Code the identifiers, sort the rows by entity and period, and check the panel.

    Raises
    ------
    EstimationError
        A duplicated (entity, period) pair, or fewer than two entities.
    """
    entity_codes, entity_labels = group_codes(frame[entity])
    time_codes, time_labels = group_codes(frame[time])
    order = np.lexsort((time_codes, entity_codes))
    rows = _PanelRows(
        raw=values.to_numpy()[order],
        entity_codes=entity_codes[order],
        time_codes=time_codes[order],
        entity_labels=entity_labels,
        time_labels=time_labels,
        row_entity=frame[entity].to_numpy()[order],
        row_time=frame[time].to_numpy()[order],
        n_dropped=n_dropped,
    )
    pair = rows.entity_codes * len(time_labels) + rows.time_codes
    if np.unique(pair).size != pair.size:
        dup = pd.Series(pair).duplicated(keep=False).to_numpy()
        examples = list(
            zip(rows.row_entity[dup][:6].tolist(), rows.row_time[dup][:6].tolist(), strict=True)
        )
        raise EstimationError(
            f"{int(dup.sum())} rows share an ({entity}, {time}) pair, e.g. {examples}; "
            "the panel must have one row per entity and period: aggregate or deduplicate."
        )
    if rows.n_entities < 2:
        raise EstimationError(
            f"only {rows.n_entities} entity remains after dropping missing values; the cluster "
            "bootstrap and cluster-robust standard errors need at least two entities."
        )
    return rows


def _nuisance_columns(
    rows: _PanelRows,
    control_raw: np.ndarray,
    *,
    controls: tuple[str, ...],
    time: str,
    effects: Effects,
) -> tuple[np.ndarray, list[str]]:
    """The untransformed nuisance block: constant or year dummies, then the controls.

    Returns
    -------
    nuisance : numpy.ndarray
        ``(n, q)``: the constant (``effects="none"``), the dummies of every period but the
        first (``effects="twoway"``, named ``"<time>=<label>"``), the controls.
    names : list of str
    """
    n = rows.raw.shape[0]
    names: list[str] = []
    blocks: list[np.ndarray] = []
    if effects == "none":
        names.append("const")
        blocks.append(np.ones((n, 1)))
    if effects == "twoway":
        blocks.append(year_dummies(rows.time_codes, len(rows.time_labels)))
        names.extend(f"{time}={label}" for label in rows.time_labels[1:])
    blocks.append(control_raw)
    names.extend(controls)
    return np.hstack(blocks), names


def build_design(
    data: pd.DataFrame,
    *,
    treatment: str,
    mediators: Sequence[str],
    outcome: str,
    controls: Sequence[str] = (),
    entity: str,
    time: str,
    effects: Effects = "twoway",
    instruments: Sequence[str] = (),
) -> PanelDesign:
    r"""Build the transformed design of a panel mediation analysis.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel with one row per entity and period.
    treatment, outcome : str
        Column names.
    mediators : sequence of str
        One or more mediator columns.
    controls : sequence of str, optional
    entity, time : str
        Panel identifiers.
    effects : {"twoway", "entity", "none"}
    instruments : sequence of str, optional
        Excluded instruments for the treatment, transformed like the regressors.

    Returns
    -------
    PanelDesign

    Raises
    ------
    EstimationError
        A column is missing or not numeric, a name is used twice, an (entity, time) pair is
        duplicated, fewer than two entities remain, or a core variable has no variation left
        after the fixed effects and controls.

    Notes
    -----
    Rows with a missing value in any used column are dropped (listwise deletion, so that all
    equations use the same sample, which makes :math:`c = c' + \sum_k a_k b_k` hold exactly);
    their number is kept in ``n_dropped_missing``.
    """
    check_option(effects, Effects, name="effects")
    mediators = tuple(mediators)
    controls = tuple(controls)
    instruments = tuple(instruments)
    variables = (treatment, *mediators, outcome, *controls, *instruments)
    _check_roles(data, variables=variables, mediators=mediators, entity=entity, time=time)
    frame, values, n_dropped = _complete_numeric_rows(
        data, variables=variables, entity=entity, time=time
    )
    rows = _sorted_panel_rows(frame, values, entity=entity, time=time, n_dropped=n_dropped)
    raw = rows.raw
    n_core = len(mediators) + 2
    core_raw = raw[:, :n_core]
    control_raw = raw[:, n_core : n_core + len(controls)]
    instr_raw = raw[:, n_core + len(controls) :]
    nuisance_raw, nuisance_names = _nuisance_columns(
        rows, control_raw, controls=controls, time=time, effects=effects
    )
    if effects == "none":
        core_t, nuisance_t, instr_t = core_raw, nuisance_raw, instr_raw
    else:
        core_t, nuisance_t, instr_t = (
            demean(block, rows.entity_codes, rows.n_entities)
            for block in (core_raw, nuisance_raw, instr_raw)
        )
    reference = _centred_ss(nuisance_raw)
    if effects == "none":
        reference[0] = float(nuisance_raw.shape[0])
    keep, omitted = _collinear_nuisance(nuisance_t, reference, nuisance_names, effects)
    nuisance_t = nuisance_t[:, keep]
    kept_names = tuple(nuisance_names[j] for j in keep)
    matrix = np.hstack([core_t, nuisance_t])
    core_names = (treatment, *mediators, outcome)
    _check_core_variation(matrix, _centred_ss(core_raw), n_core, core_names, effects)
    if instruments:
        _check_instruments(instr_t, _centred_ss(instr_raw), nuisance_t, instruments)
    counts = np.bincount(rows.entity_codes, minlength=rows.n_entities)
    return PanelDesign(
        matrix=np.ascontiguousarray(matrix),
        columns=(*core_names, *kept_names),
        treatment=treatment,
        mediators=mediators,
        outcome=outcome,
        controls=tuple(c for c in controls if c in kept_names),
        nuisance=kept_names,
        omitted=tuple(omitted),
        effects=effects,
        entity_codes=rows.entity_codes,
        entity_labels=rows.entity_labels,
        time_labels=rows.time_labels,
        row_entity=rows.row_entity,
        row_time=rows.row_time,
        instruments=np.ascontiguousarray(instr_t) if instruments else None,
        instrument_names=instruments,
        n_dropped_missing=rows.n_dropped,
        n_singletons=int((counts == 1).sum()),
        balanced=bool((counts == len(rows.time_labels)).all()),
    )


def _residual_ss(target: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Sum of squares of each column of ``target`` left after projecting it on ``basis``."""
    if basis.shape[1]:
        coef = np.linalg.lstsq(basis, target, rcond=None)[0]
        target = target - basis @ coef
    return np.einsum("ij,ij->j", target, target)


def _check_core_variation(
    matrix: np.ndarray, reference: np.ndarray, n_core: int, names: Sequence[str], effects: str
) -> None:
    """Raise unless the core variables are identified after the nuisance columns.

    Every core variable must vary after the nuisance columns are removed, and the treatment
    and mediators must not be collinear (``reference``: raw centred sums of squares).
    """
    left = _residual_ss(matrix[:, :n_core], matrix[:, n_core:])
    bad = [names[j] for j in range(n_core) if not left[j] > COLLINEAR_TOL * reference[j]]
    bad += [names[j] for j in range(n_core) if reference[j] == 0.0 and names[j] not in bad]
    if bad:
        where = (
            "after removing the fixed effects and controls"
            if effects != "none"
            else ("after the constant and controls")
        )
        raise EstimationError(
            f"variable(s) {bad} have no variation left {where}, so their coefficients are not "
            "identified; drop them, use effects='entity' or 'none', or check that they vary "
            "within entities over time."
        )
    # treatment and mediators must not be collinear among themselves
    regressors = matrix[:, : n_core - 1]
    rest = matrix[:, n_core:]
    if rest.shape[1]:
        coef = np.linalg.lstsq(rest, regressors, rcond=None)[0]
        regressors = regressors - rest @ coef
    scale = np.sqrt(np.einsum("ij,ij->j", regressors, regressors))
    sv = np.linalg.svd(regressors / scale, compute_uv=False)
    if sv[-1] ** 2 <= COLLINEAR_TOL * sv[0] ** 2:
        raise EstimationError(
            f"the treatment and mediators {list(names[: n_core - 1])} are collinear (after the "
            "fixed effects and controls), so the parallel mediator model is not identified; "
            "drop one of the collinear mediators."
        )


def _check_instruments(
    instr: np.ndarray, reference: np.ndarray, nuisance: np.ndarray, names: Sequence[str]
) -> None:
    """Raise unless every instrument varies after the fixed effects and the nuisance columns."""
    left = _residual_ss(instr, nuisance)
    bad = [names[j] for j in range(instr.shape[1]) if not left[j] > COLLINEAR_TOL * reference[j]]
    if bad:
        raise EstimationError(
            f"instrument(s) {bad} have no variation left after the fixed effects and controls; "
            "an instrument must vary within entities over time to identify a within-2SLS."
        )
