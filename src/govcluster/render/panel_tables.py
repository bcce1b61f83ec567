"""Publication tables of the panel models, rendered from the stored job records.

Every builder takes the JSON records written by the ``estimate_panel`` rule (see
:mod:`govcluster.panel.plan`: ``{"job", "kind", "years", "result"}``), the configuration (labels
and language) and the :class:`~govcluster.render.settings.RenderSettings`, and returns a
:class:`~govcluster.render.tables.Table`. Nothing is re-estimated; the only arithmetic is the
p-value of a first-stage coefficient, which the record stores as estimate and standard error.

- :func:`baseline_table`: one column per baseline specification, the specification tests
  (poolability, Breusch-Pagan, Hausman, Mundlak) in Panel B;
- :func:`robustness_table`: the same specification under other covariance estimators;
- :func:`horizons_table`: local projections, the effect by horizon;
- :func:`heterogeneity_table`: split samples and the interaction model, a panel per grouping;
- :func:`iv_table`: OLS above 2SLS, the first stage and weak-instrument diagnostics.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd
from scipy import stats as distributions

from govcluster.config import ProjectConfig
from govcluster.regions import REGIONS
from govcluster.render.formatting import (
    format_coefficient,
    format_count,
    format_number,
    significance_stars,
)
from govcluster.render.labels import stars_note, term_label, word
from govcluster.render.regression import model_from_panel_record, regression_table
from govcluster.render.settings import RenderSettings
from govcluster.render.tables import HeaderCell, Panel, Row, Table, make_header

#: Keys of a specification that only change its covariance estimator.
COVARIANCE_KEYS = ("cov_type", "dk_bandwidth", "name")

#: Specification tests of Panel B of the baseline table, in order.
SPECIFICATION_TESTS = ("poolability", "breusch_pagan", "hausman", "mundlak")

#: Decimals of p-values.
P_DIGITS = 3

Record = Mapping[str, Any]


# --------------------------------------------------------------------------- record access


def result_of(record: Record) -> Mapping[str, Any]:
    """The estimation result of a job record (or the result itself, if given one)."""
    return record["result"] if "result" in record and "job" in record else record


def coefficient(result: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    """The coefficient ``name`` of a panel estimate (None if it has none)."""
    for entry in result.get("coefficients", []):
        if entry["name"] == name:
            return entry
    return None


def treatment_of(result: Mapping[str, Any]) -> str:
    """The variable of interest of a result: first regressor, endogenous variable or treatment."""
    spec = result.get("spec", {})
    if result.get("treatment"):
        return str(result["treatment"])
    for key in ("treatment", "endogenous", "regressors"):
        value = spec.get(key)
        if value:
            return str(value if isinstance(value, str) else value[0])
    raise ValueError(f"cannot tell the variable of interest of result '{result.get('name')}'")


def job_specification(record: Record) -> dict[str, Any]:
    """A baseline job's specification with its year restriction (what makes two jobs alike)."""
    return {**result_of(record)["spec"], "years": record.get("years")}


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


# --------------------------------------------------------------------------- small formatters


def format_pvalue(value: object) -> str:
    """A p-value with three decimals (empty when missing)."""
    return format_number(value, P_DIGITS)


def format_interval(lower: object, upper: object, digits: int) -> str:
    """``[lower, upper]``; an unbounded end is ``-inf`` or ``inf``; empty if both are missing."""
    if lower is None and upper is None:
        return ""
    low = "-inf" if lower is None else format_number(lower, digits)
    high = "inf" if upper is None else format_number(upper, digits)
    return f"[{low}, {high}]"


def format_df(df: object, df_denom: object = None) -> str:
    """Degrees of freedom of a test: ``239`` or ``239, 3341`` (no thousands separators)."""
    parts = [format_count(value).replace(",", "") for value in (df, df_denom) if value is not None]
    return ", ".join(part for part in parts if part)


def label_with(name: str, detail: str, language: str) -> str:
    """``"name, detail"`` (Chinese: ``"name，detail"``); just the name if no detail."""
    if not detail:
        return name
    return f"{name}{'，' if language == 'zh' else ', '}{detail}"


def test_distribution(test: Mapping[str, Any]) -> str:
    """The reference distribution with its degrees of freedom: ``F(2, 239)`` or ``χ²(5)``."""
    df = format_df(test.get("df"), test.get("df_denom"))
    name = {"chi2": "χ²", "F": "F", "normal": "z", "t": "t"}.get(str(test.get("distribution")))
    if name is None:
        return df
    return f"{name}({df})" if df and name not in ("z",) else name


