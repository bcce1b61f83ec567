"""Typed, read-only records of a case study and their JSON form.

``CaseStudyResult.to_dict()`` gives::

    {"kind": "case_study", "schema_version": 1,
     "spec": {...},                                  # CaseStudySpec.to_dict()
     "treated_id": str, "treated_name": str, "intervention_year": int,
     "fit_years": [int], "post_years": [int],
     "donor_ids": [str], "donor_names": [str], "dropped_donors": [[id, reason]],
     "treated_path": [float],                        # outcome of the treated cluster, by year
     "synthetic_control": {"donor_weights": {id: w}, "predictor_weights": {name: v},
         "balance": [{"predictor", "treated", "synthetic", "donor_mean", "v_weight"}],
         "synthetic_path": [float], "gap": [float], "att": float,
         "pre_rmspe": float, "post_rmspe": float, "rmspe_ratio": float, "converged": bool,
         "placebo": {"units": [id], "rmspe_ratio": [float], "gaps": [[float]],
                     "pre_rmspe": [float], "p_value": float, "n_placebos": int}},
     "sdid": {"estimates": [{"estimator": "sdid" | "sc" | "did", "att", "se", "ci_lower",
                             "ci_upper", "effect_path": [float]}],
              "unit_weights": {id: w}, "time_weights": {year: w},
              "se_method": "placebo" | "none", "n_placebos": int}}
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

SCHEMA_VERSION = 1
KIND = "case_study"


def _num(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    value = float(value)
    return value if math.isfinite(value) else None


def _nums(values: Any) -> list[Any]:
    return [_num(v) for v in values]


@dataclass(frozen=True)
class PlaceboRecord:
    """In-space placebos of the synthetic control (ADH 2010, Section 2.4)."""

    units: tuple[str, ...]
    rmspe_ratio: tuple[float, ...]
    pre_rmspe: tuple[float, ...]
    gaps: tuple[tuple[float, ...], ...]
    p_value: float

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, with ``n_placebos``; non-finite numbers become null."""
        return {
            "units": list(self.units),
            "rmspe_ratio": _nums(self.rmspe_ratio),
            "pre_rmspe": _nums(self.pre_rmspe),
            "gaps": [_nums(g) for g in self.gaps],
            "p_value": _num(self.p_value),
            "n_placebos": len(self.units),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PlaceboRecord:
        """Rebuild from :meth:`to_dict` output (null numbers become NaN)."""
        return cls(
            units=tuple(d["units"]),
            rmspe_ratio=tuple(_float(v) for v in d["rmspe_ratio"]),
            pre_rmspe=tuple(_float(v) for v in d["pre_rmspe"]),
            gaps=tuple(tuple(_float(v) for v in g) for g in d["gaps"]),
            p_value=_float(d["p_value"]),
        )


def _float(value: Any) -> float:
    return float("nan") if value is None else float(value)


@dataclass(frozen=True)
class SyntheticControlRecord:
    """Synthetic control of the treated cluster."""

    donor_weights: tuple[float, ...]
    predictor_names: tuple[str, ...]
    predictor_weights: tuple[float, ...]
    balance_treated: tuple[float, ...]
    balance_synthetic: tuple[float, ...]
    balance_donor_mean: tuple[float, ...]
    synthetic_path: tuple[float, ...]
    gap: tuple[float, ...]
    att: float
    pre_rmspe: float
    post_rmspe: float
    rmspe_ratio: float
    converged: bool
    placebo: PlaceboRecord

    def to_dict(self, donor_ids: tuple[str, ...]) -> dict[str, Any]:
        """The JSON form, donor weights keyed by ``donor_ids``; non-finite numbers become null."""
        return {
            "donor_weights": dict(zip(donor_ids, _nums(self.donor_weights), strict=True)),
            "predictor_weights": dict(
                zip(self.predictor_names, _nums(self.predictor_weights), strict=True)
            ),
            "balance": [
                {
                    "predictor": name,
                    "treated": _num(t),
                    "synthetic": _num(s),
                    "donor_mean": _num(m),
                    "v_weight": _num(v),
                }
                for name, t, s, m, v in zip(
                    self.predictor_names,
                    self.balance_treated,
                    self.balance_synthetic,
                    self.balance_donor_mean,
                    self.predictor_weights,
                    strict=True,
                )
            ],
            "synthetic_path": _nums(self.synthetic_path),
            "gap": _nums(self.gap),
            "att": _num(self.att),
            "pre_rmspe": _num(self.pre_rmspe),
            "post_rmspe": _num(self.post_rmspe),
            "rmspe_ratio": _num(self.rmspe_ratio),
            "converged": bool(self.converged),
            "placebo": self.placebo.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SyntheticControlRecord:
        """Rebuild from :meth:`to_dict` output (null numbers become NaN)."""
        bal = d["balance"]
        return cls(
            donor_weights=tuple(_float(v) for v in d["donor_weights"].values()),
            predictor_names=tuple(b["predictor"] for b in bal),
            predictor_weights=tuple(_float(b["v_weight"]) for b in bal),
            balance_treated=tuple(_float(b["treated"]) for b in bal),
            balance_synthetic=tuple(_float(b["synthetic"]) for b in bal),
            balance_donor_mean=tuple(_float(b["donor_mean"]) for b in bal),
            synthetic_path=tuple(_float(v) for v in d["synthetic_path"]),
            gap=tuple(_float(v) for v in d["gap"]),
            att=_float(d["att"]),
            pre_rmspe=_float(d["pre_rmspe"]),
            post_rmspe=_float(d["post_rmspe"]),
            rmspe_ratio=_float(d["rmspe_ratio"]),
            converged=bool(d["converged"]),
            placebo=PlaceboRecord.from_dict(d["placebo"]),
        )


@dataclass(frozen=True)
class SdidEstimate:
    """One estimator of the synthetic-DiD family with its placebo standard error."""

    estimator: str
    att: float
    se: float
    effect_path: tuple[float, ...]

    @property
    def ci(self) -> tuple[float, float]:
        """95% normal interval ``att -/+ 1.96 se`` (as R ``synthdid``)."""
        return (self.att - 1.959963984540054 * self.se, self.att + 1.959963984540054 * self.se)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, with the 95% interval of :attr:`ci`; non-finite numbers become null."""
        lo, hi = self.ci
        return {
            "estimator": self.estimator,
            "att": _num(self.att),
            "se": _num(self.se),
            "ci_lower": _num(lo),
            "ci_upper": _num(hi),
            "effect_path": _nums(self.effect_path),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SdidEstimate:
        """Rebuild from :meth:`to_dict` output (null numbers become NaN)."""
        return cls(
            estimator=d["estimator"],
            att=_float(d["att"]),
            se=_float(d["se"]),
            effect_path=tuple(_float(v) for v in d["effect_path"]),
        )


@dataclass(frozen=True)
class SdidRecord:
    """Synthetic DiD with its unit and time weights, and the SC / DiD comparisons."""

    estimates: tuple[SdidEstimate, ...]
    unit_weights: tuple[float, ...]
    time_weights: tuple[float, ...]
    se_method: str

    def estimate(self, estimator: str) -> SdidEstimate:
        """The estimate of ``estimator`` ("sdid", "sc" or "did")."""
        for e in self.estimates:
            if e.estimator == estimator:
                return e
        raise KeyError(f"no {estimator!r} estimate; have {[e.estimator for e in self.estimates]}")

    def to_dict(self, donor_ids: tuple[str, ...], fit_years: tuple[int, ...]) -> dict[str, Any]:
        """The JSON form: unit weights keyed by ``donor_ids``, time weights by ``fit_years``."""
        return {
            "estimates": [e.to_dict() for e in self.estimates],
            "unit_weights": dict(zip(donor_ids, _nums(self.unit_weights), strict=True)),
            "time_weights": {
                str(y): _num(w) for y, w in zip(fit_years, self.time_weights, strict=True)
            },
            "se_method": self.se_method,
            "n_placebos": len(donor_ids) if self.se_method == "placebo" else 0,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SdidRecord:
        """Rebuild from :meth:`to_dict` output (null numbers become NaN)."""
        return cls(
            estimates=tuple(SdidEstimate.from_dict(e) for e in d["estimates"]),
            unit_weights=tuple(_float(v) for v in d["unit_weights"].values()),
            time_weights=tuple(_float(v) for v in d["time_weights"].values()),
            se_method=d["se_method"],
        )


@dataclass(frozen=True)
class CaseStudyResult:
    """Everything one case study estimated (see the module docstring for the JSON form)."""

    spec: dict[str, Any]
    treated_id: str
    treated_name: str
    intervention_year: int
    fit_years: tuple[int, ...]
    post_years: tuple[int, ...]
    donor_ids: tuple[str, ...]
    donor_names: tuple[str, ...]
    dropped_donors: tuple[tuple[str, str], ...]
    treated_path: tuple[float, ...]
    synthetic_control: SyntheticControlRecord
    sdid: SdidRecord

    @property
    def years(self) -> tuple[int, ...]:
        """All years of the case study, fit window first."""
        return self.fit_years + self.post_years

    def to_dict(self) -> dict[str, Any]:
        """A plain JSON-able dictionary (``kind`` ``"case_study"``)."""
        return {
            "kind": KIND,
            "schema_version": SCHEMA_VERSION,
            "spec": self.spec,
            "treated_id": self.treated_id,
            "treated_name": self.treated_name,
            "intervention_year": int(self.intervention_year),
            "fit_years": [int(y) for y in self.fit_years],
            "post_years": [int(y) for y in self.post_years],
            "donor_ids": list(self.donor_ids),
            "donor_names": list(self.donor_names),
            "dropped_donors": [list(d) for d in self.dropped_donors],
            "treated_path": _nums(self.treated_path),
            "synthetic_control": self.synthetic_control.to_dict(self.donor_ids),
            "sdid": self.sdid.to_dict(self.donor_ids, self.fit_years),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CaseStudyResult:
        """Rebuild from :meth:`to_dict` output, checking ``kind`` and ``schema_version``."""
        if d.get("kind") != KIND:
            raise ValueError(
                f"Expected a record of kind {KIND!r}, got kind={d.get('kind')!r}; this file "
                "is not a case-study result."
            )
        if d.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(
                f"Case-study record has schema_version={d.get('schema_version')!r}; this "
                f"version of govcluster reads {SCHEMA_VERSION}. Rerun the case-study rule."
            )
        return cls(
            spec=d["spec"],
            treated_id=d["treated_id"],
            treated_name=d["treated_name"],
            intervention_year=int(d["intervention_year"]),
            fit_years=tuple(int(y) for y in d["fit_years"]),
            post_years=tuple(int(y) for y in d["post_years"]),
            donor_ids=tuple(d["donor_ids"]),
            donor_names=tuple(d["donor_names"]),
            dropped_donors=tuple((a, b) for a, b in d["dropped_donors"]),
            treated_path=tuple(_float(v) for v in d["treated_path"]),
            synthetic_control=SyntheticControlRecord.from_dict(d["synthetic_control"]),
            sdid=SdidRecord.from_dict(d["sdid"]),
        )
