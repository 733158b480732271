import json

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def safe_json(value):
    """JSON for an HTML attribute in single quotes (apostrophes escaped)."""
    return mark_safe(json.dumps(value, ensure_ascii=False, default=str).replace("'", "&#39;"))
