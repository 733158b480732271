"""Excel/CSV imports with pandas: read, validate every row, then write all or nothing.

An importer declares its columns and two functions:

    class ItemImporter(Importer):
        kind = "items"
        title = _("Items")
        columns = [ImportColumn("code", _("Item code"), required=True, example="HOOD-900"), ...]
        def validate_row(self, row: dict, context: dict) -> dict   # raise RowError / RowErrors
        def write(self, rows: list[dict], *, user, progress) -> int  # inside one transaction

`import_validate(importer, dataframe)` returns (clean rows, errors). It reports **every** problem of
every row, as ERPNext's data import does: a row with five faults needs one upload, not five. Each error
names the spreadsheet row (as Excel shows it: the header is row 1), the column by the header the user
typed in the file, the value found there, what is wrong and how to fix it. A `validate_row` collects its
problems with a `RowCheck` and raises them together (`RowErrors`); one that raises a single `RowError`
still works (its first problem only). Required cells left empty are reported for every such column, and
the row's other checks still run. Nothing is written unless there are no errors at all.

`problems_workbook` gives the uploaded file back with a problems column (and the faulty cells marked): the
user corrects it and uploads it again; the problems column is ignored on upload. Templates
(`template_workbook`) give example rows with the labels people choose from, in their language.
"""

from __future__ import annotations

import io
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

import pandas as pd
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from core.exports import xlsx_append, xlsx_bytes
from core.parsing import to_decimal

MAX_ERRORS_KEPT = 1000
PROBLEMS_KEY = "import_problems"  # the problems column of a file given back: ignored when it comes back
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_PROBLEM_FILL = PatternFill("solid", fgColor="F8D7DA")


class RowError(Exception):
    """One problem of a row: the column (its key), what is wrong, and optionally how to fix it (else the
    column's own help is the fix)."""

    def __init__(self, column: str, message: str, *, fix: str = ""):
        super().__init__(message)
        self.column = column
        self.message = message
        self.fix = fix


class RowErrors(Exception):
    """Every problem of one row (raised by `RowCheck.done`)."""

    def __init__(self, errors: Iterable[RowError]):
        self.errors = list(errors)
        super().__init__("; ".join(e.message for e in self.errors))


class RowCheck:
    """Collects the problems of one row so that `validate_row` reports all of them::

        check = RowCheck()
        quantity = check(parse_decimal, row["quantity"], "quantity", allow_blank=False)  # None when bad
        if unit is None:
            check.add("uom", _("Unknown unit “%(value)s”.") % {...}, fix=_("Write …"))
        check.done()  # raises RowErrors if anything was found
    """

    def __init__(self):
        self.errors: list[RowError] = []

    def __call__(self, parse: Callable[..., Any], *args, **kwargs) -> Any:
        """``parse(*args, **kwargs)``; None (and the problem kept) when it raises RowError."""
        try:
            return parse(*args, **kwargs)
        except RowErrors as exc:
            self.errors.extend(exc.errors)
        except RowError as exc:
            self.errors.append(exc)
        return None

    def add(self, column: str, message: str, *, fix: str = "") -> None:
        self.errors.append(RowError(column, message, fix=fix))

    def failed(self, *columns: str) -> bool:
        """Whether any of ``columns`` (any column if none given) has a problem."""
        return any(not columns or e.column in columns for e in self.errors)

    def done(self) -> None:
        if self.errors:
            raise RowErrors(self.errors)


@dataclass
class ImportColumn:
    name: str  # the key in the row dict and the header in the template
    label: Any  # shown to people (the template's header is "label (name)")
    required: bool = False
    example: Any = ""  # the template's example (a choice: its label, so in the reader's language)
    help: Any = ""  # what to write: the fix of a problem in this column unless the check gives its own
    choices: Any = None  # [(code, label)] of a choice column: the template's drop-down and help list the labels


@dataclass
class ImportError_:
    row: int
    column: str
    message: str
    header: str = ""  # the column's header as typed in the file ("单位", "Unit (uom)", "uom")
    value: str = ""  # the cell's text
    fix: str = ""  # how to correct it

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}

    def report(self) -> dict:
        """The whole problem as a report shows it (ImportJob.errors, problems_workbook): also the typed
        header, the value and the fix."""
        return {**self.as_dict(), "header": self.header or self.column, "value": self.value, "fix": self.fix}


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
        """Turn one row of strings into clean values; raise RowErrors (a RowCheck's) or RowError when bad."""

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


def choice_labels(choices) -> str:
    """The labels people choose from, in the active language: "原材料、零部件、成品"."""
    return pgettext("list separator", ", ").join(str(label) for _code, label in choices)


def column_fix(column: ImportColumn | None) -> str:
    """How to fill a column in, from its declaration: its choices' labels, else its help."""
    if column is None:
        return ""
    if column.choices:
        return _("Write one of: %(choices)s.") % {"choices": choice_labels(column.choices)}
    return str(column.help or "")


