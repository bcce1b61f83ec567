"""What the panel exhibits need to know about the stored panel job records.

The accessors here take typed records (:mod:`govcluster.records.panel`) and answer the
questions every panel table, figure and numbers file asks: which jobs are covariance variants
of one another, which coefficients are of interest and which are controls, the OLS
counterpart of an IV estimate, and how an estimator, a covariance estimator, a test or a
group of a heterogeneity analysis is called in the text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from govcluster.config import Label, ProjectConfig
from govcluster.records.panel import (
    PanelEstimateRecord,
    PanelIVEstimateRecord,
    PanelJobRecord,
    TestRecord,
    as_job_record,
    as_job_records,
)
from govcluster.regions import REGIONS
from govcluster.render.formatting import format_df
from govcluster.render.labels import entity_word, word

#: Keys of a specification that only change its covariance estimator.
COVARIANCE_KEYS = ("cov_type", "cluster", "dk_bandwidth", "name")

Estimate = PanelEstimateRecord | PanelIVEstimateRecord


# --------------------------------------------------------------------------- jobs


def jobs_of_kind(
    records: Mapping[str, PanelJobRecord | Mapping[str, Any]], kind: str
) -> dict[str, PanelJobRecord]:
    """The job records of ``kind`` (a job kind of :mod:`govcluster.registry`), in order."""
    return {name: r for name, r in as_job_records(records).items() if r.kind == kind}


def job_specification(record: PanelJobRecord | Mapping[str, Any]) -> dict[str, Any]:
    """A job's specification with its year restriction (what makes two jobs alike)."""
    record = as_job_record(record)
    return {
        **record.result.spec.to_dict(),
        "years": None if record.years is None else list(record.years),
    }


def covariance_groups(specs: Mapping[str, Mapping[str, Any]]) -> list[list[str]]:
    """Baseline jobs grouped by specification, ignoring the covariance estimator.

    Parameters
    ----------
    specs : mapping
        Job name -> specification dict (``PanelSpec.to_dict()`` plus ``years``), in
        configuration order.

    Returns
    -------
    list of list of str
        Groups in order of their first member; within a group, configuration order. The first
        member of a group is its main column; the others are covariance variants of it.
    """
    groups: dict[str, list[str]] = {}
    for name, spec in specs.items():
        key = {k: v for k, v in spec.items() if k not in COVARIANCE_KEYS}
        groups.setdefault(json.dumps(key, sort_keys=True, default=str), []).append(name)
    return list(groups.values())