def letter(position: int) -> str:
    """Panel letter: A, B, ..., Z, AA, AB, ..."""
    letters = string.ascii_uppercase
    text = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        text = letters[remainder] + text
    return text


def panel_title(position: int, title: str, language: str) -> str:
    """``"Panel A: title"`` or ``"A组：title"``."""
    return word("panel_title", language).format(letter=letter(position), title=title)


def estimator_label(estimator: str, language: str) -> str:
    """Display name of an estimator (``twoway_fe`` -> "Two-way FE")."""
    try:
        return word(f"estimator_{estimator}", language)
    except KeyError:
        return estimator


def covariance_label(result: Mapping[str, Any], language: str) -> str:
    """Short name of the standard errors of a result (``cluster_entity`` -> "Cluster")."""
    cov_type = str(result.get("cov_type", ""))
    try:
        return word(f"se_{cov_type}", language)
    except KeyError:
        return str(result.get("cov_description", cov_type))


def covariance_text(result: Mapping[str, Any], language: str) -> str:
    """The standard errors of a result in words, for notes ("clustered by cluster")."""
    cov_type = str(result.get("cov_type", ""))
    try:
        return word(f"se_text_{cov_type}", language)
    except KeyError:
        return str(result.get("cov_description", cov_type))


def cluster_count_text(result: Mapping[str, Any]) -> str:
    """Numbers of clusters of the standard errors: ``240``, or ``240, 15`` for two-way."""
    if not str(result.get("cov_type", "")).startswith("cluster"):
        return ""
    counts = list((result.get("clusters") or {}).values())
    if not counts and result.get("n_clusters") is not None:
        counts = [result["n_clusters"]]
    return ", ".join(format_count(count) for count in counts)


def key_terms(results: Sequence[Mapping[str, Any]]) -> list[str]:
    """Coefficients of interest (regressors and their lags), first-seen order."""
    terms: list[str] = []
    for result in results:
        controls = set(result.get("spec", {}).get("controls", []))
        for entry in result.get("coefficients", []):
            name = entry["name"]
            base = re.sub(r"_lag\d+$", "", name)
            if name != "const" and name not in controls and base not in controls:
                terms.append(name)
    return list(dict.fromkeys(terms))


def control_terms(results: Sequence[Mapping[str, Any]]) -> list[str]:
    """Control coefficients, first-seen order."""
    terms: list[str] = []
    for result in results:
        controls = set(result.get("spec", {}).get("controls", []))
        terms += [e["name"] for e in result.get("coefficients", []) if e["name"] in controls]
    return list(dict.fromkeys(terms))


def term_labels(names: Sequence[str], config: ProjectConfig) -> dict[str, str]:
    """Display labels of coefficient names (lags and interactions included)."""
    return {name: term_label(name, config) for name in names}


def _significance_note(settings: RenderSettings, language: str) -> str:
    uncertainty = word("se_note" if settings.below == "se" else "t_note", language)
    return ("" if language == "zh" else " ").join(
        [uncertainty, stars_note(settings.stars, language)]
    )


def _controls_text(controls: Sequence[str], config: ProjectConfig) -> str:
    language = config.language
    if not controls:
        return word("none", language)
    separator = "、" if language == "zh" else ", "
    return separator.join(config.label(name) for name in controls)


# --------------------------------------------------------------------------- statistics rows


