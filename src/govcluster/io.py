"""Reading the user's data file and writing the pipeline's outputs.

This is the project's one input/output module. :func:`read_table` reads a raw data file (CSV
in UTF-8 or GBK/GB18030, Excel ``.xlsx``, Stata ``.dta`` or Parquet) without altering what it
holds, and turns every way it can fail into a :class:`~govcluster.errors.DataReadError` that
names the file and the fix. The writers are atomic: they write a temporary file next to the
target and rename it, so that an interrupted step never leaves a half-written output behind.

The raw file is only ever opened for reading.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
import os
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import charset_normalizer
import numpy as np
import pandas as pd

from govcluster.config import config_file_in_use
from govcluster.errors import DataReadError

#: File extension -> format read by :func:`read_table` when ``format="auto"``.
EXTENSION_FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".dta": "dta",
    ".parquet": "parquet",
    ".pq": "parquet",
}
FORMATS: tuple[str, ...] = ("csv", "xlsx", "dta", "parquet")

#: Encodings tried in turn when ``encoding="auto"`` (after checking for a UTF-8 byte-order mark).
AUTO_ENCODINGS: tuple[str, ...] = ("utf-8", "gb18030")
_UTF8_BOM = b"\xef\xbb\xbf"
_DELIMITERS = (",", "\t", ";", "|")
_DELIMITER_LINES = 10
_CONTROL_CHARACTERS = frozenset(chr(code) for code in range(32)) - {"\t", "\n", "\r"}
_FILE_SIGNATURES = {b"PK\x03\x04": "an Excel workbook (.xlsx)", b"PAR1": "a Parquet file"}


# --------------------------------------------------------------------------- reading


def read_table(
    path: str | Path,
    *,
    format: str = "auto",
    encoding: str = "auto",
    sheet: str | int = 0,
) -> pd.DataFrame:
    """Read a raw data file as it is.

    Parameters
    ----------
    path : str or Path
        The data file (``data.path`` of the configuration).
    format : {"auto", "csv", "xlsx", "dta", "parquet"}
        File format; ``"auto"`` infers it from the extension.
    encoding : str
        Text encoding of a CSV file. ``"auto"`` detects UTF-8, UTF-8 with a byte-order mark and
        GB18030 (a superset of GBK and GB2312), then falls back on charset-normalizer.
    sheet : str or int
        Excel sheet name or zero-based index.

    Returns
    -------
    pandas.DataFrame
        One row per data row of the file, in file order (blank rows included, so that row
        ``i`` of the frame is row ``i + 2`` of the file). A CSV file is read with every
        column as pandas ``"string"``, so no value is altered; other formats keep their stored
        types. Empty cells are missing (``NA``). ``attrs`` holds ``"source"`` (the path),
        ``"format"``, ``"encoding"`` (the detected or given text encoding of a CSV file,
        otherwise None), ``"duplicate_columns"`` (header names that occur more than once;
        repeats are renamed ``name.1``, ``name.2``, ...), ``"sheet"`` (the sheet read from a
        workbook, otherwise None) and ``"sheets"`` (every sheet of a workbook, otherwise
        empty).

    Raises
    ------
    DataReadError
        When the file is missing, has an unsupported extension, cannot be decoded or parsed,
        is empty, or the Excel sheet does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise DataReadError(missing_file_message(path))
    resolved_format = resolve_format(path, format)
    _check_content_matches_format(path, resolved_format, declared=format != "auto")
    detected_encoding = None
    sheet_read, sheet_names = None, []
    if resolved_format == "csv":
        table, detected_encoding = _read_csv(path, encoding=encoding)
    elif resolved_format == "xlsx":
        table, sheet_read, sheet_names = _read_xlsx(path, sheet=sheet)
    elif resolved_format == "dta":
        table, detected_encoding = _read_dta(path, encoding=encoding)
    else:
        table = _read_parquet(path)
    if table.shape[1] == 0 or len(table) == 0:
        raise DataReadError(_no_data_message(path, table, sheet_read, sheet_names))
    table.attrs = {
        "source": str(path),
        "format": resolved_format,
        "encoding": detected_encoding,
        "duplicate_columns": table.attrs.get("duplicate_columns", []),
        "sheet": sheet_read,
        "sheets": list(sheet_names),
    }
    return table


