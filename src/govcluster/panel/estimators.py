r"""Baseline panel regressions, wrapping linearmodels.

:func:`fit_panel_model` estimates

.. math:: y_{it} = \sum_{k \in L} \beta_k\, x_{i,t-k} + \gamma' c_{it} + \alpha_i + \lambda_t
          + \varepsilon_{it}

with the estimator of the specification (:class:`govcluster.panel.spec.PanelSpec`):

======================  ============================================================
``pooled``              OLS with an intercept, no effects (``PooledOLS``)
``entity_fe``           within estimator with an intercept (``PanelOLS``,
                        ``entity_effects=True``; the intercept is the mean effect,
                        as in Stata's ``xtreg, fe``)
``twoway_fe``           ``entity_fe`` plus one dummy per year but the first
                        (``xtreg y x i.year, fe``)
``random``              GLS random effects, Swamy-Arora variances (``RandomEffects``)
``between``             OLS on entity means (``BetweenOLS``)
``first_difference``    OLS of :math:`\Delta y_{it}` on :math:`\Delta x_{it}` with an
                        intercept; differences by calendar year, so an observation after
                        a gap is dropped (Wooldridge 2010, sec. 10.6)
``hdfe``                entity, year and ``absorb`` effects absorbed without dummies
                        (``govcluster.core.hdfe``; firm-level panels,
                        :mod:`govcluster.panel.hdfe`), one-way cluster-robust errors
======================  ============================================================

The covariance and its small-sample corrections are documented in
:mod:`govcluster.panel.covariance`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from linearmodels import BetweenOLS, PanelOLS, PooledOLS, RandomEffects

from govcluster.categories import is_category
from govcluster.core.covariance import bandwidth
from govcluster.errors import EstimationError
from govcluster.model_diagnostics import low_within_variation_messages, warn_all
from govcluster.panel.covariance import inference, linearmodels_options
from govcluster.panel.design import (
    absorbed_indicators,
    category_bases,
    expand_categories,
    expanded_names,
    sample_categories,
)
from govcluster.panel.hdfe import fit_hdfe_model
from govcluster.panel.results import PanelEstimate, TestResult, readonly
from govcluster.panel.sample import (
    Sample,
    check_clusters,
    check_design,
    prepare_sample,
    year_dummy_columns,
)
from govcluster.panel.spec import PanelSpec, diff_name

CONST = "const"
T = TypeVar("T")


def capture_warnings(fn: Callable[[], T]) -> tuple[T, tuple[str, ...]]:
    """Run ``fn``, re-issue its warnings and return their messages too."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = fn()
    finally:  # re-issue them even if fn raised
        for w in caught:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return out, tuple(str(w.message) for w in caught)


def undiff(column: str) -> str:
    """The variable whose first difference is ``column`` (``d_x`` -> ``x``)."""
    return column[2:] if column.startswith("d_") else column


def build_sample(data: pd.DataFrame, spec: PanelSpec) -> tuple[Sample, str, list[str], dict]:
    """Estimation sample, dependent column, design columns and message labels of ``spec``.

    A categorical regressor or control is replaced by the indicators of its levels but the
    base (:func:`govcluster.panel.design.expand_categories`), the levels and the base taken
    from the rows whose values enter the estimation (:func:`sample_categories`).
    """
    sample, dep, design, labels, _ = build_sample_and_bases(data, spec)
    return sample, dep, design, labels


def build_sample_and_bases(
    data: pd.DataFrame, spec: PanelSpec
) -> tuple[Sample, str, list[str], dict, dict[str, str]]:
    """:func:`build_sample`, and the base level of each categorical variable used."""
    variables = [*spec.regressors, *spec.controls]
    first = _build_sample(data, spec)
    if not any(v in data.columns and is_category(data[v]) for v in variables):
        return (*first, {})
    # the complete-case filter first (on indicators of all levels), then the indicators again
    # on the levels of the rows that enter the estimation: a level found only in dropped rows
    # would give an all-zero column, a base found only there a base that means nothing
    restricted = sample_categories(
        data,
        first[0],
        variables,
        differenced=spec.estimator == "first_difference",
    )
    out = _build_sample(restricted, spec)
    return (*out, category_bases(restricted, variables))