def statistics_rows(
    results: Sequence[Mapping[str, Any]],
    names: Sequence[str],
    config: ProjectConfig,
    settings: RenderSettings,
    *,
    r2: bool = True,
    mean: bool = True,
) -> tuple[list[Row], list[dict[str, Any]]]:
    """The rows under the coefficients of a panel regression table, and their numbers.

    Fixed effects (cluster, year), the standard errors and the numbers of clusters behind
    them, observations, within R-squared (not for the between or first-difference estimators,
    where it is not what was fitted) and the mean of the dependent variable.

    Returns
    -------
    rows : list of Row
    numbers : list of dict
        Long records ``{"model", "term", "value"}``.
    """
    language = config.language
    rows: list[Row] = []
    numbers: list[dict[str, Any]] = []
    for effect, key in (("entity", "fe_entity"), ("time", "fe_time")):
        present = [effect in result.get("fixed_effects", []) for result in results]
        rows.append(
            Row(word(key, language), tuple(word("yes" if p else "no", language) for p in present))
        )
        numbers += [
            {"model": n, "term": f"fixed_effects:{effect}", "value": float(p)}
            for n, p in zip(names, present, strict=True)
        ]
    rows.append(
        Row(
            word("standard_errors", language), tuple(covariance_label(r, language) for r in results)
        )
    )
    clusters = [cluster_count_text(result) for result in results]
    if any(clusters):
        rows.append(Row(word("n_clusters", language), tuple(clusters)))
    rows.append(
        Row(word("observations", language), tuple(format_count(r.get("n_obs")) for r in results))
    )
    for name, result in zip(names, results, strict=True):
        numbers.append({"model": name, "term": "n_obs", "value": result.get("n_obs")})
        numbers.append({"model": name, "term": "n_clusters", "value": result.get("n_clusters")})
    if r2:
        values = [
            None if r.get("estimator") in ("between", "first_difference") else r.get("r2_within")
            for r in results
        ]
        if any(value is not None for value in values):
            rows.append(
                Row(
                    word("r2_within", language),
                    tuple(format_number(v, settings.digits) for v in values),
                )
            )
            numbers += [
                {"model": n, "term": "r2_within", "value": v}
                for n, v in zip(names, values, strict=True)
            ]
    if mean:
        values = [r.get("mean_dependent") for r in results]
        rows.append(
            Row(
                word("mean_dependent", language),
                tuple(format_number(v, settings.digits) for v in values),
            )
        )
        numbers += [
            {"model": n, "term": "mean_dependent", "value": v}
            for n, v in zip(names, values, strict=True)
        ]
    return rows, numbers


def _coefficient_table(
    results: Sequence[Mapping[str, Any]],
    names: Sequence[str],
    groups: Sequence[str],
    terms: Sequence[str],
    config: ProjectConfig,
    settings: RenderSettings,
    *,
    dependent: str | None,
    title: str,
    label: str,
) -> Table:
    """Header, coefficient panel and notes of a regression table (no statistics rows)."""
    models = []
    for result, name, group in zip(results, names, groups, strict=True):
        model = model_from_panel_record(result, name=name, group=group)
        model["stats"] = {}
        models.append(model)
    labels = {**term_labels(terms, config)}
    if dependent is not None:
        labels[dependent] = config.label(dependent)
    return regression_table(
        models,
        terms,
        labels,
        below=settings.below,
        digits=settings.digits,
        stars=settings.stars,
        language=config.language,
        title=title,
        label=label,
        dependent=dependent,
    )


def _common_outcome(results: Sequence[Mapping[str, Any]]) -> str | None:
    outcomes = {str(r.get("spec", {}).get("outcome") or r.get("dependent")) for r in results}
    return outcomes.pop() if len(outcomes) == 1 else None


def _with_statistics(
    table: Table,
    rows: Sequence[Row],
    numbers: Sequence[Mapping[str, Any]],
    *,
    first_title: str = "",
    extra_panels: Sequence[Panel] = (),
    extra_numbers: Sequence[Mapping[str, Any]] = (),
    notes: Sequence[str] = (),
) -> Table:
    coefficients = replace(table.panels[0], title=first_title)
    frame = pd.concat(
        [table.numbers, pd.DataFrame.from_records([*numbers, *extra_numbers])],
        ignore_index=True,
    )
    return replace(
        table,
        panels=(coefficients, Panel("", tuple(rows)), *extra_panels),
        notes=(*notes, *table.notes),
        numbers=frame,
    )


# --------------------------------------------------------------------------- baseline


