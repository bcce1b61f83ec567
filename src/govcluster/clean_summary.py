"""What cleaning changed, counted from its audit, for the console and the table notes.

:func:`summarise_cleaning` counts the audit of :func:`govcluster.clean.clean_panel` by kind of
change (cells imputed, of them copied at the panel edges, winsorised, corrected as x100
typos, deflated, converted between money units; rows dropped) into a
:class:`CleaningSummary`, which the ``clean`` rule stores as
``results/data_quality/cleaning_summary.json``. :func:`describe_data_changes` turns it into
the one line printed at the end of every run and written under the summary-statistics table,
e.g. "3,226 cells imputed (414 copied at panel edges), 2,196 winsorised, 8 rows dropped; see
results/data_quality/".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

SCHEMA_VERSION = 1
KIND = "cleaning_summary"

#: Where the audit and the summary are written, relative to the output root.
DATA_QUALITY_DIR = "results/data_quality/"

Language = Literal["en", "zh"]


@dataclass(frozen=True)
class CleaningSummary:
    """Counts of the values cleaning changed and the rows it dropped.

    Attributes
    ----------
    rows_in, rows_out : int
        Rows of the ingested file and of the cleaned panel.
    imputed : int
        Cells filled by interpolation or copied at the panel edges.
    copied_at_edges : int
        Of ``imputed``, cells copied from the nearest observed year at a cluster's first or
        last years.
    winsorised, typos_corrected, deflated, set_missing, units_converted : int
        Cells clipped at the pooled quantiles, divided by the typo factor, deflated, set
        missing for want of a price index, and converted from another money unit.
    rows_dropped : mapping of str to int
        Step -> rows it dropped (exact duplicates, incomplete rows).
    """

    rows_in: int
    rows_out: int
    imputed: int = 0
    copied_at_edges: int = 0
    winsorised: int = 0
    typos_corrected: int = 0
    deflated: int = 0
    set_missing: int = 0
    units_converted: int = 0
    rows_dropped: Mapping[str, int] = field(default_factory=dict)

    @property
    def values_changed(self) -> int:
        """Cells whose value cleaning changed (imputation, clipping, correction, deflation)."""
        return (
            self.imputed
            + self.winsorised
            + self.typos_corrected
            + self.deflated
            + self.set_missing
            + self.units_converted
        )

    @property
    def total_rows_dropped(self) -> int:
        """Rows dropped by every step together."""
        return int(sum(self.rows_dropped.values()))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able record."""
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": KIND,
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "imputed": self.imputed,
            "copied_at_edges": self.copied_at_edges,
            "winsorised": self.winsorised,
            "typos_corrected": self.typos_corrected,
            "deflated": self.deflated,
            "set_missing": self.set_missing,
            "units_converted": self.units_converted,
            "rows_dropped": dict(self.rows_dropped),
        }

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> CleaningSummary:
        """Rebuild a summary from :meth:`to_dict`; raise on another kind or version."""
        if record.get("kind") != KIND:
            raise ValueError(f"expected a record of kind '{KIND}', got {record.get('kind')!r}")
        if record.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(
                f"cleaning summary schema_version {record.get('schema_version')!r} is not "
                f"supported (expected {SCHEMA_VERSION}); rerun the clean step"
            )
        names = [name for name in record if name not in ("kind", "schema_version")]
        return cls(**{name: record[name] for name in names})


