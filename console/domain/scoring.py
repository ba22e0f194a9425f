"""The department assessment's parameters (``[departments]`` in resources/assessment.toml): the
weights of the composite score and which verifications count as a visit. Other tables of the
file belong to other assessments and are not read here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.domain.resources import RESOURCES, load_toml

#: The rates a department's score weighs (console/domain/reports.py ``Figures``).
RATES = ("response", "resolution", "satisfaction")
VISIT_METHODS = ("callback", "site")


@dataclass(frozen=True)
class Weights:
    """The score's weights by rate, and the verification methods that count as a visit."""

    weights: Mapping[str, float]
    visit_methods: frozenset[str] = frozenset({"callback"})

    def score(self, rates: Mapping[str, float | None]) -> float | None:
        """The weighted mean of the rates that are not None, × 100; None if all are."""
        given = [(self.weights[k], r) for k, r in rates.items() if r is not None]
        total = sum(w for w, _ in given)
        if not given or total <= 0:
            return None
        return 100.0 * sum(w * r for w, r in given) / total

    @classmethod
    def load(cls, path: Path | None = None) -> Weights:
        """``[departments]`` of resources/assessment.toml (or ``path``).

        Raises:
            ValueError: the table is missing or wrong; the message names the entry.
        """
        return load_toml(RESOURCES / "assessment.toml" if path is None else path,
                         cls.from_mapping)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Weights:
        table = data.get("departments")
        if not isinstance(table, Mapping):
            raise ValueError("missing [departments]")
        unknown = set(table) - {"weights", "visit_methods"}
        if unknown:
            raise ValueError(f"departments: unknown key(s) {', '.join(sorted(unknown))}")
        weights = table.get("weights")
        if not isinstance(weights, Mapping) or set(weights) != set(RATES):
            raise ValueError(f"departments.weights must give {', '.join(RATES)}")
        for key, value in weights.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"departments.weights.{key} must be a number ≥ 0")
        if sum(weights.values()) <= 0:
            raise ValueError("departments.weights must not all be 0")
        methods = table.get("visit_methods", ["callback"])
        if not isinstance(methods, list) or not methods \
                or any(m not in VISIT_METHODS for m in methods):
            raise ValueError(f"departments.visit_methods must list some of "
                             f"{', '.join(VISIT_METHODS)}")
        return cls({k: float(weights[k]) for k in RATES}, frozenset(methods))