def baseline_table(
    records: Mapping[str, Record],
    config: ProjectConfig,
    settings: RenderSettings | None = None,
    *,
    tests: Record | None = None,
    show_controls: bool = True,
) -> Table:
    """The baseline regressions: one column per specification, the specification tests below.

    Parameters
    ----------
    records : mapping
        Job name -> record of the ``baseline`` jobs, in configuration order. Jobs that differ
        from an earlier one only in their covariance estimator are left to
        :func:`robustness_table`.
    config : ProjectConfig
        Labels and language.
    settings : RenderSettings, optional
    tests : mapping, optional
        The ``specification_tests`` job record; its tests become Panel B.
    show_controls : bool, default True
        Print the control coefficients (otherwise only the variables of interest).

    Returns
    -------
    Table
        Label ``panel_baseline``. Columns are headed by the estimator and numbered; rows are
        the variables of interest and their lags, the controls, then fixed effects, standard
        errors, clusters, observations, within R-squared and the mean of the dependent
        variable. Its numbers are long (model, term, estimate, std_error, statistic, p_value,
        value), the tests under model ``tests``.
    """
    settings = settings or RenderSettings()
    if not records:
        raise ValueError("the baseline table needs at least one baseline job record")
    language = config.language
    specs = {name: job_specification(record) for name, record in records.items()}
    jobs = main_baseline_jobs(specs)
    results = [result_of(records[job]) for job in jobs]
    names = [f"({i + 1})" for i in range(len(jobs))]
    groups = [estimator_label(str(r.get("estimator")), language) for r in results]
    terms = key_terms(results) + (control_terms(results) if show_controls else [])
    table = _coefficient_table(
        results,
        names,
        groups,
        terms,
        config,
        settings,
        dependent=_common_outcome(results),
        title=word("baseline_title", language),
        label="panel_baseline",
    )
    rows, numbers = statistics_rows(results, names, config, settings)
    notes = [word("constants_note", language)]
    if any(r.get("estimator") in ("between", "first_difference") for r in results):
        notes.append(word("within_note", language))
    if not show_controls:
        controls = control_terms(results)
        notes.append(
            word("controls_note", language).format(controls=_controls_text(controls, config))
        )
    extra: list[Panel] = []
    extra_numbers: list[dict[str, Any]] = []
    first_title = ""
    if tests is not None:
        panel, extra_numbers, test_notes = _specification_test_panel(
            result_of(tests), table.n_columns, config, settings
        )
        if panel.rows:
            first_title = panel_title(0, word("baseline_panel", language), language)
            extra.append(replace(panel, title=panel_title(1, panel.title, language)))
            notes += test_notes
    return _with_statistics(
        table,
        rows,
        numbers,
        first_title=first_title,
        extra_panels=extra,
        extra_numbers=extra_numbers,
        notes=notes,
    )


def _specification_test_panel(
    result: Mapping[str, Any], width: int, config: ProjectConfig, settings: RenderSettings
) -> tuple[Panel, list[dict[str, Any]], list[str]]:
    """Panel B of the baseline table: one row per test with statistic, df and p-value.

    With three or more data columns the panel has its own column heads (statistic, df,
    p-value) in its first row; with two, statistic and p-value; with one, "statistic
    [p-value]". The reference distribution and its degrees of freedom follow the test's name.
    """
    language = config.language
    heads = [word("statistic", language), word("df", language), word("p_value", language)]
    rows: list[Row] = []
    numbers: list[dict[str, Any]] = []
    for key in SPECIFICATION_TESTS:
        test = result.get(key)
        if not test:
            continue
        statistic = format_number(test.get("statistic"), settings.digits)
        df = format_df(test.get("df"), test.get("df_denom"))
        pvalue = format_pvalue(test.get("p_value"))
        if width >= 3:
            cells = (statistic, df, pvalue, *[""] * (width - 3))
        elif width == 2:
            cells = (statistic, pvalue)
        else:
            cells = (f"{statistic} [{pvalue}]",)
        rows.append(
            Row(label_with(word(f"test_{key}", language), test_distribution(test), language), cells)
        )
        for field in ("statistic", "df", "df_denom", "p_value"):
            numbers.append({"model": "tests", "term": f"{key}:{field}", "value": test.get(field)})
    if not rows:
        return Panel(word("tests_panel", language), ()), numbers, []
    if width >= 3:
        rows.insert(0, Row("", (*heads, *[""] * (width - 3))))
    elif width == 2:
        rows.insert(0, Row("", (heads[0], heads[2])))
    spec = result.get("spec", {})
    notes = [
        word("tests_note", language).format(
            estimator=estimator_label(str(spec.get("estimator", "entity_fe")), language),
            controls=_controls_text(spec.get("controls", []), config),
        )
    ]
    if width == 1:
        notes.append(word("tests_brackets_note", language))
    hausman = result.get("hausman") or {}
    statistic = hausman.get("statistic")
    if hausman.get("generalized_inverse") or (statistic is not None and statistic < 0):
        notes.append(word("hausman_note", language))
    return Panel(word("tests_panel", language), tuple(rows)), numbers, notes


# --------------------------------------------------------------------------- robustness


