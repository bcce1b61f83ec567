r"""Panel instrumental variables: 2SLS after removing fixed effects or differencing.

linearmodels has no fixed-effects IV estimator, so 2SLS is computed with the core
(:mod:`govcluster.core.iv`, :mod:`govcluster.core.covariance`) after
the transformation of the estimator:

``entity_fe``
    within transformation by entity, :math:`\ddot w_{it} = w_{it} - \bar w_i + \bar w`, of
    every variable, with an intercept (as ``xtivreg, fe``);
``twoway_fe``
    the same plus year dummies (demeaned by entity) among the exogenous regressors, which is
    exact in unbalanced panels;
``first_difference``
    first differences by calendar year with an intercept (Wooldridge 2010, sec. 15.8.2;
    Stata ``ivregress 2sls D.y (D.x = D.z)``);
``pooled``
    levels with an intercept.

The covariance (see :mod:`govcluster.panel.covariance`) is that of
:math:`\hat X = P_Z X`; the absorbed entity effects (:math:`n-1` parameters) are counted in
the degrees of freedom of ``unadjusted`` and ``robust`` (as ``xtivreg, fe``) and not when the
clusters are the entities (as ``ivreghdfe``, where fixed effects nested in the clusters are
not counted; ``xtivreg2, fe`` counts them).

Diagnostics (all with the covariance of the specification):

- first stage of each endogenous regressor: F test of the excluded instruments (robust when
  the covariance is), the homoskedastic F and the partial :math:`R^2` of the excluded
  instruments;
- Kleibergen-Paap (2006) rk Wald statistic of underidentification and the rk Wald F
  (statistic / L), computed as Stata's ``ranktest``: :math:`\Theta = F\hat\Pi G^{-1}` with
  :math:`F'F = \tilde Z'\tilde Z`, :math:`G'G = \tilde Y'\tilde Y` (variables partialled of
  the exogenous regressors), singular value decomposition, and the covariance of
  :math:`\mathrm{vec}\,\hat\Pi` of the specification with its small-sample factor. With one
  endogenous regressor the rk Wald F equals the robust first-stage F. ``ivreg2`` scales the
  F by :math:`(N-L)/N \cdot (G-1)/G` instead of our factor, a difference of order 1/N;
- Kleibergen-Paap rk LM test of underidentification (what ``ivreg2``/``ivreghdfe`` print as
  "Underidentification test"), with one endogenous regressor: the rk statistic with the
  covariance of :math:`\hat\Pi` estimated from the residuals under the null
  (:math:`\Pi = 0`, so the partialled endogenous regressor itself): a score test,
  :math:`LM = \hat\Pi'\hat V_0^{-1}\hat\Pi`; with homoskedastic errors and no
  small-sample factor it is :math:`N - a` times the partial :math:`R^2` (Anderson's canonical
  correlation LM, :math:`a` the absorbed entity effects as in ``ivreg2``'s ``dofminus``);
- endogeneity test of the endogenous regressors (Wooldridge 2010, section 6.3.1, the
  regression-based Durbin-Wu-Hausman test that is robust to the covariance of the
  specification): the first-stage residuals :math:`\hat v` are added to the second-stage
  regression estimated by OLS, and the Wald test that their coefficients are zero is
  :math:`\chi^2(K_1)` under exogeneity;
- Anderson-Rubin (1949) test of :math:`\beta = \beta_0` (robust to weak instruments): the
  F test that the excluded instruments have zero coefficients in the regression of
  :math:`y - X\beta_0` on all instruments; with one endogenous regressor its confidence set
  is obtained by inverting the test on a grid, with boundaries refined by root finding.

``PanelIVEstimate.to_dict()`` gives the record of :mod:`govcluster.panel.results` with
``"kind": "panel_iv_estimate"``, without ``poolability``, and with::

    "first_stages": [{"endogenous", "instruments": [{"name", "estimate", "std_error"}],
                      "f_statistic", "f_df", "f_df_denom", "f_p_value",
                      "f_homoskedastic", "partial_r2"}],
    "kleibergen_paap_rk_wald_f": float,
    "underidentification": test record,
    "underidentification_lm": test record | null,   # one endogenous regressor only
    "endogeneity": test record,
    "anderson_rubin": {"test": test record, "null_value": float, "level": float,
                       "confidence_set": [[lower, upper]] | null,  # null if not computed
                       "bounded": bool | null, "grid": [lower, upper, points] | null,
                       "notes": [str]}
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from govcluster.core.absorb import demean
from govcluster.core.covariance import bandwidth, sandwich
from govcluster.core.iv import kp_rk_statistic, ols, two_stage_least_squares
from govcluster.errors import EstimationError
from govcluster.model_diagnostics import (
    check_first_stage,
    low_within_variation_messages,
    warn_all,
)
from govcluster.panel.covariance import DESCRIPTIONS, Inference, inference
from govcluster.panel.estimators import CONST, capture_warnings, undiff
from govcluster.panel.results import (
    CoefficientsMixin,
    TestResult,
    json_number,
    readonly,
    wald,
)
from govcluster.panel.sample import (
    Sample,
    check_clusters,
    check_design,
    prepare_sample,
    year_dummy_columns,
)
from govcluster.panel.spec import PanelIVSpec, diff_name


@dataclass(frozen=True)
class FirstStage:
    """First-stage regression of one endogenous regressor on the instruments.

    Attributes
    ----------
    endogenous : str
    instruments : tuple of (str, float, float)
        Excluded instrument, coefficient, standard error.
    f_statistic, f_df, f_df_denom, f_p_value : float
        F test (Wald / L) that the excluded instruments have zero coefficients, with the
        covariance of the specification; ``f_df_denom`` None means chi2(L)/L.
    f_homoskedastic : float
        The classical F of the same hypothesis.
    partial_r2 : float
        Partial R-squared of the excluded instruments.
    """

    endogenous: str
    instruments: tuple[tuple[str, float, float], ...]
    f_statistic: float
    f_df: int
    f_df_denom: float | None
    f_p_value: float
    f_homoskedastic: float
    partial_r2: float

    def to_dict(self) -> dict[str, Any]:
        """JSON record (see the module docstring)."""
        return {
            "endogenous": self.endogenous,
            "instruments": [
                {"name": n, "estimate": json_number(b), "std_error": json_number(s)}
                for n, b, s in self.instruments
            ],
            "f_statistic": json_number(self.f_statistic),
            "f_df": self.f_df,
            "f_df_denom": json_number(self.f_df_denom),
            "f_p_value": json_number(self.f_p_value),
            "f_homoskedastic": json_number(self.f_homoskedastic),
            "partial_r2": json_number(self.partial_r2),
        }


@dataclass(frozen=True)
class AndersonRubin:
    """Anderson-Rubin test and (one endogenous regressor) confidence set.

    Attributes
    ----------
    test : TestResult
        Test of ``beta = null_value``.
    null_value : float
    level : float
    confidence_set : tuple of (float, float) or None
        Disjoint intervals of the values not rejected at ``1 - level`` (``-inf``/``inf`` for
        an unbounded side); None with several endogenous regressors.
    bounded : bool or None
        False if the set reaches the edge of the grid (it may be unbounded).
    grid : (float, float, int) or None
        Grid searched.
    notes : tuple of str
    """

    test: TestResult
    null_value: float
    level: float
    confidence_set: tuple[tuple[float, float], ...] | None
    bounded: bool | None
    grid: tuple[float, float, int] | None
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON record (see the module docstring); infinite bounds are null."""
        return {
            "test": self.test.to_dict(),
            "null_value": self.null_value,
            "level": self.level,
            "confidence_set": None
            if self.confidence_set is None
            else [[json_number(lo), json_number(hi)] for lo, hi in self.confidence_set],
            "bounded": self.bounded,
            "grid": None if self.grid is None else list(self.grid),
            "notes": list(self.notes),
        }


