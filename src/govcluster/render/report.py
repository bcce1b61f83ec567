"""The run's report: one self-contained HTML page from the data to the results.

The page (``results/report.html``, rule ``render_report``) has numbered sections: first the
data (validation, data-quality report, cleaning audit, sample construction and, for
simulated data, the comparison with the known truth), then the stages of the analysis in the
order of the paper. A menu at the top lists every entry once. Each entry shows one rendering
inline (a table's HTML, a figure's PNG, the LaTeX of a numbers file) with its caption, and
offers the other formats of the same exhibit as downloads (``data:`` links embedded in the
page, so the file can be mailed or archived on its own). Nothing is fetched over the network
and no script runs: the page reads the same in any browser, printed or offline.

This module lays out the page from :class:`ReportSection` s; :mod:`govcluster.render.report_data`
builds the entries of the data section, :mod:`govcluster.render.report_sections` those of the
exhibits and the whole page.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from html import escape
from typing import Literal

from govcluster.render.labels import Language

LANGUAGES: tuple[str, ...] = ("en", "zh")
EntryKind = Literal["data", "table", "figure", "numbers"]
ENTRY_KINDS: tuple[str, ...] = ("data", "table", "figure", "numbers")

#: Name of each download format shown next to an entry.
FORMAT_NAMES: dict[str, str] = {
    "tex": "LaTeX",
    "md": "Markdown",
    "html": "HTML",
    "docx": "Word",
    "csv": "CSV",
    "png": "PNG",
    "pdf": "PDF",
    "json": "JSON",
}

#: MIME type of each download, by extension.
MIME_TYPES: dict[str, str] = {
    "tex": "text/x-tex",
    "md": "text/markdown",
    "html": "text/html",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv",
    "png": "image/png",
    "pdf": "application/pdf",
    "json": "application/json",
}

_WORDS: dict[str, tuple[str, str]] = {
    "contents": ("Contents", "目录"),
    "downloads": ("Download", "下载"),
    "tables": ("Tables", "表"),
    "figures": ("Figures", "图"),
    "numbers": ("Numbers in the text", "正文数字"),
    "data": ("Data", "数据"),
    "empty": ("Nothing in this section for this configuration.", "该配置下本节无内容。"),
}

REPORT_CSS = """\
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "Segoe UI",
  Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 70em; padding: 1em 2em 4em 2em;
  color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.35em; border-bottom: 2px solid #333; padding-bottom: 0.2em; margin-top: 2.2em; }
