"""Write ``console/ui/refusals.py``: every refusal template the hub can send, for translation.

The hub refuses in English with a ``template`` and its ``params`` (docs/protocol.md); the
console translates the template (context ``Refusal``) and fills it in. The templates live in
the domain, the store and the hub, which know nothing of Qt, so ``pyside6-lupdate`` would never
see them: this script finds them in the source and lists them where it looks.

A template is a string literal that is
- the template argument of a refusal: ``Refused(code, "…")`` (domain), ``Refused("…", params)``
  and ``Refusal(…, "…")`` (hub), ``WeakPassword("…")`` (store);
- given as ``template="…"``, or assigned to a name ending in ``template`` or ``reason``
  (any case; a dict's values too), or marked ``template("…")`` where a function returns it.

A refusal's parameters are ids, numbers and codes, which stay as they are, or words: a state,
a status, a field's name, what a command does. The words are listed too (context
``RefusalWord``): every value of the domain's enumerations, every argument name the domain
reads (``a.text(args, "name")``), the phrases of ``COMMANDS`` and the ``doing=`` phrases.

Run by ``make translations``; ``tests/test_translations.py`` fails when the catalogue is stale.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("console/domain", "console/store", "console/hub", "console/comms")
CATALOGUE = ROOT / "console/ui/refusals.py"
#: Refusal constructors and where their template argument stands.
_CONSTRUCTORS = {"Refused": (0, 1), "Refusal": (0, 1), "WeakPassword": (0,)}
#: Names whose assigned strings are refusal sentences.
_SENTENCE_NAMES = ("template", "reason")
#: Modules whose argument names a refusal may quote (``'{field}' is required.``).
_ARGS_MODULE = "a"

_HEADER = '''"""Every refusal template the hub can send, for pyside6-lupdate (context ``Refusal``).

Written by ``tools/refusal_catalogue.py`` (run by ``make translations``); do not edit by hand.
``console.ui.text.result_text`` translates a refusal by its template.
"""

from PySide6.QtCore import QT_TRANSLATE_NOOP

TEMPLATES = (
'''
_MIDDLE = ''')

WORDS = (
'''


def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _looks_like_template(text: str) -> bool:
    # A refusal speaks a sentence; a code ("invalid") in the same position is not one.
    return " " in text.strip()


def catalogue(root: Path = ROOT) -> tuple[list[str], list[str]]:
    """Every template and every word in the sources, each once, in a stable order."""
    sentences: set[str] = set()
    words: set[str] = set()
    for folder in SOURCES:
        for path in sorted((root / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                sentences.update(t for t in _sentences(node) if _looks_like_template(t))
                if folder == "console/domain":
                    words.update(_words(node))
    return sorted(sentences), sorted(w for w in words - sentences if _is_word(w))


def _is_word(text: str) -> bool:
    # Dotted names are event and command names, upper case levels and priorities: codes,
    # shown as they are.
    return "." not in text and not text.isupper() and not text.isdigit()


def _strings(node: ast.AST | None) -> list[str]:
    """The string literals a value holds: itself, a dict's values, an ``or``'s operands, both
    branches of a conditional."""
    if node is None:
        return []
    if isinstance(node, ast.Dict):
        return [t for v in node.values for t in _strings(v)]
    if isinstance(node, ast.BoolOp):
        return [t for v in node.values for t in _strings(v)]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    text = _literal(node)
    return [text] if text is not None else []


def _sentences(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Call):
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        found = [t for k in node.keywords if k.arg == "template" for t in _strings(k.value)]
        if name in _CONSTRUCTORS:
            found += [t for i in _CONSTRUCTORS[name] if i < len(node.args)
                      for t in _strings(node.args[i])]
        if name == "template" and node.args:
            found += _strings(node.args[0])
        return found
    if isinstance(node, ast.Assign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if any(getattr(t, "id", "").lower().endswith(_SENTENCE_NAMES) for t in targets):
            return _strings(node.value)
    return []


def _words(node: ast.AST) -> list[str]:
    if isinstance(node, ast.ClassDef) and any(
            getattr(b, "id", None) == "StrEnum" for b in node.bases):
        return [t for item in node.body if isinstance(item, ast.Assign)
                for t in _strings(item.value)]
    if isinstance(node, ast.Assign) and any(
            getattr(t, "id", None) == "COMMANDS" for t in node.targets):
        return _strings(node.value)
    if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "COMMANDS":
        return _strings(node.value)
    if isinstance(node, ast.Call):
        found = [t for k in node.keywords if k.arg == "doing" for t in _strings(k.value)]
        func = node.func
        if (isinstance(func, ast.Attribute) and getattr(func.value, "id", None) == _ARGS_MODULE
                and len(node.args) >= 2):
            found += _strings(node.args[1])
        return found
    return []


def render(sentences: list[str], words: list[str]) -> str:
    def lines(context: str, texts: list[str]) -> str:
        return "".join(f'    QT_TRANSLATE_NOOP("{context}", {t!r}),\n' for t in texts)
    return _HEADER + lines("Refusal", sentences) + _MIDDLE + lines("RefusalWord", words) + ")\n"


def main() -> int:
    text = render(*catalogue())
    if CATALOGUE.exists() and CATALOGUE.read_text(encoding="utf-8") == text:
        return 0
    CATALOGUE.write_text(text, encoding="utf-8")
    print(f"wrote {CATALOGUE.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