@dataclass(frozen=True, eq=False)
class PanelIVEstimate(CoefficientsMixin):
    """Result of :func:`fit_panel_iv` (read-only).

    Attributes as in :class:`~govcluster.panel.results.PanelEstimate` plus the IV diagnostics.
    """

    spec: PanelIVSpec
    names: tuple[str, ...]
    params_array: np.ndarray
    cov_array: np.ndarray
    dependent: str
    df_inference: int | None
    correction: str
    n_obs: int
    n_entities: int
    n_periods: int
    clusters: tuple[tuple[str, int], ...]
    n_input_rows: int
    dropped: tuple[tuple[str, int], ...]
    first_year: int
    last_year: int
    r2: float
    mean_dependent: float
    fixed_effects: tuple[str, ...]
    first_stages: tuple[FirstStage, ...]
    kp_rk_wald_f: float
    underidentification: TestResult
    anderson_rubin: AndersonRubin
    dk_bandwidth: int | None
    warnings: tuple[str, ...] = ()
    underidentification_lm: TestResult | None = None
    endogeneity: TestResult | None = None

    @property
    def level(self) -> float:  # type: ignore[override]
        """Confidence level of the specification."""
        return self.spec.level

    def to_dict(self) -> dict[str, Any]:
        """JSON record (see the module docstring)."""
        return {
            **self.common_record("panel_iv_estimate"),
            "first_stages": [fs.to_dict() for fs in self.first_stages],
            "kleibergen_paap_rk_wald_f": json_number(self.kp_rk_wald_f),
            "underidentification": self.underidentification.to_dict(),
            "anderson_rubin": self.anderson_rubin.to_dict(),
            "warnings": list(self.warnings),
            "underidentification_lm": None
            if self.underidentification_lm is None
            else self.underidentification_lm.to_dict(),
            "endogeneity": None if self.endogeneity is None else self.endogeneity.to_dict(),
        }


