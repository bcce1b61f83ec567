"""Composite indices of the constructs (GOV, the six mechanisms, SCA) and the analysis panel.

Each construct is measured by a few observed indicators with a direction (+1 when more is
better, -1 when less is better). Three ways of combining them are offered, all computed over
the pooled panel (every cluster-year at once), so that weights do not change by year and an
index is comparable across clusters and over time:

``entropy``
    Entropy weight method on min-max normalised, directed indicators.
``pca``
    First principal component of the standardised, directed indicators (correlation matrix).
``zscore``
    Equal-weighted mean of the standardised, directed indicators.

:func:`build_analysis_panel` turns the cleaned panel into the analysis panel (one column per
construct, the transformed controls and the passthrough variables) and reports the weights and
the reliability (Cronbach's alpha, variance share of the first principal component) of every
construct.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from govcluster.categories import category_column
from govcluster.columns import ENTITY, INDUSTRY, NAME, PROVINCE, REGION, SOURCE_ROW, TIME
from govcluster.config import ConstructSpec, ControlSpec, ProjectConfig
from govcluster.errors import ConfigError, DataValidationError
from govcluster.registry.index_methods import (
    IndexMethodEntry,
    index_method,
    register_index_method,
)

#: Descriptive columns carried into the analysis panel when present, in this order.
DESCRIPTIVE_COLUMNS = (REGION, PROVINCE, INDUSTRY, NAME)


#: A range at most this share of the largest absolute value counts as constant.
_RELATIVE_CONSTANT_TOLERANCE = 1e-12

#: Loadings of the first component summing to less than this (in absolute value, for a unit
#: eigenvector) cannot be rescaled to weights summing to one.
LOADING_SUM_TOLERANCE = 1e-8

_CONFIG_FILE = "config/config.yaml"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PrincipalComponent:
    """The first principal component of a construct's standardised, directed indicators.

    Attributes
    ----------
    weights : pandas.Series
        The eigenvector rescaled to sum to one (indexed by indicator).
    eigenvector : pandas.Series
        The unit-length eigenvector of the largest eigenvalue, signed so that its elements
        are positive on average.
    eigenvalues : numpy.ndarray
        All eigenvalues of the correlation matrix, largest first.
    variance_share : float
        Share of the total variance explained by the first component,
        ``eigenvalues[0] / eigenvalues.sum()``.
    """

    weights: pd.Series
    eigenvector: pd.Series
    eigenvalues: np.ndarray
    variance_share: float


@dataclass(frozen=True)
class ConstructIndex:
    """The index of one construct and how it was built.

    Attributes
    ----------
    index : pandas.Series
        The (unstandardised) index, aligned with the rows of the indicators.
    weights : pandas.Series
        Weight of each indicator (indexed by indicator); they sum to one.
    cronbach_alpha : float
        Cronbach's alpha of the standardised, directed indicators (NaN for one indicator).
    first_component_share : float
        Variance share of the first principal component of the indicators.
    method : str
        "entropy", "pca" or "zscore".
    """

    index: pd.Series
    weights: pd.Series
    cronbach_alpha: float
    first_component_share: float
    method: str


@dataclass(frozen=True)
class IndexResult:
    """The analysis panel and the documentation of its indices.

    Attributes
    ----------
    analysis : pandas.DataFrame
        cluster_id, year, the descriptive columns present (region, province, industry,
        cluster_name), one column per construct (named by the construct key, e.g. "GOV"),
        one per control and one per passthrough variable; sorted by cluster_id and year.
    weights : pandas.DataFrame
        One row per construct and indicator: construct, indicator, direction, weight, method.
    reliability : pandas.DataFrame
        One row per construct: construct, n_indicators, cronbach_alpha,
        first_component_share, method.
    """

    analysis: pd.DataFrame
    weights: pd.DataFrame
    reliability: pd.DataFrame


# --------------------------------------------------------------------------- validation


def _source_rows(panel: pd.DataFrame) -> np.ndarray | None:
    """Raw-file row numbers of the panel rows, when the panel carries them."""
    if SOURCE_ROW not in panel.columns:
        return None
    return panel[SOURCE_ROW].to_numpy()


def _rows_where(rows: np.ndarray | None, mask: np.ndarray) -> list[int] | None:
    """Sorted raw-file row numbers where ``mask`` is true (None when rows are unknown)."""
    if rows is None:
        return None
    return sorted(int(r) for r in rows[mask])


def _where(construct: str | None, indicator: str) -> str:
    """Describe an indicator for an error message."""
    if construct:
        return f"Indicator '{indicator}' of construct {construct}"
    return f"Indicator '{indicator}'"


def _drop_fix(construct: str | None, indicator: str) -> str:
    """The advice given for an unusable indicator."""
    owner = f"constructs.{construct}.indicators" if construct else "constructs.<NAME>.indicators"
    return f"drop '{indicator}' from {owner} in {_CONFIG_FILE}, or check the data"


def validate_indicators(
    indicators: pd.DataFrame,
    directions: Mapping[str, int],
    *,
    construct: str | None = None,
    source_rows: Sequence[int] | None = None,
    file: str | None = None,
    columns_in_file: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Check that indicators can be combined into an index and return them as floats.

    Parameters
    ----------
    indicators : pandas.DataFrame
        One column per indicator, one row per cluster-year.
    directions : mapping of str to int
        Direction (+1 or -1) of every column of ``indicators``.
    construct : str, optional
        Name of the construct, used in error messages.
    source_rows : sequence of int, optional
        Row numbers in the raw file of the rows of ``indicators``, used in error messages.
    file : str, optional
        The raw data file, used in error messages.
    columns_in_file : mapping of str to str, optional
        Indicator -> column name in the raw file, used in error messages.

    Returns
    -------
    pandas.DataFrame
        The indicators as float64.

    Raises
    ------
    ValueError
        If there are no indicators, or a direction is missing or not +1/-1.
    DataValidationError
        If an indicator is not numeric, is missing (entirely or in some rows), is not finite
        or is constant over the pooled panel.
    """
    if indicators.shape[1] == 0:
        owner = f"construct {construct}" if construct else "the construct"
        raise ValueError(f"{owner} has no indicators")
    if len(indicators) < 2:
        raise DataValidationError(
            f"The panel has {len(indicators)} row(s); an index needs at least two cluster-years.",
            file=file,
            fix="check the data and the cleaning report (results/data_quality/"
            "sample_construction.csv counts the rows each cleaning step dropped, "
            "cleaning_audit.csv lists them with the reason)",
        )
    for name in indicators.columns:
        if name not in directions:
            raise ValueError(f"no direction given for indicator '{name}'")
        if directions[name] not in (1, -1):
            raise ValueError(
                f"the direction of indicator '{name}' must be 1 or -1, got {directions[name]}"
            )
    columns_in_file = columns_in_file or {}
    rows = np.asarray(source_rows) if source_rows is not None else None
    checked = {}
    for name in indicators.columns:
        column = indicators[name]
        where = _where(construct, name)
        in_file = columns_in_file.get(name, name)
        if column.isna().all():
            raise DataValidationError(
                f"{where} is missing in every row of the panel.",
                file=file,
                column=in_file,
                fix=_drop_fix(construct, name) + " (is the column name right?)",
            )
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            raise DataValidationError(
                f"{where} is not numeric (dtype {column.dtype}).",
                file=file,
                column=in_file,
                fix="run the cleaning step first, which parses every variable into numbers",
            )
        values = column.to_numpy(dtype="float64", na_value=np.nan)
        missing = np.isnan(values)
        if missing.any():
            raise DataValidationError(
                f"{where} is missing in {int(missing.sum())} of {len(values)} rows after cleaning.",
                file=file,
                column=in_file,
                rows=_rows_where(rows, missing),
                fix="fill or drop these rows (clean.interpolate, clean.drop_incomplete in "
                f"{_CONFIG_FILE}), or " + _drop_fix(construct, name),
            )
        infinite = ~np.isfinite(values)
        if infinite.any():
            raise DataValidationError(
                f"{where} is infinite in {int(infinite.sum())} rows.",
                file=file,
                column=in_file,
                rows=_rows_where(rows, infinite),
                fix="check the data",
            )
        value_range = values.max() - values.min()
        scale = np.abs(values).max()
        if value_range <= _RELATIVE_CONSTANT_TOLERANCE * scale:
            raise DataValidationError(
                f"{where} is constant ({values[0]:g}) over the pooled panel, so it carries no "
                "information for the index.",
                file=file,
                column=in_file,
                fix=_drop_fix(construct, name),
            )
        checked[name] = values
    return pd.DataFrame(checked, index=indicators.index)