def summarise_cleaning(audit: pd.DataFrame, sample: pd.DataFrame) -> CleaningSummary:
    """Count the changes of a cleaning audit.

    Parameters
    ----------
    audit : pandas.DataFrame
        :attr:`govcluster.clean.CleanResult.audit` (one row per changed cell or dropped row).
    sample : pandas.DataFrame
        :attr:`govcluster.clean.CleanResult.sample` (rows in and out of every step).

    Returns
    -------
    CleaningSummary
    """
    cells = audit[audit["variable"].notna()]
    dropped = audit[audit["variable"].isna() & audit["source_row"].notna()]

    def count(step: str, reason_prefix: str | None = None, variable: str | None = None) -> int:
        chosen = cells[cells["step"] == step]
        if reason_prefix is not None:
            chosen = chosen[chosen["reason"].astype(str).str.startswith(reason_prefix)]
        if variable is not None:
            chosen = chosen[chosen["variable"] != variable]
        return int(len(chosen))

    per_step = dropped.groupby("step").size()
    return CleaningSummary(
        rows_in=int(sample["rows_in"].iloc[0]) if len(sample) else 0,
        rows_out=int(sample["rows_out"].iloc[-1]) if len(sample) else 0,
        imputed=count("interpolate"),
        copied_at_edges=count("interpolate", "copied from the nearest"),
        winsorised=count("winsorize"),
        typos_corrected=count("fix_scale_typos"),
        deflated=count("deflate", "deflated by"),
        set_missing=count("deflate", "set missing"),
        units_converted=count("convert_units", variable="money_unit"),
        rows_dropped={str(step): int(n) for step, n in per_step.items() if n},
    )


def _number(value: int) -> str:
    return f"{value:,}"


_PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "imputed": "{n} cells imputed",
        "edges": " ({n} copied at panel edges)",
        "winsorised": "{n} winsorised",
        "typos": "{n} corrected as x100 typos",
        "deflated": "{n} deflated",
        "set_missing": "{n} set missing (no price index)",
        "converted": "{n} converted to wan yuan (10,000 yuan)",
        "dropped": "{n} rows dropped",
        "nothing": "no cleaning step changed a value (number text parsed as the audit lists)",
        "see": "; see {where}",
        "join": ", ",
    },
    "zh": {
        "imputed": "插补{n}个单元格",
        "edges": "（其中{n}个在面板首尾复制）",
        "winsorised": "缩尾{n}个",
        "typos": "按100倍录入错误更正{n}个",
        "deflated": "平减{n}个",
        "set_missing": "因缺价格指数设为缺失{n}个",
        "converted": "换算为万元{n}个",
        "dropped": "删除{n}行",
        "nothing": "清洗步骤未改变任何数值（数字文本的解析见审计表）",
        "see": "；详见{where}",
        "join": "，",
    },
}


def describe_data_changes(
    summary: CleaningSummary, *, language: Language = "en", where: str = DATA_QUALITY_DIR
) -> str:
    """One line saying which values cleaning changed and how many rows it dropped.

    Parameters
    ----------
    summary : CleaningSummary
    language : {"en", "zh"}, default "en"
    where : str
        The folder holding the audit, named at the end of the line.

    Returns
    -------
    str
        E.g. "3,226 cells imputed (414 copied at panel edges), 2,196 winsorised, 8 rows
        dropped; see results/data_quality/", or "no cleaning step changed a value ...; see ...".
    """
    if language not in _PHRASES:
        raise ValueError(f"language: {language!r} is not allowed; use one of en, zh")
    words = _PHRASES[language]
    parts = []
    if summary.imputed:
        text = words["imputed"].format(n=_number(summary.imputed))
        if summary.copied_at_edges:
            text += words["edges"].format(n=_number(summary.copied_at_edges))
        parts.append(text)
    for key, value in (
        ("winsorised", summary.winsorised),
        ("typos", summary.typos_corrected),
        ("deflated", summary.deflated),
        ("set_missing", summary.set_missing),
        ("converted", summary.units_converted),
    ):
        if value:
            parts.append(words[key].format(n=_number(value)))
    if not parts:
        parts.append(words["nothing"])
    if summary.total_rows_dropped:
        parts.append(words["dropped"].format(n=_number(summary.total_rows_dropped)))
    return words["join"].join(parts) + words["see"].format(where=where)


def run_summary_message(root: str = ".") -> str | None:
    """The end-of-run line about the data: what cleaning changed, or None before cleaning ran.

    Reads ``<root>/results/data_quality/cleaning_summary.json`` (through :mod:`govcluster.io`).
    """
    from pathlib import Path

    from govcluster import io

    folder = DATA_QUALITY_DIR if root in ("", ".") else f"{root}/{DATA_QUALITY_DIR}"
    path = Path(folder) / "cleaning_summary.json"
    if not path.is_file():
        return None
    summary = CleaningSummary.from_dict(io.read_json(path))
    return f"govcluster: data cleaning: {describe_data_changes(summary, where=folder)}"