def resolve_format(path: str | Path, format: str = "auto") -> str:
    """Return the format of ``path``: ``format`` itself, or inferred from the extension.

    Raises
    ------
    DataReadError
        When the format is unknown or the extension is not supported.
    """
    path = Path(path)
    if format != "auto":
        if format not in FORMATS:
            raise DataReadError(
                f"Unknown data format '{format}' for {path}.\n"
                f"  fix: set data.format in {config_file_in_use()} to auto or one of: "
                f"{', '.join(FORMATS)}."
            )
        return format
    suffix = path.suffix.lower()
    if suffix in EXTENSION_FORMATS:
        return EXTENSION_FORMATS[suffix]
    supported = ", ".join(EXTENSION_FORMATS)
    if suffix == ".xls":
        advice = (
            "the old Excel format .xls is not supported: open the file in Excel or WPS and "
            "save it as .xlsx (or as CSV UTF-8)"
        )
    else:
        advice = (
            "convert the file to one of these formats, or, if it is one of them under another "
            f"name, set data.format in {config_file_in_use()} to csv, xlsx, dta or parquet"
        )
    raise DataReadError(
        f"Cannot read {path}: the extension '{suffix or '(none)'}' is not supported "
        f"(supported: {supported}).\n  fix: {advice}."
    )


#: How each format is named in messages.
_FORMAT_NAMES = {
    "csv": "CSV text",
    "xlsx": "an Excel workbook",
    "dta": "a Stata file",
    "parquet": "a Parquet file",
}


def sniff_format(path: str | Path) -> str | None:
    """The format the first bytes of ``path`` reveal, or None when they do not tell.

    Excel workbooks start with a zip signature, Parquet files with ``PAR1``, Stata 13+ files
    with ``<stata_dta>`` (older ones with a release byte 0x6e-0x73 then a byte order of 1 or
    2); text without NUL bytes that decodes as UTF-8 or GB18030 and has a delimiter in its
    first line is CSV.
    """
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if not head:
        return None
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"<stata_dta>") or (
        len(head) > 2 and 0x6E <= head[0] <= 0x73 and head[1] in (1, 2) and head[2] == 1
    ):
        return "dta"
    if b"\x00" in head:
        return None
    for codec in ("utf-8", "gb18030"):
        try:
            text = head.decode(codec)
        except UnicodeDecodeError as error:
            if error.start < len(head) - 4:  # not just a character cut at the sample's end
                continue
            text = head[: error.start].decode(codec)
        first_line = text.splitlines()[0] if text.splitlines() else ""
        return "csv" if any(d in first_line for d in _DELIMITERS) else None
    return None


def _check_content_matches_format(path: Path, resolved: str, *, declared: bool) -> None:
    """Raise when the file's content is plainly of another format than the one it is read as."""
    found = sniff_format(path)
    if found is None or found == resolved:
        return
    config = config_file_in_use()
    if declared:
        why = f"data.format is {resolved} in {config}"
        fix = f"set data.format in {config} to {found} (or to auto)"
    else:
        why = f"its extension '{path.suffix}' says {resolved}"
        fix = (
            f"give the file the extension of its real format, or set data.format in {config} "
            f"to {found}"
        )
    raise DataReadError(
        f"The data file {path} is read as {_FORMAT_NAMES[resolved]} ({why}), but its content "
        f"is {_FORMAT_NAMES[found]}.\n  fix: {fix}."
    )


