"""Typed records of the ``did`` stage, stored as JSON (``results/estimates/did/did.json``).

Each record is a frozen dataclass with ``to_dict()`` (plain JSON types, including
``"schema_version"`` and ``"kind"``) and ``from_dict(d)``, which checks both. Row collections
are tuples of plain dicts with the documented keys:

* event-study rows: ``event_time, estimate, se, ci_lower, ci_upper, band_lower, band_upper``
  (band = uniform / simultaneous band over the event window; ``None`` when not computed);
* aggregation rows: ``level ("overall"|"cohort"|"year"), label, estimate, se, ci_lower,
  ci_upper``;
* Bacon rows: ``treated, control, type, estimate, weight``;
* HonestDiD rows: ``M, lower, upper, ci_lower, ci_upper``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from govcluster.inference.randomization import RandomizationResult

SCHEMA_VERSION = 1


def _clean(value: Any) -> Any:
    """JSON types: NaN and infinities become None, tuples lists, numpy scalars Python ones."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class _Record:
    kind: ClassVar[str]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "kind": self.kind}
        for item in fields(self):  # type: ignore[arg-type]
            value = getattr(self, item.name)
            if isinstance(value, (_Record, RandomizationResult)):
                value = value.to_dict()
            elif (
                isinstance(value, tuple)
                and value
                and isinstance(value[0], (_Record, RandomizationResult))
            ):
                value = [v.to_dict() for v in value]
            out[item.name] = _clean(value)
        return out

    @classmethod
    def _check(cls, d: dict[str, Any]) -> dict[str, Any]:
        if d.get("kind") != cls.kind:
            raise ValueError(f"expected a record of kind {cls.kind!r}, got {d.get('kind')!r}")
        if d.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(
                f"{cls.kind} record has schema_version {d.get('schema_version')!r}; this "
                f"version of govcluster reads {SCHEMA_VERSION}. Rerun the did stage."
            )
        return {k: v for k, v in d.items() if k not in ("schema_version", "kind")}

    @classmethod
    def from_dict(cls, d: dict[str, Any]):  # noqa: ANN206
        body = cls._check(d)
        kwargs = {}
        for item in fields(cls):  # type: ignore[arg-type]
            value = body.get(item.name)
            if isinstance(value, list):
                value = tuple(value)
            kwargs[item.name] = value
        return cls(**kwargs)


@dataclass(frozen=True)
class EstimatorResult(_Record):
    """One estimator on one outcome: aggregations, event study and pre-trend test.

    Attributes
    ----------
    estimator : str
        ``twfe``, ``callaway_santanna``, ``sun_abraham`` or ``imputation``.
    outcome : str
    aggregations : tuple of dict
        Overall ATT (``level="overall"``), by cohort and by calendar year where the estimator
        provides them.
    event_study : tuple of dict
        Event-time estimates in the window (the reference period has estimate 0 and no se).
    pretrend : dict
        Joint test that every pre-period coefficient is zero: ``test`` (name), ``statistic``,
        ``df``, ``p_value``, ``n_pre``.
    band_method : str
        How the uniform band was computed.
    reference_period : int
    n_obs : int
    notes : tuple of str
    """

    kind: ClassVar[str] = "did_estimator_result"
    estimator: str
    outcome: str
    aggregations: tuple[dict[str, Any], ...]
    event_study: tuple[dict[str, Any], ...]
    pretrend: dict[str, Any]
    band_method: str
    reference_period: int
    n_obs: int
    notes: tuple[str, ...] = ()

    def overall(self) -> dict[str, Any]:
        """The overall ATT row."""
        return next(row for row in self.aggregations if row["level"] == "overall")


