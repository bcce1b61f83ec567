"""What an estimation asks for: option types and frozen specification records.

Every function of :mod:`govcluster.panel` takes one of the specifications below. They are
frozen dataclasses with keyword-only fields, validated when they are made (an invalid option
raises :class:`govcluster.errors.EstimationError` saying which values are allowed), and their
``to_dict()`` is the JSON record of the request that is stored next to each result.

Options
-------
Estimator
    ``"pooled"`` (pooled OLS), ``"entity_fe"`` (within, entity effects), ``"twoway_fe"``
    (within, entity effects and one dummy per year), ``"random"`` (random effects, Swamy-Arora
    variance components), ``"between"`` (OLS on entity means), ``"first_difference"`` (OLS on
    first differences taken by calendar year, with an intercept).
CovType
    ``"cluster_entity"`` (default), ``"cluster_twoway"`` (entity and year,
    Cameron-Gelbach-Miller), ``"driscoll_kraay"`` (Bartlett kernel on the cross-section sums
    of the scores), ``"robust"`` (Eicker-Huber-White), ``"unadjusted"`` (homoskedastic).
    ``"cluster"`` (one-way clustering on the column named by ``cluster``, e.g. province or
    year; entries of models.baseline and models.heterogeneity). The small-sample conventions
    are documented in :mod:`govcluster.panel.covariance`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from govcluster.categories import absorb_terms, term_name
from govcluster.columns import ENTITY, REGION, TIME
from govcluster.core.options import check_option
from govcluster.errors import EstimationError

Estimator = Literal["pooled", "entity_fe", "twoway_fe", "random", "between", "first_difference"]
#: Estimators of a :class:`PanelSpec`: also ``hdfe``, least squares with the entity, time and
#: ``absorb`` effects absorbed (:mod:`govcluster.panel.hdfe`, for firm-level panels).
PanelEstimator = Literal[
    "pooled", "entity_fe", "twoway_fe", "random", "between", "first_difference", "hdfe"
]
#: Covariance types of the ``hdfe`` estimator (one-way cluster-robust, CRV1).
HDFE_COV_TYPES = ("cluster_entity", "cluster")
CovType = Literal["cluster_entity", "cluster_twoway", "driscoll_kraay", "robust", "unadjusted"]
#: Covariance types of a :class:`PanelSpec`: also one-way clustering on any column.
PanelCovType = Literal[
    "cluster_entity", "cluster_twoway", "driscoll_kraay", "robust", "unadjusted", "cluster"
]
IVEstimator = Literal["pooled", "entity_fe", "twoway_fe", "first_difference"]
LPSample = Literal["varying", "fixed"]
LPOutcome = Literal["level", "long_difference"]
MundlakBase = Literal["random", "pooled"]

#: Estimators that remove entity effects (so a regressor needs variation within entities).
WITHIN_ESTIMATORS = ("entity_fe", "twoway_fe", "first_difference", "hdfe")

#: Grouping of the regions used by default in the heterogeneity analysis.
LESS_DEVELOPED_GROUPS: dict[str, tuple[str, ...]] = {
    "east": ("east",),
    "less_developed": ("central", "west"),
}


@dataclass(frozen=True)
class Vocabulary:
    """The words for the entity and the period in the messages of the model checks.

    Part of every specification (``vocabulary``), not of its record: the same model with
    other words gives the same numbers. The defaults are the generic words;
    :meth:`of` takes the user's (``data.entity_label``, ``data.time_kind``), so that a firm
    panel reads "'lemploy' has no variation within firms".
    """

    entity: str = "entity"
    entities: str = "entities"
    period: str = "year"
    periods: str = "years"

    @classmethod
    def of(cls, names: Any) -> Vocabulary:
        """The words of a :class:`govcluster.user_names.UserNames`."""
        return cls(
            entity=names.entity_noun,
            entities=names.entity_plural,
            period=names.time_noun,
            periods=names.time_plural,
        )


#: The generic words (entity, entities, year, years): the default of every specification.
GENERIC_WORDS = Vocabulary()


def _names(value: str | Sequence[str], what: str) -> tuple[str, ...]:
    """Normalise a column name or a sequence of names to a tuple of distinct strings."""
    names = (value,) if isinstance(value, str) else tuple(value)
    for n in names:
        if not isinstance(n, str) or not n:
            raise EstimationError(f"{what} must be column names (non-empty strings); got {n!r}.")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise EstimationError(f"{what} lists {', '.join(dupes)} more than once; list each once.")
    return names


def _lags(
    value: Mapping[str, Sequence[int]] | Sequence[tuple[str, Sequence[int]]] | None,
) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """Normalise ``{variable: [lags]}`` to a sorted tuple of ``(variable, (lags...))`` pairs."""
    if value is None:
        return ()
    items = value.items() if isinstance(value, Mapping) else value
    out = []
    for var, lags in items:
        lag_tuple = (lags,) if isinstance(lags, int) else tuple(lags)
        if not lag_tuple:
            raise EstimationError(f"lags[{var!r}] is empty; give at least one lag (0 = current).")
        for k in lag_tuple:
            if isinstance(k, bool) or not isinstance(k, int) or k < 0:
                raise EstimationError(
                    f"lags[{var!r}] must be non-negative integers (0 = the current year, "
                    f"1 = the previous year, ...); got {k!r}."
                )
        if len(set(lag_tuple)) != len(lag_tuple):
            raise EstimationError(f"lags[{var!r}] repeats a lag; list each lag once.")
        out.append((str(var), tuple(sorted(lag_tuple))))
    return tuple(sorted(out))


def lag_name(variable: str, lag: int) -> str:
    """Column name of ``variable`` lagged by ``lag`` years (``lag=0`` is the variable itself)."""
    return variable if lag == 0 else f"{variable}_lag{lag}"


def lead_name(variable: str, lead: int) -> str:
    """Column name of ``variable`` led by ``lead`` years (``lead=0`` is the variable itself)."""
    return variable if lead == 0 else f"{variable}_lead{lead}"


def diff_name(variable: str) -> str:
    """Column name of the first difference (by calendar year) of ``variable``."""
    return f"d_{variable}"


def _check_level(level: float) -> None:
    if not (isinstance(level, float | int) and 0.0 < float(level) < 1.0):
        raise EstimationError(f"level={level!r} must be a probability in (0, 1), e.g. 0.95.")


def _check_bandwidth(bw: int | None) -> None:
    if bw is not None and (isinstance(bw, bool) or not isinstance(bw, int) or bw < 0):
        raise EstimationError(
            f"dk_bandwidth={bw!r} must be a non-negative integer number of years, or None "
            "for the rule of thumb floor(4 (T/100)^(2/9))."
        )


@dataclass(frozen=True, kw_only=True)
class PanelSpec:
    """A linear panel regression: outcome on regressors (and their lags) and controls.

    Parameters
    ----------
    outcome : str
        Dependent variable.
    regressors : str or sequence of str
        Variables of interest (the treatment first). Their coefficients are reported first.
    controls : sequence of str
        Further regressors.
    entity, time : str
        Panel identifiers; ``time`` must be integer years.
    estimator : PanelEstimator
        See the module docstring. Default ``"twoway_fe"``.
    cov_type : PanelCovType
        See :mod:`govcluster.panel.covariance`. Default ``"cluster_entity"``; ``hdfe``
        allows ``cluster_entity`` and ``cluster``.
    cluster : str or None
        Clustering column of ``cov_type="cluster"`` (e.g. ``"province"`` or ``"year"``);
        must be None for every other covariance type.
    lags : mapping of str to sequence of int
        ``{variable: [lags]}`` for variables among ``regressors`` or ``controls``; the variable
        then enters with exactly these lags (0 = current year), built by calendar year, so a
        missing year gives a missing lag. Variables not listed enter with lag 0 only.
    small_sample : bool
        Apply the Stata small-sample corrections and use t / F reference distributions
        (default). If False, no degrees-of-freedom corrections and normal / chi2 references.
    dk_bandwidth : int or None
        Bandwidth (maximum lag, in years) of the Driscoll-Kraay kernel; None = rule of thumb.
    level : float
        Confidence level of the reported intervals.
    name : str
        Label of the estimation in outputs.
    absorb : str or sequence of str
        Further fixed effects, each a column (``industry``) or an interaction of columns
        written as reghdfe and pyfixest users write it (``industry^year``: one effect per
        industry-year cell). They are estimated as indicator columns (levels collinear with
        the other effects left out) and not reported. Regressors and controls of kind
        ``category`` enter as indicators of their levels but the base
        (:mod:`govcluster.categories`).
    vocabulary : Vocabulary
        The words for the entity and the period in messages (not in the record).
    """

    outcome: str
    regressors: str | Sequence[str]
    controls: str | Sequence[str] = ()
    entity: str = ENTITY
    time: str = TIME
    estimator: PanelEstimator = "twoway_fe"
    cov_type: PanelCovType = "cluster_entity"
    cluster: str | None = None
    lags: Mapping[str, Sequence[int]] | tuple[tuple[str, tuple[int, ...]], ...] = ()
    small_sample: bool = True
    dk_bandwidth: int | None = None
    level: float = 0.95
    name: str = ""
    absorb: str | Sequence[str] = ()
    vocabulary: Vocabulary = GENERIC_WORDS

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "regressors", _names(self.regressors, "regressors"))
        set_(self, "controls", _names(self.controls, "controls"))
        set_(self, "lags", _lags(self.lags))
        set_(self, "absorb", tuple(term_name(t) for t in absorb_terms(self.absorb)))
        absorbed = {c for term in absorb_terms(self.absorb) for c in term}
        clash = sorted(absorbed & {self.outcome, *self.regressors, *self.controls})
        if clash:
            raise EstimationError(
                f"{', '.join(clash)} is absorbed as a fixed effect and is also a variable of the "
                "regression; keep it in one place."
            )
        if self.absorb and self.estimator not in ("pooled", "entity_fe", "twoway_fe", "hdfe"):
            raise EstimationError(
                f"absorb is supported with the estimators pooled, entity_fe, twoway_fe and hdfe, "
                f"not {self.estimator!r}."
            )
        if not isinstance(self.outcome, str) or not self.outcome:
            raise EstimationError(f"outcome must be a column name; got {self.outcome!r}.")
        if not self.regressors:
            raise EstimationError("regressors is empty; give at least the treatment variable.")
        check_option(self.estimator, PanelEstimator, name="estimator")
        check_option(self.cov_type, PanelCovType, name="cov_type")
        _check_cluster(self.cov_type, self.cluster)
        if self.estimator == "hdfe" and self.cov_type not in HDFE_COV_TYPES:
            raise EstimationError(
                f"estimator 'hdfe' takes cov_type 'cluster_entity' or 'cluster' (with cluster: "
                f"a column such as the cluster or the province), not {self.cov_type!r}."
            )
        if self.cluster is not None and self.cluster in (
            self.outcome,
            *self.regressors,
            *self.controls,
        ):
            raise EstimationError(
                f"The clustering column {self.cluster!r} cannot be a variable of the regression."
            )
        _check_level(self.level)
        _check_bandwidth(self.dk_bandwidth)
        both = set(self.regressors) & set(self.controls)
        if both:
            raise EstimationError(
                f"{', '.join(sorted(both))} is both a regressor and a control; keep it in one list."
            )
        if self.outcome in self.regressors or self.outcome in self.controls:
            raise EstimationError(
                f"The outcome {self.outcome!r} is also a regressor or control; remove it there "
                "(for a lagged outcome use lags={outcome: [1]} in a dynamic specification)."
            )
        for ident in (self.entity, self.time):
            if ident in (self.outcome, *self.regressors, *self.controls):
                raise EstimationError(
                    f"The panel identifier {ident!r} cannot be a variable of the regression."
                )
        for var, _ in self.lags:
            if var not in self.regressors and var not in self.controls:
                raise EstimationError(
                    f"lags names {var!r}, which is neither a regressor nor a control; add it to "
                    "regressors or controls, or remove it from lags."
                )

    @property
    def lag_map(self) -> dict[str, tuple[int, ...]]:
        """The lags as a dictionary ``{variable: (lags...)}``."""
        return dict(self.lags)

    def expanded(self, variables: Sequence[str]) -> tuple[str, ...]:
        """Column names that ``variables`` contribute to the design, with their lags."""
        lag_map = self.lag_map
        out: list[str] = []
        for v in variables:
            out.extend(lag_name(v, k) for k in lag_map.get(v, (0,)))
        return tuple(out)

    @property
    def design_regressors(self) -> tuple[str, ...]:
        """Regressor columns of the design (with lags), in reporting order."""
        return self.expanded(self.regressors)

    @property
    def design_controls(self) -> tuple[str, ...]:
        """Control columns of the design (with lags)."""
        return self.expanded(self.controls)

    @property
    def treatment(self) -> str:
        """The first regressor, as it enters the design (its first listed lag)."""
        return self.design_regressors[0]

    def replace(self, **changes: Any) -> PanelSpec:
        """Return a copy with some fields changed (validated again)."""
        values = {f: getattr(self, f) for f in self.__dataclass_fields__}
        values.update(changes)
        return PanelSpec(**values)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable record of the specification."""
        return {
            "kind": "panel",
            "name": self.name,
            "outcome": self.outcome,
            "regressors": list(self.regressors),
            "controls": list(self.controls),
            "entity": self.entity,
            "time": self.time,
            "estimator": self.estimator,
            "cov_type": self.cov_type,
            "cluster": self.cluster,
            "lags": {v: list(k) for v, k in self.lags},
            "small_sample": self.small_sample,
            "dk_bandwidth": self.dk_bandwidth,
            "level": self.level,
            "absorb": list(self.absorb),
        }


