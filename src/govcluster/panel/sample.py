"""The estimation sample of a panel regression, and the checks before estimating it.

Everything that would make an estimate wrong or unidentified is an
:class:`~govcluster.errors.EstimationError` whose message names the variables and says what to
change: a variable that is not in the data (the available columns are listed), a non-numeric or
infinite value, a variable without variation within entities under fixed effects (or absorbed
by the entity and year effects, as an age is), perfectly collinear variables (named), too few
clusters for the chosen covariance (fewer than 2). Fewer than 30 clusters issue a
:class:`~govcluster.errors.FewClustersWarning`.

Rows with a missing value are dropped and counted, never silently: :class:`Sample` records
how many rows were dropped for a missing value of a variable and how many for a missing lag,
lead or difference (a year absent from the data).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from govcluster.core.absorb import demean, group_means, year_dummies
from govcluster.core.covariance import bandwidth
from govcluster.errors import EstimationError, FewClustersWarning
from govcluster.panel.lags import _shifted, check_panel_index
from govcluster.panel.spec import GENERIC_WORDS, Vocabulary, diff_name, lag_name, lead_name

#: Below this number of clusters a FewClustersWarning is issued.
MIN_CLUSTERS_RELIABLE = 30
#: A column whose transformed norm is below this fraction of its norm has no variation left.
_REL_TOL = 1e-9
#: A column whose residual on the earlier columns is below this fraction is collinear.
_COLLINEAR_TOL = 1e-8

DROP_MISSING = "missing_values"
DROP_DERIVED = "missing_lags_leads_or_differences"
DROP_INDEX = "missing_entity_or_time"
#: Rows alone in a level of an absorbed effect (estimator ``hdfe``, :mod:`govcluster.panel.hdfe`).
DROP_SINGLETONS = "singletons"


@dataclass(frozen=True, eq=False)
class Sample:
    """The estimation sample.

    Attributes
    ----------
    frame : DataFrame
        One row per used observation, sorted by entity and year, with the identifier columns
        and every column of the design (lags, leads and differences already built).
    entity, time : str
    n_input : int
        Rows of the data given.
    dropped : tuple of (str, int)
        Rows dropped, by reason: ``missing_entity_or_time``, ``missing_values`` (a variable of
        the model is missing), ``missing_lags_leads_or_differences`` (the year a lag, lead or
        difference needs is absent or its value is missing).
    vocabulary : Vocabulary
        The words for the entity and the period in messages.
    """

    frame: pd.DataFrame
    entity: str
    time: str
    n_input: int
    dropped: tuple[tuple[str, int], ...]
    vocabulary: Vocabulary = GENERIC_WORDS

    @property
    def n_dropped(self) -> dict[str, int]:
        """Rows dropped, by reason."""
        return dict(self.dropped)

    @property
    def entity_codes(self) -> np.ndarray:
        """Integer code of each row's entity (0..n_entities-1)."""
        return pd.factorize(self.frame[self.entity], sort=True)[0]

    @property
    def time_codes(self) -> np.ndarray:
        """Integer code of each row's year (0..n_periods-1, in calendar order)."""
        return pd.factorize(self.frame[self.time], sort=True)[0]

    @property
    def n_entities(self) -> int:
        """Number of entities in the sample."""
        return int(self.frame[self.entity].nunique())

    @property
    def n_periods(self) -> int:
        """Number of distinct years in the sample."""
        return int(self.frame[self.time].nunique())


def require_columns(data: pd.DataFrame, columns: Sequence[str], *, what: str = "Variable") -> None:
    """Raise :class:`EstimationError` naming the columns of ``columns`` not in ``data``."""
    missing = [c for c in columns if c not in data.columns]
    if missing:
        shown = ", ".join(map(str, data.columns))
        raise EstimationError(
            f"{what} {', '.join(repr(m) for m in missing)} not in the data; available columns: "
            f"{shown}. Fix the name in the specification or add the column."
        )


def _numeric(data: pd.DataFrame, column: str) -> np.ndarray:
    """The column as float, raising for text or infinite values."""
    col = data[column]
    if pd.api.types.is_bool_dtype(col):
        return col.astype(float).to_numpy()
    if not pd.api.types.is_numeric_dtype(col):
        values = pd.to_numeric(col, errors="coerce")
        bad = col[values.isna() & col.notna()]
        if len(bad):
            shown = ", ".join(repr(v) for v in bad.unique()[:5])
            raise EstimationError(
                f"Variable {column!r} is not numeric: it holds {shown}. Convert it to numbers "
                "(or dummies) before estimating."
            )
        col = values
    arr = col.to_numpy(dtype=float, na_value=np.nan)
    inf = np.isinf(arr)
    if inf.any():
        raise EstimationError(
            f"Variable {column!r} has {int(inf.sum())} infinite value(s) (e.g. the log of 0). "
            "Fix the transformation (e.g. log1p) or set them to missing explicitly."
        )
    return arr