# --------------------------------------------------------------------------- normalisation


def minmax_normalize(indicators: pd.DataFrame, directions: Mapping[str, int]) -> pd.DataFrame:
    r"""Min-max normalise indicators over the pooled panel, taking their direction into account.

    Parameters
    ----------
    indicators : pandas.DataFrame
        One column per indicator, one row per cluster-year.
    directions : mapping of str to int
        +1 (more is better) or -1 (less is better) for every column.

    Returns
    -------
    pandas.DataFrame
        Normalised indicators in [0, 1], where 1 is always the best value.

    Notes
    -----
    With :math:`m_j = \min_i x_{ij}` and :math:`M_j = \max_i x_{ij}` over all cluster-years,

    .. math::

        x'_{ij} = \frac{x_{ij} - m_j}{M_j - m_j} \text{ if } d_j = +1, \qquad
        x'_{ij} = \frac{M_j - x_{ij}}{M_j - m_j} \text{ if } d_j = -1.
    """
    values = validate_indicators(indicators, directions)
    normalized = {}
    for name in values.columns:
        column = values[name]
        lowest, highest = column.min(), column.max()
        if directions[name] == 1:
            normalized[name] = (column - lowest) / (highest - lowest)
        else:
            normalized[name] = (highest - column) / (highest - lowest)
    return pd.DataFrame(normalized, index=values.index)


