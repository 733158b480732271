"""Numbers that a page writes into a URL or a form value are never grouped by the locale.

USE_THOUSAND_SEPARATOR is on (quantities and money read 1,200 on the pages), so `{{ obj.pk }}` renders
the id 1106 as "1,106": a link or a form action such as /members/1,106/remove/ then answers 404 (CI met
exactly this). Every project template is read; inside an attribute that carries a URL or a value, an
expression naming an id, a page number or a computed number must pass through `unlocalize` (a builtin
here) or a filter that makes text of it. The conftest also starts the public schema's ids past 1,000, so
the browser tests walk four-digit ids."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SKIP = {".venv", ".data", "build", "node_modules", ".git"}
ATTRIBUTE = re.compile(r'\b(?:href|action|src|value|hx-[a-z]+|data-[a-z-]+|name|id|for)="([^"]*)"')
EXPRESSION = re.compile(r"\{\{\s*(.+?)\s*\}\}")
NUMERIC_NAME = re.compile(r"(?:^|[._])(?:pk|id|page|page_number|previous_page_number|next_page_number|index|"
                          r"level|sequence|counter|counter0|year|month)$")
TEXT_FILTERS = ("unlocalize", "stringformat", "urlencode", "qty", "date", "slugify", "safe_json")


def _templates():
    for path in ROOT.rglob("*.html"):
        if not SKIP.intersection(path.relative_to(ROOT).parts) and "templates" in path.parts:
            yield path


def offending(source: str) -> list[str]:
    """The `{{ … }}` expressions inside URL or value attributes that render a number grouped."""
    found = []
    for attribute in ATTRIBUTE.finditer(source):
        for expression in EXPRESSION.findall(attribute.group(1)):
            variable, *filters = [part.strip() for part in expression.split("|")]
            names = [f.split(":")[0] for f in filters]
            computed = any(name == "add" for name in names)
            if not (NUMERIC_NAME.search(variable) or computed):
                continue
            if not any(name in TEXT_FILTERS for name in names):
                found.append(expression)
    return found


def test_the_rule_sees_a_grouped_id_and_accepts_an_unlocalized_one():
    assert offending('<form action="/members/{{ m.pk }}/remove/">') == ["m.pk"]
    assert offending('<a href="?page={{ page.page|add:1 }}">') == ["page.page|add:1"]
    assert offending('<input name="line-{{ forloop.counter0 }}" value="{{ line.item_id }}">') == [
        "forloop.counter0", "line.item_id"]
    assert offending('<form action="/members/{{ m.pk|unlocalize }}/remove/">') == []
    assert offending('<a href="/items/{{ item.code|urlencode }}/">{{ item.pk }}</a>') == []


def test_no_template_writes_a_grouped_number_into_a_url_or_a_value():
    problems = {str(path.relative_to(ROOT)): found for path in _templates() if (found := offending(path.read_text()))}
    assert problems == {}, "add |unlocalize to these expressions:\n" + "\n".join(
        f"{path}: {', '.join(found)}" for path, found in sorted(problems.items()))


def test_a_grouped_id_renders_plain_where_the_rule_asks_for_it():
    from django.template import engines
    from django.utils import translation

    template = engines["django"].from_string('<a href="/members/{{ pk|unlocalize }}/">{{ pk }}</a>')
    with translation.override("zh-hans"):
        assert template.render({"pk": 1106}) == '<a href="/members/1106/">1,106</a>'
