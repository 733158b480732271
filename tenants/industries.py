"""GB/T 4754-2017 industry classes (国民经济行业分类) an enterprise chooses from.

The classes are data, not code: ``tenants/data/gbt4754_2017.csv`` holds the whole manufacturing section
C (the 31 major classes 13–43, their 179 medium and 609 small classes, with the standard's Chinese names)
and, of the other sections, only the classes the platform serves besides manufacturing: the carriers of
the freight board (road freight 543x, express 6020). Columns: code, parent (the section letter for a
major class), name_zh, name_en. English names are given for the sections, the 31 major classes and the
classes of the featured boards; a class without one shows its Chinese name in English pages too.

An enterprise chooses a small class (4 digits). The choices (``industry_choices``, a callable so that the
model field's migration names it instead of copying 600 labels) list the featured groups first: the
classes of the boards (appliances 385x, textiles 17xx and chemical fibres 28xx, bearings 345x, railway
371x and motorcycle 375x parts, and the freight board's 543x/6020); then every other small class under its
major class. ``industry_search`` finds classes by code prefix or by a word of the name, with their path
(major › medium class).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

DATA_FILE = Path(__file__).resolve().parent / "data" / "gbt4754_2017.csv"


@dataclass(frozen=True)
class IndustryClass:
    code: str
    parent: str
    name_zh: str
    name_en: str

    @property
    def level(self) -> str:
        """section (a letter), major (2 digits), medium (3) or small (4)."""
        return {1: "section", 2: "major", 3: "medium"}.get(len(self.code), "small")

    @property
    def name(self) -> str:
        """The name in the active language: English when the page is English and the class has one."""
        if self.name_en and (get_language() or "").split("-")[0] == "en":
            return self.name_en
        return self.name_zh

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


@cache
def industry_classes() -> dict[str, IndustryClass]:
    """Every class of the data file by code, in the file's (the standard's) order."""
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: IndustryClass(code=row["code"], parent=row["parent"], name_zh=row["name_zh"],
                                           name_en=row["name_en"]) for row in csv.DictReader(handle)}


def industry_children(code: str) -> list[IndustryClass]:
    return [c for c in industry_classes().values() if c.parent == code]


def industry_path(code: str) -> list[IndustryClass]:
    """The classes above ``code`` and itself, from the major class down (the section left out);
    empty for an unknown code."""
    classes = industry_classes()
    path = []
    node = classes.get(code)
    while node is not None and node.level != "section":
        path.append(node)
        node = classes.get(node.parent)
    return path[::-1]


def industry_tree(root: str = "C") -> list[dict]:
    """The classes below ``root`` as nested ``{"class": IndustryClass, "children": [...]}`` nodes."""
    return [{"class": c, "children": industry_tree(c.code)} for c in industry_children(root)]


# ---- the featured groups: the boards' classes -----------------------------------------------------

# (sector, label, code prefixes). The sector keys are the office's figures' groups (industry_sector).
FEATURED = [
    ("appliances", _("Household electrical appliances"), ("385",)),
    ("textiles", _("Textiles"), ("17",)),
    ("fibres", _("Chemical fibres"), ("28",)),
    ("bearings", _("Bearings"), ("345",)),
    ("rail", _("Railway transport equipment"), ("371",)),
    ("motorcycles", _("Motorcycles"), ("375",)),
    # the carriers of the freight board (物流运力): road freight and express companies
    ("logistics", _("Road freight and express"), ("543", "602")),
]


def small_classes() -> list[IndustryClass]:
    return [c for c in industry_classes().values() if c.level == "small"]


def _featured_sector(code: str) -> str | None:
    for sector, _label, prefixes in FEATURED:
        if code.startswith(prefixes):
            return sector
    return None


@cache
def _featured_codes() -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {sector: [] for sector, _label, _prefixes in FEATURED}
    for c in small_classes():
        sector = _featured_sector(c.code)
        if sector is not None:
            codes[sector].append(c.code)
    return codes


# the featured groups as ``[(label, [(code, Chinese name), ...]), ...]`` (the office's figures label their
# sectors with them) and the Chinese name of every selectable (4-digit) class
INDUSTRY_GROUPS = [(label, [(code, industry_classes()[code].name_zh) for code in _featured_codes()[sector]])
                   for sector, label, _prefixes in FEATURED]
INDUSTRY_NAMES = {c.code: c.name_zh for c in small_classes()}


def industry_choices() -> list:
    """Grouped choices for a <select>: the featured groups first, then every other small class under its
    major class ("29 橡胶和塑料制品业"), each option "2929 塑料零件及其他塑料制品制造"."""
    classes = industry_classes()
    featured = _featured_codes()
    choices: list = [(_("Featured: %(group)s") % {"group": label},
                      [(code, classes[code].label) for code in featured[sector]])
                     for sector, label, _prefixes in FEATURED]
    featured_set = {code for codes in featured.values() for code in codes}
    for major in (c for c in classes.values() if c.level == "major" and c.parent == "C"):
        rest = [(c.code, c.label) for c in small_classes() if c.code.startswith(major.code)
                and c.code not in featured_set]
        if rest:
            choices.append((major.label, rest))
    return choices


def industry_label(code: str) -> str:
    """"3854 家用厨房电器具制造" (the English name on English pages where there is one); the code alone
    for a code not in the data."""
    c = industry_classes().get(code or "")
    return c.label if c is not None else (code or "")


@dataclass(frozen=True)
class IndustryMatch:
    industry: IndustryClass
    path: list[IndustryClass]  # major › medium class above it
    featured: bool


def industry_search(query: str, *, limit: int = 30) -> list[IndustryMatch]:
    """Small classes whose code starts with ``query`` (digits, a leading "C" allowed: "C3854", "385") or
    whose name, or a name above it, contains every word of it ("塑料", "塑料 零件", "plastic"): the classes
    whose own name matches before those matched through their major or medium class, featured classes first
    within each, then in the standard's order. Empty for an empty query."""
    words = query.strip().lower().split()
    if not words:
        return []
    code_query = words[0][1:] if len(words) == 1 and words[0][:1] == "c" and words[0][1:].isdigit() else words[0]
    by_code = len(words) == 1 and code_query.isdigit()
    matches = []
    for c in small_classes():
        path = industry_path(c.code)[:-1]
        if by_code:
            hit = c.code.startswith(code_query)
        else:
            text = " ".join(f"{n.name_zh} {n.name_en}" for n in [*path, c]).lower()
            hit = all(word in text for word in words)
        if hit:
            own = by_code or all(word in f"{c.name_zh} {c.name_en}".lower() for word in words)
            matches.append((not own, IndustryMatch(industry=c, path=path,
                                                   featured=_featured_sector(c.code) is not None)))
    matches.sort(key=lambda m: (m[0], not m[1].featured))
    return [m for _rank, m in matches[:limit]]


def industry_sector(code: str) -> str:
    """The programme sector of a class code: appliances, textiles, fibres, bearings, rail, motorcycles,
    logistics, or other (every other class)."""
    return _featured_sector(code or "") or "other"
