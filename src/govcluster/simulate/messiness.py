"""The dirt of a yearbook extract: the clean simulated panel written as a messy raw file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from govcluster import columns
from govcluster.simulate.design import (
    INDICATORS,
    MONEY_UNIT_DEFAULT,
    MONEY_UNIT_LARGE,
    UNBOUNDED_KINDS,
    WAN_PER_YI,
    YI_DECIMALS,
    _variable_decimals,
    _variable_kinds,
    raw_variable_columns,
)
from govcluster.simulate.parameters import SimulationParameters


def _province_variants(official: str, short: str) -> tuple[str, ...]:
    return (
        short,
        f" {official}",
        f"{official} ",
        f"{short}\u3000",
        f"\u3000{official}",
        f" {short} ",
    )


def _name_variants(name: str, city: str) -> tuple[str, ...]:
    rest = name[len(city) :]
    return (f"{city} {rest}", f"{city}\u3000{rest}", f"{name} ", f" {name}", f"{name}\u3000")


def _format_number(value: float, decimals: int, thousands: bool) -> str:
    if decimals == 0:
        return f"{value:,.0f}" if thousands else f"{value:.0f}"
    return f"{value:,.{decimals}f}" if thousands else f"{value:.{decimals}f}"


def _count(share: float, total: int) -> int:
    return min(total, int(round(share * total)))


def _gap_years(
    n: int, t: int, parameters: SimulationParameters, rng: np.random.Generator
) -> np.ndarray:
    """Mask (N x T) of the rows kept: a few clusters lose a run of interior years."""
    keep = np.ones((n, t), dtype=bool)
    if parameters.gap_max_years == 0:
        return keep
    for i in sorted(rng.permutation(n)[: min(parameters.gap_clusters, n)]):
        length = min(int(rng.integers(1, parameters.gap_max_years + 1)), t - 2)
        if length <= 0:
            continue
        start = int(rng.integers(1, t - length))
        keep[i, start : start + length] = False
    return keep


def _choose_typos(
    flat: Mapping[str, np.ndarray],
    eligible_rows: np.ndarray,
    n_clusters: int,
    t: int,
    parameters: SimulationParameters,
    rng: np.random.Generator,
) -> list[tuple[int, str]]:
    """Cells (row, variable) for x100 typos: at most one per cluster and variable.

    Only money, count and amount indicators with a value of at least 1 in ``eligible_rows``
    (a boolean mask over the complete panel) qualify.
    """
    kinds = _variable_kinds()
    names = [spec.name for spec in INDICATORS if kinds[spec.name] in UNBOUNDED_KINDS]
    cells: list[tuple[int, str]] = []
    if parameters.n_typos == 0:
        return cells
    for pair in rng.permutation(n_clusters * len(names)):
        cluster, name = int(pair // len(names)), names[int(pair % len(names))]
        rows = cluster * t + np.arange(t)
        candidates = rows[eligible_rows[rows] & (flat[name][rows] >= 1.0)]
        if len(candidates) == 0:
            continue
        cells.append((int(rng.choice(candidates)), name))
        if len(cells) == parameters.n_typos:
            break
    return cells


def _spelling_variants(
    canonical: np.ndarray,
    options_of: Any,
    share: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Replace a share of ``canonical`` by one of ``options_of(position)``.

    Returns the written values and the (position, written) pairs that were changed.
    """
    written = canonical.astype(object).copy()
    positions = np.sort(rng.choice(len(written), size=_count(share, len(written)), replace=False))
    changed = []
    for position in positions:
        options = options_of(int(position))
        written[position] = options[int(rng.integers(0, len(options)))]
        changed.append((int(position), written[position]))
    return written, changed