def robustness_table(
    records: Mapping[str, Record],
    config: ProjectConfig,
    settings: RenderSettings | None = None,
) -> Table:
    """The baseline specifications that were estimated under several covariance estimators.

    Parameters
    ----------
    records : mapping
        Job name -> record of the ``baseline`` jobs, in configuration order.
    config : ProjectConfig
    settings : RenderSettings, optional

    Returns
    -------
    Table
        Label ``panel_robustness``: one column per covariance estimator of each group of
        otherwise identical specifications (see :func:`covariance_variants`); rows are the
        variables of interest, then fixed effects, standard errors, clusters and observations.

    Raises
    ------
    ValueError
        If no specification was estimated under more than one covariance estimator.
    """
    settings = settings or RenderSettings()
    language = config.language
    specs = {name: job_specification(record) for name, record in records.items()}
    jobs = [job for group in covariance_variants(specs) for job in group]
    if not jobs:
        raise ValueError(
            "no baseline specification was estimated under more than one covariance estimator"
        )
    results = [result_of(records[job]) for job in jobs]
    names = [f"({i + 1})" for i in range(len(jobs))]
    groups = [estimator_label(str(r.get("estimator")), language) for r in results]
    table = _coefficient_table(
        results,
        names,
        groups,
        key_terms(results),
        config,
        settings,
        dependent=_common_outcome(results),
        title=word("robustness_title", language),
        label="panel_robustness",
    )
    rows, numbers = statistics_rows(results, names, config, settings, r2=False, mean=False)
    controls = control_terms(results)
    notes = [
        word("robustness_note", language),
        word("controls_note", language).format(controls=_controls_text(controls, config)),
    ]
    return _with_statistics(table, rows, numbers, notes=notes)


# --------------------------------------------------------------------------- horizons


def horizons_table(
    record: Record, config: ProjectConfig, settings: RenderSettings | None = None
) -> Table:
    """Local projections: the effect of the treatment on the outcome h years later.

    Parameters
    ----------
    record : mapping
        The ``local_projections`` job record.
    config : ProjectConfig
    settings : RenderSettings, optional

    Returns
    -------
    Table
        Label ``panel_horizons``; one row per horizon with the estimate (and stars), its
        standard error (or t statistic), the confidence interval, observations and clusters.
        Its numbers are the record's table.
    """
    settings = settings or RenderSettings()
    language = config.language
    result = result_of(record)
    spec = result.get("spec", {})
    level = float(spec.get("level", 0.95))
    rows = []
    for entry in result["table"]:
        estimate = format_number(entry["estimate"], settings.digits) + significance_stars(
            entry.get("p_value"), settings.stars
        )
        if settings.below == "t":
            se = entry.get("std_error")
            middle = format_number(entry["estimate"] / se if se else None, settings.digits)
        else:
            middle = format_number(entry.get("std_error"), settings.digits)
        rows.append(
            Row(
                word("horizon_row", language).format(h=entry["horizon"]),
                (
                    estimate,
                    middle,
                    format_interval(entry.get("ci_lower"), entry.get("ci_upper"), settings.digits),
                    format_count(entry.get("n_obs")),
                    format_count(entry.get("n_clusters")),
                ),
            )
        )
    header = make_header(
        [
            word("estimate", language),
            word("se_short" if settings.below == "se" else "t_short", language),
            word("ci", language).format(level=f"{100 * level:g}"),
            word("observations", language),
            word("n_clusters", language),
        ]
    )
    treatment = str(spec.get("treatment", treatment_of(result)))
    outcome = str(spec.get("outcome", ""))
    notes = [
        word("horizons_note", language).format(
            outcome=config.label(outcome),
            treatment=config.label(treatment),
            estimator=estimator_label(str(spec.get("estimator", "twoway_fe")), language),
            controls=_controls_text(spec.get("controls", []), config),
            se=covariance_text(spec, language),
        ),
        stars_note(settings.stars, language),
    ]
    return Table(
        title=word("horizons_title", language).format(treatment=config.label(treatment)),
        columns=header,
        panels=(Panel("", tuple(rows)),),
        notes=tuple(notes),
        label="panel_horizons",
        stub_header=word("horizon", language),
        numbers=pd.DataFrame(result["table"]),
    )


# --------------------------------------------------------------------------- heterogeneity


def group_label(key: str, members: Sequence[str], language: str) -> str:
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


def ordered_groups(groups: Sequence[str]) -> list[str]:
    """Groups with the regions first in their usual order (east, central, west)."""
    known = [g for g in REGIONS if g in groups]
    return known + [g for g in groups if g not in known]


def heterogeneity_title(result: Mapping[str, Any], config: ProjectConfig) -> str:
    """What a heterogeneity analysis splits by: "Region: East, Central, West"."""
    language = config.language
    spec = result.get("spec", {})
    by = str(spec.get("by", ""))
    try:
        by_text = word(by, language)
    except KeyError:
        by_text = config.label(by)
    groups = result.get("groups", {})
    names = [group_label(g, groups.get(g, [g]), language) for g in ordered_groups(list(groups))]
    separator = "、" if language == "zh" else ", "
    colon = "：" if language == "zh" else ": "
    return by_text + colon + separator.join(names)