@dataclass(frozen=True)
class _Design:
    """Transformed arrays of an IV regression.

    Attributes
    ----------
    y : numpy.ndarray
        ``(n,)`` transformed dependent variable.
    endog, excluded : numpy.ndarray
        ``(n, K1)`` endogenous regressors and ``(n, L)`` excluded instruments.
    exog : numpy.ndarray
        ``(n, K2)`` exogenous regressors: controls, intercept, then year dummies.
    exog_names : list of str
    n_absorbed : int
        Entity effects removed by the within transformation (``n_entities - 1``), else 0.
    """

    y: np.ndarray
    endog: np.ndarray
    excluded: np.ndarray
    exog: np.ndarray
    exog_names: list[str]
    n_absorbed: int

    @property
    def regressors(self) -> np.ndarray:
        """``X = [endogenous, exogenous]``."""
        return np.hstack([self.endog, self.exog])

    @property
    def instruments(self) -> np.ndarray:
        """``Z = [excluded, exogenous]``."""
        return np.hstack([self.excluded, self.exog])


def _build(data: pd.DataFrame, spec: PanelIVSpec) -> tuple[Sample, dict[str, list[str]], str]:
    """Estimation sample, design columns by role and dependent column of ``spec``.

    Parameters
    ----------
    data : DataFrame
    spec : PanelIVSpec

    Returns
    -------
    sample : Sample
    roles : dict
        ``{"endog", "instr", "ctrl"}`` to the columns of the sample (differenced ones for
        ``first_difference``).
    dependent : str
    """
    endog = list(spec.expanded(spec.endogenous))
    instr = list(spec.expanded(spec.instruments))
    ctrl = list(spec.expanded(spec.controls))
    if CONST in (*endog, *instr, *ctrl, spec.outcome):
        raise EstimationError(f"A variable may not be called {CONST!r}; rename the column.")
    variables = [spec.outcome, *spec.endogenous, *spec.instruments, *spec.controls]
    cols = [spec.outcome, *endog, *instr, *ctrl]
    if spec.estimator == "first_difference":
        sample = prepare_sample(
            data,
            entity=spec.entity,
            time=spec.time,
            variables=variables,
            lags=spec.lag_map,
            differences=cols,
            required=[*cols, *(diff_name(c) for c in cols)],
            vocabulary=spec.vocabulary,
        )
        roles = {
            "endog": [diff_name(c) for c in endog],
            "instr": [diff_name(c) for c in instr],
            "ctrl": [diff_name(c) for c in ctrl],
        }
        return sample, roles, diff_name(spec.outcome)
    sample = prepare_sample(
        data,
        entity=spec.entity,
        time=spec.time,
        variables=variables,
        lags=spec.lag_map,
        required=cols,
        vocabulary=spec.vocabulary,
    )
    return sample, {"endog": endog, "instr": instr, "ctrl": ctrl}, spec.outcome


