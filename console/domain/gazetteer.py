"""The district's addresses for geocoding at intake: search by name, or the nearest to a point.

The gazetteer (``resources/geography/gazetteer.json``; the demo district's is written by
``console.sim.district``) lists addresses of two kinds — a road with a house number
(``建设路12号``) and a residential estate (``龙潭水乡茗居``) — each with its point and the grid
cell, community and street it lies in::

    [{"zh": "建设路12号", "en": "No. 12 Jianshe Road", "pinyin": "jian she lu 12 hao",
      "lat": 30.67612, "lon": 104.10201, "grid": "grid.jianhua.06",
      "community": "community.jianhua", "street": "street.fuqinglu", "kind": "road"}, …]

``pinyin`` (toneless, one syllable per character, house numbers as digits) is optional; without it
an address is found by its Chinese and English names only.

``Gazetteer.search`` answers what a call taker types: every word of the query must match, as a
Chinese substring, an English word prefix, full pinyin starting at a syllable (``"jianshe"``,
``"shelu"``) or pinyin initials (``"jsl"``). Exact and prefix matches of the whole query come first,
then the better-matching addresses, then in natural order: shorter names first, and the house
numbers of one road as 1, 2, 3 … 10, not 1, 10, 2. ``Gazetteer.nearest`` finds the address closest
to a point, from a grid of ~500 m buckets.
"""

from __future__ import annotations

import heapq
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from console.domain.distance import EARTH_RADIUS_M, distance_m
from console.domain.resources import RESOURCES

__all__ = ["DEFAULT_PATH", "KINDS", "Address", "Gazetteer"]

DEFAULT_PATH = RESOURCES / "geography" / "gazetteer.json"
KINDS = ("road", "estate")

Kind = Literal["road", "estate"]

_WORD_RE = re.compile(r"[a-z0-9]+")
_PINYIN_RE = re.compile(r"[a-z0-9]+( [a-z0-9]+)*")
_NUMBER_RE = re.compile(r"(\d+)")
_PUNCTUATION_RE = re.compile(r"[^\w]+")  # "No. 18, Section 2" is the words no 18 section 2
_BUCKET = 0.005  # degrees of latitude and longitude per bucket of the reverse-lookup grid
_MAX_RINGS = 50  # beyond this many rings of buckets, a plain scan is quicker


@dataclass(frozen=True)
class Address:
    """A road address or an estate, where it is, and the grid cell, community and street of it."""

    zh: str
    en: str
    lat: float
    lon: float
    grid: str
    community: str
    street: str
    kind: Kind
    pinyin: str = ""

    def name(self, lang: str = "zh") -> str:
        """The name in ``lang`` (any ``zh*`` locale gives Chinese, anything else English)."""
        return self.zh if lang.lower().startswith("zh") else self.en