def prepare_sample(
    data: pd.DataFrame,
    *,
    entity: str,
    time: str,
    variables: Sequence[str],
    lags: Mapping[str, Sequence[int]] | None = None,
    leads: Mapping[str, Sequence[int]] | None = None,
    differences: Sequence[str] = (),
    required: Sequence[str],
    keep: Sequence[str] = (),
    vocabulary: Vocabulary = GENERIC_WORDS,
) -> Sample:
    """Build the estimation sample.

    Parameters
    ----------
    data : DataFrame
        Long panel.
    entity, time : str
        Identifier columns (integer years).
    variables : sequence of str
        Raw numeric variables the model uses (checked to exist and be numeric).
    lags, leads : mapping of str to sequence of int
        Lags and leads to build by calendar year (0 = the variable itself).
    differences : sequence of str
        Columns (raw or built lags/leads) whose first difference ``d_{col}`` is built.
    required : sequence of str
        Columns (raw or built) that must be non-missing in a used row.
    keep : sequence of str
        Further columns copied to the sample as they are (e.g. a group label).
    vocabulary : Vocabulary
        The words for the entity and the period in messages (kept in the sample).

    Returns
    -------
    Sample
    """
    if not isinstance(data, pd.DataFrame):
        raise EstimationError(f"data must be a pandas DataFrame; got {type(data).__name__}.")
    check_panel_index(data, entity=entity, time=time, vocabulary=vocabulary)
    require_columns(data, list(dict.fromkeys([*variables, *keep])))
    n_input = len(data)
    index_ok = data[entity].notna() & data[time].notna()
    base = data.loc[index_ok, [entity, time]].copy()
    base[time] = base[time].astype("int64")
    src = data.loc[index_ok]
    frame = base
    for var in dict.fromkeys(variables):
        frame[var] = _numeric(src, var)
    for col in keep:
        if col not in frame.columns:
            frame[col] = src[col].to_numpy()
    raw = set(frame.columns)
    for var, ks in (lags or {}).items():
        for k in ks:
            if k:
                frame[lag_name(var, k)] = _shifted(frame, var, k, entity=entity, time=time)
    for var, hs in (leads or {}).items():
        for h in hs:
            if h:
                frame[lead_name(var, h)] = _shifted(frame, var, -h, entity=entity, time=time)
    for col in differences:
        frame[diff_name(col)] = frame[col].to_numpy() - _shifted(
            frame, col, 1, entity=entity, time=time
        )
    required = list(dict.fromkeys(required))
    missing_raw = frame[[c for c in required if c in raw]].isna().any(axis=1)
    missing_derived = frame[[c for c in required if c not in raw]].isna().any(axis=1)
    missing_derived &= ~missing_raw
    used = ~(missing_raw | missing_derived)
    out = frame.loc[used].sort_values([entity, time]).reset_index(drop=True)
    dropped = (
        (DROP_INDEX, int((~index_ok).sum())),
        (DROP_MISSING, int(missing_raw.sum())),
        (DROP_DERIVED, int(missing_derived.sum())),
    )
    if out.empty:
        raise EstimationError(
            f"No observation is left for estimation: of {n_input} rows, "
            + ", ".join(f"{n} dropped for {why.replace('_', ' ')}" for why, n in dropped)
            + ". Check the variables for missing values and the lags/leads against the years "
            "in the data."
        )
    return Sample(
        frame=out,
        entity=entity,
        time=time,
        n_input=n_input,
        dropped=dropped,
        vocabulary=vocabulary,
    )


def year_dummy_columns(sample: Sample) -> tuple[np.ndarray, list[str]]:
    """Dummies of every year of ``sample`` but the first, with names ``year_{yyyy}``.

    Parameters
    ----------
    sample : Sample

    Returns
    -------
    dummies : numpy.ndarray
        ``(n, T - 1)``, see :func:`govcluster.core.absorb.year_dummies`.
    names : list of str
    """
    years = sorted(sample.frame[sample.time].unique())
    return year_dummies(sample.time_codes, len(years)), [f"year_{y}" for y in years[1:]]