def _check_identified(sample: Sample, roles: dict[str, list[str]], estimator: str) -> None:
    """Check the endogenous regressors and the instruments, each with the controls.

    Raises :class:`EstimationError` (see :func:`govcluster.panel.sample.check_design`).
    """
    labels: dict[str, str] = {}
    if estimator == "first_difference":
        labels = {c: c[2:] for v in roles.values() for c in v}
    for role in ("endog", "instr"):
        check_design(sample, [*roles[role], *roles["ctrl"]], estimator=estimator, labels=labels)


def _transform(sample: Sample, roles: dict[str, list[str]], dep: str, estimator: str) -> _Design:
    r"""Apply the transformation of ``estimator`` to every variable.

    Parameters
    ----------
    sample : Sample
    roles : dict
        Columns by role (see :func:`_build`).
    dep : str
        Dependent column.
    estimator : {"pooled", "entity_fe", "twoway_fe", "first_difference"}

    Returns
    -------
    _Design
        For the fixed-effects estimators every column is :math:`w_{it} - \bar w_i + \bar w`
        (the intercept keeps its meaning of ``xtivreg, fe``); ``twoway_fe`` adds the year
        dummies, transformed likewise, to the exogenous regressors.
    """
    frame = sample.frame
    arr = {k: frame[v].to_numpy(dtype=float).reshape(len(frame), -1) for k, v in roles.items()}
    y = frame[dep].to_numpy(dtype=float)
    n = len(frame)
    exog_names = [*roles["ctrl"], CONST]
    n_absorbed = 0
    if estimator in ("entity_fe", "twoway_fe"):
        codes = sample.entity_codes

        def within(a: np.ndarray) -> np.ndarray:
            return demean(a, codes) + a.mean(axis=0) if a.size else a

        y = within(y[:, None])[:, 0]
        arr = {k: within(v) for k, v in arr.items()}
        n_absorbed = sample.n_entities - 1
    exog = np.hstack([arr["ctrl"], np.ones((n, 1))])
    if estimator == "twoway_fe":
        d, dnames = year_dummy_columns(sample)
        if d.shape[1]:
            d = demean(d, sample.entity_codes) + d.mean(axis=0)
            exog = np.hstack([exog, d])
            exog_names += dnames
    return _Design(y, arr["endog"], arr["instr"], exog, exog_names, n_absorbed)


def fit_panel_iv(data: pd.DataFrame, spec: PanelIVSpec) -> PanelIVEstimate:
    r"""Estimate a panel regression with endogenous regressors by 2SLS.

    Parameters
    ----------
    data : DataFrame
        Long panel.
    spec : PanelIVSpec
        Outcome, endogenous regressors, excluded instruments, controls, estimator
        (``entity_fe``, ``twoway_fe``, ``first_difference``, ``pooled``) and covariance.

    Returns
    -------
    PanelIVEstimate
        2SLS coefficients of the endogenous regressors, controls and intercept, with the
        first stages, the Kleibergen-Paap rk statistic and the Anderson-Rubin test and set.

    Raises
    ------
    EstimationError
        As :func:`govcluster.panel.fit_panel_model`; also if an instrument is a regressor or
        the model is under-identified (raised by :class:`PanelIVSpec`).

    Notes
    -----
    With :math:`\ddot{}` the transformation of the estimator (within, first difference),
    the structural and first-stage equations are

    .. math::
        \ddot y_{it} = \ddot x_{it}'\beta + \ddot c_{it}'\gamma + \ddot u_{it},\qquad
        \ddot x_{it} = \Pi'\ddot z_{it} + \Gamma'\ddot c_{it} + \ddot v_{it},

    and :math:`\hat\beta_{2SLS} = (\hat X'\hat X)^{-1}\hat X'\ddot y` with
    :math:`\hat X = P_Z X`, :math:`X = [\ddot x, \ddot c, 1]`,
    :math:`Z = [\ddot z, \ddot c, 1]`.
    """
    if not isinstance(spec, PanelIVSpec):
        raise EstimationError("spec must be a PanelIVSpec.")
    est, messages = capture_warnings(lambda: _fit_iv(data, spec))
    values = {f: getattr(est, f) for f in est.__dataclass_fields__}
    values["warnings"] = tuple(dict.fromkeys(messages))
    return PanelIVEstimate(**values)