def heterogeneity_table(
    records: Mapping[str, Record],
    config: ProjectConfig,
    settings: RenderSettings | None = None,
) -> Table:
    """Heterogeneous effects: split-sample and interaction estimates, one panel per grouping.

    Parameters
    ----------
    records : mapping
        Job name -> record of the ``heterogeneity`` jobs, in configuration order.
    config : ProjectConfig
    settings : RenderSettings, optional

    Returns
    -------
    Table
        Label ``panel_heterogeneity``. Columns: the split-sample estimate, its observations and
        clusters, and the group's slope in the pooled interaction model; in each panel one row
        per group (standard errors under the estimates), then the Wald test that the effects
        are equal and the observations of the interaction model. Its numbers are the records'
        tables with a ``grouping`` column, and the tests.
    """
    settings = settings or RenderSettings()
    if not records:
        raise ValueError("the heterogeneity table needs at least one heterogeneity job record")
    language = config.language
    panels = []
    frames = []
    treatment = ""
    first: Mapping[str, Any] = {}
    for position, (job, record) in enumerate(records.items()):
        result = result_of(record)
        first = first or result
        treatment = str(result.get("treatment", treatment_of(result)))
        table_rows = {entry["group"]: entry for entry in result["table"]}
        groups = result.get("groups", {})
        rows = []
        for group in ordered_groups(list(table_rows)):
            entry = table_rows[group]
            split = format_coefficient(
                entry.get("split_estimate"),
                entry.get("split_std_error"),
                entry.get("split_p_value"),
                stars=settings.stars,
                digits=settings.digits,
                below=settings.below,
            )
            pooled = format_coefficient(
                entry.get("interaction_estimate"),
                entry.get("interaction_std_error"),
                entry.get("interaction_p_value"),
                stars=settings.stars,
                digits=settings.digits,
                below=settings.below,
            )
            rows.append(
                Row(
                    group_label(group, groups.get(group, [group]), language),
                    (
                        split[0],
                        format_count(entry.get("split_n_obs")),
                        format_count(entry.get("split_n_entities")),
                        pooled[0],
                    ),
                )
            )
            rows.append(Row("", (split[1], "", "", pooled[1])))
        test = result.get("equal_effects") or {}
        if test:
            rows.append(
                Row(
                    label_with(word("equal_effects", language), test_distribution(test), language),
                    ("", "", "", format_number(test.get("statistic"), settings.digits)),
                )
            )
            rows.append(
                Row(word("p_value", language), ("", "", "", format_pvalue(test.get("p_value"))))
            )
        interaction = result.get("interaction") or {}
        if interaction.get("n_obs") is not None:
            rows.append(
                Row(
                    word("observations", language),
                    ("", "", "", format_count(interaction.get("n_obs"))),
                )
            )
        panels.append(
            Panel(panel_title(position, heterogeneity_title(result, config), language), tuple(rows))
        )
        frame = pd.DataFrame(result["table"])
        frame.insert(0, "grouping", job)
        frame["equal_effects_statistic"] = test.get("statistic")
        frame["equal_effects_p_value"] = test.get("p_value")
        frames.append(frame)
    header = make_header(
        [
            HeaderCell(word("split_samples", language), 3),
            HeaderCell(word("interaction_model", language)),
        ],
        [
            treatment,
            word("observations", language),
            word("n_clusters", language),
            word("treatment_by_group", language).format(treatment=treatment),
        ],
    )
    spec = first.get("spec", {}).get("base", {})
    notes = [
        word("heterogeneity_note", language).format(
            treatment=config.label(treatment),
            outcome=config.label(str(spec.get("outcome", ""))),
            estimator=estimator_label(str(spec.get("estimator", "twoway_fe")), language),
            controls=_controls_text(spec.get("controls", []), config),
        ),
        _significance_note(settings, language),
    ]
    return Table(
        title=word("heterogeneity_title", language).format(treatment=config.label(treatment)),
        columns=header,
        panels=tuple(panels),
        notes=tuple(notes),
        label="panel_heterogeneity",
        stub_header=word("group", language),
        numbers=pd.concat(frames, ignore_index=True),
    )


# --------------------------------------------------------------------------- IV


