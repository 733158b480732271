"""List pages for every domain: search, filters, sorting, paging and Excel export in one place.

    table = Table(request, queryset, columns=[Column("code", _("Code"), sort="code", link=lambda o: ...), ...],
                  search_fields=["code", "name"], filters=[Filter("item_type", _("Type"), choices=Item.Type.choices)],
                  export_name="items")
    if table.wants_export:
        return table.export_response()
    return render(request, "catalog/item_list.html", {"table": table})

and in the template: {% include "_table.html" %}. With htmx the toolbar, the sort links and the
pager reload only the table (the full page works without JavaScript too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import number_format
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from core.exports import xlsx_bytes, xlsx_row
from core.uscc import is_valid_uscc, normalize_uscc

EXPORT_MAX_ROWS = 200_000


def _resolve(obj: Any, path: str) -> Any:
    value = obj
    for part in path.split("."):
        if value is None:
            return None
        if isinstance(value, dict):
            value = value.get(part)
            continue
        display = getattr(value, f"get_{part}_display", None)
        value = display() if callable(display) else getattr(value, part, None)
        if callable(value):
            value = value()
    return value


@dataclass
class Column:
    key: str
    label: Any
    sort: str | None = None
    link: Callable[[Any], str] | None = None
    fmt: Callable[[Any], Any] | None = None
    numeric: bool = False
    css: str = ""
    money: bool = False  # two decimals, grouped

    def value(self, obj: Any) -> Any:
        value = _resolve(obj, self.key)
        return self.fmt(value) if self.fmt else value

    def display(self, obj: Any) -> str:
        value = self.value(obj)
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return "✓" if value else "—"
        if self.money and isinstance(value, (Decimal, int, float)):
            return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
        if isinstance(value, Decimal):
            normalized = value.normalize()
            places = max(0, -normalized.as_tuple().exponent) if normalized == normalized else 0
            return number_format(value, decimal_pos=min(places, 4), use_l10n=True, force_grouping=True)
        if isinstance(value, datetime):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        if isinstance(value, date):
            return value.strftime("%Y-%m-%d")
        return str(value)


@dataclass
class Filter:
    name: str
    label: Any
    choices: list[tuple[Any, Any]]
    lookup: str | None = None  # ORM lookup; defaults to name

    def accepts(self, value: str) -> bool:
        """Only a value of the filter's own choices filters (anything else typed into the URL — "²", "NaN",
        a 40-digit id — shows the unfiltered list instead of reaching the query)."""
        return value in ("", None) or value in {str(choice) for choice, _label in self.choices}

    def apply(self, qs: QuerySet, value: str) -> QuerySet:
        if value in ("", None):
            return qs
        if value in ("true", "false"):
            return qs.filter(**{self.lookup or self.name: value == "true"})
        return qs.filter(**{self.lookup or self.name: value})


@dataclass
class Row:
    obj: Any
    cells: list[tuple[str, str | None, str]]  # (text, link, css)


@dataclass
class Table:
    request: Any
    queryset: QuerySet
    columns: list[Column]
    search_fields: list[str] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    page_size: int = 25
    export_name: str = "export"
    default_sort: str | None = None

    def __post_init__(self):
        params = self.request.GET
        self.search = params.get("q", "").strip()
        self.filter_values = {f.name: params.get(f.name, "") if f.accepts(params.get(f.name, "")) else ""
                              for f in self.filters}
        sortable = {c.sort for c in self.columns if c.sort}
        requested = params.get("sort", "")
        self.sort = requested if requested.lstrip("-") in sortable else (self.default_sort or "")
        qs = self.queryset
        if self.search and self.search_fields:
            terms = [self.search]
            code = normalize_uscc(self.search)
            if code != self.search and is_valid_uscc(code):
                terms.append(code)  # a credit code typed with a Chinese input method (full-width) or spaced out
            condition = Q()
            for name in self.search_fields:
                for term in terms:
                    condition |= Q(**{f"{name}__icontains": term})
            qs = qs.filter(condition)
        for f in self.filters:
            qs = f.apply(qs, self.filter_values[f.name])
        if self.sort:
            qs = qs.order_by(self.sort, "pk") if hasattr(qs, "order_by") else qs
        self.filtered = qs
        try:
            size = int(params.get("per_page", self.page_size))
        except ValueError:
            size = self.page_size
        self.page = Paginator(qs, max(10, min(size, 200))).get_page(params.get("page"))

    @property
    def wants_export(self) -> bool:
        return self.request.GET.get("export") == "xlsx"

    @property
    def rows(self) -> list[Row]:
        return [Row(obj, [(c.display(obj), c.link(obj) if c.link else None,
                           "text-end" if (c.numeric or c.money) else c.css)
                          for c in self.columns]) for obj in self.page]

    def _query(self, **changes) -> str:
        params = self.request.GET.copy()
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return "?" + params.urlencode()

    @property
    def headers(self) -> list[dict]:
        result = []
        for c in self.columns:
            entry = {"label": c.label, "numeric": c.numeric or c.money, "url": None, "direction": ""}
            if c.sort:
                current = self.sort.lstrip("-") == c.sort
                descending = self.sort.startswith("-")
                entry["direction"] = ("desc" if descending else "asc") if current else ""
                entry["url"] = self._query(sort=f"-{c.sort}" if current and not descending else c.sort, page=None)
            result.append(entry)
        return result

    @property
    def filter_widgets(self) -> list[dict]:
        return [{"name": f.name, "label": f.label, "choices": f.choices, "value": self.filter_values[f.name]}
                for f in self.filters]

    def page_url(self, number: int) -> str:
        return self._query(page=number)

    @property
    def previous_url(self) -> str | None:
        return self.page_url(self.page.previous_page_number()) if self.page.has_previous() else None

    @property
    def next_url(self) -> str | None:
        return self.page_url(self.page.next_page_number()) if self.page.has_next() else None

    @property
    def export_url(self) -> str:
        return self._query(export="xlsx", page=None)

    @property
    def hidden_params(self) -> str:
        keep = {k: v for k, v in self.request.GET.items() if k == "sort"}
        return urlencode(keep)

    def export_response(self) -> HttpResponse:
        """Every filtered row (not just the page) as an .xlsx file, numbers kept as numbers and text that
        looks like a formula written as text (core.exports)."""
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=str(self.export_name)[:31])
        sheet.append(xlsx_row(sheet, [str(c.label) for c in self.columns]))
        widths = [len(str(c.label)) + 2 for c in self.columns]
        for n, obj in enumerate(self.filtered.iterator(chunk_size=2000) if hasattr(self.filtered, "iterator")
                                else self.filtered):
            if n >= EXPORT_MAX_ROWS:
                break
            row = []
            for i, c in enumerate(self.columns):
                value = c.value(obj)
                if isinstance(value, Decimal):
                    value = float(value)
                elif isinstance(value, datetime):
                    value = timezone.localtime(value).replace(tzinfo=None)
                elif value is not None and not isinstance(value, (int, float, date, bool)):
                    value = str(value)
                row.append(value)
                widths[i] = min(60, max(widths[i], len(str(value or "")) + 2))
            sheet.append(xlsx_row(sheet, row))
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        response = HttpResponse(
            xlsx_bytes(workbook), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="{self.export_name}-{stamp}.xlsx"'
        return response