def _make_messy(
    clusters: pd.DataFrame,
    year_values: np.ndarray,
    values: Mapping[str, np.ndarray],
    parameters: SimulationParameters,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Write the clean panel as a dirty yearbook extract; record every change.

    Rows of the complete panel are numbered ``i * T + j`` (cluster ``i``, year ``j``).
    """
    p = parameters
    n, t = len(clusters), len(year_values)
    ids = clusters[columns.ENTITY].to_numpy()
    variable_names = raw_variable_columns()
    kinds = _variable_kinds()
    decimals = _variable_decimals()
    indicator_names = [spec.name for spec in INDICATORS]
    n_indicators = len(indicator_names)
    money_names = [name for name in variable_names if kinds[name] == "money"]

    def key(row: int) -> dict[str, Any]:
        return {"cluster_id": ids[row // t], "year": int(year_values[row % t])}

    # 1. clusters missing whole interior years
    keep = _gap_years(n, t, p, rng).ravel()
    kept_rows = np.flatnonzero(keep)
    n_rows = len(kept_rows)
    flat = {name: np.asarray(values[name], dtype=float).ravel().copy() for name in variable_names}

    # 2. rows reported in 亿元
    yi_rows = np.sort(
        rng.choice(kept_rows, size=_count(p.yi_yuan_row_share, n_rows), replace=False)
    )
    is_yi = np.zeros(n * t, dtype=bool)
    is_yi[yi_rows] = True

    # 3. x100 typos, never in 亿元 rows
    typo_cells = _choose_typos(flat, keep & ~is_yi, n, t, p, rng)
    typos = []
    for row, name in typo_cells:
        true_value = round(float(flat[name][row]), decimals[name])
        written = round(true_value * p.typo_factor, decimals[name])
        flat[name][row] = written
        typos.append(
            {**key(row), "variable": name, "true_value": true_value, "written_value": written}
        )
    typos.sort(key=lambda item: (item["cluster_id"], item["year"], item["variable"]))

    # 4. empty indicator cells (never a typo cell); cell = position of row in kept_rows x
    #    number of indicators + indicator index
    position_in_kept = {int(row): k for k, row in enumerate(kept_rows)}
    typo_positions = [
        position_in_kept[row] * n_indicators + indicator_names.index(name)
        for row, name in typo_cells
    ]
    candidates = np.setdiff1d(np.arange(n_rows * n_indicators), typo_positions)
    n_missing = min(_count(p.missing_cell_share, n_rows * n_indicators), len(candidates))
    missing_positions = np.sort(rng.choice(candidates, size=n_missing, replace=False))
    missing = np.zeros((n * t, n_indicators), dtype=bool)
    missing[kept_rows[missing_positions // n_indicators], missing_positions % n_indicators] = True
    missing_of = {name: missing[:, k] for k, name in enumerate(indicator_names)}

    # 5. money in 亿元 rows
    for name in money_names:
        flat[name][is_yi] = flat[name][is_yi] / WAN_PER_YI

    # 6. numbers as text, some of at least 1,000 with thousands separators
    eligible_cells = []
    for name in variable_names:
        if kinds[name] not in UNBOUNDED_KINDS:
            continue
        large = np.abs(flat[name][kept_rows]) >= 1000.0
        if name in missing_of:
            large &= ~missing_of[name][kept_rows]
        eligible_cells += [(int(row), name) for row in kept_rows[large]]
    picked = rng.choice(
        len(eligible_cells),
        size=_count(p.thousands_separator_share, len(eligible_cells)),
        replace=False,
    )
    thousands_cells = sorted(eligible_cells[k] for k in picked)
    thousands_set = set(thousands_cells)
    text: dict[str, list[Any]] = {}
    for name in variable_names:
        column_text: list[Any] = []
        for row in kept_rows.tolist():
            if name in missing_of and missing_of[name][row]:
                column_text.append(np.nan)
                continue
            digits = YI_DECIMALS if (name in money_names and is_yi[row]) else decimals[name]
            thousands = (row, name) in thousands_set
            column_text.append(_format_number(flat[name][row], digits, thousands))
        text[name] = column_text

    # 7. spelling variants of provinces and names
    cluster_of = kept_rows // t
    official = clusters[columns.PROVINCE].to_numpy()[cluster_of]
    short = clusters["province_short"].to_numpy()[cluster_of]
    canonical_names = clusters[columns.NAME].to_numpy()[cluster_of]
    cities = clusters["city"].to_numpy()[cluster_of]
    provinces, province_changes = _spelling_variants(
        official,
        lambda k: _province_variants(official[k], short[k]),
        p.province_variant_share,
        rng,
    )
    names, name_changes = _spelling_variants(
        canonical_names,
        lambda k: _name_variants(canonical_names[k], cities[k]),
        p.name_variant_share,
        rng,
    )
    frame = pd.DataFrame(
        {
            columns.ENTITY: ids[cluster_of],
            columns.NAME: names,
            columns.PROVINCE: provinces,
            columns.INDUSTRY: clusters[columns.INDUSTRY].to_numpy()[cluster_of],
            columns.TIME: year_values[kept_rows % t].astype("int64"),
            columns.MONEY_UNIT: np.where(is_yi[kept_rows], MONEY_UNIT_LARGE, MONEY_UNIT_DEFAULT),
            **text,
        }
    )

    # 8. exact duplicates, each right after its original (never a row with a typo)
    typo_rows = {row for row, _ in typo_cells}
    duplicable = [k for k, row in enumerate(kept_rows.tolist()) if row not in typo_rows]
    n_duplicates = min(_count(p.duplicate_share, n_rows), len(duplicable))
    duplicated = sorted(int(k) for k in rng.choice(duplicable, size=n_duplicates, replace=False))
    duplicate_set = set(duplicated)
    order: list[int] = []
    duplicate_positions = []
    for k in range(n_rows):
        order.append(k)
        if k in duplicate_set:
            duplicate_positions.append(len(order))
            order.append(k)
    raw = frame.iloc[order].reset_index(drop=True)

    n_missing_raw = int(raw[indicator_names].isna().sum().sum())
    province_variants = [
        {**key(int(kept_rows[k])), "written": written, "official": official[k]}
        for k, written in province_changes
    ]
    messiness: dict[str, Any] = {
        "n_rows_complete_panel": n * t,
        "n_rows_raw": len(raw),
        "dropped_rows": [key(int(row)) for row in np.flatnonzero(~keep)],
        "n_dropped_rows": int((~keep).sum()),
        "duplicate_rows": duplicate_positions,
        "duplicate_file_rows": [position + 2 for position in duplicate_positions],
        "duplicate_keys": [key(int(kept_rows[k])) for k in duplicated],
        "n_duplicate_rows": len(duplicate_positions),
        "yi_yuan_rows": [key(int(row)) for row in yi_rows],
        "n_yi_yuan_rows": len(yi_rows),
        "n_yi_yuan_rows_raw": int((raw[columns.MONEY_UNIT] == MONEY_UNIT_LARGE).sum()),
        "money_columns": money_names,
        "thousands_separator_cells": [
            {**key(row), "variable": name} for row, name in thousands_cells
        ],
        "n_thousands_separator_cells": len(thousands_cells),
        "missing_cells": [
            {
                **key(int(kept_rows[position // n_indicators])),
                "variable": indicator_names[position % n_indicators],
            }
            for position in missing_positions
        ],
        "n_missing_cells": int(n_missing),
        "n_missing_cells_raw": n_missing_raw,
        "missing_share_raw": n_missing_raw / (len(raw) * n_indicators),
        "typos": typos,
        "typo_factor": p.typo_factor,
        "province_variants": province_variants,
        "province_spellings": {item["written"]: item["official"] for item in province_variants},
        "n_province_variants": len(province_variants),
        "name_variants": [
            {**key(int(kept_rows[k])), "written": written, "canonical": canonical_names[k]}
            for k, written in name_changes
        ],
        "n_name_variants": len(name_changes),
    }
    return raw, messiness