def _check_cluster(cov_type: str, cluster: str | None) -> None:
    """``cluster`` names a column exactly when ``cov_type`` is ``"cluster"``."""
    if cov_type == "cluster" and (not isinstance(cluster, str) or not cluster):
        raise EstimationError(
            "cov_type='cluster' needs the clustering column: set cluster to a column of the "
            "analysis panel (e.g. cluster: province or cluster: year)."
        )
    if cov_type != "cluster" and cluster is not None:
        raise EstimationError(
            f"cluster={cluster!r} is set but cov_type={cov_type!r}; set cov_type: cluster to "
            "cluster on that column, or remove cluster."
        )


@dataclass(frozen=True, kw_only=True)
class PanelIVSpec:
    """A linear panel IV (2SLS) regression after removing fixed effects.

    Parameters
    ----------
    outcome : str
    endogenous : str or sequence of str
        Endogenous regressors (the treatment first).
    instruments : str or sequence of str
        Excluded instruments; at least as many as endogenous regressors.
    controls : sequence of str
        Exogenous regressors (included instruments).
    entity, time : str
    estimator : IVEstimator
        ``"entity_fe"``, ``"twoway_fe"`` (default), ``"first_difference"`` or ``"pooled"``.
    cov_type : CovType
    lags : mapping of str to sequence of int
        As in :class:`PanelSpec`, for endogenous, instruments or controls.
    small_sample, dk_bandwidth, level, name
        As in :class:`PanelSpec`.
    ar_null : float
        Value of the coefficient of the (single) endogenous regressor tested by the
        Anderson-Rubin test (default 0); with several endogenous regressors all are tested at
        this value.
    ar_grid_width : float
        Half-width of the grid for the Anderson-Rubin confidence set, in standard errors of
        the 2SLS estimate around it (default 20).
    ar_grid_points : int
        Number of grid points (default 2001); boundaries are refined by root finding.
    vocabulary : Vocabulary
        As in :class:`PanelSpec`.
    """

    outcome: str
    endogenous: str | Sequence[str]
    instruments: str | Sequence[str]
    controls: str | Sequence[str] = ()
    entity: str = ENTITY
    time: str = TIME
    estimator: IVEstimator = "twoway_fe"
    cov_type: CovType = "cluster_entity"
    lags: Mapping[str, Sequence[int]] | tuple[tuple[str, tuple[int, ...]], ...] = ()
    small_sample: bool = True
    dk_bandwidth: int | None = None
    level: float = 0.95
    ar_null: float = 0.0
    ar_grid_width: float = 20.0
    ar_grid_points: int = 2001
    name: str = ""
    vocabulary: Vocabulary = GENERIC_WORDS

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "endogenous", _names(self.endogenous, "endogenous"))
        set_(self, "instruments", _names(self.instruments, "instruments"))
        set_(self, "controls", _names(self.controls, "controls"))
        set_(self, "lags", _lags(self.lags))
        if not isinstance(self.outcome, str) or not self.outcome:
            raise EstimationError(f"outcome must be a column name; got {self.outcome!r}.")
        if not self.endogenous:
            raise EstimationError("endogenous is empty; give the endogenous regressor(s).")
        if not self.instruments:
            raise EstimationError("instruments is empty; give at least one excluded instrument.")
        check_option(self.estimator, IVEstimator, name="estimator")
        check_option(self.cov_type, CovType, name="cov_type")
        _check_level(self.level)
        _check_bandwidth(self.dk_bandwidth)
        if not math.isfinite(self.ar_null):
            raise EstimationError(f"ar_null={self.ar_null!r} must be a finite number.")
        if not (self.ar_grid_width > 0 and self.ar_grid_points >= 11):
            raise EstimationError(
                "ar_grid_width must be positive and ar_grid_points at least 11 "
                f"(got {self.ar_grid_width!r}, {self.ar_grid_points!r})."
            )
        regressors = set(self.endogenous) | set(self.controls) | {self.outcome}
        clash = sorted(set(self.instruments) & regressors)
        if clash:
            raise EstimationError(
                f"Instrument {', '.join(clash)} is also the outcome or a regressor "
                "(endogenous or control). An excluded instrument must not appear in the "
                "outcome equation: remove it from instruments, or from endogenous/controls."
            )
        both = sorted(set(self.endogenous) & set(self.controls))
        if both:
            raise EstimationError(
                f"{', '.join(both)} is both endogenous and a control; keep it in one list."
            )
        if self.outcome in self.endogenous:
            raise EstimationError(f"The outcome {self.outcome!r} cannot be endogenous regressor.")
        allowed = set(self.endogenous) | set(self.instruments) | set(self.controls)
        for var, _ in self.lags:
            if var not in allowed:
                raise EstimationError(
                    f"lags names {var!r}, which is not an endogenous regressor, instrument or "
                    "control; add it there or remove it from lags."
                )
        exp_instr = set(self.expanded(self.instruments))
        exp_reg = set(self.expanded(self.endogenous)) | set(self.expanded(self.controls))
        if exp_instr & exp_reg:
            raise EstimationError(
                f"Instrument column(s) {', '.join(sorted(exp_instr & exp_reg))} also enter "
                "the outcome equation through lags; change the lags so that they differ."
            )
        n_endog = len(self.expanded(self.endogenous))
        n_instr = len(exp_instr)
        if n_instr < n_endog:
            raise EstimationError(
                f"The model is under-identified: {n_endog} endogenous regressor column(s) and "
                f"{n_instr} excluded instrument(s). Add instruments or remove endogenous "
                "regressors (or their lags)."
            )

    @property
    def lag_map(self) -> dict[str, tuple[int, ...]]:
        """The lags as a dictionary ``{variable: (lags...)}``."""
        return dict(self.lags)

    def expanded(self, variables: Sequence[str]) -> tuple[str, ...]:
        """Column names that ``variables`` contribute, with their lags."""
        lag_map = self.lag_map
        out: list[str] = []
        for v in variables:
            out.extend(lag_name(v, k) for k in lag_map.get(v, (0,)))
        return tuple(out)

    def replace(self, **changes: Any) -> PanelIVSpec:
        """Return a copy with some fields changed (validated again)."""
        values = {f: getattr(self, f) for f in self.__dataclass_fields__}
        values.update(changes)
        return PanelIVSpec(**values)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable record of the specification."""
        return {
            "kind": "panel_iv",
            "name": self.name,
            "outcome": self.outcome,
            "endogenous": list(self.endogenous),
            "instruments": list(self.instruments),
            "controls": list(self.controls),
            "entity": self.entity,
            "time": self.time,
            "estimator": self.estimator,
            "cov_type": self.cov_type,
            "lags": {v: list(k) for v, k in self.lags},
            "small_sample": self.small_sample,
            "dk_bandwidth": self.dk_bandwidth,
            "level": self.level,
            "ar_null": self.ar_null,
            "ar_grid_width": self.ar_grid_width,
            "ar_grid_points": self.ar_grid_points,
        }


@dataclass(frozen=True, kw_only=True)
class LocalProjectionSpec:
    """Local projections: effect of the treatment in year t on the outcome in year t + h.

    Parameters
    ----------
    outcome, treatment : str
    controls : sequence of str
        Controls dated t.
    horizons : int
        Largest horizon H; horizons 0..H are estimated (default 3).
    entity, time : str
    estimator : Estimator
        Default ``"twoway_fe"``; must not be ``"between"``.
    cov_type : CovType
        Default ``"cluster_entity"``.
    treatment_lags, outcome_lags : sequence of int
        Positive lags of the treatment and of the outcome added as controls (dated t - k).
    outcome_form : LPOutcome
        ``"level"``: y(t+h); ``"long_difference"``: y(t+h) - y(t-1).
    sample : LPSample
        ``"varying"``: each horizon uses every observation with its lead; ``"fixed"``: every
        horizon uses the observations that have the lead H (comparable samples).
    small_sample, dk_bandwidth, level, name, vocabulary
        As in :class:`PanelSpec`.
    """

    outcome: str
    treatment: str
    controls: str | Sequence[str] = ()
    horizons: int = 3
    entity: str = ENTITY
    time: str = TIME
    estimator: Estimator = "twoway_fe"
    cov_type: CovType = "cluster_entity"
    treatment_lags: Sequence[int] = ()
    outcome_lags: Sequence[int] = ()
    outcome_form: LPOutcome = "level"
    sample: LPSample = "varying"
    small_sample: bool = True
    dk_bandwidth: int | None = None
    level: float = 0.95
    name: str = ""
    vocabulary: Vocabulary = GENERIC_WORDS

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "controls", _names(self.controls, "controls"))
        for attr in ("treatment_lags", "outcome_lags"):
            lags = tuple(getattr(self, attr))
            if any(isinstance(k, bool) or not isinstance(k, int) or k < 1 for k in lags):
                raise EstimationError(f"{attr} must be positive integers (years); got {lags!r}.")
            set_(self, attr, tuple(sorted(set(lags))))
        if isinstance(self.horizons, bool) or not isinstance(self.horizons, int):
            raise EstimationError(f"horizons={self.horizons!r} must be an integer >= 0.")
        if self.horizons < 0:
            raise EstimationError(f"horizons={self.horizons!r} must be >= 0.")
        check_option(self.estimator, Estimator, name="estimator")
        if self.estimator == "between":
            raise EstimationError(
                "Local projections need a panel estimator; 'between' collapses the years. Use "
                "'twoway_fe' (default), 'entity_fe', 'pooled', 'random' or 'first_difference'."
            )
        check_option(self.cov_type, CovType, name="cov_type")
        check_option(self.outcome_form, LPOutcome, name="outcome_form")
        check_option(self.sample, LPSample, name="sample")
        _check_level(self.level)
        _check_bandwidth(self.dk_bandwidth)
        if self.treatment == self.outcome or self.treatment in self.controls:
            raise EstimationError(
                f"treatment {self.treatment!r} must differ from the outcome and the controls."
            )
        if self.outcome in self.controls:
            raise EstimationError(
                f"The outcome {self.outcome!r} is among the controls; use outcome_lags instead."
            )

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable record of the specification."""
        return {
            "kind": "local_projections",
            "name": self.name,
            "outcome": self.outcome,
            "treatment": self.treatment,
            "controls": list(self.controls),
            "horizons": self.horizons,
            "entity": self.entity,
            "time": self.time,
            "estimator": self.estimator,
            "cov_type": self.cov_type,
            "treatment_lags": list(self.treatment_lags),
            "outcome_lags": list(self.outcome_lags),
            "outcome_form": self.outcome_form,
            "sample": self.sample,
            "small_sample": self.small_sample,
            "dk_bandwidth": self.dk_bandwidth,
            "level": self.level,
        }


