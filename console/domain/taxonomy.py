"""The taxonomy of the work: request types, categories, and the departments they are routed to.

The data lives in ``resources/taxonomy.json`` so that a category or a routing can change without a
code change; this module loads it, validates it once, and answers the questions the intake form,
the dispatcher and the hub ask of it:

- which department handles a category (``department_for``), resolving the pseudo-department
  ``"street"`` to the sub-district office (街道办) of the incident's street;
- which categories match what a call taker types (``search``: Chinese text, English words, full
  pinyin or pinyin initials, so ``"噪声"``, ``"noise"``, ``"zaosheng"`` and ``"zs"`` all find the
  noise categories);
- what the hub sends consoles in its snapshot (``to_wire``).

Department codes are short ASCII words (``"police"``, ``"urban_mgmt"`` …); the 14 sub-district
offices are departments too, with codes ``"street.<name>"`` (``"street.mengzhuiwan"``) and kind
``"street"``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from console.domain.resources import RESOURCES

__all__ = [
    "DEFAULT_PATH",
    "FALLBACK_DEPARTMENT",
    "MIN_CATEGORIES",
    "SLA_CLASSES",
    "STREET",
    "STREET_PREFIX",
    "UNCLASSIFIED",
    "Category",
    "CategoryGroup",
    "Department",
    "RequestTypeInfo",
    "Taxonomy",
]

DEFAULT_PATH = RESOURCES / "taxonomy.json"

STREET = "street"
"""Pseudo-department of a category: the sub-district office of the street the incident is in."""

STREET_PREFIX = "street."
"""Prefix of the department code of every sub-district office (``street.mengzhuiwan``)."""

FALLBACK_DEPARTMENT = "district_office"
"""Where a ``street`` category goes when the incident's street is not known (no location yet, or a
point outside every street): the district office's desk, which re-routes it by hand. Returning a
real department keeps routing total, so an incident never waits unassigned for lack of a street."""

UNCLASSIFIED = "unclassified"
"""The reserved category of a case awaiting classification: a police diversion whose code the
police-code table cannot map (console/domain/police_codes.py). It is a real entry of the taxonomy
file, so names, SLA class and statistics work as for any category, but nobody files a case under it
and search never offers it; the liaison officer classifies the case (``incident.classify``)."""

SLA_CLASSES = frozenset({"urgent", "standard", "routine"})
MIN_CATEGORIES = 40

DepartmentKind = Literal["department", "street"]
_PINYIN_RE = re.compile(r"^[a-z]+( [a-z]+)*$")
_CJK_RE = re.compile(r"[\u3400-\u9fff]")
_WORD_RE = re.compile(r"[a-z0-9]+")


def _localized(zh: str, en: str, lang: str) -> str:
    return zh if lang.lower().startswith("zh") else en


@dataclass(frozen=True)
class Department:
    """A desk an incident can be assigned to: a district department or a sub-district office."""

    code: str
    zh: str
    en: str
    kind: DepartmentKind

    def name(self, lang: str = "zh") -> str:
        """The name in ``lang`` (any ``zh*`` locale gives Chinese, anything else English)."""
        return _localized(self.zh, self.en, lang)


@dataclass(frozen=True)
class RequestTypeInfo:
    """One of the six request types (complaint, inquiry, opinion, suggestion, help, report)."""

    code: str
    zh: str
    en: str

    def name(self, lang: str = "zh") -> str:
        return _localized(self.zh, self.en, lang)


@dataclass(frozen=True)
class CategoryGroup:
    """A heading the categories are grouped under in menus and statistics."""

    code: str
    zh: str
    en: str

    def name(self, lang: str = "zh") -> str:
        return _localized(self.zh, self.en, lang)


@dataclass(frozen=True)
class Category:
    """What an incident is about, and by default who handles it and how fast.

    ``department`` is a department code or ``STREET``; ``police_matter`` marks what belongs to the
    police (violence, crime, danger to life): the liaison officer returns such a case to the 110
    center instead of signing for it, and a controller escalates it.
    """

    code: str
    zh: str
    en: str
    group: str
    department: str
    sla_class: str
    request_type: str
    police_matter: bool
    keywords: tuple[str, ...]
    pinyin: str

    def name(self, lang: str = "zh") -> str:
        return _localized(self.zh, self.en, lang)

    @property
    def initials(self) -> str:
        """Pinyin initials of the Chinese name: ``"sgzs"`` for 施工噪声."""
        return "".join(syllable[0] for syllable in self.pinyin.split())

    def to_wire(self) -> dict[str, object]:
        """The fields a console needs, as JSON-ready values."""
        return {
            "code": self.code,
            "zh": self.zh,
            "en": self.en,
            "group": self.group,
            "department": self.department,
            "sla_class": self.sla_class,
            "request_type": self.request_type,
            "police_matter": self.police_matter,
        }


class Taxonomy:
    """The validated, read-only taxonomy. Build it with ``load()`` or ``from_dict()``."""

    def __init__(
        self,
        departments: Sequence[Department],
        request_types: Sequence[RequestTypeInfo],
        categories: Sequence[Category],
        groups: Sequence[CategoryGroup] = (),
    ) -> None:
        """Store already-validated entries; use ``from_dict`` to validate raw data."""
        self._departments = tuple(departments)
        self._request_types = tuple(request_types)
        self._categories = tuple(categories)
        self._groups = tuple(groups)
        self._department_by_code = {d.code: d for d in self._departments}
        self._request_type_by_code = {r.code: r for r in self._request_types}
        self._category_by_code = {c.code: c for c in self._categories}
        self._group_by_code = {g.code: g for g in self._groups}
        # The reserved category is never offered: a case is classified out of it, not into it.
        self._index = [_SearchEntry(c) for c in self._categories if c.code != UNCLASSIFIED]

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | str | None = None) -> Taxonomy:
        """Read and validate the taxonomy file (``resources/taxonomy.json`` by default).

        Raises:
            OSError: the file cannot be read.
            ValueError: the file is not valid JSON or fails validation.
        """
        file = Path(path) if path is not None else DEFAULT_PATH
        with file.open(encoding="utf-8") as stream:
            try:
                data = json.load(stream)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{file}: not valid JSON: {exc}") from exc
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Taxonomy:
        """Validate raw taxonomy data (the parsed JSON) and build the taxonomy.

        Raises:
            ValueError: naming the first bad entry — a duplicate code, a category whose department,
                group or request type is unknown, an SLA class outside ``SLA_CLASSES``, an empty
                name, non-ASCII pinyin, or fewer than ``MIN_CATEGORIES`` categories.
        """
        if not isinstance(data, Mapping):
            raise ValueError("taxonomy: expected a JSON object at the top level")

        departments = [_department(raw, i) for i, raw in enumerate(_section(data, "departments"))]
        _check_unique("department", (d.code for d in departments))
        request_types = [
            RequestTypeInfo(*_names(raw, "request_types", i, "request type"))
            for i, raw in enumerate(_section(data, "request_types"))
        ]
        _check_unique("request type", (r.code for r in request_types))
        groups: list[CategoryGroup] = []
        if "groups" in data:
            groups = [
                CategoryGroup(*_names(raw, "groups", i, "group"))
                for i, raw in enumerate(_section(data, "groups"))
            ]
            _check_unique("group", (g.code for g in groups))

        department_codes = {d.code for d in departments}
        request_type_codes = {r.code for r in request_types}
        group_codes = {g.code for g in groups} if groups else None
        categories = [
            _category(raw, i, department_codes, request_type_codes, group_codes)
            for i, raw in enumerate(_section(data, "categories"))
        ]
        _check_unique("category", (c.code for c in categories))
        if len(categories) < MIN_CATEGORIES:
            raise ValueError(
                f"taxonomy: {len(categories)} categories, at least {MIN_CATEGORIES} are required"
            )
        return cls(departments, request_types, categories, groups)

    # -- lookups --------------------------------------------------------------------------------

    @property
    def categories(self) -> tuple[Category, ...]:
        return self._categories

    @property
    def departments(self) -> tuple[Department, ...]:
        """District departments first, then the sub-district offices, in file order."""
        return self._departments

    @property
    def request_types(self) -> tuple[RequestTypeInfo, ...]:
        return self._request_types

    @property
    def groups(self) -> tuple[CategoryGroup, ...]:
        return self._groups

    @property
    def street_offices(self) -> tuple[Department, ...]:
        return tuple(d for d in self._departments if d.kind == "street")

    def category(self, code: str) -> Category:
        """Raises: ValueError ``unknown category 'x'``."""
        try:
            return self._category_by_code[code]
        except KeyError:
            raise ValueError(f"unknown category {code!r}") from None

    def department(self, code: str) -> Department:
        """Raises: ValueError ``unknown department 'x'``."""
        try:
            return self._department_by_code[code]
        except KeyError:
            raise ValueError(f"unknown department {code!r}") from None

    def request_type(self, code: str) -> RequestTypeInfo:
        """Raises: ValueError ``unknown request type 'x'``."""
        try:
            return self._request_type_by_code[code]
        except KeyError:
            raise ValueError(f"unknown request type {code!r}") from None

    def group(self, code: str) -> CategoryGroup:
        """Raises: ValueError ``unknown group 'x'``."""
        try:
            return self._group_by_code[code]
        except KeyError:
            raise ValueError(f"unknown group {code!r}") from None

    def has_category(self, code: str) -> bool:
        return code in self._category_by_code

    @property
    def classifiable(self) -> tuple[Category, ...]:
        """Every category a case may be filed or classified under (all but the reserved one)."""
        return tuple(c for c in self._categories if c.code != UNCLASSIFIED)

    def categories_in(self, group: str) -> tuple[Category, ...]:
        return tuple(c for c in self._categories if c.group == group)

    def department_for(self, category_code: str, street_code: str | None) -> str:
        """The default lead department of an incident of this category on this street.

        Args:
            category_code: a category code.
            street_code: the incident's street as geography names it (``"mengzhuiwan"``) or as a
                department code (``"street.mengzhuiwan"``); ``None`` when not located yet.

        Returns:
            The category's department code; for a ``"street"`` category the street office's code
            (``"street.mengzhuiwan"``), or ``FALLBACK_DEPARTMENT`` when the street is ``None`` or
            has no office in the taxonomy.

        Raises:
            ValueError: unknown category.
        """
        department = self.category(category_code).department
        if department != STREET:
            return department
        if street_code:
            office = (
                street_code
                if street_code.startswith(STREET_PREFIX)
                else (STREET_PREFIX + street_code)
            )
            found = self._department_by_code.get(office)
            if found is not None and found.kind == "street":
                return office
        return FALLBACK_DEPARTMENT

    # -- search ---------------------------------------------------------------------------------

    def search(self, text: str, limit: int | None = None) -> list[Category]:
        """Categories matching every word of ``text``, best first.

        A word matches a category by its code, a Chinese substring of its name or keywords (or the
        name found inside a longer Chinese phrase), an English word prefix, full pinyin starting at
        a syllable (``"zaosheng"``, ``"zao"``) or pinyin initials (``"zs"``). Ties keep file order.
        """
        tokens = text.strip().lower().split()
        if not tokens:
            return []
        scored: list[tuple[int, int, Category]] = []
        for position, entry in enumerate(self._index):
            total = 0
            for token in tokens:
                score = entry.score(token)
                if score == 0:
                    break
                total += score
            else:
                scored.append((-total, position, entry.category))
        scored.sort(key=lambda item: (item[0], item[1]))
        found = [category for _, _, category in scored]
        return found if limit is None else found[:limit]

    # -- wire -----------------------------------------------------------------------------------

    def to_wire(self) -> list[dict[str, object]]:
        """The categories as the hub sends them in its snapshot, in file order."""
        return [c.to_wire() for c in self._categories]


class _SearchEntry:
    """Precomputed search keys of one category."""

    def __init__(self, category: Category) -> None:
        self.category = category
        self.code = category.code.lower()
        self.zh_keywords = tuple(k for k in category.keywords if _CJK_RE.search(k))
        self.words = frozenset(_WORD_RE.findall(category.en.lower()))
        self.keyword_words = frozenset(
            w
            for k in category.keywords
            if not _CJK_RE.search(k)
            for w in _WORD_RE.findall(k.lower())
        )
        syllables = category.pinyin.split()
        self.pinyin_suffixes = tuple("".join(syllables[i:]) for i in range(len(syllables)))
        self.initials = category.initials

    def score(self, token: str) -> int:
        """How well one lower-case query word matches; 0 for no match."""
        best = 0
        if token == self.code:
            return 100
        if _CJK_RE.search(token):
            zh = self.category.zh
            if token == zh:
                best = 90
            elif token in zh:
                best = 60
            elif any(token in k for k in self.zh_keywords):
                best = 40
            elif zh in token:
                best = 35
            else:
                # A phrase typed from the caller's words: the more keywords it holds, the better.
                hits = sum(1 for k in self.zh_keywords if len(k) >= 2 and k in token)
                if hits:
                    best = min(20 + 5 * hits, 34)
            return best
        if token in self.code:
            best = max(best, 20)
        if any(w.startswith(token) for w in self.words):
            best = max(best, 55 if token in self.words else 50)
        elif any(w.startswith(token) for w in self.keyword_words):
            best = max(best, 30)
        if token.isalpha():
            if self.pinyin_suffixes[0].startswith(token):
                best = max(best, 45)
            elif any(s.startswith(token) for s in self.pinyin_suffixes[1:]):
                best = max(best, 35)
            if self.initials.startswith(token):
                best = max(best, 40 if len(token) > 1 else 10)
            elif len(token) > 1 and token in self.initials:
                best = max(best, 30)
        return best


# -- validation helpers -------------------------------------------------------------------------


def _section(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise ValueError(f"taxonomy: '{key}' must be a list")
    return value


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: '{key}' must be a non-empty string")
    return value


def _names(raw: Any, section: str, index: int, kind: str) -> tuple[str, str, str]:
    """Code, zh and en of one entry; errors name the entry by its code once it has one."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"{section}[{index}]: expected an object")
    code = _text(raw, "code", f"{section}[{index}]")
    where = f"{kind} {code!r}"
    return code, _text(raw, "zh", where), _text(raw, "en", where)


