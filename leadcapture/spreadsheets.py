"""Reading lead rows from CSV and XLSX files, a row at a time.

Columns are found by their header, in our words or ERPNext's (``email_id``,
``mobile_no``, ``type``, …). What cannot be read at all — an unknown format, a file that
is not UTF-8 text, a header without an email column, two columns for one field — is a
:class:`~leadcapture.errors.ValidationError` on ``file`` before any row is given out.
"""

from __future__ import annotations

import csv
import io
import operator
import re
import zipfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from .errors import ValidationError
from .i18n import gettext

#: Header (normalized: lower case, ``_`` for spaces and punctuation) → lead field.
COLUMNS = {
    "email": "email",
    "email_id": "email",
    "email_address": "email",
    "lead_name": "lead_name",
    "full_name": "lead_name",
    "person_name": "lead_name",
    "first_name": "first_name",
    "last_name": "last_name",
    "company_name": "company_name",
    "company": "company_name",
    "organization_name": "company_name",
    "is_organization": "is_organization",
    "organization_lead": "is_organization",
    "phone": "phone",
    "phone_no": "phone",
    "mobile_no": "mobile_no",
    "mobile": "mobile_no",
    "gender": "gender",
    "status": "status",
    "source": "source",
    "lead_type": "lead_type",
    "type": "lead_type",
    "market_segment": "market_segment",
    "industry": "industry",
    "notes": "notes",
    "note": "notes",
}

#: A CSV field longer than this is refused (the csv module's own limit, made explicit).
MAX_CELL = 100_000
csv.field_size_limit(MAX_CELL)


def normalize_header(header: Any) -> str:
    text = "" if header is None else str(header)
    return re.sub(r"[^0-9a-z]+", "_", text.strip().lstrip("\ufeff").lower()).strip("_")


@dataclass
class Sheet:
    """The rows of one file: ``rows`` yields ``(line, {field: text})``."""

    columns: dict[int, str]
    ignored: list[str]
    rows: Iterator[tuple[int, dict[str, str]]]
    size: int = 0


def _map_header(cells: list[Any]) -> tuple[dict[int, str], list[str]]:
    columns: dict[int, str] = {}
    seen: dict[str, str] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        raw = "" if cell is None else str(cell).strip()
        target = COLUMNS.get(normalize_header(raw))
        if target is None:
            if raw:
                ignored.append(raw[:60])
            continue
        if target in seen:
            raise ValidationError.single(
                "file",
                gettext(
                    "The columns %(first)r and %(second)r both give %(column)s.",
                    first=seen[target],
                    second=raw,
                    column=target,
                ),
            )
        seen[target] = raw
        columns[index] = target
    if "email" not in seen:
        raise ValidationError.single(
            "file", gettext("The first row must name the columns, one of them email (or email_id).")
        )
    return columns, ignored


def _header_or_close(
    header: list[Any], rows: Generator[Any, None, None]
) -> tuple[dict[int, str], list[str]]:
    """The header's columns; a refused header closes the file at once."""
    try:
        return _map_header(header)
    except ValidationError:
        rows.close()
        raise


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows(
    cells: Iterator[list[Any]], columns: dict[int, str], *, as_text: bool
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each row's cells by field from line 2, blank rows left out; ``as_text`` turns a
    workbook's numbers and dates into text (a CSV's cells are text already)."""
    wanted = list(columns.items())
    targets = list(columns.values())
    whole = operator.itemgetter(*columns)  # a row as wide as the header: the usual one
    widest = max(columns)
    for line, row in enumerate(cells, start=2):
        if as_text:
            row = [_cell_text(cell) for cell in row]
        if len(row) > widest:
            found = whole(row)
            values = dict(zip(targets, found if len(targets) > 1 else (found,), strict=True))
        else:
            values = {target: row[index] for index, target in wanted if index < len(row)}
        if "".join(values.values()).strip():
            yield line, values


class _CountingReader(io.RawIOBase):
    """A binary stream that reports how many bytes were read, for a progress bar."""

    def __init__(self, stream: IO[bytes], progress: Callable[[int], None] | None) -> None:
        self.stream = stream
        self.progress = progress

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.stream.close()
        super().close()

    def readinto(self, buffer: Any) -> int:
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        if self.progress is not None and data:
            self.progress(len(data))
        return len(data)


def _csv_sheet(path: Path, progress: Callable[[int], None] | None) -> Sheet:
    binary = io.BufferedReader(_CountingReader(path.open("rb"), progress))
    stream = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    reader = csv.reader(stream)

    def guarded(cells: Iterator[list[str]]) -> Generator[list[str], None, None]:
        try:
            yield from cells
        except UnicodeDecodeError:
            raise ValidationError.single(
                "file",
                gettext(
                    "Line %(line)s is not UTF-8 text; save the file as UTF-8.",
                    line=reader.line_num + 1,
                ),
            ) from None
        except csv.Error as exc:
            raise ValidationError.single(
                "file",
                gettext(
                    "Line %(line)s: not readable as CSV (%(error)s).",
                    line=reader.line_num,
                    error=exc,
                ),
            ) from None
        finally:
            stream.close()

    cells = guarded(reader)
    try:
        header = next(cells)
    except StopIteration:
        raise ValidationError.single("file", gettext("The file is empty.")) from None
    columns, ignored = _header_or_close(header, cells)
    return Sheet(columns, ignored, _rows(cells, columns, as_text=False), size=path.stat().st_size)


def _xlsx_sheet(path: Path, progress: Callable[[int], None] | None) -> Sheet:
    try:  # an extra: a shop that imports CSV only does without it
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException
    except ImportError:
        raise ValidationError.single(
            "file",
            gettext("XLSX files need openpyxl: pip install 'leadcapture[xlsx]'; or send CSV."),
        ) from None

    stream = path.open("rb")  # a stream: openpyxl judges a file name by its extension
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        stream.close()
        raise ValidationError.single(
            "file", gettext("Not a readable XLSX workbook (%(error)s).", error=exc)
        ) from None
    sheet = workbook.worksheets[0]
    total = sheet.max_row or 0

    def cells() -> Generator[list[Any], None, None]:
        try:
            for row in sheet.iter_rows(values_only=True):
                if progress is not None:
                    progress(1)
                yield list(row)
        finally:
            workbook.close()
            stream.close()

    found = cells()
    try:
        header = next(found)
    except StopIteration:
        raise ValidationError.single(
            "file", gettext("The workbook's first sheet is empty.")
        ) from None
    columns, ignored = _header_or_close(header, found)
    return Sheet(columns, ignored, _rows(found, columns, as_text=True), size=total)


def open_sheet(
    path: Path, *, filename: str | None = None, progress: Callable[[int], None] | None = None
) -> Sheet:
    """The rows of a CSV or XLSX file, by the file's name (or its content).

    ``progress`` is called with the bytes (CSV) or rows (XLSX) read since the last call;
    :attr:`Sheet.size` is the total to expect in the same unit.
    """
    name = (filename or path.name).lower()
    with path.open("rb") as probe:
        is_zip = probe.read(4) == b"PK\x03\x04"
    if is_zip and name.endswith(".csv"):
        raise ValidationError.single("file", gettext("This is a zip archive, not a CSV file."))
    if is_zip:
        return _xlsx_sheet(path, progress)
    if name.endswith(".xlsx"):
        raise ValidationError.single("file", gettext("Not a readable XLSX workbook."))
    return _csv_sheet(path, progress)
