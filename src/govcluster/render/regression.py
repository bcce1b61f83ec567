"""Regression tables in the layout of economics journals.

One column per model; for each variable a row with the estimate and its significance stars and,
under it, the standard error (or the t statistic) in parentheses; then, below a rule, one row per
kind of fixed effects (Yes/No), the clustering variable, the number of clusters, the number of
observations, the within R-squared and the mean of the dependent variable; the star legend as
a note.

Models are plain mappings, so that estimation results read from JSON can be passed as they are::

    {
      "name": "(1)",                      # column header
      "group": "FE",                      # optional: consecutive equal groups share a header
      "params": {"GOV": (0.123, 0.045, 0.006), ...},   # variable -> (estimate, se, p)
                                          # or (estimate, se, p, ci_lower, ci_upper)
      "stats": {
        "n_obs": 3586, "r2_within": 0.41, "n_clusters": 240, "mean_dependent": 0.0,
        "fixed_effects": ["entity", "time"],   # or {"entity": True, "time": False}
        "cluster_var": "cluster_id",           # or a list, for two-way clustering
      },
    }

:func:`model_from_panel_record` turns a typed panel estimate record
(:mod:`govcluster.records.panel`) into such a mapping.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from govcluster.records.base import read_record
from govcluster.records.panel import PanelEstimateRecord, PanelIVEstimateRecord
from govcluster.render.coefficients import below_note_key, coefficient_cells
from govcluster.render.formatting import (
    DEFAULT_STARS,
    format_count,
    format_number,
)
from govcluster.render.labels import Language, stars_note, word
from govcluster.render.tables import HeaderCell, Panel, Row, Table

#: Fixed-effect names with a built-in row label; any other name is labelled by ``labels``.
KNOWN_FIXED_EFFECTS = {"entity": "fe_entity", "time": "fe_time"}

#: Statistics rows, in order: key of ``stats`` -> vocabulary key of the row label.
STAT_ROWS = (
    ("n_clusters", "n_clusters"),
    ("n_obs", "observations"),
    ("r2_within", "r2_within"),
    ("mean_dependent", "mean_dependent"),
)


@dataclass(frozen=True)
class ModelColumn:
    """One model of a regression table, checked and normalised.

    Attributes
    ----------
    name : str
        Column header, e.g. ``"(1)"``.
    params : tuple of (str, float, float, float)
        (variable, estimate, standard error, p-value).
    intervals : tuple of (str, float, float)
        (variable, lower, upper) of the confidence interval, for the variables that have one.
    fixed_effects : tuple of (str, bool)
        Kind of fixed effects and whether the model includes it.
    cluster_vars : tuple of str
        Clustering variable(s) of the standard errors (empty if not clustered).
    stats : tuple of (str, float or None)
        n_obs, r2_within, n_clusters, mean_dependent (None when absent).
    group : str
        Header above the column, shared by consecutive columns of the same group.
    """

    name: str
    params: tuple[tuple[str, float, float, float], ...]
    fixed_effects: tuple[tuple[str, bool], ...]
    cluster_vars: tuple[str, ...]
    stats: tuple[tuple[str, float | None], ...]
    group: str = ""
    intervals: tuple[tuple[str, float, float], ...] = ()

    @classmethod
    def from_mapping(cls, model: Mapping[str, Any]) -> ModelColumn:
        """Build from the mapping described in the module docstring.

        Raises
        ------
        ValueError
            If the model has no name, or a parameter is not an (estimate, se, p) triple.
        """
        if "name" not in model:
            raise ValueError(f"a model needs a 'name' (its column header); got keys {list(model)}")
        params = []
        intervals = []
        for variable, triple in dict(model.get("params", {})).items():
            if len(triple) not in (3, 5):
                raise ValueError(
                    f"model '{model['name']}', parameter '{variable}': expected "
                    f"(estimate, standard error, p-value) or (estimate, standard error, "
                    f"p-value, ci_lower, ci_upper), got {triple!r}"
                )
            params.append((str(variable), *(_float_or_nan(value) for value in triple[:3])))
            if len(triple) == 5:
                intervals.append((str(variable), *(_float_or_nan(v) for v in triple[3:])))
        stats = dict(model.get("stats", {}))
        effects = stats.get("fixed_effects", {})
        if isinstance(effects, Mapping):
            fixed_effects = tuple((str(name), bool(flag)) for name, flag in effects.items())
        else:
            fixed_effects = tuple((str(name), True) for name in effects)
        cluster_var = stats.get("cluster_var") or ()
        if isinstance(cluster_var, str):
            cluster_var = (cluster_var,)
        return cls(
            name=str(model["name"]),
            params=tuple(params),
            fixed_effects=fixed_effects,
            cluster_vars=tuple(str(name) for name in cluster_var),
            stats=tuple((key, _float_or_none(stats.get(key))) for key, _ in STAT_ROWS),
            group=str(model.get("group", "")),
            intervals=tuple(intervals),
        )


def _float_or_nan(value: Any) -> float:
    return float("nan") if value is None else float(value)


def _float_or_none(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if np.isnan(number) else number


def regression_table(
    models: Sequence[Mapping[str, Any]],
    variable_order: Sequence[str],
    labels: Mapping[str, str],
    *,
    below: str = "se",
    digits: int = 3,
    stars: Sequence[float] = DEFAULT_STARS,
    language: Language = "en",
    title: str | None = None,
    label: str = "regression",
    notes: Sequence[str] = (),
    dependent: str | None = None,
    level: float = 0.95,
) -> Table:
    """A regression table with one column per model.

    Parameters
    ----------
    models : sequence of mapping
        Models as described in the module docstring.
    variable_order : sequence of str
        Variables shown, in this order; a variable no model has is skipped, one that only some
        models have is blank in the others.
    labels : mapping
        Display text of variables, fixed effects other than entity/time and cluster
        variables; a name without a label is shown as it is.
    below : {"se", "t", "p", "ci"}, default "se"
        Standard errors, t statistics or p-values in parentheses, or confidence intervals in
        brackets (from the models' interval bounds).
    digits : int, default 3
        Decimals of coefficients, standard errors, R-squared and means.
    stars : sequence of float, default (0.10, 0.05, 0.01)
        Significance thresholds.
    language : {"en", "zh"}, default "en"
        Language of the fixed words (Yes/No, statistics rows, notes).
    title : str, optional
        Caption; default "Regression results".
    label : str, default "regression"
        Table identifier.
    notes : sequence of str
        Notes printed before the standard-error and star notes.
    dependent : str, optional
        Name of the dependent variable; printed (labelled) above the model numbers.
    level : float, default 0.95
        Confidence level of the intervals, for the note when ``below="ci"``.

    Returns
    -------
    Table
        Its ``numbers`` are long: one row per (model, term) with estimate, std_error,
        statistic and p_value for coefficients, and value for statistics.
    """
    columns = [ModelColumn.from_mapping(model) for model in models]
    if not columns:
        raise ValueError("a regression table needs at least one model")
    stars = tuple(stars)
    shown = [v for v in variable_order if any(v in _params(c) for c in columns)]
    coefficient_rows: list[Row] = []
    for variable in shown:
        missing = (None, None, None)
        pairs = [
            coefficient_cells(
                *_params(c).get(variable, missing),
                *dict((v, (lo, hi)) for v, lo, hi in c.intervals).get(variable, (None, None)),
                stars=stars,
                digits=digits,
                below=below,
            )
            for c in columns
        ]
        coefficient_rows.append(Row(labels.get(variable, variable), tuple(p[0] for p in pairs)))
        coefficient_rows.append(Row("", tuple(p[1] for p in pairs)))
    statistic_rows = _statistic_rows(columns, labels, digits=digits, language=language)
    panels = [Panel("", tuple(coefficient_rows))]
    if statistic_rows:
        panels.append(Panel("", tuple(statistic_rows)))
    uncertainty = word(below_note_key(below), language).format(level=f"{100 * level:g}")
    separator = "" if language == "zh" else " "
    return Table(
        title=title if title is not None else word("regression_title", language),
        columns=_header(columns, labels, dependent),
        panels=tuple(panels),
        notes=(*notes, separator.join([uncertainty, stars_note(stars, language)])),
        label=label,
        numbers=_numbers(columns, shown),
    )


def _params(column: ModelColumn) -> dict[str, tuple[float, float, float]]:
    return {variable: (est, se, p) for variable, est, se, p in column.params}


def _header(
    columns: Sequence[ModelColumn], labels: Mapping[str, str], dependent: str | None
) -> tuple[tuple[HeaderCell, ...], ...]:
    rows = []
    if dependent is not None:
        rows.append((HeaderCell(labels.get(dependent, dependent), len(columns)),))
    if any(column.group for column in columns):
        rows.append(
            tuple(
                HeaderCell(group, len(list(members)))
                for group, members in itertools.groupby(columns, key=lambda c: c.group)
            )
        )
    rows.append(tuple(HeaderCell(column.name) for column in columns))
    return tuple(rows)


def _statistic_rows(
    columns: Sequence[ModelColumn], labels: Mapping[str, str], *, digits: int, language: Language
) -> list[Row]:
    rows = []
    effect_names = list(dict.fromkeys(name for c in columns for name, _ in c.fixed_effects))
    for effect in effect_names:
        text = (
            word(KNOWN_FIXED_EFFECTS[effect], language)
            if effect in KNOWN_FIXED_EFFECTS
            else labels.get(effect, effect)
        )
        cells = tuple(
            word("yes" if dict(c.fixed_effects).get(effect, False) else "no", language)
            for c in columns
        )
        rows.append(Row(text, cells))
    if any(c.cluster_vars for c in columns):
        separator = "、" if language == "zh" else ", "
        cells = tuple(
            separator.join(labels.get(name, name) for name in c.cluster_vars) for c in columns
        )
        rows.append(Row(word("cluster_var", language), cells))
    for key, vocabulary_key in STAT_ROWS:
        values = [dict(c.stats)[key] for c in columns]
        if all(value is None for value in values):
            continue
        if key in ("n_obs", "n_clusters"):
            cells = tuple(format_count(value) for value in values)
        else:
            cells = tuple(format_number(value, digits) for value in values)
        rows.append(Row(word(vocabulary_key, language), cells))
    return rows


def _numbers(columns: Sequence[ModelColumn], shown: Sequence[str]) -> pd.DataFrame:
    records = []
    for column in columns:
        params = _params(column)
        intervals = {variable: (lower, upper) for variable, lower, upper in column.intervals}
        for variable in shown:
            if variable not in params:
                continue
            est, se, p = params[variable]
            lower, upper = intervals.get(variable, (np.nan, np.nan))
            records.append(
                {
                    "model": column.name,
                    "term": variable,
                    "estimate": est,
                    "std_error": se,
                    "statistic": est / se if se else np.nan,
                    "p_value": p,
                    "ci_lower": lower,
                    "ci_upper": upper,
                    "value": np.nan,
                }
            )
        for name, present in column.fixed_effects:
            records.append(
                {"model": column.name, "term": f"fixed_effects:{name}", "value": float(present)}
            )
        for key, value in column.stats:
            if value is not None:
                records.append({"model": column.name, "term": key, "value": value})
    frame = pd.DataFrame.from_records(
        records,
        columns=[
            "model",
            "term",
            "estimate",
            "std_error",
            "statistic",
            "p_value",
            "ci_lower",
            "ci_upper",
            "value",
        ],
    )
    return frame


def model_from_panel_record(
    record: PanelEstimateRecord | PanelIVEstimateRecord | Mapping[str, Any],
    *,
    name: str | None = None,
    group: str = "",
) -> dict[str, Any]:
    """The model mapping of :func:`regression_table` from a panel estimate record.

    Parameters
    ----------
    record : PanelEstimateRecord or PanelIVEstimateRecord
        A typed estimate of ``govcluster.panel`` (its JSON dict is read into a record).
    name : str, optional
        Column header; default the record's ``name``.
    group : str, default ""
        Header shared by consecutive columns.

    Returns
    -------
    dict
        ``{"name", "group", "params", "stats"}``; the clustering variables are the names of
        the record's ``clusters``.
    """
    if isinstance(record, Mapping):
        record = read_record(record, where="panel estimate")
    params = {
        entry.name: (
            entry.estimate,
            entry.std_error,
            entry.p_value,
            entry.ci_lower,
            entry.ci_upper,
        )
        for entry in record.coefficients
    }
    r2_within = None if isinstance(record, PanelIVEstimateRecord) else record.r2_within
    return {
        "name": name if name is not None else record.name,
        "group": group,
        "params": params,
        "stats": {
            "n_obs": record.n_obs,
            "r2_within": r2_within,
            "n_clusters": record.n_clusters,
            "mean_dependent": record.mean_dependent,
            "fixed_effects": {
                effect: effect in record.fixed_effects for effect in ("entity", "time")
            },
            "cluster_var": list(record.clusters),
        },
    }