def _build_sample(data: pd.DataFrame, spec: PanelSpec) -> tuple[Sample, str, list[str], dict]:
    data, expansion = expand_categories(data, [*spec.regressors, *spec.controls], lags=spec.lag_map)
    cols = expanded_names([*spec.design_regressors, *spec.design_controls], expansion)
    if CONST in cols or spec.outcome == CONST:
        raise EstimationError(
            f"A variable may not be called {CONST!r}: the name is kept for the intercept. "
            "Rename the column."
        )
    variables = expanded_names([spec.outcome, *spec.regressors, *spec.controls], expansion)
    if spec.estimator == "first_difference":
        dep = diff_name(spec.outcome)
        design = [diff_name(c) for c in cols]
        sample = prepare_sample(
            data,
            entity=spec.entity,
            time=spec.time,
            variables=variables,
            lags=spec.lag_map,
            differences=[spec.outcome, *cols],
            required=[spec.outcome, *cols, dep, *design],
            keep=_cluster_column(spec),
            vocabulary=spec.vocabulary,
        )
        labels = {diff_name(c): c for c in cols}
        return sample, dep, design, labels
    sample = prepare_sample(
        data,
        entity=spec.entity,
        time=spec.time,
        variables=variables,
        lags=spec.lag_map,
        required=[spec.outcome, *cols],
        keep=_cluster_column(spec),
        vocabulary=spec.vocabulary,
    )
    return sample, spec.outcome, cols, {}


def _cluster_column(spec: PanelSpec) -> tuple[str, ...]:
    """Columns kept in the sample as they are.

    The clustering column of ``cov_type="cluster"`` and the keys of the absorbed effects.
    """
    cluster = getattr(spec, "cluster", None)
    keys = [c for term in getattr(spec, "absorb", ()) for c in term.split("^")]
    keys = [c for c in keys if c not in (spec.entity, spec.time)]
    return tuple(dict.fromkeys([*([cluster] if cluster else []), *keys]))


def fit_panel_model(data: pd.DataFrame, spec: PanelSpec) -> PanelEstimate:
    r"""Estimate a linear panel regression.

    Parameters
    ----------
    data : DataFrame
        Long panel with one row per entity and year.
    spec : PanelSpec
        Outcome, regressors (and lags), controls, estimator and covariance.

    Returns
    -------
    PanelEstimate
        Coefficients of the regressors, controls and intercept, their covariance, the sample
        (observations, entities, clusters, rows dropped and why) and fit statistics.

    Raises
    ------
    EstimationError
        Unknown or non-numeric variable, no variation within entities under fixed effects,
        perfect collinearity, too few clusters (see :mod:`govcluster.panel.sample`), or a
        covariance the estimator does not support (``between`` allows ``unadjusted``,
        ``robust`` and ``cluster_entity``).

    Warns
    -----
    FewClustersWarning
        Fewer than 30 clusters (or years, for Driscoll-Kraay).

    Notes
    -----
    The estimating equation is

    .. math:: y_{it} = \sum_{k} \beta_k x_{i,t-k} + \gamma' c_{it} + \alpha_i
              + \lambda_t + \varepsilon_{it},

    where :math:`\alpha_i` are entity effects (fixed for ``entity_fe``/``twoway_fe``,
    random for ``random``, differenced out for ``first_difference``, absent for
    ``pooled``), and :math:`\lambda_t` year effects (``twoway_fe`` only). Lags are taken by
    calendar year. Rows with a missing value of a used variable, lag or difference are
    dropped and counted in ``PanelEstimate.n_dropped``. For ``between`` the regression has
    one observation per entity; ``n_obs`` still counts the panel rows used.
    """
    if not isinstance(spec, PanelSpec):
        raise EstimationError("spec must be a PanelSpec.")
    (est, messages) = capture_warnings(lambda: _fit(data, spec))
    return _with_warnings(est, messages)


