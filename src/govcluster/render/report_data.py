"""The data section of the report: what was read, what was checked and what cleaning did.

Each function turns one output of the data stage (rules ``validate``, ``clean`` and, for
simulated data, ``compare_truth`` and ``case_study_truth``) into a
:class:`~govcluster.render.report.ReportEntry`: a short summary shown in the page, the full
file as a download. The summaries are computed from the files, never typed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import pandas as pd
from markdown_it import MarkdownIt

from govcluster.render.labels import Language
from govcluster.render.report import Download, ReportEntry

_TITLES: dict[str, tuple[str, str]] = {
    "validation": ("Validation of the input file", "输入文件校验"),
    "data_quality": ("Data-quality report", "数据质量报告"),
    "cleaning_audit": ("Cleaning audit", "数据清洗审计"),
    "sample_construction": ("Sample construction", "样本构建"),
    "truth_mediation": (
        "Estimates against the known truth (mediation)",
        "估计值与已知真值对比（中介效应）",
    ),
    "truth_case_study": (
        "Estimates against the known truth (case study)",
        "估计值与已知真值对比（案例研究）",
    ),
}

_FACTS: tuple[tuple[str, str, str], ...] = (
    ("status", "Status", "校验结果"),
    ("source", "File", "文件"),
    ("encoding", "Encoding", "编码"),
    ("n_rows", "Rows", "行数"),
    ("n_entities", "Entities", "个体数"),
    ("first_year", "First year", "起始年份"),
    ("last_year", "Last year", "结束年份"),
    ("n_years", "Years", "年数"),
    ("n_exact_duplicates", "Exact duplicate rows", "完全重复行"),
    ("missing_cells", "Missing cells in the variables", "变量缺失单元格"),
    ("dropped_empty_rows", "Empty rows dropped", "删除的空行"),
    ("ignored_columns", "Columns not used", "未使用的列"),
    ("checks", "Checks passed", "通过的检查"),
)

_HEADERS: dict[str, tuple[str, str]] = {
    "measure": ("Measure", "项目"),
    "value": ("Value", "数值"),
    "step": ("Step", "步骤"),
    "reason": ("Reason", "原因"),
    "changes": ("Cells changed or rows dropped", "修改单元格或删除行数"),
    "rows": ("Rows touched", "涉及行数"),
    "variables": ("Variables", "变量"),
}

_NOTES_HEADING = ("Notes of the validation", "校验说明")
_AUDIT_TOTAL = (
    "{n} audited changes in all; the CSV lists each with its file row, cluster, year, "
    "variable, old and new value.",
    "共 {n} 条审计记录；CSV 文件逐条列出其文件行、集群、年份、变量、原值与新值。",
)
_ROWS_LISTED = 12


def _say(pair: tuple[str, str], language: Language) -> str:
    return pair[1] if language == "zh" else pair[0]


def entry_title(key: str, language: Language) -> str:
    """Title of the data entry ``key`` (a key of the data section) in ``language``."""
    return _say(_TITLES[key], language)


def frame_html(frame: pd.DataFrame) -> str:
    """A DataFrame as a plain HTML table (text escaped, no index, empty cells for missing)."""
    return frame.to_html(index=False, border=0, classes="report-frame", na_rep="", escape=True)


def _fact_value(key: str, value: Any) -> str:
    if key == "missing_cells" and isinstance(value, Mapping):
        return f"{sum(int(v) for v in value.values()):,}"
    if isinstance(value, list | tuple):
        if key == "checks":
            return str(len(value))
        return ", ".join(str(v) for v in value) if value else "0"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}" if key == "n_rows" else str(value)
    return str(value)


def validation_entry(
    validation: Mapping[str, Any],
    *,
    language: Language,
    caption_html: str = "",
    downloads: Sequence[Download] = (),
) -> ReportEntry:
    """The validation result (``validation.json``): key facts and the notes.

    Parameters
    ----------
    validation : mapping
        The JSON written by rule ``validate``.
    language : {"en", "zh"}
    caption_html : str, optional
    downloads : sequence of Download
        The validation file itself, typically.

    Returns
    -------
    ReportEntry
    """
    rows = [
        (label_zh if language == "zh" else label_en, _fact_value(key, validation[key]))
        for key, label_en, label_zh in _FACTS
        if key in validation
    ]
    facts = pd.DataFrame(
        rows, columns=[_say(_HEADERS["measure"], language), _say(_HEADERS["value"], language)]
    )
    body = [frame_html(facts)]
    notes = list(validation.get("notes") or [])
    if notes:
        body.append(f"<p><strong>{escape(_say(_NOTES_HEADING, language))}</strong></p>")
        body.append("<ul>" + "".join(f"<li>{escape(str(n))}</li>" for n in notes) + "</ul>")
    return ReportEntry(
        key="data-validation",
        title=entry_title("validation", language),
        kind="data",
        body_html="\n".join(body),
        caption_html=caption_html,
        downloads=tuple(downloads),
    )


def markdown_html(text: str) -> str:
    """Markdown (with pipe tables) as HTML; raw HTML in the text is escaped."""
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    return parser.render(text)


def data_quality_entry(
    markdown: str,
    *,
    language: Language,
    caption_html: str = "",
    downloads: Sequence[Download] = (),
) -> ReportEntry:
    """The data-quality report (``data_quality.md``) shown in the page.

    Its first heading (the document's own title) is left out, since the entry has a title,
    and its other headings are moved two levels down so that they nest under the entry's.
    """
    lines = markdown.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    lines = [f"##{line}" if re.match(r"#{1,4} ", line) else line for line in lines]
    body = f'<div class="report-markdown">\n{markdown_html(chr(10).join(lines))}</div>'
    return ReportEntry(
        key="data-quality",
        title=entry_title("data_quality", language),
        kind="data",
        body_html=body,
        caption_html=caption_html,
        downloads=tuple(downloads),
    )


def cleaning_audit_summary(audit: pd.DataFrame, *, language: Language = "en") -> pd.DataFrame:
    """Count the audited changes of each cleaning step and reason, in the order they ran.

    Parameters
    ----------
    audit : DataFrame
        ``cleaning_audit.csv``: one row per changed cell or dropped row, with ``step``,
        ``reason``, ``source_row`` and ``variable``.
    language : {"en", "zh"}
        Language of the column headers.

    Returns
    -------
    DataFrame
        One row per step and reason: number of audit rows, distinct file rows and distinct
        variables.
    """
    required = {"step", "reason", "source_row", "variable"}
    missing = sorted(required - set(audit.columns))
    if missing:
        raise ValueError(
            f"cleaning_audit.csv lacks the column(s) {missing}; rerun rule 'clean' to rewrite it"
        )
    grouped = audit.groupby(["step", "reason"], sort=False, dropna=False)
    summary = grouped.agg(
        changes=("source_row", "size"),
        rows=("source_row", "nunique"),
        variables=("variable", "nunique"),
    ).reset_index()
    headers = {key: _say(_HEADERS[key], language) for key in summary.columns}
    return summary.rename(columns=headers)


def cleaning_audit_entry(
    audit: pd.DataFrame,
    *,
    language: Language,
    caption_html: str = "",
    downloads: Sequence[Download] = (),
    data_changes: str | None = None,
) -> ReportEntry:
    """A summary of the cleaning audit (counts by step and reason); the full audit to download.

    ``data_changes`` is the line the run prints at its end about the values cleaning changed
    (:func:`govcluster.clean_summary.describe_data_changes`); it heads the entry.
    """
    summary = cleaning_audit_summary(audit, language=language)
    total = _say(_AUDIT_TOTAL, language).format(n=f"{len(audit):,}")
    changes = (
        f'<p class="data-changes"><strong>{escape(data_changes)}</strong></p>\n'
        if data_changes
        else ""
    )
    return ReportEntry(
        key="data-cleaning-audit",
        title=entry_title("cleaning_audit", language),
        kind="data",
        body_html=f"{changes}{frame_html(summary)}\n<p>{escape(total)}</p>",
        caption_html=caption_html,
        downloads=tuple(downloads),
    )


def sample_construction_entry(
    sample: pd.DataFrame,
    *,
    language: Language,
    caption_html: str = "",
    downloads: Sequence[Download] = (),
) -> ReportEntry:
    """The sample construction table (rows in and out of each cleaning step)."""
    return ReportEntry(
        key="data-sample-construction",
        title=entry_title("sample_construction", language),
        kind="data",
        body_html=frame_html(sample),
        caption_html=caption_html,
        downloads=tuple(downloads),
    )


def truth_comparison_entry(
    comparison: pd.DataFrame,
    *,
    which: str,
    language: Language,
    digits: int = 3,
    caption_html: str = "",
    downloads: Sequence[Download] = (),
) -> ReportEntry:
    """Estimates against the truth of the simulation (``truth_comparison.csv``).

    Parameters
    ----------
    comparison : DataFrame
        One row per quantity; numeric columns are rounded to ``digits`` for the page.
    which : {"mediation", "case_study"}
        Which comparison (sets the title and the anchor).
    """
    if which not in ("mediation", "case_study"):
        raise ValueError(f"which is {which!r}; expected 'mediation' or 'case_study'")
    shown = comparison.copy()
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.{digits}f}")
    return ReportEntry(
        key=f"data-truth-{which.replace('_', '-')}",
        title=entry_title(f"truth_{which}", language),
        kind="data",
        body_html=frame_html(shown),
        caption_html=caption_html,
        downloads=tuple(downloads),
    )