def standardize_indicators(indicators: pd.DataFrame, directions: Mapping[str, int]) -> pd.DataFrame:
    r"""Z-score indicators over the pooled panel and multiply them by their direction.

    Parameters
    ----------
    indicators : pandas.DataFrame
        One column per indicator, one row per cluster-year.
    directions : mapping of str to int
        +1 or -1 for every column.

    Returns
    -------
    pandas.DataFrame
        Directed, standardised indicators (mean 0, standard deviation 1).

    Notes
    -----
    .. math::

        z_{ij} = d_j \, \frac{x_{ij} - \bar x_j}{s_j}, \qquad
        s_j^2 = \frac{1}{n - 1} \sum_i (x_{ij} - \bar x_j)^2,

    with means and sample standard deviations (divisor :math:`n - 1`) over all :math:`n`
    cluster-years, so that :math:`Z^\top Z / (n - 1)` is the correlation matrix.
    """
    values = validate_indicators(indicators, directions)
    signs = pd.Series({name: float(directions[name]) for name in values.columns})
    return (values - values.mean()) / values.std(ddof=1) * signs


# --------------------------------------------------------------------------- entropy


def entropy_weights(
    indicators: pd.DataFrame, directions: Mapping[str, int], *, shift: float = 0.0
) -> pd.Series:
    r"""Entropy weights of indicators over the pooled panel.

    Parameters
    ----------
    indicators : pandas.DataFrame
        One column per indicator, one row per cluster-year (all years pooled, so the weights
        are the same in every year).
    directions : mapping of str to int
        +1 or -1 for every column.
    shift : float, default 0.0
        Constant added to the normalised values before the shares are taken. The default adds
        nothing and uses :math:`0 \ln 0 = 0` instead; some studies add a small shift such as
        1e-4 to avoid zeros, which is available here but never applied unless asked for.

    Returns
    -------
    pandas.Series
        Weight of each indicator, indexed by indicator; the weights are positive and sum to 1.

    Notes
    -----
    With :math:`x'_{ij}` the directed min-max normalised values
    (:func:`minmax_normalize`), :math:`s` the ``shift`` and :math:`n` the number of
    cluster-years,

    .. math::

        p_{ij} = \frac{x'_{ij} + s}{\sum_{i=1}^{n} (x'_{ij} + s)}, \qquad
        e_j = -\frac{1}{\ln n} \sum_{i=1}^{n} p_{ij} \ln p_{ij}, \qquad
        d_j = 1 - e_j, \qquad
        w_j = \frac{d_j}{\sum_k d_k},

    where :math:`p \ln p` is taken to be 0 when :math:`p = 0`. Without a shift every
    non-constant indicator has a zero share in the row of its worst value, so
    :math:`e_j < 1` and :math:`d_j > 0`. A construct with a single indicator gets weight 1.
    """
    if shift < 0:
        raise ValueError(f"shift must be non-negative, got {shift}")
    normalized = minmax_normalize(indicators, directions) + shift
    n_rows = len(normalized)
    shares = normalized / normalized.sum()
    share_values = shares.to_numpy()
    plogp = np.zeros_like(share_values)
    positive = share_values > 0
    plogp[positive] = share_values[positive] * np.log(share_values[positive])
    entropy = -plogp.sum(axis=0) / np.log(n_rows)
    divergence = 1.0 - entropy
    weights = divergence / divergence.sum()
    return pd.Series(weights, index=normalized.columns, name="weight")