class _Entry:
    """Precomputed search keys of one address, as strings a word is looked up in with ``in``."""

    __slots__ = ("address", "en", "haystack", "initials", "names", "number", "order", "pinyin",
                 "suffixes", "words", "zh")

    def __init__(self, address: Address, position: int) -> None:
        self.address = address
        self.zh = address.zh
        self.en = address.en.lower()
        self.words = " " + " ".join(_WORD_RE.findall(self.en)) + " "
        syllables = address.pinyin.split()
        self.pinyin = "".join(syllables)
        # Pinyin from each syllable on, so "shelu" finds 建设路: "\nshelu…" is in here.
        self.suffixes = "".join("\n" + "".join(syllables[i:]) for i in range(1, len(syllables)))
        self.initials = "".join(s[0] for s in syllables if s.isalpha())
        self.number = "".join(_NUMBER_RE.findall(self.zh)[-1:])
        plain_en = self.words.strip()
        self.names = "".join(f"\n{n}" for n in (self.zh.lower(), plain_en, self.pinyin)) + "\n"
        # Every way a word can match is a substring of this, so it filters cheaply.
        self.haystack = "\n".join((self.zh.lower(), self.en, self.pinyin, self.initials))
        self.order = position  # replaced by the rank in natural order once all are known

    def score(self, token: str) -> int:
        """How well one lower-case query word matches; 0 for no match."""
        if not token.isascii():
            if self.zh == token:
                return 100
            return 80 if self.zh.startswith(token) else 50 if token in self.zh else 0
        best = 0
        if token.isdigit() and token in self.zh:
            best = 70 if token == self.number else 30
        if f" {token} " in self.words:
            best = max(best, 70)
        elif f" {token}" in self.words:
            best = max(best, 60)
        if self.pinyin.startswith(token):
            best = max(best, 100 if self.pinyin == token else 80)
        elif f"\n{token}" in self.suffixes:
            best = max(best, 50)
        if len(token) > 1 and self.initials.startswith(token):
            best = max(best, 75 if self.initials == token else 55)
        return best

    def whole(self, query: str, compact: str) -> int:
        """A bonus when the whole query is the address's name, or how it begins."""
        if f"\n{query}\n" in self.names or f"\n{compact}\n" in self.names:
            return 1000
        if f"\n{query}" in self.names or f"\n{compact}" in self.names:
            return 500
        return 0


class Gazetteer:
    """The addresses, searchable by name and by nearness."""

    def __init__(self, addresses: Iterable[Address]) -> None:
        self._addresses = tuple(addresses)
        self._entries = [_Entry(a, i) for i, a in enumerate(self._addresses)]
        for rank, entry in enumerate(sorted(self._entries, key=_natural)):
            entry.order = rank
        self._haystacks = [e.haystack for e in self._entries]
        self._buckets: dict[tuple[int, int], list[int]] = {}
        for index, address in enumerate(self._addresses):
            self._buckets.setdefault(_bucket(address.lat, address.lon), []).append(index)
        rows = [i for i, _ in self._buckets] or [0]
        columns = [j for _, j in self._buckets] or [0]
        self._bucket_box = (min(rows), max(rows), min(columns), max(columns))

    # -- construction ---------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | str | None = None) -> Gazetteer:
        """Read and validate a gazetteer file (``resources/geography/gazetteer.json`` by default).

        Raises:
            OSError: the file cannot be read.
            ValueError: naming the file and the bad entry — not JSON, not a list, or an address
                with a missing or mistyped field, an unknown kind, or an impossible point.
        """
        file = Path(path) if path is not None else DEFAULT_PATH
        with file.open(encoding="utf-8") as stream:
            try:
                data = json.load(stream)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{file.name}: not valid JSON: {exc}") from exc
        try:
            return cls.from_list(data)
        except ValueError as exc:
            raise ValueError(f"{file.name}: {exc}") from exc

    @classmethod
    def from_list(cls, data: Any) -> Gazetteer:
        """Validate the parsed file. Raises: ValueError naming the bad entry."""
        if not isinstance(data, list):
            raise ValueError("expected a list of addresses")
        return cls(_address(raw, index) for index, raw in enumerate(data))

    # -- queries --------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._addresses)

    def __iter__(self) -> Iterator[Address]:
        return iter(self._addresses)

    def search(self, text: str, limit: int = 10) -> list[Address]:
        """Addresses matching every word of ``text``, best first (see the module docstring)."""
        query = " ".join(_PUNCTUATION_RE.sub(" ", text.lower()).split())
        tokens = query.split()
        if not tokens or limit <= 0:
            return []
        # Filter on the rarest-looking (longest) word first: fewest candidates to score.
        tokens.sort(key=len, reverse=True)
        first = tokens[0]
        candidates = [i for i, h in enumerate(self._haystacks) if first in h]
        compact = query.replace(" ", "") if query.isascii() else query
        ranked: list[tuple[int, int, Address]] = []
        for index in candidates:
            entry = self._entries[index]
            total = 0
            for token in tokens:
                score = entry.score(token)
                if score == 0:
                    break
                total += score
            else:
                total += entry.whole(query, compact)
                ranked.append((-total, entry.order, entry.address))
        return [address for _, _, address in heapq.nsmallest(limit, ranked)]

    def nearest(self, lat: float, lon: float, within_m: float | None = None) -> Address | None:
        """The address closest to a point, or ``None`` if there is none (within ``within_m``)."""
        if not self._addresses or not (math.isfinite(lat) and math.isfinite(lon)):
            return None
        bi, bj = _bucket(lat, lon)
        low_i, high_i, low_j, high_j = self._bucket_box
        rings = max(abs(bi - low_i), abs(bi - high_i), abs(bj - low_j), abs(bj - high_j))
        if rings > _MAX_RINGS:  # far outside the district: just look at every address
            keys: Iterable[Iterable[tuple[int, int]]] = [self._buckets]
        else:
            keys = (_ring(bi, bj, r) for r in range(rings + 1))
        # A bucket r rings out is at least r - 1 bucket widths away (narrower along longitude).
        width_m = math.radians(_BUCKET) * EARTH_RADIUS_M * math.cos(math.radians(lat))
        best: tuple[float, int] | None = None
        for ring, ring_keys in enumerate(keys):
            if best is not None and (ring - 1) * width_m > best[0]:
                break
            for key in ring_keys:
                for index in self._buckets.get(key, ()):
                    address = self._addresses[index]
                    candidate = (distance_m(lat, lon, address.lat, address.lon), index)
                    if best is None or candidate < best:
                        best = candidate
        if best is None or (within_m is not None and best[0] > within_m):
            return None
        return self._addresses[best[1]]