def matching_ols(
    iv_result: Mapping[str, Any], baseline: Mapping[str, Record]
) -> Mapping[str, Any] | None:
    """The baseline result that is the OLS counterpart of an IV result, if there is one.

    The counterpart has the same estimator, outcome, controls, covariance and years, no lags,
    and the endogenous variables as its regressors.
    """
    spec = iv_result.get("spec", {})
    for record in baseline.values():
        result = result_of(record)
        other = result.get("spec", {})
        if (
            other.get("estimator") == spec.get("estimator")
            and other.get("outcome") == spec.get("outcome")
            and list(other.get("regressors", [])) == list(spec.get("endogenous", []))
            and list(other.get("controls", [])) == list(spec.get("controls", []))
            and other.get("cov_type") == spec.get("cov_type")
            and not other.get("lags")
        ):
            return result
    return None


def _first_stage_pvalue(estimate: float, se: float, result: Mapping[str, Any]) -> float | None:
    if estimate is None or not se:
        return None
    statistic = abs(float(estimate) / float(se))
    inference = result.get("inference", {})
    if inference.get("distribution") == "t" and inference.get("df"):
        return float(2 * distributions.t.sf(statistic, inference["df"]))
    return float(2 * distributions.norm.sf(statistic))


def iv_table(
    records: Mapping[str, Record],
    config: ProjectConfig,
    settings: RenderSettings | None = None,
    *,
    baseline: Mapping[str, Record] | None = None,
) -> Table:
    """Instrumental variables: OLS (Panel A) above 2SLS (Panel B), the first stage (Panel C).

    Parameters
    ----------
    records : mapping
        Job name -> record of the ``iv`` jobs, in configuration order; one column each.
    config : ProjectConfig
    settings : RenderSettings, optional
    baseline : mapping, optional
        The baseline job records; the OLS counterpart of each IV column is taken from them
        (:func:`matching_ols`). Panel A is left out when no column has one.

    Returns
    -------
    Table
        Label ``panel_iv``. Panel C holds the instrument coefficients, the cluster-robust
        first-stage F, the partial R-squared of the excluded instruments, the
        Kleibergen-Paap rk Wald F, the Anderson-Rubin test and its confidence set.
    """
    settings = settings or RenderSettings()
    if not records:
        raise ValueError("the IV table needs at least one IV job record")
    language = config.language
    digits = settings.digits
    results = [result_of(record) for record in records.values()]
    names = [f"({i + 1})" for i in range(len(results))]
    width = len(results)
    ols = [matching_ols(result, baseline or {}) for result in results]
    endogenous = list(
        dict.fromkeys(name for r in results for name in r.get("spec", {}).get("endogenous", []))
    )
    numbers: list[dict[str, Any]] = []

    def coefficient_rows(source: Sequence[Mapping[str, Any] | None], model: str) -> list[Row]:
        rows = []
        for variable in endogenous:
            pairs = []
            for name, result in zip(names, source, strict=True):
                entry = coefficient(result, variable) if result else None
                entry = entry or {}
                pairs.append(
                    format_coefficient(
                        entry.get("estimate"),
                        entry.get("std_error"),
                        entry.get("p_value"),
                        stars=settings.stars,
                        digits=digits,
                        below=settings.below,
                    )
                )
                if entry:
                    numbers.append(
                        {
                            "model": name,
                            "panel": model,
                            "term": variable,
                            "estimate": entry.get("estimate"),
                            "std_error": entry.get("std_error"),
                            "p_value": entry.get("p_value"),
                            "ci_lower": entry.get("ci_lower"),
                            "ci_upper": entry.get("ci_upper"),
                        }
                    )
            rows.append(Row(term_label(variable, config), tuple(p[0] for p in pairs)))
            rows.append(Row("", tuple(p[1] for p in pairs)))
        rows.append(
            Row(
                word("observations", language),
                tuple(format_count(r.get("n_obs")) if r else "" for r in source),
            )
        )
        return rows

    panels = []
    if any(result is not None for result in ols):
        panels.append(
            Panel(
                panel_title(len(panels), word("ols_panel", language), language),
                tuple(coefficient_rows(ols, "ols")),
            )
        )
    panels.append(
        Panel(
            panel_title(len(panels), word("iv_panel", language), language),
            tuple(coefficient_rows(results, "iv")),
        )
    )
    panels.append(
        Panel(
            panel_title(len(panels), word("first_stage_panel", language), language),
            tuple(_first_stage_rows(results, names, config, settings, numbers)),
        )
    )
    rows, statistics = statistics_rows(results, names, config, settings, r2=False, mean=False)
    rows = [row for row in rows if row.label != word("observations", language)]
    panels.append(Panel("", tuple(rows)))
    numbers += statistics
    level = float(results[0].get("spec", {}).get("level", 0.95))
    instruments = list(
        dict.fromkeys(name for r in results for name in r.get("spec", {}).get("instruments", []))
    )
    notes = [
        word("iv_note", language).format(
            instruments=_controls_text(instruments, config),
            level=f"{100 * level:g}",
        )
    ]
    if any(result is not None for result in ols):
        notes.append(word("iv_ols_note", language))
    notes.append(_significance_note(settings, language))
    header = make_header(
        [HeaderCell(config.label(_common_outcome(results) or ""), width)],
        [estimator_label(str(r.get("estimator")), language) for r in results],
        names,
    )
    return Table(
        title=word("iv_title", language),
        columns=header,
        panels=tuple(panels),
        notes=tuple(notes),
        label="panel_iv",
        numbers=pd.DataFrame.from_records(numbers),
    )