def entropy_index(indicators: pd.DataFrame, directions: Mapping[str, int]) -> pd.Series:
    r"""Entropy-weighted index of indicators.

    Parameters
    ----------
    indicators : pandas.DataFrame
        One column per indicator, one row per cluster-year.
    directions : mapping of str to int
        +1 or -1 for every column.

    Returns
    -------
    pandas.Series
        The index, in [0, 1], aligned with the rows of ``indicators``.

    Notes
    -----
    .. math::

        I_i = \sum_j w_j x'_{ij},

    with :math:`w_j` from :func:`entropy_weights` (no shift) and :math:`x'_{ij}` from
    :func:`minmax_normalize`.
    """
    weights = entropy_weights(indicators, directions)
    return minmax_normalize(indicators, directions) @ weights


# --------------------------------------------------------------------------- PCA


def first_principal_component(
    indicators: pd.DataFrame, directions: Mapping[str, int]
) -> PrincipalComponent:
    r"""First principal component of the directed, standardised indicators.

    Parameters
    ----------
    indicators : pandas.DataFrame
        One column per indicator, one row per cluster-year.
    directions : mapping of str to int
        +1 or -1 for every column.

    Returns
    -------
    PrincipalComponent

    Raises
    ------
    DataValidationError
        If the loadings of the first component sum to zero (the component contrasts the
        indicators rather than summarising them), so no weights summing to one exist.

    Notes
    -----
    With :math:`R` the correlation matrix of the directed indicators (equal to that of
    :func:`standardize_indicators`) and :math:`R v = \lambda_1 v` its largest eigenpair,
    :math:`\lVert v \rVert = 1`, the sign of :math:`v` is chosen so that
    :math:`\sum_j v_j > 0` and

    .. math::

        w_j = \frac{v_j}{\sum_k v_k}, \qquad
        \text{variance share} = \frac{\lambda_1}{\sum_k \lambda_k} = \frac{\lambda_1}{K}.

    A construct with a single indicator has :math:`w = 1` and variance share 1.
    """
    standardized = standardize_indicators(indicators, directions)
    n_rows = len(standardized)
    matrix = standardized.to_numpy()
    correlation = matrix.T @ matrix / (n_rows - 1)
    eigenvalues, eigenvectors = np.linalg.eigh(correlation)
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues = eigenvalues[order]
    leading = eigenvectors[:, order[0]]
    loading_sum = leading.sum()
    if abs(loading_sum) < LOADING_SUM_TOLERANCE:
        names = ", ".join(f"'{name}'" for name in standardized.columns)
        raise DataValidationError(
            f"The first principal component of indicators {names} has loadings summing to "
            "zero: it contrasts the indicators instead of summarising them, so it cannot be "
            "turned into weights that sum to one.",
            fix="check the directions of the indicators in constructs.<NAME>.indicators of "
            f"{_CONFIG_FILE}, or set indices.method to entropy or zscore",
        )
    if loading_sum < 0:
        leading = -leading
    columns = standardized.columns
    return PrincipalComponent(
        weights=pd.Series(leading / leading.sum(), index=columns, name="weight"),
        eigenvector=pd.Series(leading, index=columns, name="loading"),
        eigenvalues=eigenvalues,
        variance_share=float(eigenvalues[0] / eigenvalues.sum()),
    )


def pca_weights(indicators: pd.DataFrame, directions: Mapping[str, int]) -> pd.Series:
    r"""Weights of the first principal component, rescaled to sum to one.

    See :func:`first_principal_component` for the formula and the sign convention.

    Parameters
    ----------
    indicators : pandas.DataFrame
        One column per indicator, one row per cluster-year.
    directions : mapping of str to int
        +1 or -1 for every column.

    Returns
    -------
    pandas.Series
        Weight of each indicator, indexed by indicator; they sum to 1.

    Notes
    -----
    :math:`w_j = v_j / \sum_k v_k` with :math:`v` the first eigenvector of the correlation
    matrix of the directed indicators, signed so that :math:`\sum_k v_k > 0`.
    """
    return first_principal_component(indicators, directions).weights


