"""Publication tables of the panel models, rendered from the stored job records.

Every builder takes the job records written by the ``estimate_panel`` rule, as typed
:class:`~govcluster.records.panel.PanelJobRecord` (or their JSON dicts, read into records on
entry), the configuration (labels and language) and the
:class:`~govcluster.render.settings.RenderSettings`, and returns a
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

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd
from scipy import stats as distributions

from govcluster.config import ProjectConfig
from govcluster.records.panel import (
    HeterogeneityRecord,
    LocalProjectionsRecord,
    PanelIVEstimateRecord,
    PanelJobRecord,
    SpecificationTestsRecord,
    as_job_record,
    as_job_records,
)
from govcluster.render.coefficients import below_note_key, coefficient_cells, coefficient_display
from govcluster.render.formatting import (
    format_count,
    format_df,
    format_interval,
    format_number,
    format_pvalue,
    significance_stars,
)
from govcluster.render.labels import entity_word, stars_note, term_label, word
from govcluster.render.panel_records import (
    Estimate,
    common_outcome,
    control_terms,
    covariance_label,
    covariance_text,
    covariance_variants,
    estimator_label,
    fit_statistics,
    group_label,
    group_members,
    heterogeneity_title,
    job_specification,
    key_terms,
    main_baseline_jobs,
    matching_ols,
    ordered_groups,
    se_cluster_counts,
    test_distribution,
)
from govcluster.render.regression import model_from_panel_record, regression_table
from govcluster.render.settings import RenderSettings
from govcluster.render.table_text import label_with, list_text, panel_title
from govcluster.render.tables import HeaderCell, Panel, Row, Table, make_header

#: Specification tests of Panel B of the baseline table, in order.
SPECIFICATION_TESTS = ("poolability", "breusch_pagan", "hausman", "mundlak")

Record = PanelJobRecord | Mapping[str, Any]

#: Row labels of the wild cluster bootstrap results (English, Chinese).
_WILD_LABELS = {
    "p": ("Wild bootstrap p-value", "野聚类自助法 p 值"),
    "ci": ("Wild bootstrap {level}% CI", "野聚类自助法 {level}% 置信区间"),
}


def wild_bootstrap_rows(
    jobs: Sequence[PanelJobRecord],
    names: Sequence[str],
    terms: Sequence[str],
    config: ProjectConfig,
    settings: RenderSettings,
) -> tuple[list[Row], list[dict[str, Any]], list[str]]:
    """Rows, numbers and notes of the wild cluster bootstrap results of a regression table.

    For each term among ``terms`` that some column reports a wild bootstrap for
    (:mod:`govcluster.inference.panel_wild`): a row of p-values (floored at one over the
    replicates) and a row of confidence intervals by test inversion; the notes are the
    reports' own, each once. Nothing when no column has a wild bootstrap.

    Returns
    -------
    rows : list of Row
    numbers : list of dict
        ``{"model", "term": "wild_p_value:<term>" | "wild_ci_lower:<term>" |
        "wild_ci_upper:<term>", "value"}``, one per printed number.
    notes : list of str
    """
    language = config.language
    reports = [job.wild_bootstrap for job in jobs]
    if not any(report is not None and report.wild_reported for report in reports):
        return [], [], []
    rows: list[Row] = []
    numbers: list[dict[str, Any]] = []
    shown = [
        term
        for term in terms
        if any(r is not None and r.wild_reported and r.row(term) for r in reports)
    ]
    for term in shown:
        suffix = "" if len(shown) == 1 else f" ({term_label(term, config)})"
        p_cells, ci_cells = [], []
        for name, report in zip(names, reports, strict=True):
            row = report.row(term) if report is not None and report.wild_reported else None
            if row is None or row.p_value_wild is None or row.conf_int_wild is None:
                p_cells.append("")
                ci_cells.append("")
                continue
            floor = None if report.enumerated else report.n_draws
            p_cells.append(format_pvalue(row.p_value_wild, n_boot=floor))
            lower, upper = (float(x) for x in row.conf_int_wild)
            finite = [v if abs(v) != float("inf") else None for v in (lower, upper)]
            ci_cells.append(format_interval(finite[0], finite[1], settings.digits))
            numbers.append(
                {"model": name, "term": f"wild_p_value:{term}", "value": row.p_value_wild}
            )
            for key, value in zip(("lower", "upper"), finite, strict=True):
                if value is not None:
                    numbers.append({"model": name, "term": f"wild_ci_{key}:{term}", "value": value})
        level = next(f"{100 * r.level:g}" for r in reports if r is not None and r.wild_reported)
        index = 1 if language == "zh" else 0
        rows.append(Row(_WILD_LABELS["p"][index] + suffix, tuple(p_cells)))
        rows.append(Row(_WILD_LABELS["ci"][index].format(level=level) + suffix, tuple(ci_cells)))
    notes = list(
        dict.fromkeys(r.note(language) for r in reports if r is not None and r.wild_reported)
    )
    return rows, numbers, notes


def _significance_note(settings: RenderSettings, language: str) -> str:
    uncertainty = word(below_note_key(settings.below), language).format(level="95")
    return ("" if language == "zh" else " ").join(
        [uncertainty, stars_note(settings.stars, language)]
    )


def _plural(noun: str) -> str:
    """A regular English plural: firm -> firms, city -> cities, business -> businesses."""
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u"):
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    return noun + "s"


def entity_vocabulary(config: ProjectConfig, language: str) -> dict[str, str]:
    """Row labels naming the entity and the period as the configuration calls them.

    With ``data.entity_label`` ({en: firm, en_plural: firms, zh: 企业}) the entity rows read
    "Firm fixed effects" and "Number of firms" (企业固定效应, 企业数); with a ``data.time_kind``
    other than ``year`` the time row reads "Period fixed effects" (时期固定效应). Empty (the
    default words) otherwise. The number of groups of a clustered covariance keeps its own
    row ("Number of SE clusters"), so the two counts are never confused.
    """
    data = config.data
    out: dict[str, str] = {}
    label = data.entity_label
    if label is not None:
        if language == "zh":
            out["fe_entity"], out["n_entities"] = f"{label.zh}固定效应", f"{label.zh}数"
        else:
            plural = getattr(label, "plural", None) or _plural(label.en)
            out["fe_entity"] = f"{label.en[:1].upper()}{label.en[1:]} fixed effects"
            out["n_entities"] = f"Number of {plural}"
    if data.time_kind != "year":
        out["fe_time"] = "时期固定效应" if language == "zh" else "Period fixed effects"
    return out


#: Words for the columns an absorbed effect is usually built from.
_ABSORBED_WORDS = {
    "year": ("year", "年份"),
    "province": ("province", "省份"),
    "industry": ("industry", "行业"),
    "region": ("region", "地区"),
}


#: Words for a time column of periods (``data.time_kind`` other than year).
_PERIOD_WORDS = ("period", "时期")


def absorbed_effect_label(effect: str, config: ProjectConfig, language: str) -> str:
    """Row label of an absorbed effect: ``industry^year`` -> "Industry × year fixed effects".

    Each part is named by its word (year, province, industry, region; the file's own name of
    the time column, ``industry^fyear``, is the year or period), else by its variable label,
    else by its column name.
    """
    parts = []
    for column in effect.split("^"):
        if column == config.data.time and column not in _ABSORBED_WORDS:
            words = _ABSORBED_WORDS["year"] if config.data.time_kind == "year" else _PERIOD_WORDS
            parts.append(words[1 if language == "zh" else 0])
            continue
        if column in _ABSORBED_WORDS:
            parts.append(_ABSORBED_WORDS[column][1 if language == "zh" else 0])
            continue
        spec = {**config.variables, **config.categories}.get(column)
        label = getattr(spec, "label", None) if spec is not None else None
        text = getattr(label, language, None) if label is not None else None
        parts.append(text or column)
    if language == "zh":
        return "×".join(parts) + "固定效应"
    text = " × ".join(parts)
    return f"{text[:1].upper()}{text[1:]} fixed effects"


def base_level_notes(results: Sequence[Estimate], language: str) -> list[str]:
    """The note stating the base level of each categorical variable, when a model has one."""
    bases: dict[str, str] = {}
    for result in results:
        bases.update(getattr(result, "base_levels", None) or {})
    if not bases:
        return []
    listed = "; ".join(f"{variable}: {level}" for variable, level in bases.items())
    if language == "zh":
        return [f"分类变量的基准组（其指示变量为相对于基准组的差异）：{listed}。"]
    return [
        f"Base levels of the categorical variables (each indicator variable[level] is the "
        f"difference from the base): {listed}."
    ]


def term_labels(names: Sequence[str], config: ProjectConfig) -> dict[str, str]:
    """Display labels of coefficient names (lags and interactions included)."""
    return {name: term_label(name, config) for name in names}


# --------------------------------------------------------------------------- statistics rows


def statistics_rows(
    results: Sequence[Estimate],
    names: Sequence[str],
    config: ProjectConfig,
    settings: RenderSettings,
    *,
    r2: bool = True,
    mean: bool = True,
) -> tuple[list[Row], list[dict[str, Any]]]:
    """The rows under the coefficients of a panel regression table, and their numbers.

    Fixed effects (cluster, year), the standard errors, the number of clusters (entities) in
    the sample, the number of groups of each clustering dimension of the standard errors,
    observations, the fit statistics that suit each estimator
    (:func:`~govcluster.render.panel_records.fit_statistics`: R² for pooled OLS, between and
    first differences, within R² for the fixed-effects estimators and random effects, and the
    adjusted R²) and the mean of the dependent variable. A row is left out when no column has
    a value; a number is recorded exactly when it is printed.

    Returns
    -------
    rows : list of Row
    numbers : list of dict
        Long records ``{"model", "term", "value"}``, one per printed number; the clusters of
        the standard errors are ``n_se_clusters:<variable>``.
    """
    language = config.language
    rows: list[Row] = []
    numbers: list[dict[str, Any]] = []
    vocabulary = entity_vocabulary(config, language)
    for effect, key in (("entity", "fe_entity"), ("time", "fe_time")):
        present = [effect in result.fixed_effects for result in results]
        rows.append(
            Row(
                vocabulary.get(key, word(key, language)),
                tuple(word("yes" if p else "no", language) for p in present),
            )
        )
        numbers += [
            {"model": n, "term": f"fixed_effects:{effect}", "value": float(p)}
            for n, p in zip(names, present, strict=True)
        ]
    # absorbed effects beyond the entity and the period (estimator hdfe: industry^year, ...)
    absorbed = dict.fromkeys(
        effect
        for result in results
        for effect in result.fixed_effects
        if effect not in ("entity", "time")
    )
    for effect in absorbed:
        present = [effect in result.fixed_effects for result in results]
        rows.append(
            Row(
                absorbed_effect_label(effect, config, language),
                tuple(word("yes" if p else "no", language) for p in present),
            )
        )
        numbers += [
            {"model": n, "term": f"fixed_effects:{effect}", "value": float(p)}
            for n, p in zip(names, present, strict=True)
        ]
    rows.append(
        Row(
            word("standard_errors", language),
            tuple(
                covariance_label(
                    r.cov_type, r.cov_description, language, entity_label=config.data.entity_label
                )
                for r in results
            ),
        )
    )
    rows.append(
        Row(
            vocabulary.get("n_entities", word("n_entities", language)),
            tuple(format_count(r.n_entities) for r in results),
        )
    )
    numbers += [
        {"model": n, "term": "n_entities", "value": r.n_entities}
        for n, r in zip(names, results, strict=True)
    ]
    clusters = [se_cluster_counts(result) for result in results]
    if any(clusters):
        rows.append(
            Row(
                word("n_se_clusters", language),
                tuple(", ".join(format_count(c) for c in counts.values()) for counts in clusters),
            )
        )
        numbers += [
            {"model": n, "term": f"n_se_clusters:{variable}", "value": count}
            for n, counts in zip(names, clusters, strict=True)
            for variable, count in counts.items()
        ]
    rows.append(Row(word("observations", language), tuple(format_count(r.n_obs) for r in results)))
    numbers += [
        {"model": n, "term": "n_obs", "value": r.n_obs} for n, r in zip(names, results, strict=True)
    ]
    if r2:
        fits = [fit_statistics(result) for result in results]
        for key in ("r2", "r2_within", "r2_adjusted"):
            values = [fit[key] for fit in fits]
            if all(value is None for value in values):
                continue
            rows.append(
                Row(word(key, language), tuple(format_number(v, settings.digits) for v in values))
            )
            numbers += [
                {"model": n, "term": key, "value": v}
                for n, v in zip(names, values, strict=True)
                if v is not None
            ]
    if mean:
        values = [r.mean_dependent for r in results]
        rows.append(
            Row(
                word("mean_dependent", language),
                tuple(format_number(v, settings.digits) for v in values),
            )
        )
        numbers += [
            {"model": n, "term": "mean_dependent", "value": v}
            for n, v in zip(names, values, strict=True)
            if v is not None
        ]
    return rows, numbers


def _coefficient_table(
    results: Sequence[Estimate],
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
    display = coefficient_display(config.raw)
    terms = display.select(terms)
    labels = {term: display.label(term, text) for term, text in term_labels(terms, config).items()}
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
        level=results[0].spec.level,
    )


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
    tests : PanelJobRecord, optional
        The ``specification_tests`` job record; its tests become Panel B.
    show_controls : bool, default True
        Print the control coefficients (otherwise only the variables of interest and a
        "Controls: Yes/No" row). ``render.coefficients.controls: collapse`` does the same;
        ``render.coefficients`` also selects, orders and renames the coefficients
        (:mod:`govcluster.render.coefficients`).

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
    records = as_job_records(records)
    language = config.language
    specs = {name: job_specification(record) for name, record in records.items()}
    jobs = main_baseline_jobs(specs)
    results = [records[job].result for job in jobs]
    names = [f"({i + 1})" for i in range(len(jobs))]
    groups = [estimator_label(r.estimator, language) for r in results]
    show_controls = show_controls and not coefficient_display(config.raw).collapse_controls
    terms = key_terms(results) + (control_terms(results) if show_controls else [])
    table = _coefficient_table(
        results,
        names,
        groups,
        terms,
        config,
        settings,
        dependent=common_outcome(results),
        title=word("baseline_title", language),
        label="panel_baseline",
    )
    rows, numbers = statistics_rows(results, names, config, settings)
    if not show_controls:
        present = [bool(result.spec.controls) for result in results]
        rows.insert(
            2,
            Row(
                word("controls", language),
                tuple(word("yes" if p else "no", language) for p in present),
            ),
        )
        numbers += [
            {"model": n, "term": "controls", "value": float(p)}
            for n, p in zip(names, present, strict=True)
        ]
    entity = config.data.entity_label
    notes = [word("constants_note", language), entity_word("within_note", language, entity)]
    notes += base_level_notes(results, language)
    if not show_controls:
        controls = control_terms(results)
        notes.append(word("controls_note", language).format(controls=list_text(controls, config)))
    wild_rows, wild_numbers, wild_notes = wild_bootstrap_rows(
        [records[job] for job in jobs], names, key_terms(results), config, settings
    )
    rows += wild_rows
    numbers += wild_numbers
    notes += wild_notes
    extra: list[Panel] = []
    extra_numbers: list[dict[str, Any]] = []
    first_title = ""
    if tests is not None:
        panel, extra_numbers, test_notes = _specification_test_panel(
            as_job_record(tests).result, table.n_columns, config, settings
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
    result: SpecificationTestsRecord, width: int, config: ProjectConfig, settings: RenderSettings
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
    hausman = result.hausman
    classic_defined = hausman.statistic is not None and hausman.statistic >= 0
    for key in SPECIFICATION_TESTS:
        test = result.test(key)
        for field in ("statistic", "df", "df_denom", "p_value"):
            numbers.append(
                {"model": "tests", "term": f"{key}:{field}", "value": getattr(test, field)}
            )
        if key == "hausman" and not classic_defined:
            continue  # reported in its cluster-robust (Mundlak) form below
        name = word(f"test_{key}", language)
        if key == "mundlak" and not classic_defined:
            name = word("test_hausman_robust", language)
        statistic = format_number(test.statistic, settings.digits)
        df = format_df(test.df, test.df_denom)
        pvalue = format_pvalue(test.p_value)
        if width >= 3:
            cells = (statistic, df, pvalue, *[""] * (width - 3))
        elif width == 2:
            cells = (statistic, pvalue)
        else:
            cells = (f"{statistic} [{pvalue}]",)
        rows.append(Row(label_with(name, test_distribution(test), language), cells))
    if width >= 3:
        rows.insert(0, Row("", (*heads, *[""] * (width - 3))))
    elif width == 2:
        rows.insert(0, Row("", (heads[0], heads[2])))
    spec = result.spec
    notes = [
        entity_word("tests_note", language, config.data.entity_label).format(
            estimator=estimator_label(spec.estimator, language),
            controls=list_text(spec.controls, config),
        )
    ]
    if width == 1:
        notes.append(word("tests_brackets_note", language))
    if not classic_defined:
        notes.append(
            entity_word("hausman_undefined_note", language, config.data.entity_label).format(
                statistic=format_number(hausman.statistic, settings.digits)
            )
        )
    elif hausman.generalized_inverse:
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
        otherwise identical specifications (see
        :func:`~govcluster.render.panel_records.covariance_variants`); rows are the variables
        of interest, then fixed effects, standard errors, clusters and observations.

    Raises
    ------
    ValueError
        If no specification was estimated under more than one covariance estimator.
    """
    settings = settings or RenderSettings()
    records = as_job_records(records)
    language = config.language
    specs = {name: job_specification(record) for name, record in records.items()}
    jobs = [job for group in covariance_variants(specs) for job in group]
    if not jobs:
        raise ValueError(
            "no baseline specification was estimated under more than one covariance estimator"
        )
    results = [records[job].result for job in jobs]
    names = [f"({i + 1})" for i in range(len(jobs))]
    groups = [estimator_label(r.estimator, language) for r in results]
    table = _coefficient_table(
        results,
        names,
        groups,
        key_terms(results),
        config,
        settings,
        dependent=common_outcome(results),
        title=word("robustness_title", language),
        label="panel_robustness",
    )
    rows, numbers = statistics_rows(results, names, config, settings, r2=False, mean=False)
    controls = control_terms(results)
    notes = [
        entity_word("robustness_note", language, config.data.entity_label),
        word("controls_note", language).format(controls=list_text(controls, config)),
    ]
    wild_rows, wild_numbers, wild_notes = wild_bootstrap_rows(
        [records[job] for job in jobs], names, key_terms(results), config, settings
    )
    return _with_statistics(
        table, [*rows, *wild_rows], [*numbers, *wild_numbers], notes=[*notes, *wild_notes]
    )