def _first_stage_rows(
    results: Sequence[Mapping[str, Any]],
    names: Sequence[str],
    config: ProjectConfig,
    settings: RenderSettings,
    numbers: list[dict[str, Any]],
) -> list[Row]:
    language = config.language
    digits = settings.digits
    instruments = list(
        dict.fromkeys(name for r in results for name in r.get("spec", {}).get("instruments", []))
    )
    rows: list[Row] = []
    for instrument in instruments:
        pairs = []
        for name, result in zip(names, results, strict=True):
            entries = {
                entry["name"]: entry
                for stage in result.get("first_stages", [])[:1]
                for entry in stage.get("instruments", [])
            }
            entry = entries.get(instrument, {})
            pvalue = _first_stage_pvalue(entry.get("estimate"), entry.get("std_error"), result)
            pairs.append(
                format_coefficient(
                    entry.get("estimate"),
                    entry.get("std_error"),
                    pvalue,
                    stars=settings.stars,
                    digits=digits,
                    below=settings.below,
                )
            )
            if entry:
                numbers.append(
                    {
                        "model": name,
                        "panel": "first_stage",
                        "term": instrument,
                        "estimate": entry.get("estimate"),
                        "std_error": entry.get("std_error"),
                        "p_value": pvalue,
                    }
                )
        rows.append(Row(term_label(instrument, config), tuple(p[0] for p in pairs)))
        rows.append(Row("", tuple(p[1] for p in pairs)))

    def stage(result: Mapping[str, Any], key: str) -> Any:
        stages = result.get("first_stages") or [{}]
        return stages[0].get(key)

    diagnostics = [
        ("first_stage_f", lambda r: stage(r, "f_statistic"), digits),
        ("partial_r2", lambda r: stage(r, "partial_r2"), digits),
        ("kp_f", lambda r: r.get("kleibergen_paap_rk_wald_f"), digits),
        (
            "ar_statistic",
            lambda r: (r.get("anderson_rubin") or {}).get("test", {}).get("statistic"),
            digits,
        ),
        (
            "ar_p_value",
            lambda r: (r.get("anderson_rubin") or {}).get("test", {}).get("p_value"),
            P_DIGITS,
        ),
    ]
    for key, value_of, places in diagnostics:
        values = [value_of(result) for result in results]
        if all(value is None for value in values):
            continue
        rows.append(Row(word(key, language), tuple(format_number(v, places) for v in values)))
        numbers += [
            {"model": n, "panel": "first_stage", "term": key, "value": v}
            for n, v in zip(names, values, strict=True)
        ]
    sets = [_confidence_set_text(r.get("anderson_rubin"), digits, language) for r in results]
    if any(sets):
        level = float(results[0].get("spec", {}).get("level", 0.95))
        rows.append(Row(word("ar_set", language).format(level=f"{100 * level:g}"), tuple(sets)))
        for name, result in zip(names, results, strict=True):
            for lower, upper in (result.get("anderson_rubin") or {}).get("confidence_set") or []:
                numbers.append(
                    {
                        "model": name,
                        "panel": "first_stage",
                        "term": "ar_confidence_set",
                        "ci_lower": lower,
                        "ci_upper": upper,
                    }
                )
    return rows


def _confidence_set_text(
    anderson_rubin: Mapping[str, Any] | None, digits: int, language: str
) -> str:
    """The Anderson-Rubin confidence set as a union of intervals (empty set spelled out)."""
    if not anderson_rubin:
        return ""
    intervals = anderson_rubin.get("confidence_set")
    if intervals is None:
        return ""
    if not intervals:
        return word("empty_set", language)
    return " ∪ ".join(format_interval(lower, upper, digits) for lower, upper in intervals)