def pca_index(indicators: pd.DataFrame, directions: Mapping[str, int]) -> pd.Series:
    r"""Index from the first principal component.

    Parameters
    ----------
    indicators : pandas.DataFrame
        One column per indicator, one row per cluster-year.
    directions : mapping of str to int
        +1 or -1 for every column.

    Returns
    -------
    pandas.Series
        The index (mean 0), aligned with the rows of ``indicators``.

    Notes
    -----
    .. math::

        I_i = \sum_j w_j z_{ij},

    with :math:`z_{ij}` from :func:`standardize_indicators` and :math:`w_j` from
    :func:`pca_weights`; it is proportional to the first principal component score.
    """
    weights = pca_weights(indicators, directions)
    return standardize_indicators(indicators, directions) @ weights


# --------------------------------------------------------------------------- z-score


def zscore_index(indicators: pd.DataFrame, directions: Mapping[str, int]) -> pd.Series:
    r"""Equal-weighted mean of the standardised, directed indicators.

    Parameters
    ----------
    indicators : pandas.DataFrame
        One column per indicator, one row per cluster-year.
    directions : mapping of str to int
        +1 or -1 for every column.

    Returns
    -------
    pandas.Series
        The index (mean 0), aligned with the rows of ``indicators``.

    Notes
    -----
    .. math::

        I_i = \frac{1}{K} \sum_{j=1}^{K} z_{ij},

    with :math:`z_{ij}` from :func:`standardize_indicators`. A construct with a single
    indicator is that indicator, standardised.
    """
    return standardize_indicators(indicators, directions).mean(axis=1)


# --------------------------------------------------------------------------- reliability


def cronbach_alpha(items: pd.DataFrame) -> float:
    r"""Cronbach's alpha of a set of items.

    Parameters
    ----------
    items : pandas.DataFrame
        One column per item, one row per observation, e.g. the output of
        :func:`standardize_indicators` (which gives the standardised alpha). Rows with a
        missing item are left out (listwise deletion).

    Returns
    -------
    float
        Alpha; NaN when there are fewer than two items or fewer than two complete rows, or
        when the total score has no variance.

    Notes
    -----
    With :math:`K` items, :math:`\sigma^2_j` the variance of item :math:`j` and
    :math:`\sigma^2_T` the variance of the total :math:`T_i = \sum_j y_{ij}`,

    .. math::

        \alpha = \frac{K}{K - 1} \left( 1 - \frac{\sum_j \sigma^2_j}{\sigma^2_T} \right).

    The divisor of the variances cancels; :math:`n - 1` is used.
    """
    complete = items.dropna()
    n_items = complete.shape[1]
    if n_items < 2 or len(complete) < 2:
        return float("nan")
    item_variance = complete.var(ddof=1).sum()
    total_variance = complete.sum(axis=1).var(ddof=1)
    if total_variance == 0:
        return float("nan")
    return float(n_items / (n_items - 1) * (1.0 - item_variance / total_variance))


# --------------------------------------------------------------------------- one construct


def construct_index(
    indicators: pd.DataFrame, directions: Mapping[str, int], method: str
) -> ConstructIndex:
    r"""Build the index of one construct with ``method`` and its reliability statistics.

    Parameters
    ----------
    indicators : pandas.DataFrame
        One column per indicator, one row per cluster-year; validated with
        :func:`validate_indicators` first.
    directions : mapping of str to int
        +1 or -1 for every column.
    method : str
        How the indicators are combined: a method of
        :data:`govcluster.registry.index_methods.INDEX_METHODS` (built in: entropy, pca,
        zscore).

    Returns
    -------
    ConstructIndex

    Raises
    ------
    ConfigError
        If ``method`` is not a registered index method.

    Notes
    -----
    entropy: :math:`I_i = \sum_j w_j x'_{ij}` with entropy weights;
    pca: :math:`I_i = \sum_j w_j z_{ij}` with first-component weights;
    zscore: :math:`I_i = K^{-1} \sum_j z_{ij}` (:math:`w_j = 1/K`).
    Cronbach's alpha is computed on the :math:`z_{ij}` and the first-component variance
    share on their correlation matrix, whatever the method.
    """
    entry = index_method(method)
    standardized = standardize_indicators(indicators, directions)
    component_share = _first_component_share(standardized)
    weights = entry.weights(indicators, directions)
    index = entry.index(indicators, directions)
    return ConstructIndex(
        index=index,
        weights=weights,
        cronbach_alpha=cronbach_alpha(standardized),
        first_component_share=component_share,
        method=method,
    )


