"""Turn a long cluster panel into the matrices of one case study, checking them first.

Every problem that would stop an estimation is raised here, before any estimation, as an
:class:`~govcluster.errors.EstimationError` that names the configuration key or column and
the fix: a treated cluster missing from the data, fewer pre-periods than the fit window, a
donor pool of fewer than two clusters, the treated cluster among the donors, missing outcome
or predictor values in the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from govcluster.casestudy.spec import CaseStudySpec
from govcluster.errors import EstimationError

MIN_DONORS = 2


@dataclass(frozen=True)
class CaseStudyData:
    """The checked matrices of one case study.

    Attributes
    ----------
    treated_id, treated_name : str
    intervention_year : int
    fit_years, post_years : tuple of int
        Pre-intervention fit window and post-intervention years.
    donor_ids, donor_names : tuple of str
    dropped_donors : tuple of (str, str)
        Donors dropped for missing values, with the reason.
    outcome : numpy.ndarray
        ``(len(fit_years) + len(post_years), 1 + n_donors)``: years by units, the treated
        cluster in column 0.
    predictor_names : tuple of str
    predictors : numpy.ndarray
        ``(n_predictors, 1 + n_donors)``, treated cluster in column 0.
    """

    treated_id: str
    treated_name: str
    intervention_year: int
    fit_years: tuple[int, ...]
    post_years: tuple[int, ...]
    donor_ids: tuple[str, ...]
    donor_names: tuple[str, ...]
    dropped_donors: tuple[tuple[str, str], ...]
    outcome: np.ndarray
    predictor_names: tuple[str, ...]
    predictors: np.ndarray

    @property
    def years(self) -> tuple[int, ...]:
        """Fit-window and post years, in order."""
        return self.fit_years + self.post_years

    @property
    def n_fit(self) -> int:
        """Number of fit-window (pre-intervention) years."""
        return len(self.fit_years)


def _require_columns(panel: pd.DataFrame, spec: CaseStudySpec) -> None:
    cols = spec.columns
    needed = {
        cols.entity: "case_study.columns.entity (data.entity)",
        cols.time: "case_study.columns.time (data.time)",
        spec.outcome: "case_study.outcome",
    }
    for cov in spec.covariates:
        needed[cov] = "case_study.predictors.covariates"
    if spec.designation_column is not None:
        needed[spec.designation_column] = "case_study.designation_column"
    if spec.donor_pool == "same_industry" and not spec.donors:
        if cols.industry is None:
            raise EstimationError(
                "case_study.donor_pool='same_industry' needs an industry column, but "
                "case_study.columns.industry is null; set it or use donor_pool: all."
            )
        needed[cols.industry] = "case_study.columns.industry (data.industry)"
    for column, key in needed.items():
        if column not in panel.columns:
            raise EstimationError(
                f"Column {column!r} (from {key}) is not in the analysis panel; the panel has "
                f"{sorted(map(str, panel.columns))[:30]}. Fix the configuration key."
            )


def _resolve_unit(label: str, ids: pd.Series, names: pd.Series | None, key: str) -> str:
    """The identifier of the cluster given by ``label`` (an identifier or a unique name)."""
    if (ids == label).any():
        return label
    if names is not None:
        hits = sorted(set(ids[names == label]))
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise EstimationError(
                f"{key}={label!r} names {len(hits)} clusters ({hits[:5]}); give the "
                "cluster identifier instead."
            )
    examples = sorted(set(ids))[:5]
    raise EstimationError(
        f"{key}={label!r} is not a cluster of the data (neither an identifier nor a name). "
        f"Identifiers look like {examples}; fix {key}."
    )


def _fit_window(years: list[int], spec: CaseStudySpec) -> tuple[tuple[int, ...], tuple[int, ...]]:
    pre = [y for y in years if y < spec.intervention_year]
    post = tuple(y for y in years if y >= spec.intervention_year)
    if not post:
        raise EstimationError(
            f"case_study.intervention_year={spec.intervention_year} is after the last year of "
            f"the data ({max(years)}); choose a year with at least one post-intervention year."
        )
    if spec.pre_periods is None:
        if len(pre) < 2:
            raise EstimationError(
                f"The treated cluster has {len(pre)} year(s) before "
                f"case_study.intervention_year={spec.intervention_year}; a synthetic control "
                "needs at least 2. Choose a later intervention year."
            )
        return tuple(pre), post
    window = tuple(range(spec.intervention_year - spec.pre_periods, spec.intervention_year))
    if len(pre) < spec.pre_periods or not set(window) <= set(pre):
        raise EstimationError(
            f"case_study.pre_periods={spec.pre_periods} asks for the fit window "
            f"{window[0]}-{window[-1]}, but the data have {len(pre)} pre-intervention year(s) "
            f"for the treated cluster ({pre[:1] + pre[-1:]}). Lower case_study.pre_periods or "
            "set it to null to use every pre-intervention year."
        )
    return window, post


def _lag_years(spec: CaseStudySpec, fit_years: tuple[int, ...]) -> tuple[int, ...]:
    if spec.outcome_lags == "all":
        return fit_years
    outside = [y for y in spec.outcome_lags if y not in fit_years]
    if outside:
        raise EstimationError(
            f"case_study.predictors.outcome_lags has years {outside} outside the fit window "
            f"{fit_years[0]}-{fit_years[-1]}; list only fit-window years."
        )
    return tuple(spec.outcome_lags)


def prepare_case_study_data(panel: pd.DataFrame, spec: CaseStudySpec) -> CaseStudyData:
    """Check the panel against ``spec`` and build the case-study matrices.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel, one row per cluster and year.
    spec : CaseStudySpec

    Returns
    -------
    CaseStudyData

    Raises
    ------
    EstimationError
        For any of the problems listed in the module docstring.
    """
    _require_columns(panel, spec)
    cols = spec.columns
    ids = panel[cols.entity].astype(str)
    names = panel[cols.name].astype(str) if cols.name is not None and cols.name in panel else None
    treated = _resolve_unit(spec.treated, ids, names, "case_study.treated")
    frame = panel.assign(**{cols.entity: ids})
    treated_rows = frame[frame[cols.entity] == treated]
    treated_name = str(treated_rows[cols.name].iloc[0]) if names is not None else treated
    treated_years = sorted(int(y) for y in treated_rows[cols.time].dropna().unique())
    fit_years, post_years = _fit_window(treated_years, spec)
    window = fit_years + post_years

    # Donor pool.
    if spec.donors:
        donors = [_resolve_unit(d, ids, names, "case_study.donors") for d in spec.donors]
        if treated in donors:
            raise EstimationError(
                f"case_study.donors includes the treated cluster {treated!r} "
                f"({treated_name}); remove it from the donor list."
            )
        donors = list(dict.fromkeys(donors))
    else:
        candidates = frame[frame[cols.entity] != treated]
        if spec.donor_pool == "same_industry":
            industry = treated_rows[cols.industry].iloc[0]
            candidates = candidates[candidates[cols.industry] == industry]
        donors = sorted(set(candidates[cols.entity]))
    if spec.designation_column is not None:
        designated = frame.groupby(cols.entity)[spec.designation_column].max()
        donors = [d for d in donors if not designated.get(d, 0) > 0]

    # Missing values in the window.
    wanted = frame[frame[cols.time].isin(window)]
    outcome_wide = wanted.pivot_table(
        index=cols.time, columns=cols.entity, values=spec.outcome, aggfunc="first", dropna=False
    ).reindex(index=list(window))
    if treated not in outcome_wide.columns or outcome_wide[treated].isna().any():
        missing = (
            list(window)
            if treated not in outcome_wide.columns
            else [int(y) for y in outcome_wide.index[outcome_wide[treated].isna()]]
        )
        raise EstimationError(
            f"The treated cluster {treated!r} ({treated_name}) has no {spec.outcome!r} in "
            f"years {missing} of the case-study window {window[0]}-{window[-1]}. Shorten the "
            "window (case_study.pre_periods) or choose another cluster."
        )
    fit_rows = wanted[wanted[cols.time].isin(fit_years)]
    cov_means = {}
    for cov in spec.covariates:
        wide = fit_rows.pivot_table(
            index=cols.time, columns=cols.entity, values=cov, aggfunc="first", dropna=False
        ).reindex(index=list(fit_years))
        if treated not in wide.columns or wide[treated].isna().any():
            raise EstimationError(
                f"The treated cluster {treated!r} has missing {cov!r} in the fit window "
                f"{fit_years[0]}-{fit_years[-1]}; drop {cov!r} from "
                "case_study.predictors.covariates or shorten the window."
            )
        cov_means[cov] = wide
    dropped: list[tuple[str, str]] = []
    kept: list[str] = []
    for donor in donors:
        reasons = []
        if donor not in outcome_wide.columns or outcome_wide[donor].isna().any():
            reasons.append(f"missing {spec.outcome} in the window")
        for cov, wide in cov_means.items():
            if donor not in wide.columns or wide[donor].isna().any():
                reasons.append(f"missing {cov} in the fit window")
        if reasons:
            dropped.append((donor, "; ".join(reasons)))
        else:
            kept.append(donor)
    if dropped and not spec.drop_incomplete_donors:
        shown = ", ".join(f"{d} ({r})" for d, r in dropped[:10])
        raise EstimationError(
            f"{len(dropped)} donor(s) have missing values in the case-study window: {shown}. "
            "Set case_study.drop_incomplete_donors: true to drop them, or shorten the window."
        )
    if len(kept) < MIN_DONORS:
        raise EstimationError(
            f"The donor pool of {treated!r} ({treated_name}) has {len(kept)} usable "
            f"cluster(s) (donor_pool={spec.donor_pool!r}, designated clusters excluded by "
            f"{spec.designation_column!r}, {len(dropped)} dropped for missing values); at "
            "least 2 are needed. Use case_study.donor_pool: all, list case_study.donors, or "
            "set case_study.designation_column: null."
        )

    units = [treated, *kept]
    outcome = outcome_wide[units].to_numpy(dtype=float)
    lag_years = _lag_years(spec, fit_years)
    rows = [outcome_wide.loc[list(lag_years), units].to_numpy(dtype=float)]
    predictor_names = [f"{spec.outcome}_{y}" for y in lag_years]
    for cov, wide in cov_means.items():
        rows.append(wide[units].to_numpy(dtype=float).mean(axis=0, keepdims=True))
        predictor_names.append(f"{cov}_mean")
    predictors = np.vstack(rows)
    if names is not None:
        name_of = frame.drop_duplicates(cols.entity).set_index(cols.entity)[cols.name]
        donor_names = tuple(str(name_of[d]) for d in kept)
    else:
        donor_names = tuple(kept)
    return CaseStudyData(
        treated_id=treated,
        treated_name=treated_name,
        intervention_year=spec.intervention_year,
        fit_years=tuple(int(y) for y in fit_years),
        post_years=tuple(int(y) for y in post_years),
        donor_ids=tuple(kept),
        donor_names=donor_names,
        dropped_donors=tuple(dropped),
        outcome=outcome,
        predictor_names=tuple(predictor_names),
        predictors=predictors,
    )