@dataclass(frozen=True, kw_only=True)
class HeterogeneitySpec:
    """Heterogeneous effects of the treatment across groups.

    Parameters
    ----------
    base : PanelSpec
        The regression; its first design regressor is the treatment whose effect may differ.
    by : str
        Categorical column defining the groups (default ``"region"``).
    groups : mapping of str to sequence, optional
        ``{group label: values of by}``; values not listed are left out of the analysis.
        None (default) makes one group per distinct value.
    name : str
    """

    base: PanelSpec
    by: str = REGION
    groups: Mapping[str, Sequence[Any]] | tuple[tuple[str, tuple[Any, ...]], ...] | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.base, PanelSpec):
            raise EstimationError("base must be a PanelSpec.")
        if not isinstance(self.by, str) or not self.by:
            raise EstimationError(f"by must be a column name; got {self.by!r}.")
        if self.groups is not None:
            items = self.groups.items() if isinstance(self.groups, Mapping) else self.groups
            norm = []
            seen: dict[Any, str] = {}
            for label, values in items:
                vals = (values,) if isinstance(values, str) else tuple(values)
                if not vals:
                    raise EstimationError(f"Group {label!r} has no values of {self.by!r}.")
                for v in vals:
                    if v in seen:
                        raise EstimationError(
                            f"Value {v!r} of {self.by!r} is in groups {seen[v]!r} and "
                            f"{label!r}; put each value in one group."
                        )
                    seen[v] = str(label)
                norm.append((str(label), vals))
            if len(norm) < 2:
                raise EstimationError("groups needs at least two groups to compare.")
            object.__setattr__(self, "groups", tuple(norm))

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable record of the specification."""
        return {
            "kind": "heterogeneity",
            "name": self.name,
            "base": self.base.to_dict(),
            "by": self.by,
            "groups": None
            if self.groups is None
            else {label: list(vals) for label, vals in self.groups},
        }


__all__ = [
    "CovType",
    "GENERIC_WORDS",
    "Estimator",
    "HeterogeneitySpec",
    "IVEstimator",
    "LESS_DEVELOPED_GROUPS",
    "LPOutcome",
    "LPSample",
    "LocalProjectionSpec",
    "MundlakBase",
    "PanelEstimator",
    "PanelIVSpec",
    "PanelSpec",
    "Vocabulary",
    "WITHIN_ESTIMATORS",
    "check_option",  # re-exported from govcluster.core.options for existing callers
    "diff_name",
    "lag_name",
    "lead_name",
]