def _first_component_share(standardized: pd.DataFrame) -> float:
    """Largest eigenvalue of the correlation matrix over the number of indicators."""
    matrix = standardized.to_numpy()
    correlation = matrix.T @ matrix / (len(matrix) - 1)
    eigenvalues = np.linalg.eigvalsh(correlation)
    return float(eigenvalues.max() / eigenvalues.sum())


# --------------------------------------------------------------------------- analysis panel


def transform_control(
    panel: pd.DataFrame, control: ControlSpec, config: ProjectConfig | None = None
) -> pd.Series:
    r"""Compute one control of the analysis panel from its source variable.

    Parameters
    ----------
    panel : pandas.DataFrame
        The cleaned panel, with the source variable and (for ``age``) the year.
    control : ControlSpec
        The control: its source variable and transform.
    config : ProjectConfig, optional
        Used to name the data file and the column in the file in error messages.

    Returns
    -------
    pandas.Series
        The control, float64, named ``control.name``.

    Raises
    ------
    DataValidationError
        If the source variable is absent or missing in some rows, if ``log`` meets a value
        that is not positive, ``log1p`` a value at or below -1, or ``age`` a value after the
        year (a negative age).

    Notes
    -----
    none: :math:`c_{it} = x_{it}`; log: :math:`c_{it} = \ln x_{it}` (:math:`x_{it} > 0`);
    log1p: :math:`c_{it} = \ln(1 + x_{it})` (:math:`x_{it} > -1`);
    age: :math:`c_{it} = t - x_{it}` (:math:`x_{it}` a founding year, :math:`t` the year).
    """
    variable = control.variable
    file = str(config.data.path) if config is not None else None
    in_file = (
        config.variables[variable].column
        if config is not None and variable in config.variables
        else variable
    )
    where = f"Control '{control.name}' (variable '{variable}', transform {control.transform})"
    if variable not in panel.columns:
        raise DataValidationError(
            f"{where}: the panel has no column '{variable}'.",
            file=file,
            column=in_file,
            fix="check the variables and controls sections of " + _CONFIG_FILE,
        )
    rows = _source_rows(panel)
    values = panel[variable].to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(values)
    if missing.any():
        raise DataValidationError(
            f"{where} is missing in {int(missing.sum())} of {len(values)} rows after cleaning.",
            file=file,
            column=in_file,
            rows=_rows_where(rows, missing),
            fix="fill or drop these rows (clean.interpolate, clean.drop_incomplete in "
            f"{_CONFIG_FILE}), or remove controls.{control.name}",
        )
    if control.transform == "none":
        result = values
    elif control.transform == "log":
        bad = values <= 0
        if bad.any():
            raise DataValidationError(
                f"{where}: the logarithm needs positive values, but {int(bad.sum())} rows are "
                "zero or negative.",
                file=file,
                column=in_file,
                rows=_rows_where(rows, bad),
                fix=f"use transform: log1p for controls.{control.name} in {_CONFIG_FILE} "
                "when zeros are genuine, or correct the data",
            )
        result = np.log(values)
    elif control.transform == "log1p":
        bad = values <= -1
        if bad.any():
            raise DataValidationError(
                f"{where}: log(1 + x) needs values above -1, but {int(bad.sum())} rows are "
                "at or below -1.",
                file=file,
                column=in_file,
                rows=_rows_where(rows, bad),
                fix="correct the data or choose another transform for "
                f"controls.{control.name} in {_CONFIG_FILE}",
            )
        result = np.log1p(values)
    elif control.transform == "age":
        years = panel[TIME].to_numpy(dtype="float64")
        result = years - values
        bad = result < 0
        if bad.any():
            raise DataValidationError(
                f"{where}: the value is after the year in {int(bad.sum())} rows, which gives a "
                "negative age.",
                file=file,
                column=in_file,
                rows=_rows_where(rows, bad),
                fix="check the founding years in the data",
            )
    else:
        raise ValueError(f"unknown control transform {control.transform!r}")
    return pd.Series(result, index=panel.index, name=control.name, dtype="float64")


