"""The report's sections: the data first, then every planned exhibit in the order of the paper.

Rule ``render_report`` passes the planned exhibits (:func:`report_exhibits`) and the files of
the run; :func:`load_report_inputs` reads them (the one place of the report that touches the
disk) and :func:`build_report` lays out the page (:mod:`govcluster.render.report`).

Captions are the reStructuredText files of ``workflow/report/`` (English) and
``workflow/report/zh/`` (Chinese). With ``render.language: zh`` the Chinese caption is used;
an exhibit without one (e.g. a newly registered exhibit) keeps its English caption.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import unescape
from io import BytesIO
from pathlib import Path
from typing import Any

import pandas as pd
from docutils.core import publish_parts

from govcluster.render import report_data
from govcluster.render.labels import Language
from govcluster.render.report import (
    Download,
    ReportEntry,
    ReportSection,
    check_language,
    image_html,
    preformatted_html,
    report_html,
    report_word,
)

#: Sections of the exhibits, in the order of the paper: stage -> (English, Chinese) title.
STAGE_SECTIONS: dict[str, tuple[str, str]] = {
    "descriptives": ("Descriptive statistics and indices", "描述性统计与指数"),
    "panel": ("Panel models", "面板模型"),
    "mediation": ("Mechanisms (mediation)", "作用机制（中介效应）"),
    "did": ("Staggered designation (difference-in-differences)", "分批认定（双重差分）"),
    "casestudy": ("Case study", "案例研究"),
}
#: Title of the page.
REPORT_TITLE = ("govcluster: the run from the data to the results", "govcluster：从数据到结果")
#: Description of the workflow under the title (a caption file).
INTRO_CAPTION = "workflow.rst"
#: Caption file of each entry of the data section.
DATA_CAPTIONS: dict[str, str] = {
    "validation": "data_validation.rst",
    "data_quality": "data_quality.rst",
    "cleaning_audit": "cleaning_audit.rst",
    "sample_construction": "sample_construction.rst",
    "truth_mediation": "truth_comparison.rst",
    "truth_case_study": "case_study_truth_comparison.rst",
}
#: Input keys of the data section (rule ``render_report``), each with the file it holds.
DATA_INPUTS: dict[str, str] = {
    "validation": "results/data_quality/validation.json",
    "quality": "results/data_quality/data_quality.md",
    "missingness": "results/data_quality/missingness_by_year.csv",
    "balance": "results/data_quality/panel_balance.csv",
    "audit": "results/data_quality/cleaning_audit.csv",
    "cleaning_summary": "results/data_quality/cleaning_summary.json",
    "sample": "results/data_quality/sample_construction.csv",
    "sample_md": "results/data_quality/sample_construction.md",
    "truth": "results/estimates/truth_comparison.csv",
    "truth_md": "results/estimates/truth_comparison.md",
    "case_truth": "results/estimates/casestudy/truth_comparison.csv",
}
#: Inputs every run has (the others exist for simulated data with the stage enabled).
REQUIRED_DATA_INPUTS = ("validation", "quality", "missingness", "balance", "audit", "sample")
#: Titles of the built-in figures and numbers files (a table's title is its own caption;
#: an exhibit not listed here takes the first clause of its caption).
EXHIBIT_TITLES: dict[str, tuple[str, str]] = {
    "index_trends": ("Composite indices by year and region", "综合指数的年度趋势（分地区）"),
    "correlation_heatmap": ("Correlation heatmap", "相关系数热力图"),
    "baseline_coefficients": (
        "Treatment coefficient across baseline models",
        "各基准模型的处理变量系数",
    ),
    "horizons": ("Effect by horizon (local projections)", "分期效应（局部投影）"),
    "heterogeneity": ("Heterogeneous effects by group", "分组异质性效应"),
    "panel": ("Numbers in the text: panel models", "正文数字：面板模型"),
    "mediation_path_diagram": ("Path diagram of the mediation model", "中介模型路径图"),
    "mediation_bootstrap": (
        "Bootstrap distributions of the indirect effects",
        "间接效应的自助法分布",
    ),
    "mediation_sensitivity": (
        "Sensitivity of the ACME to sequential ignorability",
        "ACME 对序贯可忽略性的敏感性",
    ),
    "mediation": ("Numbers in the text: mediation", "正文数字：中介分析"),
    "did_event_study_plot": ("Event studies by estimator", "各估计量的事件研究"),
    "did_mechanism_event_studies": ("Event studies of the mechanisms", "机制的事件研究"),
    "did_honest_sensitivity": ("HonestDiD sensitivity", "HonestDiD 敏感性分析"),
    "did_bacon_scatter": ("Goodman-Bacon decomposition", "Goodman-Bacon 分解"),
    "case_study_paths": ("Case study: outcome paths", "案例研究：结果变量路径"),
    "case_study_gap": ("Case study: gap and in-space placebos", "案例研究：差距与空间安慰剂"),
    "case_study_donor_weights": ("Case study: donor weights", "案例研究：供体权重"),
}
#: The format shown inline for each kind of exhibit; the others are downloads.
SHOWN_FORMAT = {"table": "html", "figure": "png", "numbers": "tex"}


@dataclass(frozen=True)
class ReportExhibit:
    """A planned exhibit as the report sees it: its files and caption.

    Attributes
    ----------
    name, kind, stage, caption : str
        As :class:`govcluster.render.catalog.Exhibit`.
    files : mapping
        Extension -> path of the rendered file.
    """

    name: str
    kind: str
    stage: str
    caption: str
    files: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (the rule's params)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "stage": self.stage,
            "caption": self.caption,
            "files": dict(self.files),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReportExhibit:
        """Read back :meth:`to_dict`."""
        return cls(
            name=str(data["name"]),
            kind=str(data["kind"]),
            stage=str(data["stage"]),
            caption=str(data["caption"]),
            files=dict(data["files"]),
        )


@dataclass(frozen=True)
class ReportInputs:
    """Everything the report shows, read from the run's files.

    Attributes
    ----------
    data : mapping
        Data input key (of :data:`DATA_INPUTS`) -> file content (bytes).
    exhibits : tuple of ReportExhibit
    exhibit_files : mapping
        Path -> content of every rendered file of the exhibits.
    captions : mapping
        Caption file name (``panel_baseline.rst``, ``zh/panel_baseline.rst``) -> its text,
        for the captions that exist.
    """

    data: Mapping[str, bytes]
    exhibits: tuple[ReportExhibit, ...]
    exhibit_files: Mapping[str, bytes]
    captions: Mapping[str, str]


def report_exhibits(exhibits: Iterable[Any], out: Any = str) -> list[dict[str, Any]]:
    """The planned exhibits as the rule's params (plain dicts of :class:`ReportExhibit`).

    Parameters
    ----------
    exhibits : iterable of govcluster.render.catalog.Exhibit
    out : callable, default str
        Maps a path relative to the output root to the path of the run (the workflow's ``out``).
    """
    return [
        ReportExhibit(
            exhibit.name,
            exhibit.kind,
            exhibit.stage,
            exhibit.caption,
            {extension: out(path) for extension, path in exhibit.outputs.items()},
        ).to_dict()
        for exhibit in exhibits
    ]


def caption_files(
    captions: Iterable[str], folder: str | Path, *, languages: Iterable[str] = ("en", "zh")
) -> list[str]:
    """The caption files that exist under ``folder`` for ``captions``, in every language."""
    folder = Path(folder)
    found = []
    for caption in captions:
        for language in languages:
            path = folder / caption if language == "en" else folder / language / caption
            if path.is_file():
                found.append(str(path))
    return found


def load_report_inputs(
    *,
    data: Mapping[str, str | Path],
    exhibits: Iterable[Mapping[str, Any]],
    captions: Iterable[str | Path],
) -> ReportInputs:
    """Read the files the report shows.

    Parameters
    ----------
    data : mapping
        Data input key (of :data:`DATA_INPUTS`) -> path; the keys of
        :data:`REQUIRED_DATA_INPUTS` must be present.
    exhibits : iterable of mapping
        The rule's ``exhibits`` param (:func:`report_exhibits`).
    captions : iterable of str or Path
        Caption files (:func:`caption_files`): ``workflow/report/<name>.rst`` and
        ``workflow/report/zh/<name>.rst``.

    Returns
    -------
    ReportInputs

    Raises
    ------
    ValueError
        If a required data input is not given or a key is unknown.
    FileNotFoundError
        If a rendered file of an exhibit is missing (rerun its ``render_*`` rule).
    """
    unknown = sorted(set(data) - set(DATA_INPUTS))
    if unknown:
        raise ValueError(f"unknown data input(s) {unknown}; expected keys of {list(DATA_INPUTS)}")
    lacking = [key for key in REQUIRED_DATA_INPUTS if key not in data]
    if lacking:
        raise ValueError(
            f"the report needs the data stage's files {lacking} "
            f"({[DATA_INPUTS[k] for k in lacking]}); run rules 'validate' and 'clean'"
        )
    planned = tuple(ReportExhibit.from_dict(exhibit) for exhibit in exhibits)
    files: dict[str, bytes] = {}
    for exhibit in planned:
        for path in exhibit.files.values():
            if not Path(path).is_file():
                raise FileNotFoundError(
                    f"{path} of exhibit '{exhibit.name}' is missing; rerun the rendering "
                    "rules (snakemake exhibits_ready)"
                )
            files[str(path)] = Path(path).read_bytes()
    texts = {}
    for caption in map(Path, captions):
        name = f"zh/{caption.name}" if caption.parent.name == "zh" else caption.name
        texts[name] = caption.read_text(encoding="utf-8")
    contents = {key: Path(path).read_bytes() for key, path in data.items()}
    return ReportInputs(contents, planned, files, texts)


# --------------------------------------------------------------------------- captions


def caption_text(captions: Mapping[str, str], name: str, language: Language) -> str:
    """The caption ``name`` in ``language`` (English when there is no Chinese one)."""
    if language == "zh" and f"zh/{name}" in captions:
        return captions[f"zh/{name}"]
    return captions.get(name, "")


def rst_html(text: str) -> str:
    """A caption in reStructuredText as HTML (docutils, as Snakemake renders captions)."""
    if not text.strip():
        return ""
    settings = {"report_level": 5, "halt_level": 5, "embed_stylesheet": False}
    return publish_parts(text, writer="html", settings_overrides=settings)["body"]


_TITLE_END = re.compile(r"[:：。]|\.\s")


def caption_title(text: str) -> str:
    """The first clause of a caption (up to the first colon or full stop), without markup."""
    plain = " ".join(text.replace("``", "").replace("\\ ", "").split())
    match = _TITLE_END.search(plain)
    title = plain[: match.start()] if match else plain
    return title.strip().rstrip(".")


_HTML_CAPTION = re.compile(r"<caption>(.*?)</caption>", re.DOTALL)


def _table_title(text: str) -> str:
    match = _HTML_CAPTION.search(text)
    return unescape(match.group(1)).strip() if match else ""


# --------------------------------------------------------------------------- entries


def exhibit_entry(
    exhibit: ReportExhibit,
    files: Mapping[str, bytes],
    *,
    caption_rst: str,
    language: Language = "en",
) -> ReportEntry:
    """One exhibit as one entry: its main format inline, every format as a download.

    Parameters
    ----------
    exhibit : ReportExhibit
    files : mapping
        Path -> content; must hold every file of ``exhibit``.
    caption_rst : str
        The caption in the report's language.
    language : {"en", "zh"}
        Language of the title of a figure or numbers file (:data:`EXHIBIT_TITLES`).
    """
    contents = {extension: files[str(path)] for extension, path in exhibit.files.items()}
    shown = SHOWN_FORMAT.get(exhibit.kind)
    if shown not in contents:
        raise ValueError(
            f"exhibit '{exhibit.name}' ({exhibit.kind}) has no .{shown} file to show; "
            f"it has {sorted(contents)}"
        )
    known = EXHIBIT_TITLES.get(exhibit.name)
    title = (known[1] if language == "zh" else known[0]) if known else ""
    title = title or caption_title(caption_rst) or exhibit.name
    if exhibit.kind == "table":
        body = contents[shown].decode("utf-8")
        title = _table_title(body) or title
    elif exhibit.kind == "figure":
        body = image_html(contents[shown], alt=title)
    else:
        body = preformatted_html(contents[shown].decode("utf-8"))
    downloads = tuple(
        Download(Path(exhibit.files[extension]).name, content)
        for extension, content in contents.items()
        if not (exhibit.kind == "table" and extension == shown)
    )
    return ReportEntry(
        key=f"{exhibit.kind}-{exhibit.name}",
        title=title,
        kind=exhibit.kind,
        body_html=body,
        caption_html=rst_html(caption_rst),
        downloads=downloads,
    )


def _csv(content: bytes) -> pd.DataFrame:
    return pd.read_csv(BytesIO(content), encoding="utf-8-sig")


def _data_changes(data: Mapping[str, bytes], language: Language) -> str | None:
    """The line saying what cleaning changed (as printed at the end of the run), if known."""
    if "cleaning_summary" not in data:
        return None
    from govcluster.clean_summary import CleaningSummary, describe_data_changes

    summary = CleaningSummary.from_dict(json.loads(data["cleaning_summary"].decode("utf-8")))
    return describe_data_changes(summary, language=language)


def data_section(inputs: ReportInputs, *, language: Language, digits: int = 3) -> ReportSection:
    """Section 1: validation, data quality, cleaning, sample and (if simulated) the truth."""
    data = inputs.data

    def caption(key: str) -> str:
        return rst_html(caption_text(inputs.captions, DATA_CAPTIONS[key], language))

    def download(key: str) -> Download:
        return Download(Path(DATA_INPUTS[key]).name, data[key])

    entries = [
        report_data.validation_entry(
            json.loads(data["validation"].decode("utf-8")),
            language=language,
            caption_html=caption("validation"),
            downloads=(download("validation"),),
        ),
        report_data.data_quality_entry(
            data["quality"].decode("utf-8"),
            language=language,
            caption_html=caption("data_quality"),
            downloads=(download("quality"), download("missingness"), download("balance")),
        ),
        report_data.cleaning_audit_entry(
            _csv(data["audit"]),
            language=language,
            caption_html=caption("cleaning_audit"),
            downloads=tuple(download(k) for k in ("audit", "cleaning_summary") if k in data),
            data_changes=_data_changes(data, language),
        ),
        report_data.sample_construction_entry(
            _csv(data["sample"]),
            language=language,
            caption_html=caption("sample_construction"),
            downloads=tuple(download(k) for k in ("sample", "sample_md") if k in data),
        ),
    ]
    if "truth" in data:
        entries.append(
            report_data.truth_comparison_entry(
                _csv(data["truth"]),
                which="mediation",
                language=language,
                digits=digits,
                caption_html=caption("truth_mediation"),
                downloads=tuple(download(k) for k in ("truth", "truth_md") if k in data),
            )
        )
    if "case_truth" in data:
        entries.append(
            report_data.truth_comparison_entry(
                _csv(data["case_truth"]),
                which="case_study",
                language=language,
                digits=digits,
                caption_html=caption("truth_case_study"),
                downloads=(Download("case_study_truth_comparison.csv", data["case_truth"]),),
            )
        )
    return ReportSection("data", report_word("data", language), tuple(entries))


def exhibit_sections(inputs: ReportInputs, *, language: Language) -> list[ReportSection]:
    """The sections of the exhibits, one per stage in the order of :data:`STAGE_SECTIONS`.

    Within a section: tables, then figures, then numbers files, each in planning order.
    Stages not in :data:`STAGE_SECTIONS` follow, in the order they first appear.
    """
    stages = list(STAGE_SECTIONS)
    stages += [e.stage for e in inputs.exhibits if e.stage not in stages]
    stages = list(dict.fromkeys(stages))
    order = {"table": 0, "figure": 1, "numbers": 2}
    sections = []
    for stage in stages:
        exhibits = [e for e in inputs.exhibits if e.stage == stage]
        if not exhibits:
            continue
        exhibits.sort(key=lambda e: order.get(e.kind, 3))
        entries = tuple(
            exhibit_entry(
                exhibit,
                inputs.exhibit_files,
                caption_rst=caption_text(inputs.captions, exhibit.caption, language),
                language=language,
            )
            for exhibit in exhibits
        )
        titles = STAGE_SECTIONS.get(stage, (stage, stage))
        sections.append(ReportSection(stage, titles[1] if language == "zh" else titles[0], entries))
    return sections


def build_report(inputs: ReportInputs, *, language: Language, digits: int = 3) -> str:
    """The report page of a run (see :mod:`govcluster.render.report`).

    Parameters
    ----------
    inputs : ReportInputs
        From :func:`load_report_inputs`.
    language : {"en", "zh"}
        ``render.language``: captions, section titles and fixed words.
    digits : int, default 3
        Decimals of the truth comparison in the page.

    Returns
    -------
    str
        The HTML document.
    """
    check_language(language)
    sections = [
        data_section(inputs, language=language, digits=digits),
        *exhibit_sections(inputs, language=language),
    ]
    title = REPORT_TITLE[1] if language == "zh" else REPORT_TITLE[0]
    intro = rst_html(caption_text(inputs.captions, INTRO_CAPTION, language))
    return report_html(sections, title=title, language=language, intro_html=intro)