def _span_residual(basis: np.ndarray, col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares coefficients of ``col`` on ``basis`` and the residual."""
    if basis.shape[1] == 0:
        return np.zeros(0), col
    coef, *_ = np.linalg.lstsq(basis, col, rcond=None)
    return coef, col - basis @ coef


def check_design(
    sample: Sample,
    columns: Sequence[str],
    *,
    estimator: str,
    labels: Mapping[str, str] | None = None,
) -> None:
    """Check that ``columns`` are identified under ``estimator``.

    Raises :class:`EstimationError` for a variable that is constant, that has no variation
    within entities under fixed effects or first differences, that the entity and year
    effects absorb, or that is a linear combination of other variables (all named). For
    ``"first_difference"`` the columns are the differenced ones; ``labels`` maps a column to
    the name shown in messages.
    """
    labels = dict(labels or {})
    name = {c: labels.get(c, c) for c in columns}
    words = sample.vocabulary
    frame = sample.frame
    x = frame[list(columns)].to_numpy(dtype=float) if columns else np.zeros((len(frame), 0))
    ent = sample.entity_codes
    n = len(frame)
    scale = np.sqrt(((x - x.mean(axis=0)) ** 2).sum(axis=0))
    extra: list[tuple[str, np.ndarray]] = []
    if estimator in ("entity_fe", "twoway_fe"):
        xt = demean(x, ent)
        for j, c in enumerate(columns):
            if scale[j] == 0:
                raise EstimationError(
                    f"{name[c]!r} is constant in the estimation sample; it cannot be estimated. "
                    "Remove it from the specification."
                )
            if np.sqrt((xt[:, j] ** 2).sum()) <= _REL_TOL * scale[j]:
                raise EstimationError(
                    f"{name[c]!r} has no variation within {words.entities}, so the "
                    f"{words.entity} fixed effects ({estimator!r}) absorb it. Remove it, or use "
                    "estimator='random', 'pooled' or 'between' to estimate the effect of a "
                    "time-invariant variable."
                )
        if estimator == "twoway_fe":
            d, _ = year_dummy_columns(sample)
            dt = demean(d, ent) if d.shape[1] else d
            for j, c in enumerate(columns):
                _, resid = _span_residual(dt, xt[:, j])
                if np.sqrt((resid**2).sum()) <= _COLLINEAR_TOL * np.sqrt((xt[:, j] ** 2).sum()):
                    raise EstimationError(
                        f"{name[c]!r} is absorbed by the {words.entity} and {words.period} "
                        f"fixed effects: within each {words.entity} it moves one-for-one with "
                        "the calendar (e.g. an age, year minus founding year) or only over "
                        f"{words.periods}. Remove it from the twoway_fe specification, or use "
                        "estimator='entity_fe'."
                    )
            if dt.shape[1]:
                extra.append((f"the {words.period} fixed effects", dt))
        mat = xt
    elif estimator == "between":
        means = group_means(x, ent)
        for j, c in enumerate(columns):
            if np.ptp(means[:, j]) == 0:
                raise EstimationError(
                    f"{name[c]!r} has the same mean in every {words.entity}, so the between "
                    "estimator "
                    "cannot estimate it. Remove it or use a within estimator."
                )
        mat = means
        extra.insert(0, ("the intercept", np.ones((means.shape[0], 1))))
        n = means.shape[0]
    else:
        for j, c in enumerate(columns):
            if np.ptp(x[:, j]) == 0:
                what = (
                    "its first difference is the same in every year (e.g. it never changes), "
                    "so it is collinear with the intercept of the first-difference regression"
                    if estimator == "first_difference"
                    else "it is constant in the estimation sample, so it is collinear with "
                    "the intercept"
                )
                raise EstimationError(
                    f"{name[c]!r} cannot be estimated: {what}. Remove it from the specification."
                )
        mat = x
        extra.insert(0, ("the intercept", np.ones((n, 1))))
    _check_collinear(mat, [name[c] for c in columns], extra, estimator, words)
    n_params = mat.shape[1] + sum(e.shape[1] for _, e in extra)
    if n_params >= n:
        raise EstimationError(
            f"Not enough observations: {n} for {n_params} parameters under {estimator!r}. Use "
            "fewer regressors, lags or dummies, or more data."
        )


def _check_collinear(
    mat: np.ndarray,
    names: list[str],
    extra: list[tuple[str, np.ndarray]],
    estimator: str,
    words: Vocabulary = GENERIC_WORDS,
) -> None:
    """Find the first variable in the span of the earlier ones and name the culprits."""
    blocks: list[tuple[str, np.ndarray]] = []
    head = [e for e in extra if e[0] == "the intercept"]
    tail = [e for e in extra if e[0] != "the intercept"]
    for label, arr in head:
        blocks.append((label, arr))
    owners: list[str] = [label for label, arr in blocks for _ in range(arr.shape[1])]
    basis = np.hstack([arr for _, arr in blocks]) if blocks else np.zeros((mat.shape[0], 0))
    candidates = [(nm, mat[:, [j]]) for j, nm in enumerate(names)] + tail
    for label, arr in candidates:
        for k in range(arr.shape[1]):
            col = arr[:, k]
            norm = np.sqrt((col**2).sum())
            coef, resid = _span_residual(basis, col)
            if norm == 0 or np.sqrt((resid**2).sum()) <= _COLLINEAR_TOL * norm:
                col_norms = np.sqrt((basis**2).sum(axis=0))
                weight = np.abs(coef) * col_norms
                involved = list(
                    dict.fromkeys(
                        owners[i]
                        for i in range(len(owners))
                        if norm > 0 and weight[i] > 1e-6 * norm
                    )
                )
                after = {
                    "entity_fe": f" after removing the {words.entity} fixed effects",
                    "twoway_fe": f" after removing the {words.entity} fixed effects",
                    "first_difference": " in first differences",
                    "between": f" in {words.entity} means",
                }.get(estimator, "")
                others = ", ".join(repr(i) if not i.startswith("the ") else i for i in involved)
                raise EstimationError(
                    f"Perfect collinearity{after}: {label!r} is a linear combination of "
                    f"{others or 'the other regressors'}. Drop one of these variables from the "
                    "specification."
                )
            basis = np.hstack([basis, col[:, None]])
            owners.append(label)


def cluster_dimensions(cov_type: str, *, entity: str, time: str) -> tuple[str, ...]:
    """Columns that define the clusters of ``cov_type`` (empty if it does not cluster)."""
    return {"cluster_entity": (entity,), "cluster_twoway": (entity, time)}.get(cov_type, ())


def check_clusters(
    sample: Sample,
    cov_type: str,
    *,
    dk_bandwidth: int | None = None,
    n_units: int | None = None,
    cluster: str | None = None,
) -> tuple[tuple[str, int], ...]:
    """Count the clusters of ``cov_type`` and check there are enough.

    Returns ``((column, count), ...)``; for Driscoll-Kraay the count of years is returned
    under the time column; for ``cov_type="cluster"`` the groups of the column ``cluster``
    (which the sample must carry). Raises :class:`EstimationError` for fewer than 2 clusters
    (or a kernel bandwidth not below the number of years) and warns with
    :class:`FewClustersWarning` for fewer than 30.
    """
    ent, tim = sample.entity, sample.time
    counts: list[tuple[str, int]] = []
    if cov_type == "cluster":
        if cluster is None or cluster not in sample.frame.columns:
            raise EstimationError(
                f"cov_type='cluster' needs a clustering column in the estimation sample, got "
                f"{cluster!r}: name one with `cluster:` next to `cov_type: cluster` in the "
                "model's entry of models.baseline or models.heterogeneity (config/config.yaml), "
                "or use cov_type 'cluster_entity' or 'cluster_twoway'."
            )
        if sample.frame[cluster].isna().any():
            missing = sample.frame[cluster].isna()
            raise EstimationError(
                f"The clustering column {cluster!r} is missing in {int(missing.sum())} used "
                f"row(s) (first rows {sample.frame.index[missing][:10].tolist()}); fill it or "
                "cluster on another column."
            )
        counts.append((cluster, int(sample.frame[cluster].nunique())))
    elif cov_type in ("cluster_entity", "cluster_twoway"):
        counts.append((ent, n_units if n_units is not None else sample.n_entities))
        if cov_type == "cluster_twoway":
            counts.append((tim, sample.n_periods))
    elif cov_type == "driscoll_kraay":
        t = sample.n_periods
        bw = bandwidth(t, dk_bandwidth)
        if t < 2 or bw >= t:
            raise EstimationError(
                f"Driscoll-Kraay standard errors need a kernel bandwidth below the number of "
                f"{sample.vocabulary.periods}; the sample has {t} {sample.vocabulary.period}(s) "
                f"and bandwidth {bw}. Use more years, a "
                "smaller dk_bandwidth, or cov_type='cluster_entity'."
            )
        counts.append((tim, t))
    for col, g in counts:
        if g < 2:
            raise EstimationError(
                f"cov_type={cov_type!r} needs at least 2 clusters in {col!r}; the estimation "
                f"sample has {g}. Use cov_type='robust' or 'unadjusted', or more data."
            )
        if g < MIN_CLUSTERS_RELIABLE:
            kind = (
                f"{sample.vocabulary.periods} for the Driscoll-Kraay kernel"
                if cov_type == "driscoll_kraay"
                else (f"clusters in {col!r}")
            )
            warnings.warn(
                f"Only {g} {kind} for cov_type={cov_type!r} (fewer than "
                f"{MIN_CLUSTERS_RELIABLE}): the standard errors are then biased downward and "
                "tests over-reject. Read the p-values with caution (a wild cluster bootstrap "
                "is more reliable), or cluster on a dimension with more groups.",
                FewClustersWarning,
                stacklevel=3,
            )
    return tuple(counts)