# -- helpers ------------------------------------------------------------------------------------


def _natural(entry: _Entry) -> tuple[int, tuple[Any, ...], int]:
    """Shorter road names first (建设路 before 建设北路), house numbers in numeric order
    (建设路2号 before 建设路10号), then file order."""
    parts = _NUMBER_RE.split(entry.zh)
    return len(parts[0]), tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts), entry.order


def _bucket(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / _BUCKET), math.floor(lon / _BUCKET)


def _ring(i: int, j: int, r: int) -> Iterator[tuple[int, int]]:
    if r == 0:
        yield i, j
        return
    for d in range(-r, r + 1):
        yield i - r, j + d
        yield i + r, j + d
    for d in range(-r + 1, r):
        yield i + d, j - r
        yield i + d, j + r


def _address(raw: Any, index: int) -> Address:
    if not isinstance(raw, Mapping):
        raise ValueError(f"address #{index}: expected an object")
    zh = raw.get("zh")
    where = f"address #{index} ({zh!r})" if isinstance(zh, str) and zh else f"address #{index}"

    def text(key: str) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{where}: {key!r} must be a non-empty string")
        return value

    def number(key: str, bound: float) -> float:
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not (
            math.isfinite(value) and -bound <= value <= bound
        ):
            raise ValueError(f"{where}: {key!r} must be a number in [-{bound:g}, {bound:g}]")
        return float(value)

    kind = raw.get("kind")
    if kind == "road":
        checked: Kind = "road"
    elif kind == "estate":
        checked = "estate"
    else:
        raise ValueError(f"{where}: 'kind' must be one of {', '.join(KINDS)}, not {kind!r}")
    pinyin = raw.get("pinyin", "")
    if not isinstance(pinyin, str) or (pinyin and not _PINYIN_RE.fullmatch(pinyin)):
        raise ValueError(f"{where}: 'pinyin' must be lower-case syllables separated by spaces")
    return Address(
        zh=text("zh"),
        en=text("en"),
        lat=number("lat", 90),
        lon=number("lon", 180),
        grid=text("grid"),
        community=text("community"),
        street=text("street"),
        kind=checked,
        pinyin=pinyin,
    )
