"""Publication tables of the mediation analysis, rendered from the stored results.

Every builder takes the JSON written by the ``mediation`` rule (schema
``govcluster.mediation/1``, documented in :mod:`govcluster.mediation.results`), the configuration
(labels and language) and the :class:`~govcluster.render.settings.RenderSettings`, and returns a
:class:`~govcluster.render.tables.Table`. Nothing is re-estimated.

- :func:`paths_table`: total effect c, a paths, direct effect c' and b paths in the layout
  of a regression table, the FE-IV effects (identification-first) below;
- :func:`indirect_table`: indirect effects with Sobel tests, percentile and BCa bootstrap
  intervals and the Wen-Ye stepwise verdicts;
- :func:`parallel_table`: specific indirect effects, proportion mediated, pairwise contrasts;
- :func:`causal_table`: ACME, ADE and the sensitivity to sequential ignorability.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from govcluster.config import ProjectConfig
from govcluster.render.exhibits import construct_caption
from govcluster.render.formatting import (
    format_coefficient,
    format_count,
    format_number,
    significance_stars,
)
from govcluster.render.labels import stars_note, word
from govcluster.render.panel_tables import (
    format_interval,
    format_pvalue,
    panel_title,
)
from govcluster.render.regression import regression_table
from govcluster.render.settings import RenderSettings
from govcluster.render.tables import Panel, Row, Table, make_header

#: Name of the total indirect effect in the results.
TOTAL = "TOTAL"

Results = Mapping[str, Any]


# --------------------------------------------------------------------------- access


def mediation_path(results: Results, path: str, mediator: str | None = None) -> dict[str, Any]:
    """The path ``a``, ``b`` (of ``mediator``), ``c`` or ``c_prime`` of the results.

    Raises
    ------
    KeyError
        If the results have no such path.
    """
    for entry in results["paths"]:
        if entry["path"] == path and (mediator is None or entry.get("mediator") == mediator):
            return dict(entry)
    raise KeyError(f"the mediation results have no path {path!r} for {mediator!r}")


def inference_row(
    results: Results, method: str, mediator: str, *, model: str = "parallel", kind: str = "indirect"
) -> dict[str, Any]:
    """The ``method`` row of the inference table for an indirect effect (or a contrast).

    Parameters
    ----------
    results : mapping
        The mediation JSON.
    method : str
        ``sobel``, ``aroian``, ``delta``, ``joint_significance``, ``monte_carlo``,
        ``percentile`` or ``bca``.
    mediator : str
        A mediator, ``TOTAL``, or a contrast ``"A-B"``.
    model : {"parallel", "single"}
    kind : {"indirect", "contrast"}

    Returns
    -------
    dict
        Empty when the results have no such row.
    """
    if kind == "contrast":
        effect = f"contrast[{mediator}]"
    elif model == "single":
        effect = f"indirect_single[{mediator}]"
    else:
        effect = f"indirect[{mediator}]"
    for entry in results.get("inference", []):
        if entry["effect"] == effect and entry["method"] == method and entry["model"] == model:
            return dict(entry)
    return {}


def stepwise_decision(results: Results, mediator: str, model: str) -> dict[str, Any]:
    """The Wen-Ye decision for ``mediator`` in ``model`` ("single" or "parallel"), or {}."""
    for decision in results.get("stepwise", {}).get("decisions", []):
        if decision["mediator"] == mediator and decision["model"] == model:
            return dict(decision)
    return {}


def verdict_text(decision: Mapping[str, Any], language: str) -> str:
    """The verdict of a stepwise decision in words (the record's own Chinese wording in zh)."""
    if not decision:
        return ""
    if language == "zh" and decision.get("verdict_zh"):
        return str(decision["verdict_zh"])
    verdict = str(decision.get("verdict", ""))
    try:
        return word(f"verdict_{verdict}", language)
    except KeyError:
        return verdict.replace("_", " ")


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


def _level(results: Results) -> str:
    return f"{100 * float(results['spec'].get('ci_level', 0.95)):g}"


def _separator(language: str) -> str:
    return "" if language == "zh" else " "


def _controls_text(results: Results, config: ProjectConfig) -> str:
    controls = results.get("sample", {}).get("controls_used") or results["spec"].get("controls")
    if not controls:
        return word("none", config.language)
    separator = "、" if config.language == "zh" else ", "
    return separator.join(config.label(name) for name in controls)


def _sample_rows(
    results: Results,
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
    sample = results.get("sample", {})
    values = [
        ("observations", sample.get("n_obs")),
        ("n_clusters", sample.get("n_entities")),
    ]
    if bootstrap:
        values.append(("bootstrap_replications", results.get("bootstrap", {}).get("n_valid")))
    rows = []
    for key, value in values:
        text = format_count(value)
        cells = (text,) * width if every_column else (text, *[""] * (width - 1))
        rows.append(Row(word(key, language), cells))
    return rows


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
    language = config.language
    spec = results["spec"]
    treatment, outcome = spec["treatment"], spec["outcome"]
    mediators = list(spec["mediators"])

    def triple(entry: Mapping[str, Any]) -> tuple[Any, Any, Any]:
        return entry.get("estimate"), entry.get("se"), entry.get("pvalue")

    models = [
        {
            "name": "(1)",
            "group": outcome,
            "params": {treatment: triple(mediation_path(results, "c"))},
        }
    ]
    for position, mediator in enumerate(mediators, start=2):
        models.append(
            {
                "name": f"({position})",
                "group": mediator,
                "params": {treatment: triple(mediation_path(results, "a", mediator))},
            }
        )
    direct = {treatment: triple(mediation_path(results, "c_prime"))}
    for mediator in mediators:
        direct[mediator] = triple(mediation_path(results, "b", mediator))
    models.append({"name": f"({len(mediators) + 2})", "group": outcome, "params": direct})
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
    effects = str(spec.get("effects", "twoway"))
    entity = effects in ("twoway", "entity")
    time = effects == "twoway"
    controls = bool(results.get("sample", {}).get("controls_used") or spec.get("controls"))
    yes, no = word("yes", language), word("no", language)
    statistics = [
        Row(word("fe_entity", language), ((yes if entity else no),) * width),
        Row(word("fe_time", language), ((yes if time else no),) * width),
        Row(word("controls", language), ((yes if controls else no),) * width),
        Row(word("standard_errors", language), (word("se_cluster_entity", language),) * width),
        *_sample_rows(results, width, config, every_column=True),
    ]
    panels = [table.panels[0], Panel("", tuple(statistics))]
    numbers = [table.numbers]
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
    identification = results.get("identification") or {}
    if "IV" in str(identification.get("design", "")):
        panel, frame = _identification_panel(results, width, config, settings)
        panels = [
            Panel(panel_title(0, word("fe_estimates", language), language), table.panels[0].rows),
            panels[1],
            panel,
        ]
        numbers.append(frame)
        caveat = identification.get("caveat_zh" if language == "zh" else "caveat_en")
        if caveat:
            notes.append(str(caveat))
    return Table(
        title=table.title,
        columns=table.columns,
        panels=tuple(panels),
        notes=(*notes, *table.notes),
        label="mediation_paths",
        numbers=pd.concat(numbers, ignore_index=True),
    )


def _identification_panel(
    results: Results, width: int, config: ProjectConfig, settings: RenderSettings
) -> tuple[Panel, pd.DataFrame]:
    """Panel B of the paths table: FE-IV effects of the treatment, and the first-stage F."""
    language = config.language
    spec = results["spec"]
    identification = results["identification"]
    by_variable = {entry["variable"]: entry for entry in identification.get("effects", [])}
    order = [spec["outcome"], *spec["mediators"]]
    pairs = []
    for variable in order:
        entry = by_variable.get(variable, {})
        pairs.append(
            format_coefficient(
                entry.get("iv_estimate"),
                entry.get("iv_se"),
                entry.get("iv_pvalue"),
                stars=settings.stars,
                digits=settings.digits,
                below=settings.below,
            )
        )
    pairs.append(("", ""))
    treatment = spec["treatment"]
    rows = [
        Row(construct_caption(config, treatment), tuple(p[0] for p in pairs)),
        Row("", tuple(p[1] for p in pairs)),
    ]
    first_stage = identification.get("first_stage") or {}
    if first_stage.get("f_cluster") is not None:
        cells = [format_number(first_stage["f_cluster"], settings.digits)] * (width - 1) + [""]
        rows.append(Row(word("first_stage_f", language), tuple(cells)))
    title = word("identification_panel", language).format(
        treatment=config.label(treatment), design=identification.get("design", "")
    )
    frame = pd.DataFrame(
        [
            {
                "model": f"({position})",
                "term": f"iv:{variable}",
                "estimate": by_variable.get(variable, {}).get("iv_estimate"),
                "std_error": by_variable.get(variable, {}).get("iv_se"),
                "p_value": by_variable.get(variable, {}).get("iv_pvalue"),
            }
            for position, variable in enumerate(order, start=1)
        ]
        + [{"model": "", "term": "first_stage_f", "value": first_stage.get("f_cluster")}]
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
    language = config.language
    spec = results["spec"]
    mediators = list(spec["mediators"])
    method = str(spec.get("ci_method", "percentile"))
    level = _level(results)
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
            estimate = percentile.get("estimate", star_row.get("estimate"))
            decision = stepwise_decision(results, mediator, model)
            rows.append(
                Row(
                    mechanism_label(mediator, config),
                    (
                        format_number(estimate, settings.digits)
                        + significance_stars(star_row.get("pvalue"), settings.stars),
                        format_number(sobel.get("statistic"), settings.digits),
                        format_pvalue(sobel.get("pvalue")),
                        format_interval(
                            percentile.get("ci_lower"), percentile.get("ci_upper"), settings.digits
                        )
                        if percentile
                        else "",
                        format_interval(bca.get("ci_lower"), bca.get("ci_upper"), settings.digits)
                        if bca
                        else "",
                        verdict_text(decision, language),
                    ),
                )
            )
            for entry in (sobel, percentile, bca):
                if entry:
                    records.append(
                        {
                            **{k: entry.get(k) for k in ("model", "mediator", "method")},
                            **{
                                k: entry.get(k)
                                for k in ("estimate", "se", "statistic", "pvalue", "ci_lower")
                            },
                            "ci_upper": entry.get("ci_upper"),
                            "verdict": decision.get("verdict"),
                        }
                    )
        title = word("parallel_model" if model == "parallel" else "single_model", language)
        panels.append(Panel(panel_title(position, title, language), tuple(rows)))
    width = 6
    panels.append(Panel("", tuple(_sample_rows(results, width, config, bootstrap=True))))
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
    n_boot = results.get("bootstrap", {}).get("n_valid", spec.get("n_boot"))
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
    language = config.language
    spec = results["spec"]
    method = str(spec.get("ci_method", "percentile"))
    digits = settings.digits
    records: list[dict[str, Any]] = []

    def row(label: str, entry: Mapping[str, Any], panel: str, term: str) -> Row:
        records.append(
            {
                "panel": panel,
                "term": term,
                **{k: entry.get(k) for k in ("estimate", "se", "ci_lower", "ci_upper", "pvalue")},
            }
        )
        return Row(
            label,
            (
                format_number(entry.get("estimate"), digits)
                + significance_stars(entry.get("pvalue"), settings.stars),
                format_number(entry.get("se"), digits),
                format_interval(entry.get("ci_lower"), entry.get("ci_upper"), digits),
                format_pvalue(entry.get("pvalue")),
            ),
        )

    sections = [
        (
            "specific_panel",
            [
                row(mechanism_label(e["mediator"], config), e, "indirect", e["mediator"])
                for e in results.get("indirect", [])
            ],
        ),
        (
            "proportion_panel",
            [
                row(mechanism_label(e["mediator"], config), e, "proportion", e["mediator"])
                for e in results.get("proportion_mediated", [])
            ],
        ),
        (
            "contrast_panel",
            [
                row(e["contrast"].replace("-", " − "), e, "contrast", e["contrast"])
                for e in results.get("contrasts", [])
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
    level = _level(results)
    header = make_header(
        [
            word("estimate", language),
            word("bootstrap_se", language),
            word("ci_method", language).format(level=level, method=method_word(method, language)),
            word("p_value", language),
        ]
    )
    n_boot = results.get("bootstrap", {}).get("n_valid", spec.get("n_boot"))
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
    """Causal mediation (Imai, Keele and Yamamoto 2010) and its sensitivity, per mechanism.

    Parameters
    ----------
    results : mapping
        The mediation JSON.
    config : ProjectConfig
    settings : RenderSettings, optional

    Returns
    -------
    Table
        Label ``mediation_causal``. One row per mechanism with ACME, ADE, total effect,
        proportion mediated, the error correlation rho at which the ACME is zero and the two
        R-squared products at which it is zero; intervals in brackets on the row below. Its
        numbers are one row per mechanism (the curve left out).
    """
    settings = settings or RenderSettings()
    language = config.language
    digits = settings.digits
    rows = []
    records = []
    for entry in results.get("causal", {}).get("mediators", []):

        def interval(key: str, entry: Mapping[str, Any] = entry) -> str:
            bounds = entry.get(key) or [None, None]
            return (
                format_interval(bounds[0], bounds[1], digits)
                if any(b is not None for b in bounds)
                else ""
            )

        rows.append(
            Row(
                mechanism_label(entry["mediator"], config),
                (
                    format_number(entry.get("acme"), digits),
                    format_number(entry.get("ade"), digits),
                    format_number(entry.get("total"), digits),
                    format_number(entry.get("proportion_mediated"), digits),
                    format_number(entry.get("rho_at_zero"), digits),
                    format_number(entry.get("r2_product_residual"), digits),
                    format_number(entry.get("r2_product_total"), digits),
                ),
            )
        )
        rows.append(
            Row(
                "",
                (
                    interval("acme_ci"),
                    interval("ade_ci"),
                    interval("total_ci"),
                    "",
                    interval("rho_at_zero_ci"),
                    "",
                    "",
                ),
            )
        )
        records.append({k: v for k, v in entry.items() if k != "curve" and not k.endswith("_ci")})
        for key in ("acme_ci", "ade_ci", "total_ci", "rho_at_zero_ci"):
            bounds = entry.get(key) or [None, None]
            records[-1][f"{key[:-3]}_ci_lower"] = bounds[0]
            records[-1][f"{key[:-3]}_ci_upper"] = bounds[1]
    sample = _sample_rows(results, 7, config, bootstrap=True)
    header = make_header(
        [
            word(key, language)
            for key in (
                "acme",
                "ade",
                "total_effect",
                "proportion_mediated",
                "rho_at_zero",
                "r2_residual",
                "r2_total",
            )
        ]
    )
    notes = [word("causal_note", language).format(level=_level(results))]
    return Table(
        title=word("causal_title", language),
        columns=header,
        panels=(Panel("", tuple(rows)), Panel("", tuple(sample))),
        notes=tuple(notes),
        label="mediation_causal",
        stub_header=word("mechanism", language),
        numbers=pd.DataFrame.from_records(records),
    )
