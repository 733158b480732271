"""Chinese full-text search on plain PostgreSQL (no extension): jieba does the segmentation in
Python, PostgreSQL's 'simple' configuration stores and matches the words.

Documents: title, specification values and description are each cut in jieba's *search mode*
(a long word also yields its dictionary sub-words: 抽油烟机 → 油烟 烟机 油烟机 抽油烟机), the words
are normalised (NFKC, lower case, split at anything that is not a letter or digit, stop words
dropped) and joined with spaces; ``to_tsvector('simple', …)`` of that text never splits a word
again, so the lexemes are exactly our words. Title words weigh A, specifications B, description C.

Queries: cut in jieba's *precise mode* into terms; the tsquery is the AND of the terms, each term
an OR of its variants — the word itself, its sub-words that cover all but one character
(抽油烟机 → 油烟机), and, when the dictionary has parts that cover it exactly, those parts
together (化纤面料 → 化纤 & 面料). "抽油烟机 电机" thus finds "油烟机用电机".
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

import jieba
from django.conf import settings

jieba.setLogLevel(60)

# Function words that carry no meaning for a buyer or seller (kept short on purpose).
STOP_WORDS = frozenset("的 了 和 与 及 或 等 在 是 为 有 也 都 就 并 且 把 被 之 其 于 以 而 从 对 向 各 个 我 我们 我司 您 本 该 此".split())
_NOT_WORD = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\u00c0-\u024f\u0370-\u03ff]+")
_HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")

# The SQL that turns the three segmented texts into the column (also used by bench/board_search.py).
SEARCH_VECTOR_SQL = ("setweight(to_tsvector('simple', {title}), 'A') || "
                     "setweight(to_tsvector('simple', {attrs}), 'B') || "
                     "setweight(to_tsvector('simple', {body}), 'C')")
# Facet lexemes: the listing's board, category, kind, the day, ISO week and month of publication (in the
# platform's time zone), and its enterprise's town and verified credit:
# '~b3' '~c41' '~ksupply' '~d20261127' '~w2026w48' '~m202611' '~t<md5 of the town>' '~v1'.
# A user's words never contain "~", and these lexemes have no position, so they are matched but never
# ranked (the rank uses the words' tsquery only). They let the GIN index itself narrow a search to a
# board, a town or a stretch of recent time. Computed in SQL from the row (the same expression for the
# service and the benchmark); services.enterprise_listings_reindex refreshes the enterprise's part.
FACETS_SQL = (
    "array_to_tsvector(array_remove(ARRAY['~b' || {table}board_id, '~c' || {table}category_id, "
    "'~k' || {table}kind, '~d' || to_char({local}, 'YYYYMMDD'), "
    "'~w' || to_char({local}, 'IYYY\"w\"IW'), '~m' || to_char({local}, 'YYYYMM'), "
    "(SELECT '~t' || md5(NULLIF(e.town, '')) FROM tenants_enterprise e WHERE e.id = {table}enterprise_id), "
    "(SELECT '~v1' FROM ecommerce_enterprisecard v WHERE v.enterprise_id = {table}enterprise_id "
    "AND v.credit_verified)], NULL))")


def facets_sql(table: str = "") -> str:
    prefix = f"{table}." if table else ""
    local = f"({prefix}published_at AT TIME ZONE '{settings.TIME_ZONE.replace(chr(39), '')}')"
    return FACETS_SQL.format(table=prefix, local=local)


def town_lexeme(town: str) -> str:
    return "~t" + hashlib.md5(town.encode()).hexdigest()


def day_lexeme(day) -> str:
    return f"~d{day:%Y%m%d}"


def week_lexeme(day) -> str:
    year, week, _weekday = day.isocalendar()
    return f"~w{year}w{week:02d}"


def month_lexeme(day) -> str:
    return f"~m{day:%Y%m}"


def facet_query(*, board_id: int | None = None, kind: str = "", category_ids=(), town: str = "",
                credit_verified: bool = False, any_of=(), none_of=()) -> str:
    """A tsquery (for a ::tsquery cast, not parsed) requiring the facets, one of the ``any_of`` time
    lexemes and none of ``none_of``; '' when there is nothing to require."""
    parts = []
    if board_id:
        parts.append(f"'~b{int(board_id)}'")
    if kind:
        parts.append(f"'~k{_NOT_WORD.sub('', kind)}'")
    if category_ids:
        parts.append("(" + " | ".join(f"'~c{int(c)}'" for c in category_ids) + ")")
    if town:
        parts.append(f"'{town_lexeme(town)}'")
    if credit_verified:
        parts.append("'~v1'")
    if any_of:
        parts.append("(" + " | ".join(f"'{lexeme}'" for lexeme in any_of) + ")")
    if none_of:
        parts.append("!(" + " | ".join(f"'{lexeme}'" for lexeme in none_of) + ")")
    return " & ".join(parts)


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _clean(words) -> list[str]:
    out = []
    for word in words:
        for part in _NOT_WORD.split(word):
            if part and part not in STOP_WORDS:
                out.append(part)
    return out


@lru_cache(maxsize=4096)
def _cut_for_search(text: str) -> tuple[str, ...]:
    return tuple(jieba.cut_for_search(text))


def segment(text: str) -> list[str]:
    """The words of a document text (search mode), in order, normalised."""
    text = normalize(text)
    if not text.strip():
        return []
    return _clean(jieba.cut_for_search(text) if len(text) > 64 else _cut_for_search(text))


def document_texts(*, title: str, description: str = "", attributes=()) -> tuple[str, str, str]:
    """The three space-joined texts (title, specifications, description) that go to to_tsvector."""
    attr_words: list[str] = []
    for pair in attributes or ():
        key, value = (pair[0], pair[1]) if len(pair) > 1 else ("", pair[0])
        attr_words += segment(str(value))
    return " ".join(segment(title)), " ".join(attr_words), " ".join(segment(description))


def _variants(word: str) -> list[str]:
    """A query word and what else may stand for it in a document (see the module doc)."""
    variants = [word]
    if not _HAN.match(word) or len(word) < 3:
        return [_quote(word)]
    subwords = [s for s in dict.fromkeys(_cut_for_search(word)) if s != word and len(s) >= 2]
    for s in subwords:
        if len(s) >= max(3, len(word) - 1):
            variants.append(s)
    quoted = [_quote(v) for v in variants]
    cover = _exact_cover(word, [s for s in subwords if len(s) >= 2])
    if cover:
        quoted.append("(" + " & ".join(_quote(p) for p in cover) + ")")
    return quoted


def _exact_cover(word: str, parts: list[str]) -> list[str] | None:
    """Parts (each of 2+ characters) that spell ``word`` exactly, preferring fewer, longer parts."""
    parts = sorted(set(parts), key=len, reverse=True)

    def walk(rest: str) -> list[str] | None:
        if not rest:
            return []
        for p in parts:
            if rest.startswith(p):
                tail = walk(rest[len(p):])
                if tail is not None:
                    return [p] + tail
        return None

    cover = walk(word)
    return cover if cover and len(cover) > 1 else None


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("'", "''").replace("\\", "\\\\") + "'"


def query_terms(text: str) -> list[str]:
    """The terms of a query: precise-mode words, normalised; single Chinese characters are dropped
    when there are longer terms (用, 侧 …), because a document keeps them only by chance."""
    text = normalize(text)
    words: list[str] = []
    for chunk in text.split():
        words += _clean(jieba.cut(chunk))
    words = list(dict.fromkeys(words))
    if any(not (_HAN.match(w) and len(w) == 1) for w in words):
        words = [w for w in words if not (_HAN.match(w) and len(w) == 1)]
    return words[:12]


def build_tsquery(text: str) -> str:
    """The to_tsquery('simple', …) text for a user's query; '' when nothing searchable is left."""
    parts = []
    for term in query_terms(text):
        variants = _variants(term)
        parts.append(variants[0] if len(variants) == 1 else "(" + " | ".join(variants) + ")")
    return " & ".join(parts)


def tsquery_or(words: list[str], limit: int = 16) -> str:
    """An OR of plain words (used by matching to find candidates)."""
    words = [w for w in dict.fromkeys(words) if not (_HAN.match(w) and len(w) == 1)][:limit]
    return " | ".join(_quote(w) for w in words)
