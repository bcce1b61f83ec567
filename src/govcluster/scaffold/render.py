"""Writing a :class:`~govcluster.scaffold.propose.DataProposal` as a commented configuration.

:func:`render_config` returns the text of a complete configuration file: simulation off, the
data section pointing at the user's file, every usable column under ``variables`` (those a
role or model names are carried into the analysis panel), no constructs, every cleaning step that
changes values switched off, one two-way fixed-effects model, and the mediation analysis off
with a commented example of how to turn it on. Every value is written as JSON, which is valid
YAML and quotes whatever needs quoting (Chinese headers included).
"""

from __future__ import annotations

import json

from govcluster.scaffold.propose import ColumnProposal, DataProposal


def _value(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _variable_line(column: ColumnProposal) -> str:
    entry: dict[str, object] = {"kind": column.kind}
    if column.column != column.name:
        entry = {"column": column.column, **entry}
        entry["label"] = {"en": column.column, "zh": column.column}
    fields = ", ".join(f"{key}: {_value(value)}" for key, value in entry.items())
    return f"  {column.name}: {{{fields}}}  # {column.note}"


def render_config(
    proposal: DataProposal,
    *,
    name: str,
    data_path: str,
    source: str,
    data_format: str = "auto",
    encoding: str = "auto",
    sheet: str | int = 0,
    estimator: str | None = None,
    cov_type: str | None = None,
) -> str:
    """The text of a complete, commented configuration for the proposal.

    Parameters
    ----------
    proposal : DataProposal
        What :func:`~govcluster.scaffold.propose.propose_configuration` proposed.
    name : str
        Name of the configuration (``config/<name>.yaml``); the run writes under
        ``runs/<name>``.
    data_path : str
        ``data.path``: the data file relative to the project root (or absolute).
    source : str
        How the file was read (format, encoding, sheet), for the header comment.
    data_format, encoding, sheet
        ``data.format``, ``data.encoding`` and ``data.sheet``.
    estimator, cov_type : str, optional
        The model's estimator and standard errors (default: ``twoway_fe`` clustered by
        entity for a panel, ``pooled`` with robust standard errors for a cross-section).

    Returns
    -------
    str
        YAML text that validates against the configuration schema.
    """
    p = proposal
    variables = p.variables
    left_out = [column for column in p.columns if not column.usable]
    by_name = {column.name: column for column in variables}
    choose = "" if p.chosen else "CHOOSE: a guess, set your own (a key of `variables`)"
    time_words = {
        "year": "calendar years",
        "period": "periods numbered by whole numbers",
        "quarter": "quarters",
        "month": "months",
    }[p.time_kind]
    entity_words = p.entity if p.entity is not None else "numbered by file row"
    time_summary = (
        f"{p.n_periods} periods ({p.time}, {time_words})"
        if p.time is not None
        else "a cross-section (one period)"
    )
    lines = [
        f"# Configuration for {data_path}, written by `govcluster init`.",
        f"# {source}; {p.n_rows} rows, {p.n_entities} entities ({entity_words}), {time_summary}.",
        "#",
        "# Check the proposals below (entity, time, the kind of every column), choose the",
        "# outcome and treatment under `roles`, then run:",
        f"#   make run CONFIG=config/{name}.yaml",
        "# config/README.md explains every key; keys left out take the schema's defaults.",
        "# This file is standalone: it replaces config/config.yaml instead of being merged",
        "# into it (make run CONFIG=... passes --replace-workflow-config).",
        f"case: {_value(name)}",
        f"output_root: {_value('runs/' + name)}",
        "seed: 20240601",
        "language: en   # en or zh: the language of table and figure labels",
        "",
        "simulate: {enabled: false}",
        "",
        "data:",
        f"  path: {_value(data_path)}",
        f"  format: {_value(data_format)}",
        f"  encoding: {_value(encoding)}",
        f"  sheet: {_value(sheet)}",
        f"  entity: {_value(p.entity)}   # "
        + ("identifies the entities" if p.entity is not None else "null: one entity per row")
        + (
            f"; other candidates: {', '.join(p.entity_candidates[1:4])}"
            if len(p.entity_candidates) > 1
            else ""
        ),
        "  entity_label: {en: entity, en_plural: entities, zh: 个体}   # e.g. firm/企业, city/城市",
        f"  time: {_value(p.time)}   # "
        + (time_words if p.time is not None else "null: a cross-section, every row in period 1")
        + (
            f"; other candidates: {', '.join(p.time_candidates[1:4])}"
            if len(p.time_candidates) > 1
            else ""
        ),
        f"  time_kind: {p.time_kind}   # year (1800-2100), period (any whole numbers), "
        "quarter or month",
    ]
    lines += [
        "  # Optional text columns: name, province (spellings unified, region derived), industry.",
        "  name: null",
        "  province: null",
        "  industry: null",
        "  money_unit: null   # no unit column: money variables are taken to be in 万元",
        "",
        "# Every numeric column, keyed by its name inside the pipeline. Kinds: money (totals in",
        "# 万元), count, share (percent, 0-100), amount (other non-negative levels), score (give",
        "# min and max), binary (0/1), real (any number), category (text or integer codes:",
        "# indicators of each level but the base, or `absorb` it as fixed effects in a model).",
        "# Check each proposed kind.",
        "variables:",
        *(_variable_line(column) for column in variables),
    ]
    if left_out:
        lines.append("# Columns left out:")
        lines += [f"#   {column.column!s}: {column.note}" for column in left_out]
    lines += [
        "",
        "# No composite indices: the models use the variables themselves.",
        "constructs: {}",
        "controls: {}",
        "",
        "roles:",
        f"  outcome: {_value(p.outcome)}{_column_note(by_name[p.outcome], choose)}",
        f"  treatment: {_value(p.treatment)}{_column_note(by_name[p.treatment], choose)}",
        "  mediators: []",
        "  instruments: []",
        "",
        "# Nothing changes a value of your data unless you turn it on here. Rows missing a",
        "# model's variables are left out by that model and counted in its record.",
        "clean:",
        "  drop_exact_duplicates: false   # repeated rows stop validation instead",
        "  scale_typos: {enabled: false}   # x100 typo correction",
        "  interpolate: {max_gap: 0}   # no filling of missing years",
        "  winsorize: {enabled: false}",
        "  deflate: {enabled: false}",
        "  drop_incomplete: false",
        "",
        "indices: {standardize: false}",
        "",
        "models:",
        "  controls: " + _value(list(p.controls)) + "   # control variables of every model",
        *_model_lines(p, estimator=estimator, cov_type=cov_type),
        "",
        "# Mediation (treatment -> mediator -> outcome) is off. To turn it on, name the",
        "# mediators under roles (e.g. `mediators: [" + _mediator_example(p) + "]`) and use:",
        "# mediation:",
        "#   enabled: true",
        (
            "#   effects: none   # a cross-section: no fixed effects in the equations"
            if p.cross_section
            else "#   effects: twoway   # entity and time fixed effects in every equation"
        ),
        "#   use_instruments: false",
        "#   n_boot: 2000   # entity-cluster bootstrap replicates, seeded by `seed`",
        "mediation: {enabled: false}",
        "",
    ]
    return "\n".join(lines)


_COV_WORDS = {
    "cluster_entity": "standard errors clustered by entity",
    "cluster_twoway": "standard errors clustered by entity and period",
    "driscoll_kraay": "Driscoll-Kraay standard errors",
    "robust": "heteroskedasticity-robust standard errors (HC1)",
    "unadjusted": "homoskedastic standard errors (as printed by most textbooks)",
}


def _model_lines(
    proposal: DataProposal, *, estimator: str | None = None, cov_type: str | None = None
) -> list[str]:
    """The ``models`` entries: two-way FE for a panel, OLS for a cross-section."""
    if proposal.cross_section:
        estimator = estimator or "pooled"
        cov_type = cov_type or "robust"
        comment = [
            "    # A cross-section: OLS of the outcome on the treatment (and controls). Models",
            "    # that need a panel (fixed effects, first differences, lags) stop with a message.",
            "    # Absorb a category as fixed effects with e.g. absorb: [a_category].",
        ]
    else:
        estimator = estimator or "twoway_fe"
        cov_type = cov_type or "cluster_entity"
        comment = [
            "    # The outcome on the treatment; estimators: pooled, entity_fe, twoway_fe (entity",
            "    # and period effects), random, between, first_difference. Further fixed",
            "    # effects: absorb: [industry, industry^year] (keys of categories).",
        ]
    key = {"pooled": "ols"}.get(estimator, estimator)
    return [
        f"  cov_type: {cov_type}   # {_COV_WORDS.get(cov_type, 'standard errors')}",
        "  baseline:",
        *comment,
        f"    {key}: {{estimator: {estimator}}}",
    ]


def _mediator_example(proposal: DataProposal) -> str:
    used = {proposal.outcome, proposal.treatment, *proposal.controls}
    others = [column.name for column in proposal.variables if column.name not in used]
    return others[0] if others else "a_variable"


def _column_note(column: ColumnProposal, choose: str) -> str:
    notes = [
        note for note in (choose, "" if column.column == column.name else column.column) if note
    ]
    return f"   # {'; '.join(notes)}" if notes else ""
