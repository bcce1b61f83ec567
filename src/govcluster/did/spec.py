"""What a staggered-adoption analysis asks for: :class:`DidSpec`, built from config ``did:``."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from govcluster.errors import ConfigError
from govcluster.inference.randomization import RandomizationSpec

TreatmentKind = Literal["binary", "first_year"]
SwitchOff = Literal["error", "first_treatment"]
Comparison = Literal["never_treated", "not_yet_treated"]
EstimationMethod = Literal["reg", "ipw", "dr"]
BasePeriod = Literal["varying", "universal"]
Incomplete = Literal["drop", "error"]
Estimator = Literal["twfe", "callaway_santanna", "sun_abraham", "imputation"]
HonestMethod = Literal["relative_magnitude", "smoothness"]
HonestSource = Literal["callaway_santanna"]

ESTIMATORS: tuple[str, ...] = get_args(Estimator)


def check_option(value: object, options: Any, name: str) -> None:
    """Raise :class:`ConfigError` unless ``value`` is one of the ``Literal`` ``options``."""
    allowed = get_args(options)
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise ConfigError(f"did.{name} = {value!r} is not an option; use one of {shown}.")


@dataclass(frozen=True)
class HonestSpec:
    """Rambachan-Roth sensitivity: restrictions, grid of their size and the estimate used.

    Attributes
    ----------
    methods : tuple of str
        ``relative_magnitude``: post-period violations of parallel trends at most ``M`` times
        the largest pre-period one (``Delta^RM``); ``smoothness``: the slope of the violation
        changes by at most ``M`` between consecutive periods (``Delta^SD``; optimal FLCI, on
        the universal-base event study).
    m_grid_relative_magnitude, m_grid_smoothness : tuple of float
        Values of ``M`` at which the robust confidence set is computed (smoothness: in units
        of the outcome per period squared).
    source : str
        The event study whose pre- and post-period coefficients are used (Callaway-Sant'Anna;
        the engine accepts no other staggered event study).
    """

    methods: tuple[str, ...] = ("relative_magnitude",)
    m_grid_relative_magnitude: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
    m_grid_smoothness: tuple[float, ...] = (0.0, 0.01, 0.02, 0.03, 0.05, 0.1)
    source: str = "callaway_santanna"

    def __post_init__(self) -> None:
        for method in self.methods:
            check_option(method, HonestMethod, "honest.methods[]")
        check_option(self.source, HonestSource, "honest.source")
        for name in ("m_grid_relative_magnitude", "m_grid_smoothness"):
            grid = getattr(self, name)
            if not grid or any(m < 0 for m in grid):
                raise ConfigError(f"did.honest.{name} must be a non-empty list of values >= 0")


@dataclass(frozen=True)
class DidSpec:
    """A staggered-adoption difference-in-differences analysis.

    Attributes
    ----------
    outcomes : tuple of str
        Outcome columns; each gets every estimator (the mechanism event studies are the same
        analysis with the mechanism indices as outcomes).
    treatment : str
        Treatment column: a 0/1 indicator (``treatment_kind="binary"``) or the year of first
        treatment (``"first_year"``; 0 or empty = never treated).
    treatment_kind : {"binary", "first_year"}
    first_year_shift : int
        Years added to every treated unit's first-treatment year once it is read (0 = none).
        For data whose indicator switches on one year after the policy took effect (for
        example the first full year under a law), ``-1`` moves the onset to the year the
        policy took effect. Every estimator then uses the shifted onset; the sample summary
        records the shift.
    switch_off : {"error", "first_treatment"}
        What happens when a binary treatment switches off (1 then 0 for a unit): ``"error"``
        stops with the offending units listed; ``"first_treatment"`` treats the unit as
        treated from its first treated year on (an intention-to-treat reading) and records the
        units in the sample summary.
    entity, time : str
        Panel identifiers.
    controls : tuple of str
        Time-invariant or baseline covariates for the conditional parallel-trends assumption
        (Callaway-Sant'Anna outcome regression / propensity score; the others use none).
    comparison : {"never_treated", "not_yet_treated"}
    anticipation : int
        Years of anticipation: the reference period is ``-1 - anticipation``.
    event_window : (int, int)
        Event times reported (and binned at the ends in the TWFE event study).
    cluster : str
        Column defining the clusters of the standard errors and the multiplier bootstrap.
    estimation_method : {"reg", "ipw", "dr"}
        Callaway-Sant'Anna estimator of each ATT(g, t).
    base_period : {"varying", "universal"}
    n_bootstrap : int
        Multiplier-bootstrap draws of Callaway-Sant'Anna (uniform bands); 0 = analytic only.
    sup_t_draws : int
        Gaussian draws for the sup-t uniform bands of the other event studies.
    alpha : float
        1 - confidence level.
    seed : int
    incomplete_units : {"drop", "error"}
        Units not observed in every year: dropped (listed in the sample summary) or an error.
    already_treated : {"drop", "error"}
        Units treated from the first year of the data on (no pre-treatment period, so no
        comparison identifies their effect): dropped (listed in the sample summary, as R's
        ``did`` does) or an error.
    exclude_units : tuple of str
        Units left out of the analysis (for example a case-study cluster with its own
        intervention).
    estimators : tuple of str
    honest : HonestSpec
    intensity : str or None
        Column of a continuous treatment intensity moved by the designation (the composite GOV
        index). When set, each outcome also gets the Wald-DiD effect of one unit of the
        intensity (:mod:`govcluster.did.intensity`); ``None`` skips it.
    randomization : RandomizationSpec
        Randomization inference of the designation (:mod:`govcluster.did.permutation`); off
        unless ``enabled``.
    """

    outcomes: tuple[str, ...] = ("SCA",)
    treatment: str = "demo_cluster"
    treatment_kind: str = "binary"
    first_year_shift: int = 0
    switch_off: str = "error"
    entity: str = "cluster_id"
    time: str = "year"
    controls: tuple[str, ...] = ()
    comparison: str = "never_treated"
    anticipation: int = 0
    event_window: tuple[int, int] = (-5, 8)
    cluster: str = "cluster_id"
    estimation_method: str = "dr"
    base_period: str = "varying"
    n_bootstrap: int = 999
    sup_t_draws: int = 10000
    alpha: float = 0.05
    seed: int = 20240601
    incomplete_units: str = "drop"
    already_treated: str = "drop"
    exclude_units: tuple[str, ...] = ()
    estimators: tuple[str, ...] = ESTIMATORS
    honest: HonestSpec = field(default_factory=HonestSpec)
    intensity: str | None = None
    randomization: RandomizationSpec = field(default_factory=RandomizationSpec)

    def __post_init__(self) -> None:
        check_option(self.treatment_kind, TreatmentKind, "treatment_kind")
        check_option(self.switch_off, SwitchOff, "switch_off")
        check_option(self.comparison, Comparison, "comparison")
        check_option(self.estimation_method, EstimationMethod, "estimation_method")
        check_option(self.base_period, BasePeriod, "base_period")
        check_option(self.incomplete_units, Incomplete, "incomplete_units")
        check_option(self.already_treated, Incomplete, "already_treated")
        for name in self.estimators:
            check_option(name, Estimator, "estimators[]")
        if not self.outcomes:
            raise ConfigError("did.outcomes must name at least one outcome column")
        low, high = self.event_window
        if low > -1 - self.anticipation or high < 0:
            raise ConfigError(
                f"did.event_window = [{low}, {high}] must include the reference period "
                f"{-1 - self.anticipation} and event time 0"
            )
        if self.anticipation < 0:
            raise ConfigError(f"did.anticipation must be >= 0, got {self.anticipation}")
        if self.n_bootstrap < 0 or self.sup_t_draws < 100:
            raise ConfigError("did.n_bootstrap must be >= 0 and did.sup_t_draws >= 100")
        if self.intensity is not None and not isinstance(self.intensity, str):
            raise ConfigError(
                f"did.intensity must be a column name or null, got {self.intensity!r}"
            )
        randomization = self.randomization
        if randomization.enabled and "callaway_santanna" in randomization.estimators:
            if self.controls:
                raise ConfigError(
                    "did.randomization.estimators includes callaway_santanna, whose permutation "
                    f"closed form holds without covariates, but did.controls = "
                    f"{list(self.controls)}. Remove callaway_santanna from "
                    "did.randomization.estimators or empty did.controls"
                )
        if not 0.0 < self.alpha < 1.0:
            raise ConfigError(f"did.alpha must lie in (0, 1), got {self.alpha}")
        if isinstance(self.first_year_shift, bool) or not isinstance(
            self.first_year_shift, numbers.Integral
        ):
            raise ConfigError(
                f"did.first_year_shift must be a whole number of years, got "
                f"{self.first_year_shift!r}"
            )

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> DidSpec:
        """Build the spec from the ``did:`` section of the configuration (unknown keys fail)."""
        section = dict(section)
        section.pop("enabled", None)
        valid = set(cls.__dataclass_fields__)
        unknown = sorted(set(section) - valid)
        if unknown:
            raise ConfigError(
                f"Unknown key(s) in did: {', '.join(unknown)}. "
                f"Valid keys: {', '.join(sorted(valid))}."
            )
        honest = dict(section.pop("honest", {}) or {})
        randomization = RandomizationSpec.from_config(section.pop("randomization", None))
        for key in ("methods", "m_grid_relative_magnitude", "m_grid_smoothness"):
            if key in honest:
                honest[key] = tuple(honest[key])
        for key in ("outcomes", "controls", "exclude_units", "estimators"):
            if key in section:
                section[key] = _strings(section[key], key)
        if "event_window" in section:
            window = section["event_window"]
            if not isinstance(window, Sequence) or len(window) != 2:
                raise ConfigError("did.event_window must be a pair [first, last] of event times")
            section["event_window"] = (int(window[0]), int(window[1]))
        return cls(**section, honest=HonestSpec(**honest), randomization=randomization)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values (tuples become lists)."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, HonestSpec):
                value = {k: list(v) if isinstance(v, tuple) else v for k, v in vars(value).items()}
            elif isinstance(value, RandomizationSpec):
                value = value.to_dict()
            out[name] = list(value) if isinstance(value, tuple) else value
        return out


def _strings(value: Any, key: str) -> tuple[str, ...]:
    values = (value,) if isinstance(value, str) else tuple(value or ())
    if not all(isinstance(v, str) for v in values):
        raise ConfigError(f"did.{key} must be a list of column names or unit ids (strings)")
    return values