def _covariance_options(sample: Sample, spec: PanelIVSpec, design: _Design) -> dict[str, Any]:
    """Keyword arguments of :func:`govcluster.core.covariance.sandwich` for ``spec``."""
    return {
        "cov_type": spec.cov_type,
        "small_sample": spec.small_sample,
        "entity_codes": sample.entity_codes,
        "time_codes": sample.time_codes,
        "n_absorbed": design.n_absorbed,
        "dk_bandwidth": spec.dk_bandwidth,
    }


def _inference(
    spec: PanelIVSpec,
    design: _Design,
    clusters: tuple[tuple[str, int], ...],
    *,
    n_params: int,
) -> Inference:
    """Reference distribution of tests on a regression with ``n_params`` coefficients."""
    return inference(
        spec.cov_type,
        small_sample=spec.small_sample,
        n_obs=len(design.y),
        n_params=n_params,
        n_absorbed=design.n_absorbed,
        clusters=clusters,
    )


def _coefficient_names(
    roles: dict[str, list[str]], design: _Design, estimator: str
) -> tuple[list[str], list[int], list[str]]:
    """Names of the coefficients, positions of the reported ones and instrument names.

    Returns
    -------
    names : list of str
        Endogenous regressors, controls, intercept, year dummies; for ``first_difference``
        the coefficient of ``d_x`` is reported under the name ``x``, the effect of ``x``.
    report : list of int
        Positions of the reported coefficients (all but the year dummies, which come last).
    instrument_names : list of str
    """
    names = [*roles["endog"], *design.exog_names]
    iv_names = roles["instr"]
    if estimator == "first_difference":
        names = [undiff(c) if c != CONST else c for c in names]
        iv_names = [undiff(c) for c in iv_names]
    report = list(range(len(roles["endog"]) + len(roles["ctrl"]) + 1))
    return names, report, iv_names


def _first_stages(
    design: _Design,
    z: np.ndarray,
    endog_resid: np.ndarray,
    *,
    endog_names: list[str],
    instrument_names: list[str],
    cov_kw: dict[str, Any],
    df_denom: int | None,
) -> tuple[FirstStage, ...]:
    """First-stage regression of each endogenous regressor on all instruments.

    Parameters
    ----------
    design : _Design
    z : numpy.ndarray
        ``(n, L + K2)`` instruments, excluded first.
    endog_resid : numpy.ndarray
        ``(n, K1)`` endogenous regressors residualised on the exogenous ones (the restricted
        model of the homoskedastic F and of the partial R-squared).
    endog_names, instrument_names : list of str
        Reported names.
    cov_kw : dict
        Covariance options (:func:`_covariance_options`).
    df_denom : int or None
        Denominator degrees of freedom of the F test (None: chi2 / L).

    Returns
    -------
    tuple of FirstStage
    """
    n, kz = z.shape
    n_instr = design.excluded.shape[1]
    dof_h = n - kz - design.n_absorbed
    r = np.zeros((n_instr, kz))
    r[:, :n_instr] = np.eye(n_instr)
    first: list[FirstStage] = []
    for j in range(design.endog.shape[1]):
        coef, v = ols(z, design.endog[:, j])
        vc = sandwich(z, v, **cov_kw)
        test = wald(coef, vc, r, np.zeros(n_instr), df_denom=df_denom, name="", null="")
        rss_u = float(v @ v)
        rss_r = float(endog_resid[:, j] @ endog_resid[:, j])
        f_h = ((rss_r - rss_u) / n_instr) / (rss_u / dof_h) if rss_u > 0 else math.inf
        se = np.sqrt(np.diag(vc))[:n_instr]
        first.append(
            FirstStage(
                endogenous=endog_names[j],
                instruments=tuple(
                    (instrument_names[i], float(coef[i]), float(se[i])) for i in range(n_instr)
                ),
                f_statistic=test.statistic
                if test.distribution == "F"
                else test.statistic / n_instr,
                f_df=n_instr,
                f_df_denom=test.df_denom,
                f_p_value=test.p_value,
                f_homoskedastic=float(f_h),
                partial_r2=float(1 - rss_u / rss_r) if rss_r > 0 else math.nan,
            )
        )
        check_first_stage(
            endog_names[j], partial_r2=first[-1].partial_r2, f_statistic=first[-1].f_statistic
        )
    return tuple(first)