def _no_data_message(
    path: Path, table: pd.DataFrame, sheet: str | None = None, sheets: list[str] | None = None
) -> str:
    where = f"The data file {path}" + (f" (sheet '{sheet}')" if sheet is not None else "")
    if table.shape[1] == 0:
        what = "is empty"
    else:
        header = ", ".join(str(column) for column in table.columns[:10])
        what = f"has column names ({header}) but no data rows"
    others = [name for name in sheets or [] if name != sheet]
    also = (
        f"\n  The workbook also has the sheet(s) {', '.join(repr(name) for name in others)}."
        if others
        else ""
    )
    return (
        f"{where} {what}.{also}\n  fix: check that data.path in {config_file_in_use()} names "
        "the right file (and data.sheet the right sheet of a workbook) and that the file was "
        "saved with its data."
    )


def missing_file_message(path: Path) -> str:
    """The message for a data file that is not there: the path, the working directory, the fix."""
    where = "is a folder, not a file" if path.is_dir() else "does not exist"
    return (
        f"The data file {path} {where} (working directory: {Path.cwd()}).\n"
        f"  data.path in {config_file_in_use()} names it.\n"
        f"  fix: put the file there, or set data.path in {config_file_in_use()} to the file's path "
        "relative to the project root."
    )


def _read_csv(path: Path, *, encoding: str) -> tuple[pd.DataFrame, str]:
    content = path.read_bytes()
    if not content.removeprefix(_UTF8_BOM).strip():
        raise DataReadError(
            f"The data file {path} is empty.\n  fix: check that data.path in "
            f"{config_file_in_use()} names the right file and that the file was saved with its "
            "data."
        )
    text, detected = decode_text(content, encoding=encoding, source=str(path))
    delimiter = "\t" if path.suffix.lower() == ".tsv" else detect_delimiter(text)
    try:
        rows = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, csv.Error, ValueError) as error:
        raise DataReadError(
            f"The data file {path} (encoding {detected}, delimiter {delimiter!r}) is not a "
            f"well-formed table: {str(error).strip()}.{_title_line_hint(text, delimiter)}\n"
            "  fix: every row must have as many fields as the header; put quotes around cells "
            "that contain the delimiter, delete title or note lines above the column names, "
            "or save the file again from Excel as CSV."
        ) from None
    _check_no_short_rows(text, delimiter, path)
    return promote_header(rows.astype("string")), detected


def short_rows(text: str, delimiter: str) -> tuple[int, list[tuple[int, int]]]:
    """Rows of CSV ``text`` with fewer fields than the header.

    Returns
    -------
    width : int
        Fields of the header (trailing empty header fields not counted).
    short : list of (int, int)
        ``(file row, number of fields)`` of each non-blank row with fewer fields than
        ``width``; the header is row 1.
    """
    records = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(records, [])
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    short = [
        (row, len(fields))
        for row, fields in enumerate(records, start=2)
        if fields and any(field.strip() for field in fields) and len(fields) < width
    ]
    return width, short


def _check_no_short_rows(text: str, delimiter: str, path: Path) -> None:
    """Raise when a row has fewer fields than the header (a cut-off file or a lost field)."""
    width, short = short_rows(text, delimiter)
    if not short:
        return
    shown = ", ".join(f"row {row} ({count} fields)" for row, count in short[:10])
    more = f" ... and {len(short) - 10} more" if len(short) > 10 else ""
    last = (
        " The last row is among them: the file may have been cut off."
        if (short[-1][0] == text.rstrip("\r\n").count("\n") + 1)
        else ""
    )
    raise DataReadError(
        f"The data file {path} has {len(short)} row(s) with fewer fields than the header's "
        f"{width}: {shown}{more}.{last}\n"
        "  fix: every row must have as many fields as the header (an empty cell is written as "
        "nothing between two delimiters, e.g. 'a,,c'); restore the missing cells or the end of "
        "the file from the original source, or save it again from Excel as CSV."
    )


