"""``main.py admin import-roster | roster | report-workers`` in a subprocess, as an operator
runs them, against SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
import zipfile
from pathlib import Path

import pytest

from console.domain.model import Actor, Role
from console.domain.rules import Rules
from console.store.store import Store
from console.store.writer import Command
from tests.store.test_cli import run

ADMIN = Actor("admin", frozenset({Role.ADMIN}))
GOOD = """unit,date,start,end,kind,note
W1,2026-11-25,08:30,12:00,shift,
W1,2026-11-25,18:00,22:00,flex,晚间弹性
W1,2026-11-26,19:00,20:00,appointment,预约走访
"""


def seeded(db_url: str, rules: Rules) -> None:
    store = Store(db_url, rules)
    result = store.execute(Command(str(uuid.uuid4()), "unit.register", {
        "id": "W1", "name": "网格员甲", "type": "grid_worker", "tier": 1,
        "street": "street.mengzhuiwan", "community": "community.wangping",
        "grid": "grid.wangping.01"}), ADMIN)
    assert result.ok, result.error
    store.close()


@pytest.mark.slow
def test_a_roster_is_imported_listed_edited_by_importing_again_and_a_bad_file_changes_nothing(
        db_url: str, rules: Rules, tmp_path: Path) -> None:
    seeded(db_url, rules)
    roster = tmp_path / "roster.csv"
    roster.write_text(GOOD, encoding="utf-8")
    done = run("admin", "import-roster", str(roster), "--db", db_url)
    assert done.returncode == 0, done.stderr
    assert "3 shifts imported" in done.stdout
    listed = run("admin", "roster", "W1", "--date", "2026-11-25", "--db", db_url)
    assert listed.stdout.splitlines() == [
        "W1/2026-11-25/0830\tshift\t2026-11-25 08:30\t2026-11-25 12:00\t",
        "W1/2026-11-25/1800\tflex\t2026-11-25 18:00\t2026-11-25 22:00\t晚间弹性"]

    # The same day again, changed: its shifts are replaced; the other day is kept.
    roster.write_text("unit,date,start,end,kind\nW1,2026-11-25,09:00,17:00,shift\n",
                      encoding="utf-8")
    assert run("admin", "import-roster", str(roster), "--db", db_url).returncode == 0
    listed = run("admin", "roster", "W1", "--date", "2026-11-25", "--db", db_url)
    assert [line.split("\t")[2] for line in listed.stdout.splitlines()] == ["2026-11-25 09:00"]

    roster.write_text("unit,date,start,end,kind\nW1,2026-11-25,07:00,08:00,shift\n"
                      "W9,2026-11-25,07:00,08:00,shift\nW1,2026-11-25,7 am,08:00,night\n",
                      encoding="utf-8")
    refused = run("admin", "import-roster", str(roster), "--db", db_url)
    assert refused.returncode == 2
    assert "line 3: there is no unit W9" in refused.stderr and "line 4:" in refused.stderr
    listed = run("admin", "roster", "W1", "--date", "2026-11-25", "--db", db_url)
    assert [line.split("\t")[2] for line in listed.stdout.splitlines()] == ["2026-11-25 09:00"]

    cleared = run("admin", "roster", "W1", "--date", "2026-11-26", "--clear", "--db", db_url)
    assert "1 shifts removed" in cleared.stdout
    store = Store(db_url, rules, create=False)
    actions = [row.entry.action for row in store.audit.rows(action="admin.")]
    store.close()
    assert actions.count("admin.import-roster") == 2  # the refused file is not on record
    assert "admin.roster-clear" in actions


@pytest.mark.slow
def test_the_month_sheet_has_a_row_per_worker(db_url: str, rules: Rules, tmp_path: Path
                                              ) -> None:
    seeded(db_url, rules)
    out = tmp_path / "pay.xlsx"
    done = run("admin", "report-workers", "--month", "2026-11", "--community",
               "community.wangping", "--out", str(out), "--db", db_url)
    assert done.returncode == 0, done.stderr
    assert "1 workers written" in done.stdout
    with zipfile.ZipFile(out) as book:
        strings = book.read("xl/sharedStrings.xml").decode("utf-8")
    assert "W1" in strings and "网格员甲" in strings and "望平社区" in strings
    assert "得分" in strings
    day = run("admin", "report-workers", "--day", "2026-11-25", "--db", db_url)
    assert day.returncode == 0, day.stderr
    assert day.stdout.splitlines()[1].startswith("W1\t网格员甲\tcommunity.wangping\t0")