def _with_warnings(est: PanelEstimate, messages: tuple[str, ...]) -> PanelEstimate:
    values = {f: getattr(est, f) for f in est.__dataclass_fields__}
    values["warnings"] = tuple(dict.fromkeys((*est.warnings, *messages)))
    return PanelEstimate(**values)


def _fit(data: pd.DataFrame, spec: PanelSpec) -> PanelEstimate:
    if spec.estimator == "between" and spec.cov_type not in (
        "unadjusted",
        "robust",
        "cluster_entity",
    ):
        raise EstimationError(
            f"The between estimator has one observation per {spec.vocabulary.entity}, so "
            "cov_type="
            f"{spec.cov_type!r} does not apply. Use 'unadjusted', 'robust' or 'cluster_entity'."
        )
    sample, dep, cols, labels, bases = build_sample_and_bases(data, spec)
    if spec.estimator == "hdfe":
        estimate = _fit_hdfe(sample, dep, cols, spec)
        return _with_bases(estimate, bases)
    check_design(sample, cols, estimator=spec.estimator, labels=labels)
    warn_all(
        low_within_variation_messages(
            sample.frame,
            cols,
            entity=sample.entity,
            estimator=spec.estimator,
            entities=spec.vocabulary.entities,
        )
    )
    clusters = check_clusters(
        sample, spec.cov_type, dk_bandwidth=spec.dk_bandwidth, cluster=spec.cluster
    )
    fitted = fit_design(sample, dep, cols, spec)
    estimate = fitted_to_estimate(sample, dep, cols, spec, fitted, clusters)
    return _with_bases(estimate, bases)


def _fit_hdfe(sample: Sample, dep: str, cols: list[str], spec: PanelSpec) -> PanelEstimate:
    """The ``hdfe`` estimator (:mod:`govcluster.panel.hdfe`), after the cluster checks."""
    check_clusters(sample, spec.cov_type, cluster=spec.cluster)
    return fit_hdfe_model(sample, dep, cols, spec)


def _with_bases(estimate: PanelEstimate, bases: dict[str, str]) -> PanelEstimate:
    """``estimate`` with the base levels of its categorical variables."""
    if not bases:
        return estimate
    values = {f: getattr(estimate, f) for f in estimate.__dataclass_fields__}
    return PanelEstimate(**{**values, "base_levels": tuple(bases.items())})


def fit_design(
    sample: Sample,
    dep: str,
    cols: list[str],
    spec: PanelSpec,
    *,
    year_dummies: bool | None = None,
) -> Any:
    """Fit the linearmodels model of ``spec`` on the columns ``cols`` of ``sample``.

    ``year_dummies`` adds one dummy per year but the first (default: for ``twoway_fe``).
    """
    frame = sample.frame.set_index([sample.entity, sample.time])
    y = frame[dep]
    x = frame[cols].astype(float)
    x.insert(len(cols), CONST, 1.0)
    if year_dummies is None:
        year_dummies = spec.estimator == "twoway_fe"
    if year_dummies:
        d, dnames = year_dummy_columns(sample)
        x = pd.concat([x, pd.DataFrame(d, index=x.index, columns=dnames)], axis=1)
    has_effects = spec.estimator in ("entity_fe", "twoway_fe")
    if getattr(spec, "absorb", ()):
        a, anames = absorbed_indicators(
            sample.frame,
            spec.absorb,
            design=x.to_numpy(dtype=float),
            entity_codes=sample.entity_codes if has_effects else None,
            n_checked=len(cols),
        )
        x = pd.concat([x, pd.DataFrame(a, index=x.index, columns=anames)], axis=1)
    if has_effects:
        model: Any = PanelOLS(y, x, entity_effects=True)
    elif spec.estimator == "random":
        model = RandomEffects(y, x)
    elif spec.estimator == "between":
        model = BetweenOLS(y, x)
    else:
        model = PooledOLS(y, x)
    opts = linearmodels_options(
        spec.cov_type,
        small_sample=spec.small_sample,
        entity_ids=sample.entity_codes,
        time_ids=sample.time_codes,
        index=x.index,
        has_effects=has_effects,
        dk_bandwidth=spec.dk_bandwidth,
        n_periods=sample.n_periods,
        cluster_ids=_cluster_codes(sample, spec),
    )
    return model.fit(**opts)


