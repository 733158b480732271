"""Excel/CSV imports with pandas: read, validate every row, then write all or nothing.

An importer declares its columns and two functions:

    class ItemImporter(Importer):
        kind = "items"
        title = _("Items")
        columns = [ImportColumn("code", _("Item code"), required=True, example="HOOD-900"), ...]
        def validate_row(self, row: dict, context: dict) -> dict   # raise RowError(column, message)
        def write(self, rows: list[dict], *, user, progress) -> int  # inside one transaction

`import_validate(importer, dataframe)` returns (clean rows, errors) where every error names the
spreadsheet row number (as Excel shows it: header is row 1) and the column. Nothing is written
unless there are no errors at all.
"""

from __future__ import annotations

import io
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from django.utils import translation
from django.utils.translation import gettext as _

from core.exports import xlsx_append, xlsx_bytes
from core.parsing import to_decimal

MAX_ERRORS_KEPT = 1000


class RowError(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass
class ImportColumn:
    name: str  # the key in the row dict and the header in the template
    label: Any  # shown to people (the template's header is "label (name)")
    required: bool = False
    example: str = ""
    help: Any = ""


@dataclass
class ImportError_:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class RowValidator(ABC):
    """Columns and row checks: what `import_validate` needs (government-data batches stop here and are
    written by their own service, with provenance and history)."""

    kind: str = ""
    title: Any = ""
    columns: list[ImportColumn] = []

    def prepare(self) -> dict:
        """Look-ups loaded once before validation (e.g. existing codes)."""
        return {}

    @abstractmethod
    def validate_row(self, row: dict, context: dict) -> dict:
        """Turn one row of strings into clean values; raise RowError(column, message) when bad."""

    def validate_all(self, rows: list[tuple[int, dict]], context: dict) -> list[ImportError_]:
        """Checks across rows (duplicates within the file …)."""
        return []



class Importer(RowValidator):
    """An Excel import of the ERP: validated rows written by the importer itself (a Celery job)."""

    @abstractmethod
    def write(self, rows: list[dict], *, user, progress: Callable[[int], None]) -> int:
        """Write the validated rows (called inside one transaction); return how many were written."""


def header_for(column: ImportColumn) -> str:
    return f"{column.label} ({column.name})"


def read_table(content: bytes, filename: str) -> pd.DataFrame:
    """Read .xlsx/.xls/.csv into a DataFrame of strings (empty cells → ""), headers normalised to the
    column names (a header may be the name, the label, or "label (name)")."""
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm", ".xls")):
        frame = pd.read_excel(io.BytesIO(content), dtype=str, engine="openpyxl")
    elif name.endswith((".csv", ".txt")):
        text = None
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            raise ValueError(_("The CSV file is neither UTF-8 nor GB18030 text."))
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    else:
        raise ValueError(_("Upload an .xlsx or .csv file."))
    frame = frame.fillna("")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def normalise_headers(frame: pd.DataFrame, importer: RowValidator) -> tuple[pd.DataFrame, list[ImportError_]]:
    mapping = {}
    names = {c.name for c in importer.columns}
    for header in frame.columns:
        match = re.search(r"\((\w+)\)\s*$", header)  # "物料编码 (code)" / "Item code (code)"
        if match and match.group(1) in names:
            mapping[header] = match.group(1)
    for column in importer.columns:
        if column.name in mapping.values():
            continue
        for candidate in (column.name, str(column.label)):
            if candidate in frame.columns:
                mapping[candidate] = column.name
                break
    errors = [ImportError_(1, column.name, _("The column is missing."))
              for column in importer.columns if column.required and column.name not in mapping.values()]
    return frame.rename(columns=mapping), errors


def import_validate(importer: RowValidator, frame: pd.DataFrame) -> tuple[list[dict], list[ImportError_]]:
    frame, errors = normalise_headers(frame, importer)
    if errors:
        return [], errors
    names = [c.name for c in importer.columns]
    for name in names:
        if name not in frame.columns:
            frame[name] = ""
    context = importer.prepare()
    clean: list[dict] = []
    numbered: list[tuple[int, dict]] = []
    records = frame[names].astype(str).apply(lambda s: s.str.strip()).to_dict("records")
    for index, raw in enumerate(records):
        row_number = index + 2  # Excel numbering: the header is row 1
        if not any(raw.values()):
            continue  # blank line
        missing = [c for c in importer.columns if c.required and not raw.get(c.name)]
        if missing:
            errors.extend(ImportError_(row_number, c.name, _("A value is required.")) for c in missing)
            continue
        try:
            row = importer.validate_row(raw, context)
        except RowError as exc:
            errors.append(ImportError_(row_number, exc.column, exc.message))
            continue
        row["_row"] = row_number
        clean.append(row)
        numbered.append((row_number, row))
    errors.extend(importer.validate_all(numbered, context))
    errors.sort(key=lambda e: (e.row, e.column))
    return clean, errors


def template_workbook(importer: Importer) -> bytes:
    """An .xlsx with the headers, an example row, and a sheet explaining each column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(importer.kind)[:31]
    xlsx_append(sheet, [header_for(c) for c in importer.columns])
    xlsx_append(sheet, [c.example for c in importer.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for i, column in enumerate(importer.columns, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = max(14, len(header_for(column)) + 4)
    notes = workbook.create_sheet(_("Columns"))
    xlsx_append(notes, [_("Column"), _("Required"), _("Meaning")])
    for column in importer.columns:
        xlsx_append(notes, [header_for(column), _("yes") if column.required else _("no"), str(column.help)])
    return xlsx_bytes(workbook)


# ---- parsers for validate_row -------------------------------------------------------------------


def parse_decimal(raw: str, column: str, *, minimum: Decimal | None = None, allow_blank: bool = True,
                  default: Decimal = Decimal("0")) -> Decimal:
    raw = (raw or "").replace(",", "").replace("，", "").strip()
    if raw == "":
        if allow_blank:
            return default
        raise RowError(column, _("A number is required."))
    value = to_decimal(raw, max_digits=14)  # ASCII digits only, no NaN/Infinity/exponent, fits a column
    if value is None:
        raise RowError(column, _("“%(value)s” is not a number.") % {"value": raw[:40]})
    if minimum is not None and value < minimum:
        raise RowError(column, _("Must be at least %(min)s.") % {"min": minimum})
    return value


def parse_int(raw: str, column: str, *, minimum: int = 0, default: int = 0) -> int:
    value = parse_decimal(raw, column, minimum=Decimal(minimum), default=Decimal(default))
    if value != value.to_integral():
        raise RowError(column, _("A whole number is required."))
    return int(value)


def parse_bool(raw: str, column: str, *, default: bool = False) -> bool:
    value = (raw or "").strip().lower()
    if value == "":
        return default
    if value in ("1", "y", "yes", "true", "是", "有", "√", "✓"):
        return True
    if value in ("0", "n", "no", "false", "否", "无"):
        return False
    raise RowError(column, _("Write yes/no (是/否)."))


def parse_choice(raw: str, column: str, choices, *, default: str | None = None) -> str:
    """Accepts the code or the label (in either language) of a choice."""
    value = (raw or "").strip()
    if value == "" and default is not None:
        return default
    for code, label in choices:
        labels = {str(code).lower(), str(label).lower()}
        for language in ("zh-hans", "en"):
            with translation.override(language):
                labels.add(str(label).lower())
        if value.lower() in labels:
            return code
    raise RowError(column, _("“%(value)s” is not one of: %(choices)s")
                   % {"value": value, "choices": ", ".join(str(c) for c, _l in choices)})


@dataclass
class ImportOutcome:
    rows: list[dict] = field(default_factory=list)
    errors: list[ImportError_] = field(default_factory=list)
