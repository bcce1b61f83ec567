"""The good input every case of the bad-input catalogue starts from, and the mutations.

A case of ``catalogue.yaml`` takes the small, valid panel of :func:`good_table` (4 clusters,
2015-2020, Chinese column names as in a yearbook extract) and its configuration
(:func:`good_config`), applies its mutations, writes the file and runs the pipeline's own
functions stage by stage (see ``test_catalogue.py``).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

CLUSTERS = ("A01", "A02", "A03", "A04")
YEARS = tuple(range(2015, 2021))
PROVINCES = ("浙江", "江苏", "广东", "山东")
INDUSTRIES = ("纺织", "电子", "机械", "化工")
NAMES = ("绍兴纺织集群", "苏州电子集群", "佛山机械集群", "淄博化工集群")

#: Column of the file for each variable of the good configuration.
COLUMNS = {
    "subsidy": "补贴",
    "platforms": "平台数",
    "export_share": "出口占比",
    "trust": "信任",
    "founded": "成立年份",
    "demo": "示范",
}

#: ASCII column names, for cases whose file has no Chinese header.
ASCII_COLUMNS = {
    "集群编码": "cluster_id",
    "年份": "year",
    "名称": "name",
    "省份": "province",
    "行业": "industry",
    "单位": "unit",
    "补贴": "subsidy",
    "平台数": "platforms",
    "出口占比": "export_share",
    "信任": "trust",
    "成立年份": "founded",
    "示范": "demo",
}


def good_table() -> pd.DataFrame:
    """The good panel as text, one row per cluster and year (file row = index + 2)."""
    rows = []
    for c, cluster in enumerate(CLUSTERS):
        for t, year in enumerate(YEARS):
            rows.append(
                {
                    "集群编码": cluster,
                    "年份": str(year),
                    "名称": NAMES[c],
                    "省份": PROVINCES[c],
                    "行业": INDUSTRIES[c],
                    "单位": "万元",
                    "补贴": f"{1000 * (c + 1) + 37 * t + 11 * (t % 2):.1f}",
                    "平台数": str(20 + 5 * c + t + (t % 3)),
                    "出口占比": f"{20 + 4 * c + 1.5 * t - (t % 2):.1f}",
                    "信任": f"{5 + 0.3 * c + 0.2 * t:.1f}",
                    "成立年份": str(1990 + 3 * c),
                    "示范": str(int(t >= 3 and c % 2 == 0)),
                }
            )
    return pd.DataFrame(rows)


def good_config(path: str) -> dict[str, Any]:
    """The configuration of the good panel."""
    return {
        "simulate": {"enabled": False},
        "data": {
            "path": path,
            "entity": "集群编码",
            "time": "年份",
            "name": "名称",
            "province": "省份",
            "industry": "行业",
            "money_unit": "单位",
        },
        "variables": {
            "subsidy": {"column": "补贴", "kind": "money"},
            "platforms": {"column": "平台数", "kind": "count"},
            "export_share": {"column": "出口占比", "kind": "share"},
            "trust": {"column": "信任", "kind": "score", "min": 0, "max": 10},
            "founded": {"column": "成立年份", "kind": "real"},
            "demo": {"column": "示范", "kind": "binary"},
        },
        "constructs": {
            "GOV": {"indicators": {"subsidy": 1, "platforms": 1}},
            "OPEN": {"indicators": {"export_share": 1, "trust": 1}},
        },
        "controls": {
            "cluster_age": {"variable": "founded", "transform": "age"},
            "ln_platforms": {"variable": "platforms", "transform": "log"},
        },
        "roles": {"treatment": "GOV", "mediators": [], "outcome": "OPEN"},
    }


def deep_update(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` updated in place by ``changes`` (nested dicts merged; None values delete)."""
    for key, value in changes.items():
        if value is None:
            base.pop(key, None)
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            deep_update(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def mutate_table(table: pd.DataFrame, case: dict[str, Any]) -> pd.DataFrame:
    """Apply the table mutations of a case, in a fixed order."""
    table = table.copy()
    for column, mapping in case.get("replace_values", {}).items():
        table[column] = table[column].replace(mapping)
    for row, cells in case.get("cells", {}).items():
        for column, value in cells.items():
            table.loc[int(row) - 2, column] = value
    for column, factor in case.get("scale_rows", {}).get("columns", {}).items():
        rows = [int(r) - 2 for r in case["scale_rows"]["rows"]]
        table.loc[rows, column] = [
            f"{float(v) * factor:.1f}" for v in table.loc[rows, column].astype(float)
        ]
    if "keep_rows_where" in case:
        column, value = next(iter(case["keep_rows_where"].items()))
        table = table.loc[table[column] == value].reset_index(drop=True)
    for row in case.get("append_rows", []):
        table = pd.concat([table, pd.DataFrame([row])], ignore_index=True)
    if "repeat_rows" in case:
        table = pd.concat(
            [table, table.iloc[[int(r) - 2 for r in case["repeat_rows"]]]], ignore_index=True
        )
    for column in case.get("drop_columns", []):
        table = table.drop(columns=column)
    if case.get("rename_columns"):
        table = table.rename(columns=case["rename_columns"])
    if case.get("ascii_header"):
        table = table.rename(columns=ASCII_COLUMNS)
    for column in case.get("blank_columns", []):
        table[column] = ""
    return table


def ascii_config(config: dict[str, Any]) -> dict[str, Any]:
    """The good configuration with the ASCII column names of :data:`ASCII_COLUMNS`."""
    config = copy.deepcopy(config)
    for key, value in config["data"].items():
        if value in ASCII_COLUMNS:
            config["data"][key] = ASCII_COLUMNS[value]
    for spec in config["variables"].values():
        spec["column"] = ASCII_COLUMNS[spec["column"]]
    return config


def write_input(table: pd.DataFrame, path: Path, case: dict[str, Any]) -> None:
    """Write the case's file: CSV (in the case's encoding) or Parquet, then raw-text edits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    kind = case.get("write_as", "csv")
    if kind == "parquet":
        numeric = table.copy()
        for column in numeric.columns:
            converted = pd.to_numeric(numeric[column], errors="coerce")
            if converted.notna().sum() == numeric[column].notna().sum():
                numeric[column] = converted
        numeric.to_parquet(path, index=False)
        return
    if kind == "xlsx":
        table.to_excel(path, index=False, sheet_name="data")
        return
    if kind == "nothing":
        return
    if kind == "folder":
        path.mkdir(parents=True, exist_ok=True)
        return
    if kind == "bytes":
        path.write_bytes(bytes.fromhex(case["content_hex"]))
        return
    text = table.to_csv(index=False, lineterminator="\n")
    edit = case.get("text", {})
    if "prepend" in edit:
        text = edit["prepend"] + text
    if "replace_line" in edit:
        lines = text.split("\n")
        for number, content in edit["replace_line"].items():
            lines[int(number) - 1] = content
        text = "\n".join(lines)
    if "cut_last_chars" in edit:
        text = text.rstrip("\n")[: -int(edit["cut_last_chars"])]
    if edit.get("only_header"):
        text = text.split("\n")[0] + "\n"
    if edit.get("empty"):
        text = ""
    path.write_bytes(text.encode(case.get("file_encoding", "utf-8")))


def within_constant_panel(seed: int = 3) -> pd.DataFrame:
    """A panel whose regressor is constant within clusters up to a tiny deflator-like wobble."""
    rng = np.random.default_rng(seed)
    clusters, years = 30, 8
    entity = np.repeat(np.arange(clusters), years)
    year = np.tile(np.arange(2010, 2010 + years), clusters)
    level = rng.normal(0, 1, clusters)[entity]
    x = level + 0.001 * rng.normal(0, 1, clusters * years)
    y = 0.5 * level + rng.normal(0, 1, clusters * years)
    z = rng.normal(0, 1, clusters * years)
    return pd.DataFrame({"cluster_id": entity, "year": year, "GOV": x, "SCA": y, "Z": z})


def copied_instrument_panel(seed: int = 4, noise: float = 0.0) -> pd.DataFrame:
    """A panel whose instrument is a copy of the treatment (plus ``noise`` x normal draws)."""
    rng = np.random.default_rng(seed)
    clusters, years = 30, 8
    entity = np.repeat(np.arange(clusters), years)
    year = np.tile(np.arange(2010, 2010 + years), clusters)
    x = rng.normal(0, 1, clusters * years)
    y = 0.3 * x + rng.normal(0, 1, clusters * years)
    return pd.DataFrame(
        {
            "cluster_id": entity,
            "year": year,
            "GOV": x,
            "SCA": y,
            "iv_copy": x + noise * rng.normal(0, 1, x.size),
        }
    )
