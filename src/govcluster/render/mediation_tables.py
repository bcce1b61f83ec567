"""Publication tables of the mediation analysis, rendered from the stored results.

Every builder takes the results written by the ``mediation`` rule as a typed
:class:`~govcluster.records.mediation.MediationRecord` (or its JSON dict, read into a record on
entry; fields documented in :mod:`govcluster.mediation.results`), the configuration
(labels and language) and the :class:`~govcluster.render.settings.RenderSettings`, and returns a
:class:`~govcluster.render.tables.Table`. Nothing is re-estimated.

- :func:`paths_table`: total effect c, a paths, direct effect c' and b paths in the layout
  of a regression table, the FE-IV effects (identification-first) below;
- :func:`indirect_table`: indirect effects with Sobel tests, percentile and BCa bootstrap
  intervals and the Wen-Ye stepwise verdicts;
- :func:`parallel_table`: specific indirect effects, proportion mediated, pairwise contrasts;
- :func:`causal_table`: ACME, ADE, total effect and proportion mediated in the layout of R's
  ``summary(mediate)``, and the sensitivity to sequential ignorability;
- :func:`indirect_tests_table`: Aroian, Monte Carlo and joint-significance tests of a*b.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from govcluster.config import ProjectConfig
from govcluster.records.mediation import TOTAL, MediationRecord, as_mediation_record
from govcluster.render.coefficients import coefficient_cells
from govcluster.render.formatting import (
    format_count,
    format_interval,
    format_number,
    format_pvalue,
    significance_stars,
)
from govcluster.render.labels import entity_word, stars_note, word
from govcluster.render.mediation_records import (
    inference_row,
    level_text,
    mediation_path,
    stepwise_decision,
    verdict_text,
)
from govcluster.render.panel_tables import entity_vocabulary
from govcluster.render.regression import regression_table
from govcluster.render.settings import RenderSettings
from govcluster.render.table_text import construct_caption, list_text, panel_title
from govcluster.render.tables import Panel, Row, Table, make_header

Results = MediationRecord | Mapping[str, Any]


def mechanism_label(name: str, config: ProjectConfig) -> str:
    """Row label of a mechanism: "Cluster openness (OPEN)"; the total indirect effect by name."""
    if name == TOTAL:
        return word("total_indirect", config.language)
    return construct_caption(config, name)


def method_word(method: str, language: str) -> str:
    """``percentile`` -> "percentile" (Chinese "百分位"), ``bca`` -> "BCa"."""
    try:
        return word(f"method_{method}", language)
    except KeyError:
        return method


def _controls_text(results: MediationRecord, config: ProjectConfig) -> str:
    return list_text(results.sample.controls_used or results.spec.controls, config)


def _sample_rows(
    results: MediationRecord,
    width: int,
    config: ProjectConfig,
    *,
    bootstrap: bool = False,
    every_column: bool = False,
) -> list[Row]:
    """Observations, clusters (and bootstrap replications) as rows of a ``width`` table.

    The value is in the first column only, or in every column with ``every_column`` (as in a
    regression table whose columns share the sample).
    """
    language = config.language
    values = [
        ("observations", results.sample.n_obs),
        ("n_clusters", results.sample.n_entities),
    ]
    if bootstrap:
        values.append(("bootstrap_replications", results.bootstrap.n_valid))
    rows = []
    for key, value in values:
        text = format_count(value)
        cells = (text,) * width if every_column else (text, *[""] * (width - 1))
        rows.append(Row(word(key, language), cells))
    return rows


def _sample_numbers(results: MediationRecord, *, bootstrap: bool = False) -> list[dict[str, Any]]:
    """The numbers of :func:`_sample_rows`: ``{"term", "value"}`` records."""
    values = [("n_obs", results.sample.n_obs), ("n_clusters", results.sample.n_entities)]
    if bootstrap:
        values.append(("bootstrap_replications", results.bootstrap.n_valid))
    return [{"term": key, "value": value} for key, value in values]


# --------------------------------------------------------------------------- paths


def paths_table(
    results: Results, config: ProjectConfig, settings: RenderSettings | None = None
) -> Table:
    """Path coefficients in the layout of a regression table.

    Parameters
    ----------
    results : mapping
        The mediation JSON.
    config : ProjectConfig
        Labels and language.
    settings : RenderSettings, optional

    Returns
    -------
    Table
        Label ``mediation_paths``. Column (1): the outcome on the treatment (total effect c);
        one column per mechanism on the treatment (its a path); the last column the outcome on
        the treatment and all mechanisms (direct effect c' and the b paths). Below: fixed
        effects, controls, standard errors, clusters, observations; when the analysis used
        instruments, Panel B holds the FE-IV effect of the treatment on the outcome and each
        mechanism (identification-first evidence) with the first-stage F.
    """
    settings = settings or RenderSettings()
    results = as_mediation_record(results)
    language = config.language
    spec = results.spec
    treatment, outcome = spec.treatment, spec.outcome
    mediators = list(spec.mediators)

    def triple(entry) -> tuple[Any, Any, Any, Any, Any]:
        return entry.estimate, entry.se, entry.pvalue, entry.ci_lower, entry.ci_upper

    models = [
        {
            "name": "(1)",
            "group": config.label(outcome),
            "params": {treatment: triple(mediation_path(results, "c"))},
        }
    ]
    for position, mediator in enumerate(mediators, start=2):
        models.append(
            {
                "name": f"({position})",
                "group": config.label(mediator),
                "params": {treatment: triple(mediation_path(results, "a", mediator))},
            }
        )
    direct = {treatment: triple(mediation_path(results, "c_prime"))}
    for mediator in mediators:
        direct[mediator] = triple(mediation_path(results, "b", mediator))
    models.append(
        {"name": f"({len(mediators) + 2})", "group": config.label(outcome), "params": direct}
    )
    labels = {name: construct_caption(config, name) for name in [treatment, *mediators]}
    table = regression_table(
        models,
        [treatment, *mediators],
        labels,
        below=settings.below,
        digits=settings.digits,
        stars=settings.stars,
        language=language,
        title=word("mediation_paths_title", language),
        label="mediation_paths",
    )
    width = table.n_columns
    effects = spec.effects
    entity = effects in ("twoway", "entity")
    time = effects == "twoway"
    controls = bool(results.sample.controls_used or spec.controls)
    yes, no = word("yes", language), word("no", language)
    named = entity_vocabulary(config, language)
    se = entity_word("se_cluster_entity", language, config.data.entity_label)
    statistics = [
        Row(
            named.get("fe_entity", word("fe_entity", language)), ((yes if entity else no),) * width
        ),
        Row(word("fe_time", language), ((yes if time else no),) * width),
        Row(word("controls", language), ((yes if controls else no),) * width),
        Row(word("standard_errors", language), (se,) * width),
        *_sample_rows(results, width, config, every_column=True),
    ]
    panels = [table.panels[0], Panel("", tuple(statistics))]
    numbers = [
        table.numbers,
        pd.DataFrame(
            [
                {"model": f"({position})", **entry}
                for position in range(1, width + 1)
                for entry in _sample_numbers(results)
            ]
        ),
    ]
    notes = [
        word("paths_note", language).format(
            treatment=config.label(treatment),
            outcome=config.label(outcome),
            a_columns=word(
                "column_range" if len(mediators) > 1 else "column_single", language
            ).format(first=2, last=len(mediators) + 1),
            last=len(mediators) + 2,
            controls=_controls_text(results, config),
        )
    ]
    identification = results.identification
    if "IV" in identification.design:
        panel, frame = _identification_panel(results, width, config, settings)
        panels = [
            Panel(panel_title(0, word("fe_estimates", language), language), table.panels[0].rows),
            panels[1],
            panel,
        ]
        numbers.append(frame)
        caveat = identification.caveat_zh if language == "zh" else identification.caveat_en
        for instrument in spec.instruments:  # variable names in the stored text -> labels
            caveat = caveat.replace(instrument, config.label(instrument))
        if caveat:
            notes.append(caveat)
    return Table(
        title=table.title,
        columns=table.columns,
        panels=tuple(panels),
        notes=(*notes, *table.notes),
        label="mediation_paths",
        numbers=pd.concat(numbers, ignore_index=True),
    )


def _identification_panel(
    results: MediationRecord, width: int, config: ProjectConfig, settings: RenderSettings
) -> tuple[Panel, pd.DataFrame]:
    """Panel B of the paths table: FE-IV effects of the treatment, and the first-stage F."""
    language = config.language
    spec = results.spec
    identification = results.identification
    order = [spec.outcome, *spec.mediators]

    def iv_effect(variable: str) -> tuple[Any, Any, Any]:
        entry = identification.effect(variable)
        if entry is None:
            return None, None, None
        return entry.iv_estimate, entry.iv_se, entry.iv_pvalue

    pairs = []
    for variable in order:
        pairs.append(
            coefficient_cells(
                *iv_effect(variable),
                stars=settings.stars,
                digits=settings.digits,
                below=settings.below,
            )
        )
    pairs.append(("", ""))
    treatment = spec.treatment
    rows = [
        Row(construct_caption(config, treatment), tuple(p[0] for p in pairs)),
        Row("", tuple(p[1] for p in pairs)),
    ]
    f_cluster = None if identification.first_stage is None else identification.first_stage.f_cluster
    if f_cluster is not None:
        cells = [format_number(f_cluster, settings.digits)] * (width - 1) + [""]
        rows.append(Row(word("first_stage_f", language), tuple(cells)))
    title = word("identification_panel", language).format(
        treatment=config.label(treatment), design=identification.design
    )
    frame = pd.DataFrame(
        [
            {
                "model": f"({position})",
                "term": f"iv:{variable}",
                "estimate": iv_effect(variable)[0],
                "std_error": iv_effect(variable)[1],
                "p_value": iv_effect(variable)[2],
            }
            for position, variable in enumerate(order, start=1)
        ]
        + [
            {"model": f"({position})", "term": "first_stage_f", "value": f_cluster}
            for position in range(1, width)
            if f_cluster is not None
        ]
    )
    return Panel(panel_title(1, title, language), tuple(rows)), frame


# --------------------------------------------------------------------------- indirect effects


def indirect_table(
    results: Results, config: ProjectConfig, settings: RenderSettings | None = None
) -> Table:
    """Indirect effects with Sobel tests, bootstrap intervals and the Wen-Ye verdicts.

    Parameters
    ----------
    results : mapping
        The mediation JSON.
    config : ProjectConfig
    settings : RenderSettings, optional

    Returns
    -------
    Table
        Label ``mediation_indirect``. Columns: indirect effect a*b (stars from the p-value of
        the configured bootstrap interval), Sobel z and p, percentile and BCa intervals, the
        stepwise verdict. Panel A: all mechanisms together (and the total indirect effect);
        Panel B: one mechanism at a time. Its numbers are long (model, mediator, method,
        estimate, se, statistic, pvalue, ci_lower, ci_upper, verdict).
    """
    settings = settings or RenderSettings()
    results = as_mediation_record(results)
    language = config.language
    spec = results.spec
    mediators = list(spec.mediators)
    method = spec.ci_method
    level = level_text(results)
    records: list[dict[str, Any]] = []
    panels = []
    for position, model in enumerate(("parallel", "single")):
        names = [*mediators, TOTAL] if model == "parallel" else mediators
        rows = []
        for mediator in names:
            star_row = inference_row(results, method, mediator, model=model)
            sobel = inference_row(results, "sobel", mediator, model=model)
            percentile = inference_row(results, "percentile", mediator, model=model)
            bca = inference_row(results, "bca", mediator, model=model)
            if percentile is not None:
                estimate = percentile.estimate
            else:
                estimate = None if star_row is None else star_row.estimate
            decision = stepwise_decision(results, mediator, model)
            rows.append(
                Row(
                    mechanism_label(mediator, config),
                    (
                        format_number(estimate, settings.digits)
                        + significance_stars(
                            None if star_row is None else star_row.pvalue, settings.stars
                        ),
                        format_number(None if sobel is None else sobel.statistic, settings.digits),
                        format_pvalue(None if sobel is None else sobel.pvalue),
                        format_interval(percentile.ci_lower, percentile.ci_upper, settings.digits)
                        if percentile is not None
                        else "",
                        format_interval(bca.ci_lower, bca.ci_upper, settings.digits)
                        if bca is not None
                        else "",
                        verdict_text(decision, language),
                    ),
                )
            )
            for entry in (sobel, percentile, bca):
                if entry is not None:
                    records.append(
                        {
                            "model": entry.model,
                            "mediator": entry.mediator,
                            "method": entry.method,
                            "estimate": entry.estimate,
                            "se": entry.se,
                            "statistic": entry.statistic,
                            "pvalue": entry.pvalue,
                            "ci_lower": entry.ci_lower,
                            "ci_upper": entry.ci_upper,
                            "verdict": None if decision is None else decision.verdict,
                        }
                    )
        title = word("parallel_model" if model == "parallel" else "single_model", language)
        panels.append(Panel(panel_title(position, title, language), tuple(rows)))
    width = 6
    panels.append(Panel("", tuple(_sample_rows(results, width, config, bootstrap=True))))
    records += [
        {"model": "sample", "method": entry["term"], "value": entry["value"]}
        for entry in _sample_numbers(results, bootstrap=True)
    ]
    header = make_header(
        [
            word("indirect_effect", language),
            word("sobel_z", language),
            word("sobel_p", language),
            word("ci_percentile", language).format(level=level),
            word("ci_bca", language).format(level=level),
            word("verdict", language),
        ]
    )
    n_boot = results.bootstrap.n_valid
    notes = [
        word("indirect_note", language).format(
            method=method_word(method, language), n=format_count(n_boot)
        ),
        stars_note(settings.stars, language),
    ]
    return Table(
        title=word("indirect_title", language),
        columns=header,
        panels=tuple(panels),
        notes=tuple(notes),
        label="mediation_indirect",
        stub_header=word("mechanism", language),
        numbers=pd.DataFrame.from_records(records),
    )


# --------------------------------------------------------------------------- parallel mediation


def parallel_table(
    results: Results, config: ProjectConfig, settings: RenderSettings | None = None
) -> Table:
    """Specific indirect effects, proportion mediated and pairwise contrasts (parallel model).

    Parameters
    ----------
    results : mapping
        The mediation JSON.
    config : ProjectConfig
    settings : RenderSettings, optional

    Returns
    -------
    Table
        Label ``mediation_parallel``. Columns: estimate (stars from the bootstrap p-value),
        bootstrap standard error, bootstrap interval, p-value. Panel A: specific and total
        indirect effects; Panel B: proportion of the total effect mediated; Panel C (with two
        or more mechanisms): every pairwise difference of specific indirect effects. Its
        numbers are long (panel, term, estimate, se, ci_lower, ci_upper, pvalue).
    """
    settings = settings or RenderSettings()
    results = as_mediation_record(results)
    language = config.language
    spec = results.spec
    method = spec.ci_method
    digits = settings.digits
    records: list[dict[str, Any]] = []

    def row(label: str, values: tuple[Any, Any, Any, Any, Any], panel: str, term: str) -> Row:
        estimate, se, lower, upper, pvalue = values
        records.append(
            {
                "panel": panel,
                "term": term,
                "estimate": estimate,
                "se": se,
                "ci_lower": lower,
                "ci_upper": upper,
                "pvalue": pvalue,
            }
        )
        return Row(
            label,
            (
                format_number(estimate, digits) + significance_stars(pvalue, settings.stars),
                format_number(se, digits),
                format_interval(lower, upper, digits),
                format_pvalue(pvalue, n_boot=results.bootstrap.n_valid),
            ),
        )

    sections = [
        (
            "specific_panel",
            [
                row(
                    mechanism_label(e.mediator, config),
                    (e.estimate, e.se, e.ci_lower, e.ci_upper, e.pvalue),
                    "indirect",
                    e.mediator,
                )
                for e in results.indirect
            ],
        ),
        (
            "proportion_panel",
            [
                row(
                    mechanism_label(e.mediator, config),
                    (e.estimate, None, e.ci_lower, e.ci_upper, None),
                    "proportion",
                    e.mediator,
                )
                for e in results.proportion_mediated
            ],
        ),
        (
            "contrast_panel",
            [
                row(
                    e.contrast.replace("-", " − "),
                    (e.estimate, e.se, e.ci_lower, e.ci_upper, e.pvalue),
                    "contrast",
                    e.contrast,
                )
                for e in results.contrasts
            ],
        ),
    ]
    panels = []
    for key, rows in sections:
        if rows:
            panels.append(
                Panel(panel_title(len(panels), word(key, language), language), tuple(rows))
            )
    panels.append(Panel("", tuple(_sample_rows(results, 4, config, bootstrap=True))))
    records += [{"panel": "sample", **entry} for entry in _sample_numbers(results, bootstrap=True)]
    level = level_text(results)
    header = make_header(
        [
            word("estimate", language),
            word("bootstrap_se", language),
            word("ci_method", language).format(level=level, method=method_word(method, language)),
            word("p_value", language),
        ]
    )
    n_boot = results.bootstrap.n_valid
    notes = [
        word("parallel_note", language).format(
            n=format_count(n_boot), method=method_word(method, language)
        ),
        stars_note(settings.stars, language),
    ]
    return Table(
        title=word("parallel_title", language),
        columns=header,
        panels=tuple(panels),
        notes=tuple(notes),
        label="mediation_parallel",
        stub_header=word("mechanism", language),
        numbers=pd.DataFrame.from_records(records),
    )


# --------------------------------------------------------------------------- causal mediation


def causal_table(
    results: Results, config: ProjectConfig, settings: RenderSettings | None = None
) -> Table:
    """Causal mediation (Imai, Keele and Yamamoto 2010) in the layout of R's ``summary(mediate)``.

    Parameters
    ----------
    results : mapping
        The mediation JSON.
    config : ProjectConfig
    settings : RenderSettings, optional

    Returns
    -------
    Table
        Label ``mediation_causal``. One panel per mechanism with the rows ACME, ADE, total
        effect and proportion mediated, each with its estimate, bootstrap interval and
        p-value, then the sensitivity to sequential ignorability: the error correlation rho
        at which the ACME is zero (with its interval) and the two R-squared products at which
        it is zero. The notes state the treatment contrast (``1`` against ``0``: one standard
        deviation of the standardized treatment index) and where each p-value comes from: the
        ACME's from the cluster bootstrap of the configured interval method, the ADE's and the
        total effect's from the cluster-robust Wald tests of c' (single-mediator model) and c.
        Its numbers are long (mediator, term, estimate, ci_lower, ci_upper, p_value, value).
    """
    settings = settings or RenderSettings()
    results = as_mediation_record(results)
    language = config.language
    digits = settings.digits
    spec = results.spec
    single = {entry.mediator: entry for entry in results.single}
    total_path = mediation_path(results, "c")
    panels = []
    records: list[dict[str, Any]] = []
    for position, entry in enumerate(results.causal.mediators):
        acme_inference = inference_row(results, spec.ci_method, entry.mediator, model="single")
        simple = single.get(entry.mediator)
        effects = (
            ("acme", entry.acme, entry.acme_ci, acme_inference.pvalue if acme_inference else None),
            ("ade", entry.ade, entry.ade_ci, simple.p_c_prime if simple else None),
            ("total_effect", entry.total, entry.total_ci, total_path.pvalue),
            ("proportion_mediated", entry.proportion_mediated, (None, None), None),
            ("rho_at_zero", entry.rho_at_zero, entry.rho_at_zero_ci, None),
            ("r2_residual", entry.r2_product_residual, (None, None), None),
            ("r2_total", entry.r2_product_total, (None, None), None),
        )
        rows = []
        for key, estimate, bounds, pvalue in effects:
            # The ACME's p-value is a bootstrap one: at its floor 1/B it reads "< 1/B".
            floor = results.bootstrap.n_valid if key == "acme" else None
            interval = (
                format_interval(bounds[0], bounds[1], digits)
                if any(b is not None for b in bounds)
                else ""
            )
            rows.append(
                Row(
                    word(f"causal_{key}", language),
                    (
                        format_number(estimate, digits),
                        interval,
                        format_pvalue(pvalue, n_boot=floor),
                    ),
                )
            )
            records.append(
                {
                    "mediator": entry.mediator,
                    "term": key,
                    "estimate": estimate,
                    "ci_lower": bounds[0],
                    "ci_upper": bounds[1],
                    "p_value": pvalue,
                }
            )
        title = panel_title(position, mechanism_label(entry.mediator, config), language)
        panels.append(Panel(title, tuple(rows)))
    panels.append(Panel("", tuple(_sample_rows(results, 3, config, bootstrap=True))))
    records += [
        {"mediator": "sample", **entry} for entry in _sample_numbers(results, bootstrap=True)
    ]
    header = make_header(
        [
            word("estimate", language),
            word("ci", language).format(level=level_text(results)),
            word("p_value", language),
        ]
    )
    notes = [
        word("causal_contrast_note", language).format(treatment=config.label(spec.treatment)),
        word("causal_note", language).format(
            level=level_text(results),
            method=method_word(spec.ci_method, language),
            n=format_count(results.bootstrap.n_valid),
        ),
    ]
    return Table(
        title=word("causal_title", language),
        columns=header,
        panels=tuple(panels),
        notes=tuple(notes),
        label="mediation_causal",
        stub_header=word("effect", language),
        numbers=pd.DataFrame.from_records(records),
    )


# --------------------------------------------------------------------------- tests of a*b

#: The inference methods of :func:`indirect_tests_table`, in column order.
TEST_METHODS = ("aroian", "monte_carlo", "joint_significance")


def indirect_tests_table(
    results: Results, config: ProjectConfig, settings: RenderSettings | None = None
) -> Table:
    """Further tests of the indirect effects: Aroian, Monte Carlo and joint significance.

    Parameters
    ----------
    results : mapping
        The mediation JSON.
    config : ProjectConfig
    settings : RenderSettings, optional

    Returns
    -------
    Table
        Label ``mediation_tests``. Columns: the indirect effect a*b, the Aroian (1947) z and
        p-value (the Sobel variance plus the product of the two variances), the Monte Carlo
        interval and p-value (MacKinnon, Lockwood and Williams 2004: draws of a and b from
        their estimated normal distributions), and the joint-significance p-value (the larger
        of the p-values of a and b; Yzerbyt et al. 2018). Panel A: all mechanisms together;
        Panel B: one at a time. Its numbers are long (model, mediator, method, estimate, se,
        statistic, pvalue, ci_lower, ci_upper).
    """
    settings = settings or RenderSettings()
    results = as_mediation_record(results)
    language = config.language
    spec = results.spec
    digits = settings.digits
    level = level_text(results)
    records: list[dict[str, Any]] = []
    panels = []
    for position, model in enumerate(("parallel", "single")):
        rows = []
        for mediator in spec.mediators:
            entries = {m: inference_row(results, m, mediator, model=model) for m in TEST_METHODS}
            aroian, monte_carlo, joint = (entries[m] for m in TEST_METHODS)
            estimate = next((e.estimate for e in entries.values() if e is not None), None)
            rows.append(
                Row(
                    mechanism_label(mediator, config),
                    (
                        format_number(estimate, digits),
                        format_number(None if aroian is None else aroian.statistic, digits),
                        format_pvalue(None if aroian is None else aroian.pvalue),
                        ""
                        if monte_carlo is None
                        else format_interval(monte_carlo.ci_lower, monte_carlo.ci_upper, digits),
                        format_pvalue(None if monte_carlo is None else monte_carlo.pvalue),
                        format_pvalue(None if joint is None else joint.pvalue),
                    ),
                )
            )
            records += [
                {
                    "model": entry.model,
                    "mediator": entry.mediator,
                    "method": entry.method,
                    "estimate": entry.estimate,
                    "se": entry.se,
                    "statistic": entry.statistic,
                    "pvalue": entry.pvalue,
                    "ci_lower": entry.ci_lower,
                    "ci_upper": entry.ci_upper,
                }
                for entry in entries.values()
                if entry is not None
            ]
        title = word("parallel_model" if model == "parallel" else "single_model", language)
        panels.append(Panel(panel_title(position, title, language), tuple(rows)))
    panels.append(Panel("", tuple(_sample_rows(results, 6, config))))
    records += [
        {"model": "sample", "method": entry["term"], "value": entry["value"]}
        for entry in _sample_numbers(results)
    ]
    header = make_header(
        [
            word("indirect_effect", language),
            word("aroian_z", language),
            word("aroian_p", language),
            word("monte_carlo_ci", language).format(level=level),
            word("monte_carlo_p", language),
            word("joint_significance_p", language),
        ]
    )
    notes = [word("tests_of_indirect_note", language).format(n=format_count(spec.n_mc))]
    return Table(
        title=word("tests_of_indirect_title", language),
        columns=header,
        panels=tuple(panels),
        notes=tuple(notes),
        label="mediation_tests",
        stub_header=word("mechanism", language),
        numbers=pd.DataFrame.from_records(records),
    )


# --------------------------------------------------------------------------- moderated mediation

#: Texts of the moderated mediation exhibits (English, Chinese).
MODERATED_WORDS = {
    "title": (
        "Moderated mediation: conditional indirect effects by {moderator}",
        "有调节的中介效应：按{moderator}的条件间接效应",
    ),
    "indirect_panel": ("Conditional indirect effects", "条件间接效应"),
    "direct_panel": ("Conditional direct effect", "条件直接效应"),
    "direct": ("Direct effect", "直接效应"),
    "difference": ("{level} − {versus}", "{level} − {versus}"),
    "slope": ("Index (slope in {moderator})", "调节中介指数（{moderator}斜率）"),
    "clusters": ("Clusters", "集群数"),
    "stage_first": ("the first stage (treatment → mechanism)", "第一阶段（处理→机制）"),
    "stage_second": ("the second stage (mechanism → outcome)", "第二阶段（机制→结果）"),
    "stage_both": ("both stages", "两个阶段"),
    "note": (
        "Indirect effect of {treatment} on {outcome} through each mechanism at each level of "
        "{moderator}, moderation in {stage}; {level}% {method} intervals in brackets "
        "from {n} entity-cluster bootstrap replicates shared by every column (seed {seed}), so "
        "the intervals of the differences are valid. Stars: two-sided {method} p-values.",
        "{treatment}经各机制对{outcome}的间接效应按{moderator}取值分别估计，调节作用于{stage}；"
        "方括号内为{level}%{method}置信区间，基于{n}次集群自助抽样（各列共用同一组抽样，随机种子{seed}），"
        "因此差值的区间有效。星号依据双侧{method}p值。",
    ),
    "method_percentile": ("percentile", "百分位"),
    "method_bca": ("BCa", "BCa"),
    "missing_note": (
        "{n} observation(s) with a missing {moderator} are left out.",
        "{moderator}缺失的{n}个观测值未纳入估计。",
    ),
    "index_note": (
        "The differences from the reference group ({reference}) are the indices of moderated "
        "mediation (Hayes 2015).",
        "与参照组（{reference}）之差即调节中介指数（Hayes 2015）。",
    ),
    "slope_note": (
        "The index of moderated mediation (Hayes 2015) is the change of the indirect effect "
        "per unit of {moderator}.",
        "调节中介指数（Hayes 2015）为{moderator}每增加一个单位间接效应的变化。",
    ),
    "both_note": (
        "With both stages moderated the indirect effect is not linear in the moderator, so no "
        "index of moderated mediation is reported; the differences are.",
        "两个阶段均受调节时间接效应并非调节变量的线性函数，故只报告差值，不报告调节中介指数。",
    ),
}


def moderated_word(key: str, language: str) -> str:
    """A text of the moderated mediation exhibits in ``language``."""
    english, chinese = MODERATED_WORDS[key]
    return chinese if language == "zh" else english


def moderated_level_label(result: Any, level: str, language: str) -> str:
    """Display name of a level: a translated group name, or ``moderator = value``."""
    if result.continuous:
        return level.replace("=", " = ")
    from govcluster.render.panel_records import group_label

    return group_label(level, [], language)


#: Both interval methods of a moderated mediation row, copied to the table's numbers.
BOTH_INTERVALS = ("percentile_lower", "percentile_upper", "bca_lower", "bca_upper")


def moderated_table(
    record: Mapping[str, Any] | Any, config: ProjectConfig, settings: RenderSettings | None = None
) -> Table:
    """Conditional indirect effects by level of the moderator, with their differences.

    Parameters
    ----------
    record : ModeratedMediationResult or its dict
        ``results/estimates/mediation_moderated.json``.
    config : ProjectConfig
    settings : RenderSettings, optional

    Returns
    -------
    Table
        Label ``mediation_moderated``. One column per level of the moderator, then one per
        pair of levels (their difference) or, for a continuous moderator, the index of
        moderated mediation; Panel A: each mechanism and the total indirect effect (estimate
        with stars, interval below), Panel B: the direct effect; then the clusters by level.
        Its numbers are long (column, mediator, estimate, se, pvalue, ci_lower, ci_upper
        of the configured interval, and both the percentile and the BCa bounds). The note
        states the interval method and, when there are any, the observations left out for a
        missing moderator.
    """
    from govcluster.mediation.moderated import ModeratedMediationResult

    settings = settings or RenderSettings()
    result = (
        record
        if isinstance(record, ModeratedMediationResult)
        else ModeratedMediationResult.from_dict(record)
    )
    language = config.language
    digits = settings.digits
    levels = list(result.levels)
    labels = [moderated_level_label(result, level, language) for level in levels]
    moderator = config.label(result.moderator)
    columns: list[tuple[str, str, pd.DataFrame]] = []  # header, key, rows by mediator
    conditional = result.conditional.set_index("mediator")
    for level, label in zip(levels, labels, strict=True):
        columns.append((label, level, conditional[conditional["level"] == level]))
    contrasts = result.index if result.continuous else result.differences
    for (level, versus), rows in contrasts.groupby(["level", "versus"], sort=False):
        if result.continuous:
            header = moderated_word("slope", language).format(moderator=moderator)
            key = "index"
        else:
            header = moderated_word("difference", language).format(
                level=labels[levels.index(level)], versus=labels[levels.index(versus)]
            )
            key = f"{level}-{versus}"
        columns.append((header, key, rows.set_index("mediator")))
    names = [*result.mediators, TOTAL]
    records: list[dict[str, Any]] = []

    def cells(frame_of, mediator: str, column_key: str, value: str) -> tuple[str, str]:
        if mediator not in frame_of.index:
            return "", ""
        row = frame_of.loc[mediator]
        estimate = row[value]
        records.append(
            {
                "column": column_key,
                "mediator": mediator,
                "estimate": estimate,
                "se": row["se"],
                "pvalue": row["p_value"],
                "ci_lower": row["ci_lower"],
                "ci_upper": row["ci_upper"],
                **{c: row.get(c) for c in BOTH_INTERVALS},
            }
        )
        return (
            format_number(estimate, digits) + significance_stars(row["p_value"], settings.stars),
            format_interval(row["ci_lower"], row["ci_upper"], digits),
        )

    rows: list[Row] = []
    for mediator in names:
        pairs = [
            cells(frame, mediator, key, "indirect" if key in levels else "estimate")
            for _, key, frame in columns
        ]
        rows.append(Row(mechanism_label(mediator, config), tuple(p[0] for p in pairs)))
        rows.append(Row("", tuple(p[1] for p in pairs)))
    direct = result.direct.set_index("level")
    direct_cells, direct_ci = [], []
    for _, key, _ in columns:
        if key in levels:
            row = direct.loc[key]
            direct_cells.append(
                format_number(row["estimate"], digits)
                + significance_stars(row["p_value"], settings.stars)
            )
            direct_ci.append(format_interval(row["ci_lower"], row["ci_upper"], digits))
            records.append(
                {
                    "column": key,
                    "mediator": "direct",
                    "estimate": row["estimate"],
                    "se": row["se"],
                    "pvalue": row["p_value"],
                    "ci_lower": row["ci_lower"],
                    "ci_upper": row["ci_upper"],
                    **{c: row.get(c) for c in BOTH_INTERVALS},
                }
            )
        else:
            direct_cells.append("")
            direct_ci.append("")
    direct_rows = (
        Row(moderated_word("direct", language), tuple(direct_cells)),
        Row("", tuple(direct_ci)),
    )
    count_cells = []
    for _, key, _ in columns:
        if key in levels and not result.continuous:
            count = result.clusters_by_level[levels.index(key)]
            count_cells.append(format_count(count))
            records.append({"column": key, "mediator": "n_clusters", "estimate": count})
        else:
            count_cells.append("")
    panels = [
        Panel(panel_title(0, moderated_word("indirect_panel", language), language), tuple(rows)),
        Panel(panel_title(1, moderated_word("direct_panel", language), language), direct_rows),
    ]
    if any(count_cells):
        panels.append(Panel("", (Row(moderated_word("clusters", language), tuple(count_cells)),)))
    level_pct = f"{100 * result.ci_level:g}"
    notes = [
        moderated_word("note", language).format(
            treatment=config.label(result.treatment),
            outcome=config.label(result.outcome),
            moderator=moderator,
            stage=moderated_word(f"stage_{result.stage}", language),
            level=level_pct,
            n=format_count(result.n_valid),
            seed=result.seed,
            method=moderated_word(f"method_{result.ci_method}", language),
        )
    ]
    if result.n_missing_moderator:
        notes.append(
            moderated_word("missing_note", language).format(
                n=format_count(result.n_missing_moderator), moderator=moderator
            )
        )
    if result.stage == "both":
        notes.append(moderated_word("both_note", language))
    elif result.continuous:
        notes.append(moderated_word("slope_note", language).format(moderator=moderator))
    else:
        notes.append(moderated_word("index_note", language).format(reference=labels[0]))
    notes.append(stars_note(settings.stars, language))
    return Table(
        title=moderated_word("title", language).format(moderator=moderator),
        columns=make_header([header for header, _, _ in columns]),
        panels=tuple(panels),
        notes=tuple(notes),
        label="mediation_moderated",
        stub_header=word("mechanism", language),
        numbers=pd.DataFrame.from_records(records),
    )


# --------------------------------------------------------------------------- interaction

#: Columns of the interaction table: quantity key of the record -> (English, Chinese).
INTERACTION_COLUMNS = {
    "acme_control": ("ACME (control)", "ACME（对照）"),
    "acme_treated": ("ACME (treated)", "ACME（处理）"),
    "ade_control": ("ADE (control)", "ADE（对照）"),
    "ade_treated": ("ADE (treated)", "ADE（处理）"),
    "acme_average": ("ACME (average)", "ACME（平均）"),
    "ade_average": ("ADE (average)", "ADE（平均）"),
    "total": ("Total effect", "总效应"),
    "acme_diff": ("ACME (treated) − ACME (control)", "ACME（处理）− ACME（对照）"),
}

INTERACTION_WORDS = {
    "title": (
        "Causal mediation with a treatment-mechanism interaction",
        "含处理与机制交互项的因果中介分析",
    ),
    "note": (
        "Each mechanism alone: linear mechanism and outcome models, the outcome model with "
        "{treatment} × mechanism; cluster fixed effects by the Mundlak device (cluster means "
        "of every time-varying regressor) and year dummies; quasi-Bayesian estimates from "
        "{sims} draws with the covariance clustered by cluster (Imai, Keele and Tingley "
        "2010; R mediation, INT = TRUE); {level}% intervals in brackets. The last column is "
        "the test of equal ACMEs (test.TMint). Stars: two-sided simulation p-values. {contrast}",
        "逐一分析各机制：机制与结果方程均为线性模型，结果方程含{treatment}×机制交互项；"
        "集群固定效应以 Mundlak 方法（各时变解释变量的集群均值）控制，并含年份虚拟变量；"
        "准贝叶斯估计基于{sims}次抽样，协方差按集群聚类（Imai、Keele 和 Tingley，2010；"
        "R mediation，INT = TRUE）；方括号内为{level}%区间。最后一列为两种 ACME 相等的检验"
        "（test.TMint）。星号依据双侧模拟p值。{contrast}",
    ),
}


def interaction_table(
    record: Mapping[str, Any] | Any, config: ProjectConfig, settings: RenderSettings | None = None
) -> Table:
    """ACME and ADE under control and treatment per mechanism, and the test of equal ACMEs.

    Parameters
    ----------
    record : InteractionMediationResult or its dict
        ``results/estimates/mediation_interaction.json``.
    config : ProjectConfig
    settings : RenderSettings, optional

    Returns
    -------
    Table
        Label ``mediation_interaction``: one row per mechanism (estimate with stars, interval
        below), columns :data:`INTERACTION_COLUMNS`; the note states the models, the draws
        and the treatment contrast. Its numbers are long (mediator, quantity, estimate,
        pvalue, ci_lower, ci_upper).
    """
    from govcluster.mediation.interaction import InteractionMediationResult

    settings = settings or RenderSettings()
    result = (
        record
        if isinstance(record, InteractionMediationResult)
        else InteractionMediationResult.from_dict(record)
    )
    language = config.language
    index = 1 if language == "zh" else 0
    rows: list[Row] = []
    records: list[dict[str, Any]] = []
    for mediator, res in zip(result.mediators, result.results, strict=True):
        values = dict(res.effects)
        if res.interaction_test is not None:
            values["acme_diff"] = res.interaction_test
        top, bottom = [], []
        for key in INTERACTION_COLUMNS:
            effect = values.get(key)
            if effect is None:
                top.append("")
                bottom.append("")
                continue
            top.append(
                format_number(effect.estimate, settings.digits)
                + significance_stars(effect.p_value, settings.stars)
            )
            bottom.append(format_interval(effect.ci_lower, effect.ci_upper, settings.digits))
            records.append(
                {
                    "mediator": mediator,
                    "quantity": key,
                    "estimate": effect.estimate,
                    "pvalue": effect.p_value,
                    "ci_lower": effect.ci_lower,
                    "ci_upper": effect.ci_upper,
                }
            )
        rows.append(Row(mechanism_label(mediator, config), tuple(top)))
        rows.append(Row("", tuple(bottom)))
    first = result.results[0]
    treatment = config.label(result.treatment)
    notes = [
        INTERACTION_WORDS["note"][index].format(
            treatment=treatment,
            sims=format_count(first.sims),
            level=f"{100 * first.spec.level:g}",
            contrast=first.contrast.describe(treatment, "zh" if language == "zh" else "en"),
        ),
        stars_note(settings.stars, language),
    ]
    return Table(
        title=INTERACTION_WORDS["title"][index],
        columns=make_header([labels[index] for labels in INTERACTION_COLUMNS.values()]),
        panels=(Panel("", tuple(rows)),),
        notes=tuple(notes),
        label="mediation_interaction",
        stub_header=word("mechanism", language),
        numbers=pd.DataFrame.from_records(records),
    )
