"""The staggered-adoption sample: checks before estimation and the first-treatment year.

Every problem the estimators would otherwise hit deep inside (a treatment that switches off,
no comparison units, a cohort treated in the first year, an event window outside the data)
is caught here with a message that names the column, the units and the fix.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from govcluster.did.spec import DidSpec
from govcluster.errors import DataValidationError

#: Column added to the sample: year of first treatment, 0 for never treated.
FIRST_TREAT = "first_treat"
#: Column added to the sample: 1 from the first treatment year on.
TREATED = "treated_post"


class DidSampleWarning(UserWarning):
    """Units were left out of the staggered-adoption sample (listed in its summary)."""


@dataclass(frozen=True, eq=False)
class StaggeredSample:
    """A balanced panel ready for the estimators, and what was done to get it.

    Attributes
    ----------
    frame : pandas.DataFrame
        entity, time, cluster, outcomes, controls, ``first_treat`` and ``treated_post``;
        sorted by entity and time; every unit observed in every year.
    summary : dict
        n_units, n_years, first_year, last_year, cohorts ({year: n units}), n_never_treated,
        dropped_incomplete, dropped_already_treated, excluded, switched_off (units whose
        treatment switched off and were kept as treated from their first treated year),
        max_event_time, min_event_time.
    """

    frame: pd.DataFrame
    summary: dict[str, Any]


def prepare_staggered_sample(frame: pd.DataFrame, spec: DidSpec) -> StaggeredSample:
    """Check the data against ``spec`` and return the estimation sample.

    Raises
    ------
    DataValidationError
        With the column, units and fix, for: a missing column; a non-numeric or non-0/1
        treatment; a treatment that switches off (``switch_off="error"``); a first-treatment
        year that varies within a unit; units not observed in every year
        (``incomplete_units="error"``); a cohort treated in the first year of the data (no
        pre-period; ``already_treated="error"``, else those units are dropped with a
        :class:`DidSampleWarning`); no never-treated (or not-yet-treated) comparison units; an
        event window outside the data.
    """
    intensity = [spec.intensity] if spec.intensity else []
    needed = [
        spec.entity,
        spec.time,
        spec.treatment,
        spec.cluster,
        *spec.outcomes,
        *spec.controls,
        *intensity,
    ]
    missing = [c for c in dict.fromkeys(needed) if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"did: column(s) {', '.join(missing)} not in the analysis panel (columns: "
            f"{', '.join(map(str, frame.columns))}); fix did.outcomes / did.treatment / "
            "did.controls / did.cluster / did.intensity in config/config.yaml"
        )
    data = frame[list(dict.fromkeys(needed))].copy()
    excluded = sorted(set(spec.exclude_units) & set(data[spec.entity].astype(str)))
    data = data[~data[spec.entity].astype(str).isin(spec.exclude_units)]
    first_treat, switched = _first_treatment(data, spec)
    first_treat = first_treat.where(first_treat == 0, first_treat + spec.first_year_shift)
    data[FIRST_TREAT] = data[spec.entity].map(first_treat).astype("int64")
    data, dropped = _balance(data, spec)
    years = np.sort(data[spec.time].unique())
    first_year, last_year = int(years[0]), int(years[-1])
    cohorts = data.groupby(spec.entity)[FIRST_TREAT].first()
    already = _already_treated(cohorts, first_year, spec)
    if already:
        warnings.warn(
            f"did: {len(already)} unit(s) are treated from the first year of the data "
            f"({first_year}) on and have no pre-treatment period; they are left out (listed in "
            f"the sample summary): {', '.join(already[:10])}",
            DidSampleWarning,
            stacklevel=2,
        )
        data = data[~data[spec.entity].astype(str).isin(already)]
        cohorts = cohorts[~cohorts.index.astype(str).isin(already)]
    _check_cohorts(cohorts, first_year, spec)
    treated = cohorts[cohorts > 0]
    min_event = first_year - int(treated.max())
    max_event = last_year - int(treated.min())
    low, high = spec.event_window
    if low < min_event or high > max_event:
        raise DataValidationError(
            f"did.event_window = [{low}, {high}] lies outside the data: with years "
            f"{first_year}-{last_year} and cohorts {int(treated.min())}-{int(treated.max())} "
            f"event times run from {min_event} to {max_event}; choose a window inside "
            f"[{min_event}, {max_event}]"
        )
    data[TREATED] = ((data[FIRST_TREAT] > 0) & (data[spec.time] >= data[FIRST_TREAT])).astype(float)
    data = _python_strings(data.sort_values([spec.entity, spec.time]).reset_index(drop=True))
    summary = {
        "n_units": int(cohorts.size),
        "n_years": len(years),
        "first_year": first_year,
        "last_year": last_year,
        "cohorts": {str(int(g)): int(n) for g, n in treated.value_counts().sort_index().items()},
        "n_never_treated": int((cohorts == 0).sum()),
        "dropped_incomplete": dropped,
        "dropped_already_treated": already,
        "excluded": excluded,
        "switched_off": switched,
        "first_year_shift": spec.first_year_shift,
        "min_event_time": min_event,
        "max_event_time": max_event,
    }
    return StaggeredSample(frame=data, summary=summary)


def _python_strings(data: pd.DataFrame) -> pd.DataFrame:
    """``data`` with its text columns (unit and cluster names) held as Python strings.

    The estimators group by unit and cluster many times (the Goodman-Bacon decomposition once
    per pair of cohorts), which pandas does a little faster on Python strings than on its
    string dtype (about 7 % of the CPU of an outcome on the default data). The values, their
    order and so every estimate stay the same.
    """
    text = [name for name, dtype in data.dtypes.items() if isinstance(dtype, pd.StringDtype)]
    if not text:
        return data
    return data.astype({name: object for name in text})


def _first_treatment(data: pd.DataFrame, spec: DidSpec) -> tuple[pd.Series, list[str]]:
    """Year of first treatment of every unit (0 = never) and the units that switched off."""
    values = pd.to_numeric(data[spec.treatment], errors="coerce")
    bad = data.loc[values.isna() & data[spec.treatment].notna(), spec.entity]
    if len(bad):
        raise DataValidationError(
            f"did.treatment column {spec.treatment!r} is not numeric for units "
            f"{', '.join(map(str, bad.unique()[:10]))}"
        )
    if spec.treatment_kind == "first_year":
        per_unit = values.fillna(0).groupby(data[spec.entity]).nunique()
        varying = per_unit[per_unit > 1].index
        if len(varying):
            raise DataValidationError(
                f"did.treatment {spec.treatment!r} (a first-treatment year) varies within units "
                f"{', '.join(map(str, varying[:10]))}; it must be constant per unit"
            )
        return values.fillna(0).groupby(data[spec.entity]).first().astype("int64"), []
    if values.isna().any():
        rows = data.loc[values.isna(), [spec.entity, spec.time]].head(10)
        raise DataValidationError(
            f"did.treatment {spec.treatment!r} is empty in rows (unit, year) "
            f"{list(map(tuple, rows.to_numpy()))}; fill it or drop those rows"
        )
    if not values.isin([0, 1]).all():
        raise DataValidationError(
            f"did.treatment {spec.treatment!r} must be 0/1 (treatment_kind: binary); found "
            f"values {sorted(values[~values.isin([0, 1])].unique())[:10]}. For a column of "
            "first-treatment years set did.treatment_kind: first_year"
        )
    ordered = data.assign(_d=values).sort_values([spec.entity, spec.time])
    step = ordered.groupby(spec.entity)["_d"].diff()
    switched = sorted(map(str, ordered.loc[step < 0, spec.entity].unique()))
    if switched and spec.switch_off == "error":
        raise DataValidationError(
            f"did.treatment {spec.treatment!r} is not absorbing: it switches from 1 back to 0 "
            f"for {len(switched)} unit(s) ({', '.join(switched[:10])}). The staggered estimators "
            "need a treatment that stays on. Set did.switch_off: first_treatment to treat each "
            "unit as treated from its first treated year on, or exclude the units "
            "(did.exclude_units)"
        )
    first = ordered[ordered["_d"] == 1].groupby(spec.entity)[spec.time].min()
    units = ordered[spec.entity].unique()
    return first.reindex(units).fillna(0).astype("int64"), switched


def _balance(data: pd.DataFrame, spec: DidSpec) -> tuple[pd.DataFrame, list[str]]:
    """Keep units observed with every outcome in every year (or fail, by the option)."""
    intensity = [spec.intensity] if spec.intensity else []
    complete = data.dropna(subset=[*spec.outcomes, *spec.controls, *intensity])
    n_years = data[spec.time].nunique()
    counts = complete.groupby(spec.entity)[spec.time].nunique()
    full = counts[counts == n_years].index
    dropped = sorted(map(str, set(data[spec.entity].unique()) - set(full)))
    if dropped and spec.incomplete_units == "error":
        raise DataValidationError(
            f"did: {len(dropped)} unit(s) are not observed with every outcome in every year "
            f"({', '.join(dropped[:10])}); set did.incomplete_units: drop to leave them out"
        )
    return complete[complete[spec.entity].isin(full)].copy(), dropped


def _already_treated(cohorts: pd.Series, first_year: int, spec: DidSpec) -> list[str]:
    """Units treated from the first year (plus anticipation) on: dropped, or an error."""
    early = cohorts[(cohorts > 0) & (cohorts <= first_year + spec.anticipation)]
    if len(early) and spec.already_treated == "error":
        raise DataValidationError(
            f"did: {len(early)} unit(s) are treated in the first year of the data "
            f"({first_year}{' + anticipation' if spec.anticipation else ''}), so they have no "
            f"pre-treatment period: {', '.join(map(str, early.index[:10]))}. Exclude them "
            "(did.exclude_units), set did.already_treated: drop, or start the data earlier"
        )
    return sorted(map(str, early.index))


def _check_cohorts(cohorts: pd.Series, first_year: int, spec: DidSpec) -> None:
    treated = cohorts[cohorts > 0]
    if treated.empty:
        raise DataValidationError(
            f"did: no unit is ever treated by {spec.treatment!r}; nothing to estimate"
        )
    never = int((cohorts == 0).sum())
    if spec.comparison == "never_treated" and never == 0:
        raise DataValidationError(
            "did.comparison = never_treated but every unit is treated at some point; use "
            "did.comparison: not_yet_treated"
        )
    if spec.comparison == "not_yet_treated" and never == 0 and treated.nunique() < 2:
        raise DataValidationError(
            "did.comparison = not_yet_treated but all treated units share one cohort and no "
            "unit is never treated: there is no not-yet-treated comparison group"
        )