def read_table(content: bytes, filename: str) -> pd.DataFrame:
    """Read .xlsx/.xls/.csv into a DataFrame of strings (empty cells → ""), headers as typed (stripped);
    `import_validate` maps them to the column names (a header may be the name, the label, or "label (name)")."""
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


def header_mapping(frame: pd.DataFrame, importer: RowValidator) -> dict[str, str]:
    """{header as typed: column name} for the file's headers that name a column of the importer."""
    mapping = {}
    names = {c.name for c in importer.columns}
    for header in frame.columns:
        match = re.search(r"\((\w+)\)\s*$", header)  # "物料编码 (code)" / "Item code (code)"
        if match and match.group(1) in names:
            mapping[header] = match.group(1)
    for column in importer.columns:
        if column.name in mapping.values():
            continue
        for candidate in (column.name, *_labels_in_every_language(column.label)):
            if candidate in frame.columns and candidate not in mapping:
                mapping[candidate] = column.name
                break
    return mapping


def _labels_in_every_language(label) -> list[str]:
    """The label in the active language, then in the others (a file typed in Chinese read by an English worker)."""
    labels = [str(label)]
    for language in ("zh-hans", "en"):
        with translation.override(language):
            if str(label) not in labels:
                labels.append(str(label))
    return labels


def normalise_headers(frame: pd.DataFrame, importer: RowValidator) -> tuple[pd.DataFrame, list[ImportError_]]:
    mapping = header_mapping(frame, importer)
    errors = [ImportError_(1, column.name, _("The column is missing."), header=header_for(column),
                           fix=_("Add a column headed “%(header)s” (download the template).")
                           % {"header": header_for(column)})
              for column in importer.columns if column.required and column.name not in mapping.values()]
    return frame.rename(columns=mapping), errors


def import_validate(importer: RowValidator, frame: pd.DataFrame) -> tuple[list[dict], list[ImportError_]]:
    headers = {name: header for header, name in header_mapping(frame, importer).items()}
    frame, errors = normalise_headers(frame, importer)
    if errors:
        return [], errors
    columns = {c.name: c for c in importer.columns}
    names = list(columns)
    for name in names:
        if name not in frame.columns:
            frame[name] = ""
    context = importer.prepare()
    clean: list[dict] = []
    numbered: list[tuple[int, dict]] = []
    raws: dict[int, dict] = {}

    def error(row_number: int, problem: RowError) -> ImportError_:
        column = columns.get(problem.column)
        return ImportError_(row_number, problem.column, problem.message,
                            header=headers.get(problem.column) or (header_for(column) if column else problem.column),
                            value=str(raws.get(row_number, {}).get(problem.column, "")),
                            fix=str(problem.fix or column_fix(column)))

    records = frame[names].astype(str).apply(lambda s: s.str.strip()).to_dict("records")
    for index, raw in enumerate(records):
        row_number = index + 2  # Excel numbering: the header is row 1
        if not any(raw.values()):
            continue  # blank line
        raws[row_number] = raw
        problems = [RowError(c.name, _("A value is required."),
                             fix=_("Fill it in, e.g. %(example)s.") % {"example": c.example} if str(c.example)
                             else column_fix(c))
                    for c in importer.columns if c.required and not raw.get(c.name)]
        row = None
        try:
            row = importer.validate_row(raw, context)
        except RowErrors as exc:
            problems.extend(exc.errors)
        except RowError as exc:
            problems.append(exc)
        except Exception:  # noqa: BLE001 - a check that assumes the required cells: they are reported already
            if not problems:
                raise
        if problems:
            seen = set()
            for problem in problems:  # one problem per column and message (an empty cell is "required" only once)
                empty_again = problem.column in seen and not raw.get(problem.column)
                if (problem.column, problem.message) in seen or empty_again:
                    continue
                seen.update({problem.column, (problem.column, problem.message)})
                errors.append(error(row_number, problem))
            continue
        row["_row"] = row_number
        clean.append(row)
        numbered.append((row_number, row))
    for problem in importer.validate_all(numbered, context):
        column = columns.get(problem.column)
        problem.header = problem.header or headers.get(problem.column) or (
            header_for(column) if column else problem.column)
        problem.value = problem.value or str(raws.get(problem.row, {}).get(problem.column, ""))
        problem.fix = problem.fix or column_fix(column)
        errors.append(problem)
    order = {name: i for i, name in enumerate(names)}
    errors.sort(key=lambda e: (e.row, order.get(e.column, len(order))))
    return clean, errors