@dataclass(frozen=True)
class BaconResult(_Record):
    """Goodman-Bacon decomposition of the static TWFE coefficient.

    ``weighted_sum`` (sum of weight x estimate) equals ``twfe_estimate`` to 1e-10 (checked).
    ``by_type`` rows: ``type, weight, estimate`` (weighted average within the type).
    """

    kind: ClassVar[str] = "did_bacon"
    outcome: str
    twfe_estimate: float
    weighted_sum: float
    comparisons: tuple[dict[str, Any], ...]
    by_type: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class HonestResult(_Record):
    """Robust confidence sets of Rambachan and Roth (2023) over a grid of ``M``.

    The target is the average of the post-period event-study effects in the window.
    ``breakdown_M`` is the smallest ``M`` at which the robust set includes zero (None when it
    never does within the search range).
    """

    kind: ClassVar[str] = "did_honest"
    outcome: str
    source: str
    method: str
    target: str
    original_estimate: float
    original_se: float
    rows: tuple[dict[str, Any], ...]
    breakdown_M: float | None


@dataclass(frozen=True)
class IntensityResult(_Record):
    """Effect of one unit of the intensity (GOV) induced by the designation (Wald-DiD).

    ``estimate = att_outcome / att_intensity``, both Callaway-Sant'Anna overall ATTs on the
    same cells and weights; ``se`` by the delta method on their per-unit influence functions;
    ``first_stage_t = att_intensity / se_intensity`` (a weak first stage makes the ratio and its
    normal interval unreliable).
    """

    kind: ClassVar[str] = "did_intensity"
    outcome: str
    intensity: str
    method: str
    estimate: float
    se: float
    ci_lower: float
    ci_upper: float
    att_outcome: float
    se_outcome: float
    att_intensity: float
    se_intensity: float
    first_stage_t: float
    n_cells: int


@dataclass(frozen=True)
class OutcomeResults(_Record):
    """Every estimate of the ``did`` stage for one outcome.

    ``randomization`` holds one permutation distribution per estimator of
    ``did.randomization`` (empty when it is off).
    """

    kind: ClassVar[str] = "did_outcome_results"
    outcome: str
    estimators: tuple[EstimatorResult, ...]
    bacon: BaconResult | None = None
    honest: tuple[HonestResult, ...] = ()
    twfe_weights: dict[str, Any] = field(default_factory=dict)
    intensity: IntensityResult | None = None
    randomization: tuple[RandomizationResult, ...] = ()

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> OutcomeResults:
        """Rebuild from :meth:`to_dict` output, checking ``kind`` and ``schema_version``."""
        body = cls._check(d)
        return cls(
            outcome=body["outcome"],
            estimators=tuple(EstimatorResult.from_dict(e) for e in body["estimators"]),
            bacon=BaconResult.from_dict(body["bacon"]) if body.get("bacon") else None,
            honest=tuple(HonestResult.from_dict(h) for h in body.get("honest") or ()),
            twfe_weights=body.get("twfe_weights") or {},
            intensity=IntensityResult.from_dict(body["intensity"])
            if body.get("intensity")
            else None,
            randomization=tuple(
                RandomizationResult.from_dict(r) for r in body.get("randomization") or ()
            ),
        )

    def estimator(self, name: str) -> EstimatorResult:
        """The result of estimator ``name``."""
        for result in self.estimators:
            if result.estimator == name:
                return result
        raise KeyError(f"estimator {name!r} was not run for outcome {self.outcome!r}")


@dataclass(frozen=True)
class DidResults(_Record):
    """The whole ``did`` stage: what was asked, the sample, and the results by outcome."""

    kind: ClassVar[str] = "did_results"
    spec: dict[str, Any]
    sample: dict[str, Any]
    outcomes: tuple[OutcomeResults, ...]
    engine: dict[str, str]

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DidResults:
        """Rebuild from :meth:`to_dict` output, checking ``kind`` and ``schema_version``."""
        body = cls._check(d)
        return cls(
            spec=body["spec"],
            sample=body["sample"],
            outcomes=tuple(OutcomeResults.from_dict(o) for o in body["outcomes"]),
            engine=body["engine"],
        )

    def outcome(self, name: str) -> OutcomeResults:
        """The results for outcome ``name``."""
        for result in self.outcomes:
            if result.outcome == name:
                return result
        raise KeyError(f"outcome {name!r} is not in the did results")