def _underidentification(
    design: _Design,
    endog_resid: np.ndarray,
    *,
    n_instruments_total: int,
    cov_type: str,
    cov_kw: dict[str, Any],
) -> tuple[float, TestResult]:
    """Kleibergen-Paap rk Wald statistic and its chi2 test of underidentification.

    The instruments and endogenous regressors are partialled of the exogenous regressors;
    the covariance of the first-stage coefficients is that of the specification with ``K``
    the number of all instruments (``n_instruments_total``).

    Returns
    -------
    statistic : float
    test : TestResult
    """
    n_endog, n_instr = design.endog.shape[1], design.excluded.shape[1]
    _, zt = ols(design.exog, design.excluded)
    pi, vres = ols(zt, endog_resid)
    vpi = sandwich(zt, vres, n_params=n_instruments_total, **cov_kw)
    rk = kp_rk_statistic(pi, vpi, zt, endog_resid)
    rk_df = n_instr - n_endog + 1
    test = TestResult(
        name="Kleibergen-Paap rk Wald test of underidentification",
        null_hypothesis="the equation is underidentified (rank of Pi is K1 - 1)",
        statistic=rk,
        df=float(rk_df),
        p_value=float(stats.chi2.sf(rk, rk_df)),
        distribution="chi2",
        notes=(f"covariance: {DESCRIPTIONS[cov_type]}",),
    )
    return rk, test


def _fit_iv(data: pd.DataFrame, spec: PanelIVSpec) -> PanelIVEstimate:
    """Estimate ``spec`` (see :func:`fit_panel_iv`, which also records the warnings).

    Parameters
    ----------
    data : DataFrame
    spec : PanelIVSpec

    Returns
    -------
    PanelIVEstimate
        With an empty ``warnings``.
    """
    sample, roles, dep = _build(data, spec)
    _check_identified(sample, roles, spec.estimator)
    clusters = check_clusters(sample, spec.cov_type, dk_bandwidth=spec.dk_bandwidth)
    warn_all(
        low_within_variation_messages(
            sample.frame,
            roles["endog"],
            entity=sample.entity,
            estimator=spec.estimator,
            entities=spec.vocabulary.entities,
        )
    )
    d = _transform(sample, roles, dep, spec.estimator)
    n = len(d.y)
    x, z = d.regressors, d.instruments
    k, kz = x.shape[1], z.shape[1]
    if kz >= n:
        raise EstimationError(f"Not enough observations ({n}) for {kz} instruments.")
    fit = two_stage_least_squares(d.y, x, z)
    beta, resid = fit.beta, fit.resid
    cov_kw = _covariance_options(sample, spec, d)
    cov = sandwich(fit.xhat, resid, **cov_kw)
    inf = _inference(spec, d, clusters, n_params=k)
    inf_z = _inference(spec, d, clusters, n_params=kz)
    n_endog, n_instr = d.endog.shape[1], d.excluded.shape[1]
    names, report, iv_names = _coefficient_names(roles, d, spec.estimator)
    _, e_w = ols(d.exog, d.endog)
    first = _first_stages(
        d,
        z,
        e_w,
        endog_names=names[:n_endog],
        instrument_names=iv_names,
        cov_kw=cov_kw,
        df_denom=inf_z.df,
    )
    rk, under = _underidentification(
        d, e_w, n_instruments_total=kz, cov_type=spec.cov_type, cov_kw=cov_kw
    )
    ar = _anderson_rubin(d, z, spec, cov_kw, inf_z.df, beta[:n_endog], cov[:n_endog, :n_endog])
    under_lm = _underidentification_lm(d, e_w, n_instruments_total=kz, cov_kw=cov_kw)
    endogeneity = _endogeneity_test(d, x, z, cov_kw)
    years = sample.frame[sample.time]
    fe = {"entity_fe": ("entity",), "twoway_fe": ("entity", "time")}.get(spec.estimator, ())
    yc = d.y - d.y.mean()
    r2 = 1 - float(resid @ resid) / float(yc @ yc) if float(yc @ yc) > 0 else math.nan
    return PanelIVEstimate(
        spec=spec,
        names=tuple(names[i] for i in report),
        params_array=readonly(beta[report]),
        cov_array=readonly(cov[np.ix_(report, report)]),
        dependent=dep,
        df_inference=inf.df,
        correction=inf.correction,
        n_obs=n,
        n_entities=sample.n_entities,
        n_periods=sample.n_periods,
        clusters=clusters,
        n_input_rows=sample.n_input,
        dropped=sample.dropped,
        first_year=int(years.min()),
        last_year=int(years.max()),
        r2=r2,
        mean_dependent=float(sample.frame[dep].mean()),
        fixed_effects=fe,
        first_stages=first,
        kp_rk_wald_f=rk / n_instr,
        underidentification=under,
        anderson_rubin=ar,
        dk_bandwidth=bandwidth(sample.n_periods, spec.dk_bandwidth)
        if spec.cov_type == "driscoll_kraay"
        else None,
        underidentification_lm=under_lm,
        endogeneity=endogeneity,
    )