def _check_output_names(config: ProjectConfig) -> None:
    """Constructs, controls and passthrough variables must have distinct names."""
    seen: dict[str, str] = {ENTITY: "the entity column", TIME: "the time column"}
    seen.update({column: "a descriptive column" for column in DESCRIPTIVE_COLUMNS})
    clashes = []
    sections = [
        ("constructs", list(config.constructs)),
        ("controls", list(config.controls)),
        ("passthrough", list(config.passthrough)),
    ]
    for section, names in sections:
        for name in names:
            if name in seen:
                clashes.append(f"{section} '{name}' has the same name as {seen[name]}")
            seen[name] = f"{section} '{name}'"
    if clashes:
        raise ConfigError(
            "Columns of the analysis panel would share a name:\n"
            + "\n".join(f"  - {clash}" for clash in clashes)
            + f"\nRename them in {_CONFIG_FILE}."
        )


def _construct_indicators(
    panel: pd.DataFrame, construct: ConstructSpec, config: ProjectConfig
) -> pd.DataFrame:
    """The indicator columns of one construct, validated with informative errors."""
    absent = [name for name in construct.indicator_names if name not in panel.columns]
    if absent:
        raise DataValidationError(
            f"Indicator(s) {', '.join(repr(a) for a in absent)} of construct {construct.name} "
            "are not columns of the cleaned panel.",
            file=str(config.data.path),
            fix=f"check constructs.{construct.name}.indicators and variables in {_CONFIG_FILE}",
        )
    return validate_indicators(
        panel[list(construct.indicator_names)],
        construct.directions,
        construct=construct.name,
        source_rows=_source_rows(panel),
        file=str(config.data.path),
        columns_in_file={
            name: config.variables[name].column
            for name in construct.indicator_names
            if name in config.variables
        },
    )


def _check_not_constant(index: pd.Series, construct: str, file: str | None = None) -> None:
    """Raise when an index does not vary over the pooled panel.

    Every method combines normalised indicators (min-max in [0, 1] or z-scores), so an index
    has a scale of about one; a spread that is rounding noise on that scale (indicators that
    offset each other exactly, such as a share and 100 minus that share with the same
    direction) means the index is constant.
    """
    spread = index.std(ddof=1)
    scale = max(float(index.abs().max()), 1.0)
    if not np.isfinite(spread) or spread <= _RELATIVE_CONSTANT_TOLERANCE * scale:
        raise DataValidationError(
            f"The index of construct {construct} is constant over the pooled panel (its "
            "indicators offset each other exactly), so it carries no information.",
            file=file,
            fix=f"check constructs.{construct}.indicators and their directions in "
            f"{_CONFIG_FILE} (an indicator and its complement, such as a share and 100 minus "
            "that share, need opposite directions, or keep only one of them), or check the data",
        )


def _pooled_zscore(index: pd.Series, construct: str, file: str | None = None) -> pd.Series:
    """Z-score an index over the pooled panel (sample standard deviation)."""
    _check_not_constant(index, construct, file)
    return (index - index.mean()) / index.std(ddof=1)


