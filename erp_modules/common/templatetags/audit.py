"""``{% load audit %}``: ``history|history_rows`` — the entries of a history panel (templates/_history.html) in
the reader's words, whatever the view passed: a queryset of stored entries or entries already prepared by
erp_modules.common.history (see there)."""

from django import template

from erp_modules.common.history import history_entries

register = template.Library()


@register.filter
def history_rows(entries):
    if entries is None or entries == "":
        return []
    return history_entries(entries)
