"""Cells that cannot run: every spreadsheet and CSV file the platform produces is written through here.

A text cell that starts with `=`, `+`, `-` or `@` is a formula to Excel, WPS and LibreOffice (and a
leading tab or carriage return is skipped by some of them before they look): an enterprise renamed
`=HYPERLINK("http://…","点击")` became a live link in the office's export ("CSV/formula injection").

- **xlsx**: such a cell is written as a *string cell* (openpyxl data type `s`, stored as an inline
  string) with the `quotePrefix` style. The spreadsheet shows the text exactly as it was typed and keeps
  it text when someone edits the cell; nothing is added to the value, so the file reads back (and
  re-imports) as the enterprise's real name — an apostrophe in front would end up in the data.
- **csv**: a CSV file has no cell types, so the only defence is in the text: the cell gets a leading
  apostrophe (`'=HYPERLINK(…)`), which every spreadsheet reads as "this is text". The value stays
  readable; the apostrophe is the price of the format.

Numbers, dates and booleans are never touched (a negative number stays a number). Use `xlsx_append` (or
`xlsx_row`) for every row, `xlsx_bytes` to save a workbook (it also turns any formula that reached a
cell some other way back into text), and `csv_writer` for CSV.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable

from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_text(value: Any) -> bool:
    """True for a text that a spreadsheet would read as a formula (or a command)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


# ---- xlsx (openpyxl) ----------------------------------------------------------------------------


def _as_text(cell) -> None:
    cell.data_type = "s"
    cell.quotePrefix = True


def xlsx_cell(sheet, value: Any) -> Any:
    """The value to append to ``sheet``: unchanged, or (formula-like text) a string cell with the same text."""
    if not is_formula_text(value):
        return value

    cell = WriteOnlyCell(sheet, value=value)  # a plain Cell: works for normal and write-only sheets
    _as_text(cell)
    return cell


def xlsx_row(sheet, values: Iterable[Any]) -> list[Any]:
    return [xlsx_cell(sheet, value) for value in values]


def xlsx_append(sheet, values: Iterable[Any]) -> None:
    """``sheet.append(values)``, with every formula-like text written as text."""
    sheet.append(xlsx_row(sheet, values))


def xlsx_defuse(workbook) -> int:
    """Turn every formula cell of a (normal, not write-only) workbook into a string cell with the same
    text; return how many there were. The platform writes no formulas on purpose, so any is data."""
    count = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or is_formula_text(cell.value):
                    if not isinstance(cell.value, str):  # ArrayFormula and the like: keep their text
                        cell.value = str(getattr(cell.value, "text", cell.value))
                    _as_text(cell)
                    count += 1
    return count


def xlsx_bytes(workbook) -> bytes:
    """The saved workbook. A normal workbook is swept by `xlsx_defuse` first; a write-only one cannot be
    read back, so its rows must have gone through `xlsx_append`/`xlsx_row`."""
    if not getattr(workbook, "write_only", False):
        xlsx_defuse(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---- csv ----------------------------------------------------------------------------------------


def csv_cell(value: Any) -> Any:
    """The value for a CSV cell: formula-like text gets a leading apostrophe (CSV has no text type)."""
    return "'" + value if is_formula_text(value) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(value) for value in values]


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow(csv_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **kwargs) -> _SafeWriter:
    """``csv.writer(stream, **kwargs)`` whose rows are made safe by `csv_cell`."""
    return _SafeWriter(csv.writer(stream, **kwargs))