# --------------------------------------------------------------------------- horizons


def horizons_table(
    record: Record, config: ProjectConfig, settings: RenderSettings | None = None
) -> Table:
    """Local projections: the effect of the treatment on the outcome h years later.

    Parameters
    ----------
    record : PanelJobRecord
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
    result: LocalProjectionsRecord = as_job_record(record).result
    spec = result.spec
    rows = []
    for entry in result.table:
        estimate = format_number(entry.estimate, settings.digits) + significance_stars(
            entry.p_value, settings.stars
        )
        if settings.below == "t":
            se = entry.std_error
            middle = format_number(entry.estimate / se if se else None, settings.digits)
        else:
            middle = format_number(entry.std_error, settings.digits)
        rows.append(
            Row(
                word("horizon_row", language).format(h=entry.horizon),
                (
                    estimate,
                    middle,
                    format_interval(entry.ci_lower, entry.ci_upper, settings.digits),
                    format_count(entry.n_obs),
                    format_count(entry.n_clusters),
                ),
            )
        )
    header = make_header(
        [
            word("estimate", language),
            word("se_short" if settings.below == "se" else "t_short", language),
            word("ci", language).format(level=f"{100 * spec.level:g}"),
            word("observations", language),
            word("n_clusters", language),
        ]
    )
    notes = [
        word("horizons_note", language).format(
            outcome=config.label(spec.outcome),
            treatment=config.label(spec.treatment),
            estimator=estimator_label(spec.estimator, language),
            controls=list_text(spec.controls, config),
            se=covariance_text(
                spec.cov_type, spec.cov_type, language, entity_label=config.data.entity_label
            ),
        ),
        stars_note(settings.stars, language),
    ]
    return Table(
        title=word("horizons_title", language).format(treatment=config.label(spec.treatment)),
        columns=header,
        panels=(Panel("", tuple(rows)),),
        notes=tuple(notes),
        label="panel_horizons",
        stub_header=word("horizon", language),
        numbers=pd.DataFrame([entry.to_dict() for entry in result.table]),
    )


# --------------------------------------------------------------------------- heterogeneity


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
    records = as_job_records(records)
    language = config.language
    panels = []
    frames = []
    treatment = ""
    first: HeterogeneityRecord | None = None
    for position, (job, record) in enumerate(records.items()):
        result: HeterogeneityRecord = record.result
        first = first or result
        treatment = result.treatment
        table_rows = {entry.group: entry for entry in result.table}
        rows = []
        for group in ordered_groups(list(table_rows)):
            entry = table_rows[group]
            split = coefficient_cells(
                entry.split_estimate,
                entry.split_std_error,
                entry.split_p_value,
                stars=settings.stars,
                digits=settings.digits,
                below=settings.below,
            )
            pooled = coefficient_cells(
                entry.interaction_estimate,
                entry.interaction_std_error,
                entry.interaction_p_value,
                stars=settings.stars,
                digits=settings.digits,
                below=settings.below,
            )
            rows.append(
                Row(
                    group_label(group, group_members(result, group), language),
                    (
                        split[0],
                        format_count(entry.split_n_obs),
                        format_count(entry.split_n_entities),
                        pooled[0],
                    ),
                )
            )
            rows.append(Row("", (split[1], "", "", pooled[1])))
        test = result.equal_effects
        rows.append(
            Row(
                label_with(word("equal_effects", language), test_distribution(test), language),
                ("", "", "", format_number(test.statistic, settings.digits)),
            )
        )
        rows.append(Row(word("p_value", language), ("", "", "", format_pvalue(test.p_value))))
        rows.append(
            Row(
                word("observations", language),
                ("", "", "", format_count(result.interaction.n_obs)),
            )
        )
        panels.append(
            Panel(panel_title(position, heterogeneity_title(result, config), language), tuple(rows))
        )
        frame = pd.DataFrame([entry.to_dict() for entry in result.table])
        frame.insert(0, "grouping", job)
        frame["equal_effects_statistic"] = test.statistic
        frame["equal_effects_p_value"] = test.p_value
        frame["interaction_n_obs"] = result.interaction.n_obs
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
    spec = first.spec.base
    notes = [
        word("heterogeneity_note", language).format(
            treatment=config.label(treatment),
            outcome=config.label(spec.outcome),
            estimator=estimator_label(spec.estimator, language),
            controls=list_text(spec.controls, config),
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


def _first_stage_pvalue(
    estimate: float | None, se: float | None, result: PanelIVEstimateRecord
) -> float | None:
    if estimate is None or not se:
        return None
    statistic = abs(float(estimate) / float(se))
    inference = result.inference
    if inference.distribution == "t" and inference.df:
        return float(2 * distributions.t.sf(statistic, inference.df))
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
        (:func:`~govcluster.render.panel_records.matching_ols`). Panel A is left out when no
        column has one.

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
    results: list[PanelIVEstimateRecord] = [r.result for r in as_job_records(records).values()]
    names = [f"({i + 1})" for i in range(len(results))]
    width = len(results)
    baseline_records = as_job_records(baseline or {})
    ols = [matching_ols(result, baseline_records) for result in results]
    endogenous = list(dict.fromkeys(name for r in results for name in r.spec.endogenous))
    numbers: list[dict[str, Any]] = []

    def coefficient_rows(source: Sequence[Estimate | None], model: str) -> list[Row]:
        rows = []
        for variable in endogenous:
            pairs = []
            for name, result in zip(names, source, strict=True):
                entry = result.coefficient(variable) if result else None
                if entry is None:
                    pairs.append(
                        coefficient_cells(
                            None,
                            None,
                            None,
                            stars=settings.stars,
                            digits=digits,
                            below=settings.below,
                        )
                    )
                    continue
                pairs.append(
                    coefficient_cells(
                        entry.estimate,
                        entry.std_error,
                        entry.p_value,
                        entry.ci_lower,
                        entry.ci_upper,
                        stars=settings.stars,
                        digits=digits,
                        below=settings.below,
                    )
                )
                numbers.append(
                    {
                        "model": name,
                        "panel": model,
                        "term": variable,
                        "estimate": entry.estimate,
                        "std_error": entry.std_error,
                        "p_value": entry.p_value,
                        "ci_lower": entry.ci_lower,
                        "ci_upper": entry.ci_upper,
                    }
                )
            rows.append(Row(term_label(variable, config), tuple(p[0] for p in pairs)))
            rows.append(Row("", tuple(p[1] for p in pairs)))
        rows.append(
            Row(
                word("observations", language),
                tuple(format_count(r.n_obs) if r else "" for r in source),
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
    level = results[0].spec.level
    instruments = list(dict.fromkeys(name for r in results for name in r.spec.instruments))
    notes = [
        word("iv_note", language).format(
            instruments=list_text(instruments, config),
            level=f"{100 * level:g}",
        )
    ]
    if any(result is not None for result in ols):
        notes.append(word("iv_ols_note", language))
    notes.append(_significance_note(settings, language))
    header = make_header(
        [HeaderCell(config.label(common_outcome(results) or ""), width)],
        [estimator_label(r.estimator, language) for r in results],
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
    results: Sequence[PanelIVEstimateRecord],
    names: Sequence[str],
    config: ProjectConfig,
    settings: RenderSettings,
    numbers: list[dict[str, Any]],
) -> list[Row]:
    language = config.language
    digits = settings.digits
    instruments = list(dict.fromkeys(name for r in results for name in r.spec.instruments))
    rows: list[Row] = []
    for instrument in instruments:
        pairs = []
        for name, result in zip(names, results, strict=True):
            entries = {
                entry.name: entry
                for stage in result.first_stages[:1]
                for entry in stage.instruments
            }
            entry = entries[instrument] if instrument in entries else None
            estimate = None if entry is None else entry.estimate
            std_error = None if entry is None else entry.std_error
            pvalue = _first_stage_pvalue(estimate, std_error, result)
            pairs.append(
                coefficient_cells(
                    estimate,
                    std_error,
                    pvalue,
                    stars=settings.stars,
                    digits=digits,
                    below=settings.below,
                )
            )
            if entry is not None:
                numbers.append(
                    {
                        "model": name,
                        "panel": "first_stage",
                        "term": instrument,
                        "estimate": estimate,
                        "std_error": std_error,
                        "p_value": pvalue,
                    }
                )
        rows.append(Row(term_label(instrument, config), tuple(p[0] for p in pairs)))
        rows.append(Row("", tuple(p[1] for p in pairs)))

    def first_stage(result: PanelIVEstimateRecord, field: str) -> Any:
        return getattr(result.first_stages[0], field) if result.first_stages else None

    def test_of(result: PanelIVEstimateRecord, name: str, field: str) -> Any:
        test = getattr(result, name)
        return None if test is None else getattr(test, field)

    diagnostics = [
        ("first_stage_f", lambda r: first_stage(r, "f_statistic"), digits),
        ("partial_r2", lambda r: first_stage(r, "partial_r2"), digits),
        ("kp_lm", lambda r: test_of(r, "underidentification_lm", "statistic"), digits),
        ("kp_lm_p_value", lambda r: test_of(r, "underidentification_lm", "p_value"), None),
        ("kp_f", lambda r: r.kleibergen_paap_rk_wald_f, digits),
        ("stock_yogo_10", lambda r: stock_yogo_critical_value(r, 0.10), 2),
        ("stock_yogo_15", lambda r: stock_yogo_critical_value(r, 0.15), 2),
        ("olea_pflueger_10", lambda r: olea_pflueger_critical_value(r), digits),
        ("endogeneity", lambda r: test_of(r, "endogeneity", "statistic"), digits),
        ("endogeneity_p_value", lambda r: test_of(r, "endogeneity", "p_value"), None),
        ("ar_statistic", lambda r: r.anderson_rubin.test.statistic, digits),
        ("ar_p_value", lambda r: r.anderson_rubin.test.p_value, None),
    ]
    for key, value_of, places in diagnostics:
        values = [value_of(result) for result in results]
        if all(value is None for value in values):
            continue
        cells = tuple(
            format_pvalue(v) if places is None else format_number(v, places) for v in values
        )
        rows.append(Row(word(key, language), cells))
        numbers += [
            {"model": n, "panel": "first_stage", "term": key, "value": v}
            for n, v in zip(names, values, strict=True)
        ]
    sets = [_confidence_set_text(r, digits, language) for r in results]
    if any(sets):
        level = results[0].spec.level
        rows.append(Row(word("ar_set", language).format(level=f"{100 * level:g}"), tuple(sets)))
        for name, result in zip(names, results, strict=True):
            for lower, upper in result.anderson_rubin.confidence_set or ():
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


#: Stock and Yogo (2005, Table 5.2) critical values of the Cragg-Donald F for a maximal size
#: of a nominal 5% Wald test of 10% and 15%, one endogenous regressor, by number of excluded
#: instruments (the values ``ivreg2`` and ``ivreghdfe`` print).
STOCK_YOGO_SIZE = {1: {0.10: 16.38, 0.15: 8.96}, 2: {0.10: 19.93, 0.15: 11.59}}

#: Montiel Olea and Pflueger (2013) critical value of the effective F for a worst-case bias of
#: 10% of the OLS bias at the 5% level, one instrument (where the effective F equals the
#: robust first-stage F): 23.109.
OLEA_PFLUEGER_JUST_IDENTIFIED = 23.109


def stock_yogo_critical_value(result: PanelIVEstimateRecord, size: float) -> float | None:
    """The Stock-Yogo critical value for ``size``, or None outside the tabulated cases."""
    if len(result.spec.endogenous) != 1:
        return None
    return STOCK_YOGO_SIZE.get(len(result.spec.instruments), {}).get(size)


def olea_pflueger_critical_value(result: PanelIVEstimateRecord) -> float | None:
    """The effective-F critical value (tau = 10%, 5% level) when just identified, else None."""
    just_identified = len(result.spec.endogenous) == len(result.spec.instruments) == 1
    return OLEA_PFLUEGER_JUST_IDENTIFIED if just_identified else None


def _confidence_set_text(result: PanelIVEstimateRecord, digits: int, language: str) -> str:
    """The Anderson-Rubin confidence set as a union of intervals (empty set spelled out)."""
    intervals = result.anderson_rubin.confidence_set
    if intervals is None:
        return ""
    if not intervals:
        return word("empty_set", language)
    return " ∪ ".join(format_interval(lower, upper, digits) for lower, upper in intervals)