h3 { font-size: 1.1em; margin: 1.6em 0 0.4em 0; }
nav.report-menu { background: #f4f4f4; padding: 0.6em 1.2em; border-radius: 4px; }
nav.report-menu > ul { margin: 0.2em 0; padding-left: 0.4em; list-style: none; }
nav.report-menu li { margin: 0.1em 0; }
article.report-entry { border-top: 1px solid #ccc; padding-top: 0.4em; }
.report-caption { color: #333; font-size: 0.95em; }
.report-caption p { margin: 0.3em 0; }
.report-body { overflow-x: auto; margin: 0.6em 0; }
.report-body img { max-width: 100%; height: auto; border: 1px solid #eee;
  box-sizing: border-box; }
/* a table's title is the entry's heading: not repeated above the table */
article.report-table .govcluster-table caption { display: none; }
.report-body pre { background: #f7f7f7; padding: 0.6em; font-size: 0.85em; overflow-x: auto;
  max-height: 24em; }
.report-downloads { font-size: 0.9em; }
.report-downloads a { margin-right: 0.8em; }
table.report-frame { border-collapse: collapse; font-size: 0.9em;
  font-variant-numeric: tabular-nums; border-top: 2px solid #000; border-bottom: 2px solid #000; }
table.report-frame th, table.report-frame td { padding: 0.15em 0.7em; text-align: right; }
table.report-frame th:first-child, table.report-frame td:first-child { text-align: left; }
table.report-frame thead th { border-bottom: 1px solid #000; }
.report-markdown table { border-collapse: collapse; font-size: 0.9em; margin: 0.4em 0;
  border-top: 2px solid #000; border-bottom: 2px solid #000; }
.report-markdown th, .report-markdown td { padding: 0.15em 0.7em; }
.report-markdown thead th { border-bottom: 1px solid #000; }
"""


@dataclass(frozen=True)
class Download:
    """A file offered for download from the page (embedded as a ``data:`` link).

    Attributes
    ----------
    filename : str
        Name the browser saves it under, e.g. ``panel_baseline.tex``.
    content : bytes
    """

    filename: str
    content: bytes

    @property
    def extension(self) -> str:
        """The file's extension without the dot."""
        return self.filename.rsplit(".", 1)[-1].lower() if "." in self.filename else ""

    @property
    def format_name(self) -> str:
        """The format's name for the reader (LaTeX, Word, ...)."""
        return FORMAT_NAMES.get(self.extension, self.extension.upper() or self.filename)

    @property
    def mime(self) -> str:
        """The MIME type of the ``data:`` link."""
        return MIME_TYPES.get(self.extension, "application/octet-stream")

    def data_uri(self) -> str:
        """The content as a base64 ``data:`` URI."""
        return f"data:{self.mime};base64,{base64.b64encode(self.content).decode('ascii')}"


@dataclass(frozen=True)
class ReportEntry:
    """One item of the report: a table, a figure, a numbers file or a data summary.

    Attributes
    ----------
    key : str
        Unique anchor of the entry in the page (``table-panel_baseline``).
    title : str
        Heading in the menu and above the entry.
    kind : {"data", "table", "figure", "numbers"}
    body_html : str
        What the page shows inline (trusted HTML written by the package).
    caption_html : str
        The caption as HTML.
    downloads : tuple of Download
        Every format of the entry (the one shown inline included).
    """

    key: str
    title: str
    kind: EntryKind
    body_html: str
    caption_html: str = ""
    downloads: tuple[Download, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ENTRY_KINDS:
            raise ValueError(
                f"report entry '{self.key}' has kind {self.kind!r}; expected one of {ENTRY_KINDS}"
            )


@dataclass(frozen=True)
class ReportSection:
    """A numbered section of the report (its number is its position in the page).

    Attributes
    ----------
    key : str
        Anchor of the section (``data``, ``panel``, ...).
    title : str
        Heading without its number.
    entries : tuple of ReportEntry
    intro_html : str
        A paragraph under the heading (optional).
    """

    key: str
    title: str
    entries: tuple[ReportEntry, ...]
    intro_html: str = ""


def check_language(language: str) -> None:
    """Raise a clear error unless ``language`` is one the report is written in."""
    if language not in LANGUAGES:
        raise ValueError(
            f"render.language is {language!r}; the report is written in one of {LANGUAGES}"
        )


def report_word(key: str, language: Language) -> str:
    """A fixed word of the report page in ``language``."""
    english, chinese = _WORDS[key]
    return chinese if language == "zh" else english


def image_html(png: bytes, *, alt: str) -> str:
    """An ``<img>`` of a PNG embedded as a ``data:`` URI."""
    source = Download("figure.png", png).data_uri()
    return f'<img src="{source}" alt="{escape(alt)}">'


def preformatted_html(text: str) -> str:
    """Text (e.g. LaTeX macros) shown as it is."""
    return f"<pre>{escape(text)}</pre>"


def report_html(
    sections: tuple[ReportSection, ...] | list[ReportSection],
    *,
    title: str,
    language: Language,
    intro_html: str = "",
) -> str:
    """The whole report page.

    Parameters
    ----------
    sections : sequence of ReportSection
        In page order; they are numbered 1, 2, ... in that order.
    title : str
        The page's title and first heading.
    language : {"en", "zh"}
        Language of the fixed words (menu, download labels) and the ``lang`` of the page.
    intro_html : str, optional
        A paragraph under the title (the workflow's description).

    Returns
    -------
    str
        A complete HTML document with no external resource.

    Raises
    ------
    ValueError
        If two entries share an anchor.
    """
    check_language(language)
    keys = [entry.key for section in sections for entry in section.entries]
    keys += [section.key for section in sections]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValueError(f"report anchors repeat: {repeated}; give each entry its own key")
    page_language = "zh-CN" if language == "zh" else "en"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{page_language}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>\n{REPORT_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(title)}</h1>",
    ]
    if intro_html:
        parts.append(f'<div class="report-intro">{intro_html}</div>')
    parts.append(_menu_html(sections, language))
    for number, section in enumerate(sections, start=1):
        parts.append(_section_html(number, section, language))
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _menu_html(sections, language: Language) -> str:
    lines = [
        '<nav class="report-menu" id="contents">',
        f"<strong>{escape(report_word('contents', language))}</strong>",
        "<ul>",
    ]
    for number, section in enumerate(sections, start=1):
        lines.append(f'<li><a href="#{escape(section.key)}">{number}. {escape(section.title)}</a>')
        if section.entries:
            lines.append("<ul>")
            lines += [
                f'<li><a href="#{escape(entry.key)}">{escape(entry.title)}</a></li>'
                for entry in section.entries
            ]
            lines.append("</ul>")
        lines.append("</li>")
    lines += ["</ul>", "</nav>"]
    return "\n".join(lines)


def _section_html(number: int, section: ReportSection, language: Language) -> str:
    lines = [
        f'<section class="report-section" id="{escape(section.key)}">',
        f"<h2>{number}. {escape(section.title)}</h2>",
    ]
    if section.intro_html:
        lines.append(f'<div class="report-caption">{section.intro_html}</div>')
    if not section.entries:
        lines.append(f"<p>{escape(report_word('empty', language))}</p>")
    lines += [_entry_html(entry, language) for entry in section.entries]
    lines.append("</section>")
    return "\n".join(lines)


def _entry_html(entry: ReportEntry, language: Language) -> str:
    lines = [
        f'<article class="report-entry report-{entry.kind}" id="{escape(entry.key)}">',
        f"<h3>{escape(entry.title)}</h3>",
    ]
    if entry.caption_html:
        lines.append(f'<div class="report-caption">{entry.caption_html}</div>')
    lines.append(f'<div class="report-body">\n{entry.body_html}\n</div>')
    if entry.downloads:
        links = " ".join(
            f'<a href="{download.data_uri()}" download="{escape(download.filename)}" '
            f'title="{escape(download.filename)}">{escape(download.format_name)}</a>'
            for download in entry.downloads
        )
        lines.append(
            f'<p class="report-downloads">{escape(report_word("downloads", language))}: {links}</p>'
        )
    lines.append("</article>")
    return "\n".join(lines)
