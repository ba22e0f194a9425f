"""Fill translations into ``console/resources/i18n/linkage_zh_CN.ts`` from tab-separated files.

Each line: ``context<TAB>English source<TAB>Chinese``. An entry already translated is left as
it is unless ``--replace``; an entry the .ts does not hold (run ``make translations`` first so
lupdate adds it) is reported and the script exits 1. Then ``make translations`` again compiles.

    python tools/ts_fill.py new-strings.tsv [more.tsv ...]
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

TS = Path(__file__).resolve().parent.parent / "console/resources/i18n/linkage_zh_CN.ts"


def read_tsv(path: Path) -> list[tuple[str, str, str]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise SystemExit(f"{path}:{number}: want context, source and translation")
        rows.append((parts[0], parts[1], parts[2]))
    return rows


def fill(rows: list[tuple[str, str, str]], *, replace: bool = False) -> list[str]:
    """Write ``rows`` into the .ts; the rows it has no entry for."""
    tree = ET.parse(TS)
    entries = {}
    for group in tree.getroot().iter("context"):
        name = group.findtext("name")
        for message in group.iter("message"):
            entries[(name, message.findtext("source"))] = message.find("translation")
    missing = []
    for context, source, text in rows:
        translation = entries.get((context, source))
        if translation is None:
            missing.append(f"{context}\t{source}")
            continue
        if translation.text and translation.get("type") != "unfinished" and not replace:
            continue
        translation.attrib.pop("type", None)
        if group_numerus(translation, text):
            continue
        translation.text = text
    ET.indent(tree, space="    ")
    body = ET.tostring(tree.getroot(), encoding="unicode")
    TS.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n",
                  encoding="utf-8")
    return missing


def group_numerus(translation: ET.Element, text: str) -> bool:
    """A message with ``%n`` that lupdate marked numerus: Chinese has one plural form, written
    as the translation's single ``numerusform`` (text directly in it is not valid there)."""
    forms = translation.findall("numerusform")
    if not forms:
        return False
    for extra in forms[1:]:
        translation.remove(extra)
    forms[0].text = text
    translation.text = None
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tsv", nargs="+", type=Path)
    parser.add_argument("--replace", action="store_true", help="overwrite finished entries")
    args = parser.parse_args()
    rows = [row for path in args.tsv for row in read_tsv(path)]
    missing = fill(rows, replace=args.replace)
    for entry in missing:
        print(f"not in the .ts: {entry}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