def _underidentification_lm(
    design: _Design,
    endog_resid: np.ndarray,
    *,
    n_instruments_total: int,
    cov_kw: dict[str, Any],
) -> TestResult | None:
    """Kleibergen-Paap rk LM test of underidentification (one endogenous regressor).

    The covariance of the first-stage coefficients of the excluded instruments (partialled
    of the exogenous regressors) is that of the specification, computed from the residuals
    under the null that they are all zero. None with several endogenous regressors.
    """
    n_endog, n_instr = design.endog.shape[1], design.excluded.shape[1]
    if n_endog != 1:
        return None
    _, zt = ols(design.exog, design.excluded)
    pi, _ = ols(zt, endog_resid)
    v_null = sandwich(zt, endog_resid, n_params=n_instruments_total, **cov_kw)
    pi = pi.reshape(-1)
    try:
        statistic = float(pi @ np.linalg.solve(v_null, pi))
    except np.linalg.LinAlgError:
        return None
    return TestResult(
        name="Kleibergen-Paap rk LM test of underidentification",
        null_hypothesis="the equation is underidentified (the excluded instruments are irrelevant)",
        statistic=statistic,
        df=float(n_instr),
        p_value=float(stats.chi2.sf(statistic, n_instr)),
        distribution="chi2",
        notes=("score test: covariance from the residuals under the null",),
    )


def _endogeneity_test(
    design: _Design, x: np.ndarray, z: np.ndarray, cov_kw: dict[str, Any]
) -> TestResult:
    """Regression-based (control-function) test that the endogenous regressors are exogenous.

    OLS of the outcome on the regressors and the first-stage residuals of the endogenous
    ones, with the covariance of the specification; Wald test that the residuals' coefficients
    are zero, chi2(K1).
    """
    n_endog = design.endog.shape[1]
    _, v_hat = ols(z, design.endog)
    augmented = np.hstack([x, v_hat])
    coef, resid = ols(augmented, design.y)
    vc = sandwich(augmented, resid, n_params=augmented.shape[1], **cov_kw)
    k = x.shape[1]
    r = np.zeros((n_endog, augmented.shape[1]))
    r[:, k:] = np.eye(n_endog)
    return wald(
        coef.reshape(-1),
        vc,
        r,
        np.zeros(n_endog),
        df_denom=None,
        name="Endogeneity test (regression-based Durbin-Wu-Hausman)",
        null="the endogenous regressors are exogenous (OLS is consistent)",
        notes=("first-stage residuals added to the OLS regression; robust Wald test",),
    )


