"""The police's own classification codes (警情类别) and the center's categories they map to.

A police center classifies a case it diverts by its own code, not by the center's taxonomy
(DESIGN §5b). ``resources/police_codes.toml`` maps those codes to categories; it is loaded with
the other rules and validated against the taxonomy at start. :meth:`PoliceCodes.category_for` is
what a diversion asks: the category a code stands for, or None when the code is unknown or known
but deliberately unmapped; such a case is still taken and waits for the liaison officer to
classify it (the reserved category :data:`~console.domain.taxonomy.UNCLASSIFIED`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.domain.resources import RESOURCES, load_toml
from console.domain.taxonomy import UNCLASSIFIED, Taxonomy

DEFAULT_PATH = RESOURCES / "police_codes.toml"

#: What a police code may look like: the wire's classification is at most 64 characters.
_CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.\-]{0,63}$")


@dataclass(frozen=True)
class PoliceCodes:
    """The validated table: police code → category code, and the codes known but unmapped."""

    mapped: Mapping[str, str]
    unmapped: frozenset[str] = frozenset()

    @classmethod
    def load(cls, taxonomy: Taxonomy, path: Path | None = None) -> PoliceCodes:
        """Read ``resources/police_codes.toml`` (or ``path``), checked against ``taxonomy``.

        Raises:
            ValueError: naming the file and the first bad code (a code mapped to a category the
                taxonomy does not have, to the reserved category, or listed twice), or a taxonomy
                without the reserved category.
        """
        return load_toml(path or DEFAULT_PATH, lambda data: cls.from_dict(data, taxonomy))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], taxonomy: Taxonomy) -> PoliceCodes:
        if not taxonomy.has_category(UNCLASSIFIED):
            raise ValueError(f"the taxonomy has no category {UNCLASSIFIED!r} for the cases whose "
                             "code is unknown or unmapped to wait under")
        codes = data.get("codes", {})
        if not isinstance(codes, Mapping):
            raise ValueError("[codes] must be a table of police code = category")
        unmapped = data.get("unmapped", [])
        if not isinstance(unmapped, list) or not all(isinstance(c, str) for c in unmapped):
            raise ValueError("'unmapped' must be a list of police codes")
        mapped: dict[str, str] = {}
        for code, category in codes.items():
            _check_code(code)
            if not isinstance(category, str) or not taxonomy.has_category(category):
                raise ValueError(f"police code {code!r} maps to unknown category {category!r}")
            if category == UNCLASSIFIED:
                raise ValueError(f"police code {code!r} maps to the reserved category "
                                 f"{UNCLASSIFIED!r}; list it under 'unmapped' instead")
            mapped[code] = category
        seen: set[str] = set()
        for code in unmapped:
            _check_code(code)
            if code in mapped or code in seen:
                raise ValueError(f"police code {code!r} is listed twice")
            seen.add(code)
        return cls(mapped, frozenset(seen))

    def category_for(self, code: str, taxonomy: Taxonomy) -> str | None:
        """The category a police code stands for, or None: the case awaits classification.

        A code the table does not list but which is one of the center's own category codes is
        taken as that category (a gateway that already speaks the center's taxonomy); the reserved
        category never is.
        """
        if code in self.mapped:
            return self.mapped[code]
        if code in self.unmapped or code == UNCLASSIFIED:
            return None
        return code if taxonomy.has_category(code) else None

    def code_for(self, category: str) -> str | None:
        """The first police code that maps to ``category`` (what a simulated police center
        sends for a case of that category), or None."""
        return next((code for code, mapped in self.mapped.items() if mapped == category), None)


def _check_code(code: object) -> None:
    if not isinstance(code, str) or not _CODE_RE.match(code):
        raise ValueError(f"police code {code!r} must be 1 to 64 letters, digits, '.', '_' or '-'")