def build_analysis_panel(panel: pd.DataFrame, config: ProjectConfig) -> IndexResult:
    r"""Build the analysis panel: construct indices, controls and passthrough variables.

    Parameters
    ----------
    panel : pandas.DataFrame
        The cleaned panel: cluster_id, year, optionally source_row and the descriptive
        columns (region, province, industry, cluster_name), and every configured variable as
        float64, with no missing indicators or controls.
    config : ProjectConfig
        Constructs, controls, passthrough variables and ``indices`` (method, standardize).

    Returns
    -------
    IndexResult
        The analysis panel, the weights of every indicator and the reliability of every
        construct.

    Raises
    ------
    DataValidationError
        If an indicator is absent, missing, not finite or constant over the pooled panel
        (the message names the construct and indicator and says to drop it from
        ``constructs.<NAME>.indicators``), if a control cannot be transformed, or if an index
        is constant.
    ConfigError
        If two columns of the analysis panel would share a name.

    Notes
    -----
    Each construct :math:`c` gets the index :math:`I^c_{it}` of :func:`construct_index` with
    ``config.indices.method``, computed over all cluster-years at once. When
    ``config.indices.standardize`` is true it is reported as
    :math:`(I^c_{it} - \bar I^c) / s_{I^c}` with the pooled mean and sample standard
    deviation, so regression coefficients are in standard deviations. A construct with a
    single indicator is allowed: its weight is 1 and its index is that indicator, normalised
    (entropy), standardised (pca, zscore). Controls follow :func:`transform_control`.
    """
    for column in (ENTITY, TIME):
        if column not in panel.columns:
            raise DataValidationError(
                f"The cleaned panel has no '{column}' column.",
                fix="run the cleaning step, which names the entity and time columns",
            )
    _check_output_names(config)
    panel = panel.sort_values([ENTITY, TIME], kind="stable").reset_index(drop=True)
    method = config.indices.method
    index_method(method)  # an unknown method stops here, before any index is built

    analysis = {ENTITY: panel[ENTITY], TIME: panel[TIME]}
    for column in DESCRIPTIVE_COLUMNS:
        if column in panel.columns:
            analysis[column] = panel[column]

    weight_rows = []
    reliability_rows = []
    for construct in config.constructs.values():
        indicators = _construct_indicators(panel, construct, config)
        try:
            built = construct_index(indicators, construct.directions, method)
        except DataValidationError as error:
            raise DataValidationError(
                f"Construct {construct.name}: {error.problem[0].lower()}{error.problem[1:]}",
                file=str(config.data.path),
                column=error.column,
                rows=error.rows or None,
                fix=(error.fix or "").replace("<NAME>", construct.name) or None,
            ) from None
        index = built.index
        _check_not_constant(index, construct.name, str(config.data.path))
        if config.indices.standardize:
            index = _pooled_zscore(index, construct.name, str(config.data.path))
        analysis[construct.name] = index.astype("float64")
        for indicator, direction in construct.indicators:
            weight_rows.append(
                {
                    "construct": construct.name,
                    "indicator": indicator,
                    "direction": direction,
                    "weight": float(built.weights[indicator]),
                    "method": method,
                }
            )
        reliability_rows.append(
            {
                "construct": construct.name,
                "n_indicators": len(construct.indicators),
                "cronbach_alpha": built.cronbach_alpha,
                "first_component_share": built.first_component_share,
                "method": method,
            }
        )

    for control in config.controls.values():
        analysis[control.name] = transform_control(panel, control, config)

    for name in config.passthrough:
        if name not in panel.columns:
            raise DataValidationError(
                f"Passthrough variable '{name}' is not a column of the cleaned panel.",
                file=str(config.data.path),
                column=config.variables[name].column if name in config.variables else name,
                fix=f"check passthrough and variables in {_CONFIG_FILE}",
            )
        analysis[name] = panel[name].astype("float64")

    for name, category in config.categories.items():
        analysis[name] = category_column(panel[name], base=category.base, name=name)

    weights = pd.DataFrame(
        weight_rows, columns=["construct", "indicator", "direction", "weight", "method"]
    )
    reliability = pd.DataFrame(
        reliability_rows,
        columns=["construct", "n_indicators", "cronbach_alpha", "first_component_share", "method"],
    )
    return IndexResult(analysis=pd.DataFrame(analysis), weights=weights, reliability=reliability)


# --------------------------------------------------------------------------- registry


def equal_weights(indicators: pd.DataFrame, directions: Mapping[str, int]) -> pd.Series:
    """Weights ``1/K`` of the z-score index (``directions`` is not needed)."""
    n_items = indicators.shape[1]
    return pd.Series(1.0 / n_items, index=indicators.columns, name="weight")


register_index_method(
    IndexMethodEntry(
        "entropy",
        entropy_index,
        entropy_weights,
        "entropy weight method on min-max normalised, directed indicators (index in [0, 1])",
    )
)
register_index_method(
    IndexMethodEntry(
        "pca",
        pca_index,
        pca_weights,
        "weights of the first principal component of the standardised indicators",
    )
)
register_index_method(
    IndexMethodEntry(
        "zscore",
        zscore_index,
        equal_weights,
        "equal-weighted mean of the standardised, directed indicators",
    )
)