def _read_xlsx(path: Path, *, sheet: str | int) -> tuple[pd.DataFrame, str, list[str]]:
    try:
        workbook = pd.ExcelFile(path, engine="openpyxl")
    except Exception as error:  # openpyxl raises many types for a damaged workbook
        raise DataReadError(
            f"The data file {path} cannot be opened as an Excel workbook "
            f"({type(error).__name__}: {error}).\n"
            "  fix: open it in Excel or WPS and save it again as .xlsx, or export it as CSV."
        ) from None
    with workbook:
        sheet_names = [str(name) for name in workbook.sheet_names]
        sheet_name = _resolve_sheet(path, workbook.sheet_names, sheet)
        try:
            rows = pd.read_excel(
                workbook, sheet_name=sheet_name, header=None, dtype=object, keep_default_na=False
            )
        except Exception as error:  # a corrupt sheet: report it, never a raw traceback
            raise DataReadError(
                f"Sheet '{sheet_name}' of {path} cannot be read ({type(error).__name__}: "
                f"{error}).\n  fix: open the workbook and save it again, or export the sheet "
                "as CSV."
            ) from None
    return promote_header(rows), str(sheet_name), sheet_names


def _resolve_sheet(path: Path, sheet_names: list[str], sheet: str | int) -> str:
    available = ", ".join(f"'{name}'" for name in sheet_names)
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 0 <= sheet < len(sheet_names):
            return sheet_names[sheet]
        wanted = f"number {sheet} (counting from 0)"
    elif sheet in sheet_names:
        return str(sheet)
    else:
        wanted = f"'{sheet}'"
    raise DataReadError(
        f"The workbook {path} has no sheet {wanted}; its sheets are: {available}.\n"
        f"  fix: set data.sheet in {config_file_in_use()} to one of these names or to its position "
        "(0 for the first sheet)."
    )


def _read_dta(path: Path, *, encoding: str = "auto") -> tuple[pd.DataFrame, str | None]:
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UnicodeWarning)
            try:
                table = pd.read_stata(path, convert_categoricals=True)
            except ValueError as error:
                if "label" not in str(error).lower():
                    raise
                table = pd.read_stata(path, convert_categoricals=False)
    except Exception as error:  # pandas raises several types for unreadable Stata files
        raise DataReadError(
            f"The data file {path} cannot be read as a Stata .dta file "
            f"({type(error).__name__}: {error}).\n"
            "  fix: save it again from Stata (saveold for an old version, or export delimited "
            "to write a CSV)."
        ) from None
    for warning in caught:
        if not issubclass(warning.category, UnicodeWarning):
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    table, detected = recode_stata_text(table, encoding=encoding, source=str(path))
    return _empty_strings_as_missing(table), detected