def main_baseline_jobs(specs: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The first job of every covariance group: the columns of the baseline table."""
    return [group[0] for group in covariance_groups(specs)]


def covariance_variants(specs: Mapping[str, Mapping[str, Any]]) -> list[list[str]]:
    """Groups with more than one covariance estimator: the columns of the robustness table."""
    return [group for group in covariance_groups(specs) if len(group) > 1]


# --------------------------------------------------------------------------- coefficients


def key_terms(results: Sequence[Estimate]) -> list[str]:
    """Coefficients of interest (regressors and their lags), first-seen order."""
    terms: list[str] = []
    for result in results:
        controls = set(result.spec.controls)
        for name in result.coefficient_names:
            base = re.sub(r"_lag\d+$", "", name)
            if name != "const" and name not in controls and base not in controls:
                terms.append(name)
    return list(dict.fromkeys(terms))


def control_terms(results: Sequence[Estimate]) -> list[str]:
    """Control coefficients, first-seen order."""
    terms: list[str] = []
    for result in results:
        controls = set(result.spec.controls)
        terms += [name for name in result.coefficient_names if name in controls]
    return list(dict.fromkeys(terms))


def common_outcome(results: Sequence[Estimate]) -> str | None:
    """The outcome all ``results`` share (None if they differ)."""
    outcomes = {str(r.spec.outcome or r.dependent) for r in results}
    return outcomes.pop() if len(outcomes) == 1 else None


def matching_ols(
    iv_result: PanelIVEstimateRecord, baseline: Mapping[str, PanelJobRecord]
) -> PanelEstimateRecord | None:
    """The baseline result that is the OLS counterpart of an IV result, if there is one.

    The counterpart has the same estimator, outcome, controls and covariance, no lags, and
    the endogenous variables as its regressors.
    """
    spec = iv_result.spec
    for record in baseline.values():
        other = record.result.spec
        if (
            other.estimator == spec.estimator
            and other.outcome == spec.outcome
            and other.regressors == spec.endogenous
            and other.controls == spec.controls
            and other.cov_type == spec.cov_type
            and not other.lags
        ):
            return record.result
    return None


# --------------------------------------------------------------------------- words


def estimator_label(estimator: str, language: str) -> str:
    """Display name of an estimator (``twoway_fe`` -> "Two-way FE")."""
    try:
        return word(f"estimator_{estimator}", language)
    except KeyError:
        return estimator


def _cluster_column(cov_type: str, description: str) -> str | None:
    """The column of ``cov_type="cluster"`` (its description reads "cluster-robust by X")."""
    prefix = "cluster-robust by "
    if cov_type == "cluster" and description.startswith(prefix):
        return description[len(prefix) :]
    return None


def covariance_label(
    cov_type: str, description: str, language: str, *, entity_label: Label | None = None
) -> str:
    """Short name of a covariance estimator (``cluster_entity`` -> "Cluster (entity)").

    ``entity_label`` (``data.entity_label``) names the entity: "Firm (entity)".
    """
    column = _cluster_column(cov_type, description)
    if column is not None:
        return f"按 {column} 聚类" if language == "zh" else f"Cluster ({column})"
    try:
        return entity_word(f"se_{cov_type}", language, entity_label)
    except KeyError:
        return description


def covariance_text(
    cov_type: str, description: str, language: str, *, entity_label: Label | None = None
) -> str:
    """A covariance estimator in words, for notes.

    ``cluster_entity`` -> "standard errors clustered at the cluster (entity) level";
    ``entity_label`` (``data.entity_label``) names the entity: "... at the firm (entity)
    level".
    """
    column = _cluster_column(cov_type, description)
    if column is not None:
        if language == "zh":
            return f"按 {column} 聚类的标准误"
        return f"standard errors clustered by {column}"
    try:
        return entity_word(f"se_text_{cov_type}", language, entity_label)
    except KeyError:
        return description


def test_distribution(test: TestRecord) -> str:
    """The reference distribution with its degrees of freedom: ``F(2, 239)`` or ``χ²(5)``."""
    df = format_df(test.df, test.df_denom)
    name = {"chi2": "χ²", "F": "F", "normal": "z", "t": "t"}.get(test.distribution)
    if name is None:
        return df
    return f"{name}({df})" if df and name not in ("z",) else name


def group_label(key: str, members: Sequence[Any], language: str) -> str:
    """Display name of a group of a heterogeneity analysis.

    A region name (or ``less_developed``) is translated; a group whose members are not just
    itself lists them: "Less developed (Central, West)".
    """
    try:
        name = word(key, language)
    except KeyError:
        name = key.replace("_", " ")
    members = [str(m) for m in members]
    if members and members != [key]:
        shown = []
        for member in members:
            try:
                shown.append(word(member, language))
            except KeyError:
                shown.append(member)
        separator = "、" if language == "zh" else ", "
        opening, closing = ("（", "）") if language == "zh" else (" (", ")")
        name += opening + separator.join(shown) + closing
    return name


def group_members(result, group: str) -> tuple[Any, ...]:
    """The values of the grouping column in ``group`` of a heterogeneity record."""
    return tuple(result.groups[group]) if group in result.groups else (group,)


def ordered_groups(groups: Sequence[str]) -> list[str]:
    """Groups with the regions first in their usual order (east, central, west)."""
    known = [g for g in REGIONS if g in groups]
    return known + [g for g in groups if g not in known]


def heterogeneity_title(result, config: ProjectConfig) -> str:
    """What a heterogeneity analysis splits by: "Region: East, Central, West".

    ``result`` is a :class:`~govcluster.records.panel.HeterogeneityRecord`.
    """
    language = config.language
    by = result.spec.by
    try:
        by_text = word(by, language)
    except KeyError:
        by_text = config.label(by)
    names = [
        group_label(g, group_members(result, g), language)
        for g in ordered_groups(list(result.groups))
    ]
    separator = "、" if language == "zh" else ", "
    colon = "：" if language == "zh" else ": "
    return by_text + colon + separator.join(names)


# --------------------------------------------------------------------------- fit statistics

#: Estimators whose R-squared is the plain R-squared of the regression they fit (pooled data,
#: cluster means, first differences); the others report the within R-squared.
OVERALL_R2_ESTIMATORS = ("pooled", "between", "first_difference")

#: Estimators whose within R-squared is reported.
WITHIN_R2_ESTIMATORS = ("entity_fe", "twoway_fe", "random", "hdfe")


def slope_count(result: Estimate) -> int:
    """Number of estimated coefficients other than the constant."""
    return sum(1 for name in result.coefficient_names if name != "const")


def fit_statistics(result: Estimate) -> dict[str, float | None]:
    r"""The goodness-of-fit statistics that suit the estimator of ``result``.

    Pooled OLS, between and first differences report the R-squared of the regression they
    fit; the fixed-effects estimators and random effects report the within R-squared (the
    share of the variation within entities explained). The adjusted R-squared corrects the
    R-squared that is shown for the degrees of freedom the model used:

    .. math:: \bar R^2 = 1 - (1 - R^2)\,\frac{n - 1}{n - k - a}

    with :math:`n` the observations (clusters for the between estimator), :math:`k` the
    slopes plus one for an intercept, and :math:`a` the absorbed fixed effects (one per
    entity, plus one per year but one for year effects), as R's ``plm`` does for the within
    estimator; for pooled OLS and between this is the textbook (and statsmodels') adjusted
    R-squared. Random effects and IV estimates report no adjusted R-squared.

    Returns
    -------
    dict
        ``{"r2", "r2_within", "r2_adjusted"}``, each None where it does not apply.
    """
    if isinstance(result, PanelIVEstimateRecord):
        return {"r2": None, "r2_within": None, "r2_adjusted": None}
    estimator = result.estimator
    r2 = result.r2 if estimator in OVERALL_R2_ESTIMATORS else None
    r2_within = result.r2_within if estimator in WITHIN_R2_ESTIMATORS else None
    adjusted = None
    slopes = slope_count(result)
    if estimator in OVERALL_R2_ESTIMATORS and r2 is not None:
        n = result.n_entities if estimator == "between" else result.n_obs
        k = slopes + (1 if "const" in result.coefficient_names else 0)
        adjusted = _adjusted(r2, n, k)
    elif estimator in ("entity_fe", "twoway_fe") and r2_within is not None:
        absorbed = result.n_entities if "entity" in result.fixed_effects else 0
        if "time" in result.fixed_effects:
            absorbed += result.n_periods - 1
        adjusted = _adjusted(r2_within, result.n_obs, slopes + absorbed)
    return {"r2": r2, "r2_within": r2_within, "r2_adjusted": adjusted}


def _adjusted(r2: float, n: int, used: int) -> float | None:
    if n - used <= 0:
        return None
    return 1.0 - (1.0 - r2) * (n - 1) / (n - used)


def se_cluster_counts(result: Estimate) -> dict[str, int]:
    """Clustering variable -> number of clusters of the standard errors (empty if none)."""
    if not result.cov_type.startswith("cluster"):
        return {}
    counts = dict(result.clusters)
    if not counts and result.n_clusters is not None:
        counts = {result.spec.entity: result.n_clusters}
    return counts