def _anderson_rubin(
    d: _Design,
    z: np.ndarray,
    spec: PanelIVSpec,
    cov_kw: dict[str, Any],
    df_denom: int | None,
    beta_endog: np.ndarray,
    cov_endog: np.ndarray,
) -> AndersonRubin:
    """Anderson-Rubin test of ``spec.ar_null`` and, with one endogenous regressor, its set.

    Parameters
    ----------
    d : _Design
    z : numpy.ndarray
        All instruments, excluded first.
    spec : PanelIVSpec
        Null value, confidence level and grid of the set.
    cov_kw : dict
        Covariance options (:func:`_covariance_options`).
    df_denom : int or None
        Denominator degrees of freedom of the F test (None: chi2).
    beta_endog, cov_endog : numpy.ndarray
        2SLS estimate and covariance of the endogenous coefficients (centre and width of the
        grid).

    Returns
    -------
    AndersonRubin
    """
    n_endog, n_instr = d.endog.shape[1], d.excluded.shape[1]
    kz = z.shape[1]
    null = np.full(n_endog, spec.ar_null)
    r = np.zeros((n_instr, kz))
    r[:, :n_instr] = np.eye(n_instr)
    coef, e = ols(z, d.y - d.endog @ null)
    vc = sandwich(z, e, **cov_kw)
    test = wald(
        coef,
        vc,
        r,
        np.zeros(n_instr),
        df_denom=df_denom,
        name="Anderson-Rubin test",
        null=f"coefficient(s) of the endogenous regressor(s) = {spec.ar_null:g}",
        notes=("robust to weak instruments",),
    )
    alpha = 1 - spec.level
    if n_endog != 1:
        return AndersonRubin(
            test,
            spec.ar_null,
            spec.level,
            None,
            None,
            None,
            ("confidence set computed for one endogenous regressor only",),
        )
    # Reduced forms of y and x on all instruments: AR(b) uses g(b) = g_y - b g_x and a
    # covariance quadratic in b.
    coefs, resid = ols(z, np.column_stack([d.y, d.endog[:, 0]]))
    c = sandwich(z, resid, **cov_kw)
    gy, gx = coefs[:n_instr, 0], coefs[:n_instr, 1]
    sel_y = np.arange(n_instr)
    sel_x = kz + np.arange(n_instr)
    cyy = c[np.ix_(sel_y, sel_y)]
    cxx = c[np.ix_(sel_x, sel_x)]
    cyx = c[np.ix_(sel_y, sel_x)]

    def pvalues(b: np.ndarray) -> np.ndarray:
        """AR p-values at every value of ``b`` (one batched solve over the values)."""
        g = gy[None, :] - b[:, None] * gx[None, :]
        v = (
            cyy[None, :, :]
            - b[:, None, None] * (cyx + cyx.T)[None, :, :]
            + (b * b)[:, None, None] * cxx[None, :, :]
        )
        w = np.einsum("gi,gi->g", g, np.linalg.solve(v, g[:, :, None])[:, :, 0])
        if df_denom is None:
            return stats.chi2.sf(w, n_instr)
        return stats.f.sf(w / n_instr, n_instr, df_denom)

    def pval(b: float) -> float:
        return float(pvalues(np.array([b]))[0])

    centre = float(beta_endog[0])
    se = float(np.sqrt(max(cov_endog[0, 0], 0.0)))
    half = spec.ar_grid_width * (se if se > 0 else max(abs(centre), 1.0))
    grid = np.linspace(centre - half, centre + half, spec.ar_grid_points)
    p = pvalues(grid)
    accept = p >= alpha
    intervals: list[tuple[float, float]] = []
    notes: list[str] = []
    i = 0
    while i < len(grid):
        if not accept[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(grid) and accept[j + 1]:
            j += 1

        def root(a: float, b: float) -> float:
            return float(optimize.brentq(lambda t: pval(t) - alpha, a, b, xtol=1e-12))

        lo = -math.inf if i == 0 else root(grid[i - 1], grid[i])
        hi = math.inf if j == len(grid) - 1 else root(grid[j], grid[j + 1])
        intervals.append((lo, hi))
        i = j + 1
    bounded = bool(intervals) and not (accept[0] or accept[-1])
    if not intervals:
        notes.append("no value of the grid is accepted: the set is empty on the grid")
        bounded = True
    if accept[0] or accept[-1]:
        notes.append(
            "the set reaches the edge of the grid and is reported as unbounded there "
            "(weak instruments); widen ar_grid_width to explore"
        )
    if len(intervals) > 1:
        notes.append("the set is a union of disjoint intervals")
    return AndersonRubin(
        test,
        spec.ar_null,
        spec.level,
        tuple(intervals),
        bounded,
        (float(grid[0]), float(grid[-1]), int(spec.ar_grid_points)),
        tuple(notes),
    )