def template_workbook(importer: Importer) -> bytes:
    """An .xlsx with the headers, an example row (choices by their labels, in the active language; a drop-down
    of them in their column), and a sheet explaining each column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(importer.kind)[:31]
    xlsx_append(sheet, [header_for(c) for c in importer.columns])
    xlsx_append(sheet, [str(c.example) for c in importer.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for i, column in enumerate(importer.columns, start=1):
        letter = sheet.cell(row=1, column=i).column_letter
        sheet.column_dimensions[letter].width = max(14, len(header_for(column)) + 4)
        _choice_dropdown(sheet, column, letter)
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(_("Columns"))
    xlsx_append(notes, [_("Column"), _("Required"), _("Meaning")])
    for column in importer.columns:
        xlsx_append(notes, [header_for(column), _("yes") if column.required else _("no"),
                            " ".join(t for t in (str(column.help or ""), column_fix(column) if column.choices else "")
                                     if t)])
    return xlsx_bytes(workbook)


def _choice_dropdown(sheet, column: ImportColumn, letter: str, *, last_row: int = 5000) -> None:
    """A drop-down of the column's labels (Excel allows 255 characters of list; longer lists are left out)."""
    if not column.choices:
        return
    labels = [str(label).replace('"', "'") for _code, label in column.choices]
    formula = '"' + ",".join(labels) + '"'
    if any("," in label for label in labels) or len(formula) > 255:
        return
    validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
    validation.add(f"{letter}2:{letter}{last_row}")
    sheet.add_data_validation(validation)


def problems_workbook(frame: pd.DataFrame, errors: Iterable[dict]) -> bytes:
    """The uploaded file given back to be corrected: every row as read (nothing was imported, so every row must
    come back), the headers as typed, a first column with the row's problems and how to fix them, the faulty
    cells marked red; a filter on the header row shows only the rows to fix. The problems column is ignored
    when the file is uploaded again (its header ends in "(import_problems)")."""
    by_row: dict[int, list[dict]] = {}
    for problem in errors:
        if int(problem.get("row", 0)) > 1:
            by_row.setdefault(int(problem["row"]), []).append(problem)
    headers = [str(c) for c in frame.columns if not str(c).endswith(f"({PROBLEMS_KEY})")]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Rows to fix"))[:31]
    xlsx_append(sheet, [f"{pgettext('import', 'Problems and how to fix them')} ({PROBLEMS_KEY})", *headers])
    position = {header: i for i, header in enumerate(headers, start=2)}
    for index, values in enumerate(frame[headers].astype(str).to_dict("records")):
        row_number = index + 2
        problems = by_row.get(row_number, [])
        xlsx_append(sheet, ["\n".join(_problem_text(p) for p in problems), *values.values()])
        for problem in problems:
            column = position.get(problem.get("header", ""))
            if column:
                sheet.cell(row=row_number, column=column).fill = _PROBLEM_FILL
        if problems:
            sheet.cell(row=row_number, column=1).fill = _PROBLEM_FILL
            sheet.cell(row=row_number, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    sheet.column_dimensions["A"].width = 60
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = sheet.dimensions
    return xlsx_bytes(workbook)


def _problem_text(problem: dict) -> str:
    text = f"{problem.get('header') or problem.get('column')}: {problem.get('message', '')}"
    return f"{text} {problem['fix']}" if problem.get("fix") else text


# ---- parsers for validate_row -------------------------------------------------------------------


def parse_decimal(raw: str, column: str, *, minimum: Decimal | None = None, allow_blank: bool = True,
                  default: Decimal = Decimal("0")) -> Decimal:
    raw = (raw or "").replace(",", "").replace("，", "").strip()
    if raw == "":
        if allow_blank:
            return default
        raise RowError(column, _("A number is required."), fix=_("Write a number such as 12 or 0.5, without units."))
    value = to_decimal(raw, max_digits=14)  # ASCII digits only, no NaN/Infinity/exponent, fits a column
    if value is None:
        raise RowError(column, _("“%(value)s” is not a number.") % {"value": raw[:40]},
                       fix=_("Write a number such as 12 or 0.5, without units."))
    if minimum is not None and value < minimum:
        raise RowError(column, _("Must be at least %(min)s.") % {"min": minimum},
                       fix=_("Write a number of at least %(min)s.") % {"min": minimum})
    return value


def parse_int(raw: str, column: str, *, minimum: int = 0, default: int = 0) -> int:
    value = parse_decimal(raw, column, minimum=Decimal(minimum), default=Decimal(default))
    if value != value.to_integral():
        raise RowError(column, _("A whole number is required."), fix=_("Write a whole number such as 7."))
    return int(value)


def parse_bool(raw: str, column: str, *, default: bool = False) -> bool:
    value = (raw or "").strip().lower()
    if value == "":
        return default
    if value in ("1", "y", "yes", "true", "是", "有", "√", "✓"):
        return True
    if value in ("0", "n", "no", "false", "否", "无"):
        return False
    raise RowError(column, _("“%(value)s” is not yes or no.") % {"value": raw[:40]}, fix=_("Write yes/no (是/否)."))


def parse_choice(raw: str, column: str, choices, *, default: str | None = None) -> str:
    """Accepts the code or the label (in either language) of a choice; the problem lists the labels."""
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
    raise RowError(column, _("“%(value)s” is not one of the choices.") % {"value": value[:40]},
                   fix=_("Write one of: %(choices)s.") % {"choices": choice_labels(choices)})


@dataclass
class ImportOutcome:
    rows: list[dict] = field(default_factory=list)
    errors: list[ImportError_] = field(default_factory=list)
