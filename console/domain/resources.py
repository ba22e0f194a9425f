"""Where the rule data lives (``console/resources/``, package data), and reading one of its
TOML tables."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

#: The package's data folder, as a real path: a wheel installs it as files, and so does the
#: desktop build (``installer/console.spec``), so the readers open it with ``Path.open``.
RESOURCES = Path(str(files("console") / "resources"))

T = TypeVar("T")


def load_toml(path: Path, build: Callable[[Mapping[str, Any]], T]) -> T:
    """Parse ``path`` and ``build`` from it; any error names the file.

    Raises:
        ValueError: the file is not valid TOML, or ``build`` refused an entry.
    """
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path.name}: not valid TOML: {exc}") from exc
    try:
        return build(data)
    except ValueError as exc:
        raise ValueError(f"{path.name}: {exc}") from exc