def _department(raw: Any, index: int) -> Department:
    code, zh, en = _names(raw, "departments", index, "department")
    kind = raw.get("kind")
    if kind not in ("department", "street"):
        raise ValueError(f"department {code!r}: kind must be 'department' or 'street'")
    if code == STREET:
        raise ValueError(f"department {code!r}: '{STREET}' is reserved for the street office")
    if (kind == "street") != code.startswith(STREET_PREFIX) or code == STREET_PREFIX:
        raise ValueError(
            f"department {code!r}: street offices, and only they, have codes '{STREET_PREFIX}<x>'"
        )
    return Department(code, zh, en, cast(DepartmentKind, kind))


def _category(
    raw: Any,
    index: int,
    departments: set[str],
    request_types: set[str],
    groups: set[str] | None,
) -> Category:
    code, zh, en = _names(raw, "categories", index, "category")
    where = f"category {code!r}"
    group = _text(raw, "group", where)
    if groups is not None and group not in groups:
        raise ValueError(f"{where}: unknown group {group!r}")
    department = _text(raw, "department", where)
    if department != STREET and department not in departments:
        raise ValueError(f"{where}: unknown department {department!r}")
    sla_class = _text(raw, "sla_class", where)
    if sla_class not in SLA_CLASSES:
        raise ValueError(
            f"{where}: sla_class {sla_class!r} is not one of {', '.join(sorted(SLA_CLASSES))}"
        )
    request_type = _text(raw, "request_type", where)
    if request_type not in request_types:
        raise ValueError(f"{where}: unknown request type {request_type!r}")
    police_matter = raw.get("police_matter", False)
    if not isinstance(police_matter, bool):
        raise ValueError(f"{where}: police_matter must be true or false")
    keywords = raw.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) and k for k in keywords):
        raise ValueError(f"{where}: keywords must be a list of non-empty strings")
    pinyin = _text(raw, "pinyin", where)
    if not _PINYIN_RE.match(pinyin):
        raise ValueError(f"{where}: pinyin {pinyin!r} must be lower-case ASCII syllables")
    return Category(
        code=code,
        zh=zh,
        en=en,
        group=group,
        department=department,
        sla_class=sla_class,
        request_type=request_type,
        police_matter=police_matter,
        keywords=tuple(keywords),
        pinyin=pinyin,
    )


def _check_unique(kind: str, codes: Iterable[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"duplicate {kind} code {code!r}")
        seen.add(code)