def _cluster_codes(sample: Sample, spec: Any) -> np.ndarray | None:
    """Integer codes of the clustering column of ``cov_type="cluster"`` (None otherwise)."""
    cluster = getattr(spec, "cluster", None)
    if spec.cov_type != "cluster" or not cluster:
        return None
    return pd.factorize(sample.frame[cluster], sort=True)[0]


def fitted_to_estimate(
    sample: Sample,
    dep: str,
    cols: list[str],
    spec: PanelSpec,
    res: Any,
    clusters: tuple[tuple[str, int], ...],
) -> PanelEstimate:
    """Turn a linearmodels result into a :class:`PanelEstimate`."""
    names = [*cols, CONST]
    params = res.params[names].to_numpy()
    cov = res.cov.loc[names, names].to_numpy()
    if spec.estimator == "first_difference":
        # the coefficient of d_x is the effect of x: report it under the variable's name
        names = [undiff(c) for c in cols] + [CONST]
    n_params = len(res.params)
    fe = {"entity_fe": ("entity",), "twoway_fe": ("entity", "time")}.get(spec.estimator, ())
    fe = (*fe, *getattr(spec, "absorb", ()))
    n_absorbed = sample.n_entities - 1 if spec.estimator in ("entity_fe", "twoway_fe") else 0
    n_reg = sample.n_entities if spec.estimator == "between" else len(sample.frame)
    inf = inference(
        spec.cov_type,
        small_sample=spec.small_sample,
        n_obs=n_reg,
        n_params=n_params,
        n_absorbed=n_absorbed,
        clusters=clusters,
        normal=spec.estimator == "random",
    )
    pool = None
    if spec.estimator in ("entity_fe", "twoway_fe"):
        fp = res.f_pooled
        pool = TestResult(
            name="F test of the entity effects (poolability)",
            null_hypothesis="all entity effects are equal (pooled OLS is adequate)",
            statistic=float(fp.stat),
            df=float(fp.df),
            p_value=float(fp.pval),
            distribution="F",
            df_denom=float(fp.df_denom),
            notes=("homoskedastic F, as Stata's xtreg, fe",),
        )
    years = sample.frame[sample.time]
    r2_within = None if spec.estimator == "first_difference" else float(res.rsquared_within)
    dk = (
        bandwidth(sample.n_periods, spec.dk_bandwidth)
        if spec.cov_type == "driscoll_kraay"
        else None
    )
    return PanelEstimate(
        spec=spec,
        names=tuple(names),
        params_array=readonly(params),
        cov_array=readonly(cov),
        dependent=dep,
        df_inference=inf.df,
        correction=inf.correction,
        n_obs=len(sample.frame),
        n_entities=sample.n_entities,
        n_periods=sample.n_periods,
        clusters=clusters,
        n_input_rows=sample.n_input,
        dropped=sample.dropped,
        first_year=int(years.min()),
        last_year=int(years.max()),
        r2=float(res.rsquared),
        r2_within=r2_within,
        mean_dependent=float(np.mean(sample.frame[dep])),
        fixed_effects=fe,
        poolability=pool,
        dk_bandwidth=dk,
    )
