"""The layers keep to their rules (DESIGN §3): checked on the real import graph."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is part of the dev dependencies"
    done = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    # Every contract of pyproject.toml was checked (none silently dropped) and kept.
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"]
    assert len(contracts) >= 7
    assert f"Contracts: {len(contracts)} kept, 0 broken." in done.stdout


def importlinter_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def test_every_package_has_its_layer_and_every_qt_free_comms_module_is_named() -> None:
    contracts = {c["id"]: c for c in importlinter_config()["contracts"]}
    layered = {name.strip() for layer in contracts["layers"]["layers"] for name in layer.split("|")}
    packages = {f"console.{p.name}" for p in (ROOT / "console").iterdir()
                if (p / "__init__.py").exists()}
    assert packages == layered, "a package of console/ outside the layers contract"
    comms = {f"console.comms.{p.stem}" for p in (ROOT / "console/comms").glob("*.py")
             if p.stem not in ("__init__", "bridge")}
    assert comms == set(contracts["qt-only-in-the-bridge"]["source_modules"])


def lint_copy(tmp_path: Path, bad: dict[str, str], contract: str | None = None) -> int:
    """lint-imports on a copy of the code with ``bad`` (path → lines added) written into it."""
    shutil.copytree(ROOT / "console", tmp_path / "console",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    for relative, lines in bad.items():
        with (tmp_path / relative).open("a", encoding="utf-8") as file:
            file.write("\n" + lines + "\n")
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint
    done = subprocess.run([lint, "--no-cache", *(["--contract", contract] if contract else [])],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          check=False, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert "Analyzed" in done.stdout, done.stdout + done.stderr  # it read the copy
    return done.returncode


def test_the_contracts_pass_on_an_untouched_copy(tmp_path: Path) -> None:
    assert lint_copy(tmp_path, {}) == 0


@pytest.mark.parametrize(("where", "line", "contract"), [
    ("console/map/bad.py", "import console.views.common", "map-below-views"),
    ("console/map/bad.py", "import console.views.common", "layers"),
    # Qt reached through another module of the project, not imported directly.
    ("console/hub/bad.py", "from console.comms import bridge", "no-qt-below-views"),
    ("console/sim/bad.py", "from console.store import store", "sim-over-the-wire"),
    ("console/domain/bad.py", "import console.store.db", "pure-domain"),
    ("console/store/bad.py", "from console.hub import server", "layers"),
    ("console/ui/bad.py", "import console.map.view", "layers"),
    ("console/comms/client.py", "from PySide6 import QtCore", "qt-only-in-the-bridge"),
    ("console/views/bad.py", "import console.store.store", "views-over-the-wire"),
    ("console/domain/bad.py", "if False:\n    import PySide6.QtCore", "no-qt-below-views"),
])
def test_a_bad_import_breaks_its_contract(tmp_path: Path, where: str, line: str,
                                          contract: str) -> None:
    assert lint_copy(tmp_path, {where: line}, contract) == 1


# -- no circles ------------------------------------------------------------------------------
# Every import counts, wherever it is written: at the top, inside a function, or under
# ``if TYPE_CHECKING:`` (a circle hidden from the interpreter is still two modules that cannot
# be understood, tested or moved one without the other).


def module_files(folder: Path, package: str) -> dict[str, Path]:
    """Every module of ``package`` (its source in ``folder``) by dotted name."""
    modules = {}
    for path in sorted(folder.rglob("*.py")):
        parts = [package, *path.relative_to(folder).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of the package that the module ``name`` at ``path`` imports, anywhere in it.

    ``from p.x import y`` is the module ``p.x.y`` when that is a module, else ``p.x``.
    """

    def known(dotted: str) -> str | None:
        while dotted and dotted not in modules:  # ``import p.x.attr`` names an attribute
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    is_package = path.name == "__init__.py"
    found: set[str | None] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(known(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package upwards
                anchor = name.split(".")
                anchor = anchor[:len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                whole = f"{base}.{alias.name}"
                found.add(whole if whole in modules else known(base))
    return {module for module in found if module is not None and module != name}


def import_circles(folder: Path, package: str) -> list[list[str]]:
    """The import circles of ``package``: its strongly connected components of more than one
    module (Tarjan's algorithm, iterative so deep packages do not hit the recursion limit)."""
    modules = module_files(folder, package)
    graph = {name: sorted(imported_modules(name, path, modules))
             for name, path in modules.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles = []
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, edge = work.pop()
            if edge == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if edge < len(graph[node]):
                work.append((node, edge + 1))
                target = graph[node][edge]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if work:  # done with node: its caller learns how far back it reaches
                caller = work[-1][0]
                low[caller] = min(low[caller], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    circles.append(sorted(component))
    return sorted(circles)


def test_the_import_graph_has_no_circle() -> None:
    circles = import_circles(ROOT / "console", "console")
    for circle in circles:
        print("import circle among:", ", ".join(circle))
    assert not circles, "modules that import each other, directly or round a circle:\n" + \
        "\n".join(", ".join(circle) for circle in circles)


def test_the_circle_finder_finds_a_circle(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    sources = {
        "__init__.py": "",
        "a.py": "from pkg import b\n",
        # Only for type checking, but a circle all the same.
        "b.py": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
                "    from pkg.a import Thing\n",
        # A relative import back, and one inside a function.
        "c.py": "from . import d\n",
        "d.py": "def later():\n    import pkg.c.helper\n",
        "e.py": "import pkg.a\n",  # reaches a circle but is not in one
    }
    for name, source in sources.items():
        (package / name).write_text(source, encoding="utf-8")
    assert import_circles(package, "pkg") == [["pkg.a", "pkg.b"], ["pkg.c", "pkg.d"]]