def recode_stata_text(
    table: pd.DataFrame, *, encoding: str = "auto", source: str = ""
) -> tuple[pd.DataFrame, str | None]:
    """Repair the text of a Stata file whose strings are not in the encoding pandas assumed.

    Stata 13 and older (format 117 and below) store text in the encoding of the computer that
    wrote it, GBK on a Chinese Windows system, and pandas reads it as Latin-1; files converted
    badly to the Unicode format 118 fall back to Latin-1 too. Such text arrives as mojibake
    ("Ê¡·Ý" for 省份). Every column name and text value made only of Latin-1 characters is
    turned back into its bytes and decoded with ``encoding``; with ``"auto"``, as UTF-8 if
    every such string is valid UTF-8, else as GB18030 if every one is valid GB18030 and nearly
    all of its characters are common Chinese characters (GB2312), else left as it is.

    Returns
    -------
    table : pandas.DataFrame
        The table with its names and text repaired (a copy when anything changed).
    encoding : str or None
        The encoding used, or None when nothing was recoded.

    Raises
    ------
    DataReadError
        When an explicit ``encoding`` cannot decode the text.
    """
    text_columns = [
        column
        for column in table.columns
        if _is_text(table[column]) or isinstance(table[column].dtype, pd.CategoricalDtype)
    ]
    candidates = {str(column) for column in table.columns if _latin1_mojibake(str(column))}
    for column in text_columns:
        values = table[column]
        distinct = (
            values.cat.categories if isinstance(values.dtype, pd.CategoricalDtype) else values
        )
        candidates.update(v for v in pd.unique(distinct) if isinstance(v, str))
    candidates = {text for text in candidates if _latin1_mojibake(text)}
    if not candidates:
        return table, None
    chosen = _stata_text_encoding(candidates, encoding, source)
    if chosen is None:
        return table, None
    lookup = {text: text.encode("latin-1").decode(chosen) for text in candidates}

    def fix(value: object) -> object:
        return lookup.get(value, value) if isinstance(value, str) else value

    table = table.rename(columns=lambda column: fix(str(column)))
    for column in table.columns:
        values = table[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            table[column] = values.cat.rename_categories(fix)
        elif _is_text(values):
            table[column] = values.map(fix)
    return table, chosen


def _is_text(values: pd.Series) -> bool:
    return values.dtype == object or pd.api.types.is_string_dtype(values.dtype)


def _latin1_mojibake(text: str) -> bool:
    """True when ``text`` has a non-ASCII character and every character is Latin-1."""
    return any(ord(c) > 127 for c in text) and all(ord(c) < 256 for c in text)


def _stata_text_encoding(candidates: set[str], encoding: str, source: str) -> str | None:
    """The encoding the candidate strings were written in (None: keep them as read)."""
    raw = [text.encode("latin-1") for text in sorted(candidates)]
    if encoding != "auto":
        for content in raw:
            _decode_with(content, encoding, source)
        return encoding
    for codec in ("utf-8", "gb18030"):
        try:
            decoded = [content.decode(codec) for content in raw]
        except UnicodeDecodeError:
            continue
        if codec == "utf-8" or _mostly_common_chinese("".join(decoded)):
            return codec
    return None


def _mostly_common_chinese(text: str, share: float = 0.9) -> bool:
    """True when nearly all non-ASCII characters of ``text`` are in GB2312 (common Chinese)."""
    wide = [character for character in text if ord(character) > 127]
    if not wide:
        return False
    common = 0
    for character in wide:
        try:
            character.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 1
    return common >= share * len(wide)


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        table = pd.read_parquet(path)
    except Exception as error:  # pyarrow raises several types for a damaged file
        raise DataReadError(
            f"The data file {path} cannot be read as a Parquet file "
            f"({type(error).__name__}: {error}).\n"
            "  fix: write the file again, or export it as CSV."
        ) from None
    table = table.reset_index(drop=not _has_meaningful_index(table))
    table.columns = [str(column) for column in table.columns]
    return _empty_strings_as_missing(table)


def decode_text(content: bytes, *, encoding: str = "auto", source: str = "") -> tuple[str, str]:
    """Decode the bytes of a text file.

    Parameters
    ----------
    content : bytes
        The file's bytes.
    encoding : str
        ``"auto"`` tries a UTF-8 byte-order mark, strict UTF-8, then GB18030, then
        charset-normalizer; anything else is a codec name used strictly.
    source : str
        The file, for error messages.

    Returns
    -------
    text : str
        The text, without a byte-order mark.
    encoding : str
        The encoding used (``"utf-8-sig"`` when the file starts with a UTF-8 byte-order mark).

    Raises
    ------
    DataReadError
        When the bytes cannot be decoded.
    """
    if encoding != "auto":
        return _decode_with(content, encoding, source), encoding
    if content.startswith(_UTF8_BOM):
        try:
            return content[len(_UTF8_BOM) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    if b"\x00" in content and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataReadError(_undecodable_message(content, source))  # binary, not text
    for candidate in AUTO_ENCODINGS:
        try:
            return content.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    guessed = _guess_encoding(content)
    if guessed is not None:
        return guessed
    raise DataReadError(_undecodable_message(content, source))


def _decode_with(content: bytes, encoding: str, source: str) -> str:
    try:
        text = content.decode(encoding)
    except LookupError:
        raise DataReadError(
            f"data.encoding in {config_file_in_use()} is '{encoding}', which is not a known text "
            f"encoding (reading {source}).\n"
            "  fix: set data.encoding to auto, or to a codec name such as utf-8, gbk, gb18030, "
            "big5 or utf-16."
        ) from None
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        raise DataReadError(
            f"The data file {source} cannot be decoded as {encoding}: byte "
            f"{content[error.start : error.start + 1]!r} at line {line} is not valid {encoding}.\n"
            f"  fix: set data.encoding in {config_file_in_use()} to auto (detects UTF-8, "
            "UTF-8 with BOM and GBK/GB18030) or to the file's real encoding, or save the file as "
            "UTF-8."
        ) from None
    return text.removeprefix("\ufeff")


def _guess_encoding(content: bytes) -> tuple[str, str] | None:
    """charset-normalizer's best guess, unless the text looks binary."""
    best = charset_normalizer.from_bytes(content).best()
    if best is None:
        return None
    text = str(best).removeprefix("\ufeff")
    if any(character in _CONTROL_CHARACTERS for character in text):
        return None
    return text, best.encoding


def _undecodable_message(content: bytes, source: str) -> str:
    for signature, kind in _FILE_SIGNATURES.items():
        if content.startswith(signature):
            return (
                f"The data file {source} is read as CSV text, but it is {kind}.\n"
                f"  fix: give the file its proper extension, or set data.format in "
                f"{config_file_in_use()} to {'xlsx' if signature.startswith(b'PK') else 'parquet'}."
            )
    position = _first_invalid_utf8_byte(content)
    line = content.count(b"\n", 0, position) + 1
    return (
        f"The data file {source} cannot be decoded as text: tried UTF-8, UTF-8 with BOM, "
        "GB18030 (which covers GBK and GB2312) and automatic detection (charset-normalizer); "
        f"the first byte that is not UTF-8 is at line {line}.\n"
        f"  fix: save the file as UTF-8 (Excel: Save As > CSV UTF-8), or set data.encoding in "
        f"{config_file_in_use()} to its encoding (for example big5, utf-16 or shift_jis)."
    )


def _first_invalid_utf8_byte(content: bytes) -> int:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start
    return 0


def detect_delimiter(text: str) -> str:
    r"""The most frequent of ``, \t ; |`` in the first non-blank line that has one.

    A first line without any delimiter (a title above the column names) is skipped; among
    the first few non-blank lines the first one holding a delimiter decides (``,`` if none).
    """
    lines = [line for line in text.splitlines()[:_DELIMITER_LINES] if line.strip()]
    for line in lines:
        counts = {delimiter: line.count(delimiter) for delimiter in _DELIMITERS}
        best = max(counts, key=lambda delimiter: counts[delimiter])
        if counts[best] > 0:
            return best
    return ","


def _title_line_hint(text: str, delimiter: str) -> str:
    """A sentence pointing at a title line above the column names, if the file starts with one."""
    lines = [line for line in text.splitlines()[:_DELIMITER_LINES] if line.strip()]
    if len(lines) < 2 or delimiter in lines[0] or delimiter not in lines[1]:
        return ""
    title = lines[0].strip()
    shown = title if len(title) <= 40 else title[:40] + "..."
    return (
        f"\n  The first line ('{shown}') has a single field while the next has several: it "
        "looks like a title, not the column names."
    )


def promote_header(rows: pd.DataFrame) -> pd.DataFrame:
    """Use the first row of ``rows`` as column names.

    Names are turned into text (an empty name becomes ``Unnamed: <position>``); a name that
    occurs more than once keeps its first occurrence and the repeats become ``name.1``,
    ``name.2``, ... Those names are listed in ``attrs["duplicate_columns"]``. Empty strings
    in the data become missing.
    """
    if len(rows) == 0:
        return pd.DataFrame()
    names = [_header_name(value, position) for position, value in enumerate(rows.iloc[0])]
    counts = Counter(names)
    seen: Counter[str] = Counter()
    unique = []
    for name in names:
        unique.append(name if seen[name] == 0 else f"{name}.{seen[name]}")
        seen[name] += 1
    table = rows.iloc[1:].reset_index(drop=True)
    table.columns = unique
    table = _empty_strings_as_missing(table)
    table.attrs["duplicate_columns"] = [name for name, count in counts.items() if count > 1]
    return table


def _header_name(value: object, position: int) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return f"Unnamed: {position}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    name = str(value)
    return name if name.strip() else f"Unnamed: {position}"


def _empty_strings_as_missing(table: pd.DataFrame) -> pd.DataFrame:
    """Empty strings (empty cells of a text column) become missing."""
    table = table.copy()
    for column in table.columns:
        values = table[column]
        if pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
            table[column] = values.mask(values.eq("").fillna(False).astype(bool))
    return table


def read_parquet(path: str | Path) -> pd.DataFrame:
    """Read a Parquet file written by :func:`write_parquet` (``attrs`` included)."""
    path = Path(path)
    if not path.is_file():
        raise DataReadError(f"The file {path} does not exist; run the step that writes it.")
    return pd.read_parquet(path)


def read_json(path: str | Path) -> Any:
    """Read a JSON file written by :func:`write_json`."""
    path = Path(path)
    if not path.is_file():
        raise DataReadError(f"The file {path} does not exist; run the step that writes it.")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


# --------------------------------------------------------------------------- writing


def write_parquet(table: pd.DataFrame, path: str | Path) -> Path:
    """Write ``table`` (with its ``attrs``) to Parquet, atomically; return the path.

    A default integer index is not stored; any other index is.
    """

    def write(temporary: Path) -> None:
        table.to_parquet(temporary, index=None if _has_meaningful_index(table) else False)

    return write_atomically(path, write)


def write_csv(table: pd.DataFrame, path: str | Path, *, encoding: str = "utf-8") -> Path:
    """Write ``table`` to CSV, atomically; return the path.

    The index is written only when it carries labels (a named index, or labels that are not
    integers, as in a correlation matrix). Missing values are written as empty cells. Use
    ``encoding="utf-8-sig"`` for a file that Excel opens with Chinese text intact.
    """

    def write(temporary: Path) -> None:
        table.to_csv(
            temporary, index=_has_meaningful_index(table), encoding=encoding, lineterminator="\n"
        )

    return write_atomically(path, write)


def write_json(obj: Any, path: str | Path) -> Path:
    """Write ``obj`` as UTF-8 JSON (indented, Chinese kept readable), atomically.

    NumPy scalars and arrays, pandas objects, dates and paths are converted; NaN, infinity and
    missing values become ``null``.
    """
    text = json.dumps(to_jsonable(obj), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    return write_text(text, path)


def write_text(text: str, path: str | Path) -> Path:
    """Write ``text`` as UTF-8, atomically; return the path."""

    def write(temporary: Path) -> None:
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)

    return write_atomically(path, write)


def to_jsonable(obj: Any) -> Any:
    """Turn ``obj`` into plain JSON types (dict, list, str, int, float, bool, None)."""
    if obj is None or isinstance(obj, (str, bool)):
        return obj
    if isinstance(obj, (int, np.integer)) and not isinstance(obj, np.bool_):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        return value if math.isfinite(value) else None
    if isinstance(obj, Mapping):
        return {str(key): to_jsonable(value) for key, value in obj.items()}
    if isinstance(obj, pd.DataFrame):
        return [to_jsonable(record) for record in obj.to_dict(orient="records")]
    if isinstance(obj, pd.Series):
        return {str(key): to_jsonable(value) for key, value in obj.items()}
    if isinstance(obj, np.ndarray):
        return [to_jsonable(value) for value in obj.tolist()]
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = sorted(obj, key=str) if isinstance(obj, (set, frozenset)) else obj
        return [to_jsonable(value) for value in items]
    if obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, (datetime.datetime, datetime.date, pd.Timestamp)):
        return obj.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"Cannot write an object of type {type(obj).__name__} as JSON: {obj!r}")


def _has_meaningful_index(table: pd.DataFrame) -> bool:
    index = table.index
    if any(name is not None for name in index.names):
        return True
    return not pd.api.types.is_integer_dtype(index.dtype)


def write_atomically(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write`` on a temporary file in the target's folder, then rename it to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
