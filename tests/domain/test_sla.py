"""Tests for SLA limits, the SLA table in sla.toml, and SLA clocks."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.calendar import WorkCalendar
from console.domain.sla import (
    PRIORITIES,
    REMINDER_THRESHOLDS,
    ClockLevel,
    Limit,
    SlaClock,
    SlaTable,
    Stage,
    extension_allowed,
    start_clock,
)

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=SH)  # a Tuesday
HUNDRED_MINUTES = Limit(100, "minutes")


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.load()


@pytest.fixture(scope="module")
def table() -> SlaTable:
    return SlaTable.load()


def clock(stopped_after: int | None = None) -> SlaClock:
    """A 100-minute clock from T0, so minutes after T0 are percentages."""
    stopped = None if stopped_after is None else T0 + timedelta(minutes=stopped_after)
    return SlaClock(Stage.SIGN, T0, T0 + timedelta(minutes=100), stopped, HUNDRED_MINUTES)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


# ---- Limit ----------------------------------------------------------------------------------


def test_limit_round_trip() -> None:
    limit = Limit(5, "working_days")
    assert limit.to_dict() == {"value": 5, "unit": "working_days"}
    assert Limit.from_dict(limit.to_dict()) == limit
    assert str(limit) == "5 working days"


@pytest.mark.parametrize(
    ("value", "unit", "message"),
    [
        (0, "hours", "positive"),
        (-3, "hours", "positive"),
        (1.5, "hours", "whole number"),
        (True, "hours", "whole number"),
        (3, "days", "unknown unit 'days'"),
    ],
)
def test_limit_validated(value: Any, unit: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Limit(value, unit)


# ---- clock arithmetic -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "level"),
    [
        (0, ClockLevel.OK),
        (49, ClockLevel.OK),
        (50, ClockLevel.HALF),
        (79.99, ClockLevel.HALF),
        (80, ClockLevel.AMBER),
        (99, ClockLevel.AMBER),
        (100, ClockLevel.OVERDUE),
        (101, ClockLevel.OVERDUE),
    ],
)
def test_fraction_and_level(minutes: float, level: ClockLevel) -> None:
    c = clock()
    assert c.fraction(at(minutes)) == pytest.approx(minutes / 100)
    assert c.level(at(minutes)) is level
    assert c.overdue(at(minutes)) is (minutes >= 100)
    assert c.remaining(at(minutes)) == timedelta(minutes=100 - minutes)


def test_before_start_is_zero() -> None:
    assert clock().fraction(at(-5)) == 0.0
    assert clock().level(at(-5)) is ClockLevel.OK


def test_remaining_is_negative_when_overdue() -> None:
    assert clock().remaining(at(130)) == timedelta(minutes=-30)


def test_stopped_clock_never_becomes_overdue_later() -> None:
    c = clock(stopped_after=90)
    assert not c.running
    assert c.met
    for later in (90, 100, 101, 60 * 24 * 365):
        assert not c.overdue(at(later))
        assert c.level(at(later)) is ClockLevel.AMBER
        assert c.fraction(at(later)) == pytest.approx(0.9)
        assert c.remaining(at(later)) == timedelta(minutes=10)


def test_clock_stopped_exactly_on_deadline_is_met() -> None:
    c = clock(stopped_after=100)
    assert c.met
    assert not c.overdue(at(100))
    assert not c.overdue(at(1000))
    assert c.crossed(at(0), at(1000)) == (50, 80)


def test_clock_stopped_late_stays_overdue() -> None:
    c = clock(stopped_after=120)
    assert not c.met
    assert c.overdue(at(110))
    assert c.overdue(at(5000))
    assert c.remaining(at(5000)) == timedelta(minutes=-20)


def test_clock_stop_returns_a_stopped_copy() -> None:
    running = clock()
    stopped = running.stop(at(30))
    assert running.running
    assert stopped.stopped_at == at(30)
    assert stopped.met


def test_crossed_examples() -> None:
    c = clock()
    assert c.crossed(at(0), at(49)) == ()
    assert c.crossed(at(49), at(50)) == (50,)
    assert c.crossed(at(50), at(79)) == ()
    assert c.crossed(at(79), at(200)) == (80, 100)
    assert c.crossed(at(200), at(300)) == ()
    assert c.crossed(at(-10), at(100)) == (50, 80, 100)
    assert clock(stopped_after=60).crossed(at(60), at(500)) == ()


@settings(max_examples=300, deadline=None)
@given(
    steps=st.lists(st.integers(min_value=1, max_value=40 * 60_000_000), min_size=1, max_size=60),
    stop=st.one_of(st.none(), st.integers(min_value=0, max_value=200 * 60_000_000)),
)
def test_crossed_reports_each_threshold_exactly_once(steps: list[int], stop: int | None) -> None:
    """Sweeping now forward in arbitrary microsecond steps fires each reminder once, in order."""
    stopped_at = None if stop is None else T0 + timedelta(microseconds=stop)
    c = SlaClock(Stage.RESOLVE, T0, at(100), stopped_at, HUNDRED_MINUTES)
    since = T0 - timedelta(minutes=1)
    fired: list[int] = []
    for step in steps:
        now = since + timedelta(microseconds=step)
        fired.extend(c.crossed(since, now))
        since = now
    assert fired == sorted(set(fired))
    end = since
    expected = [
        t
        for t in REMINDER_THRESHOLDS
        if (t == 100 and c.overdue(end))
        or (t < 100 and (min(end, stopped_at or end) - T0) * 100 >= timedelta(minutes=100) * t)
    ]
    assert fired == expected
    if stopped_at is not None and stopped_at <= c.due_at:
        assert 100 not in fired


def test_naive_now_rejected() -> None:
    c = clock()
    naive = datetime(2026, 3, 10, 10, 0)
    for method in (c.fraction, c.level, c.remaining, c.overdue):
        with pytest.raises(ValueError, match="timezone-aware"):
            method(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        c.crossed(naive, at(10))
    with pytest.raises(ValueError, match="timezone-aware"):
        extension_allowed(c, naive)


def test_clock_validates_its_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        SlaClock(Stage.SIGN, datetime(2026, 3, 10), at(10), None, HUNDRED_MINUTES)
    with pytest.raises(ValueError, match="due_at must be after started_at"):
        SlaClock(Stage.SIGN, T0, T0, None, HUNDRED_MINUTES)
    with pytest.raises(ValueError, match="stopped_at must not be before"):
        SlaClock(Stage.SIGN, T0, at(10), at(-1), HUNDRED_MINUTES)


def test_to_dict_is_json_with_iso_strings() -> None:
    c = start_clock(Stage.SIGN, T0, Limit(4, "hours"), WorkCalendar(), [Limit(2, "hours")])
    c = c.stop(T0 + timedelta(hours=1))
    view = c.to_dict()
    assert view == {
        "stage": "sign",
        "started_at": "2026-03-10T09:00:00+08:00",
        "due_at": "2026-03-10T07:00:00+00:00",
        "stopped_at": "2026-03-10T10:00:00+08:00",
        "limit": {"value": 4, "unit": "hours"},
        "extended_by": [{"value": 2, "unit": "hours"}],
    }
    assert SlaClock.from_dict(json.loads(json.dumps(view))) == c


# ---- start_clock and extensions -------------------------------------------------------------


def test_start_clock_uses_the_calendar(cal: WorkCalendar) -> None:
    start = datetime(2026, 4, 3, 17, 0, tzinfo=SH)  # Friday before Qingming Monday
    c = start_clock(Stage.RESOLVE, start, Limit(3, "working_days"), cal)
    assert c.running
    assert c.due_at == datetime(2026, 4, 9, 17, 0, tzinfo=SH)
    assert c.due_at.tzinfo is UTC


def test_extension_moves_due_at(cal: WorkCalendar) -> None:
    start = datetime(2026, 9, 29, 10, 0, tzinfo=SH)
    limit = Limit(1, "working_days")
    plain = start_clock(Stage.RESOLVE, start, limit, cal)
    assert plain.due_at == datetime(2026, 9, 30, 10, 0, tzinfo=SH)
    extended = start_clock(
        Stage.RESOLVE, start, limit, cal, [Limit(2, "working_days"), Limit(3, "hours")]
    )
    # 30 Sep 10:00 + 2 working days → 8 Oct, 9 Oct 10:00; + 3 hours → 13:00.
    assert extended.due_at == datetime(2026, 10, 9, 13, 0, tzinfo=SH)
    assert extended.extended_by == (Limit(2, "working_days"), Limit(3, "hours"))


def test_extension_of_a_day_off_deadline_lands_at_end_of_working_day(cal: WorkCalendar) -> None:
    start = datetime(2026, 9, 26, 11, 0, tzinfo=SH)  # Mid-Autumn Saturday
    c = start_clock(Stage.REPLY, start, Limit(3, "working_days"), cal, [Limit(1, "working_days")])
    # End of Wed 30 Sep, then one more working day: end of Thu 8 Oct.
    assert c.due_at == datetime(2026, 10, 9, 0, 0, tzinfo=SH)


def test_extension_allowed_before_the_deadline_only() -> None:
    c = clock()
    assert extension_allowed(c, at(99)) is None
    assert extension_allowed(c, at(100)) == (
        "The deadline has already passed; an extension must be requested before it."
    )
    assert extension_allowed(c, at(150)) is not None


def test_extension_refused_on_a_finished_stage() -> None:
    assert extension_allowed(clock(stopped_after=20), at(30)) == "This stage is already finished."


# ---- the SLA table --------------------------------------------------------------------------


def test_shipped_table_covers_everything(table: SlaTable) -> None:
    assert table.classes == ("urgent", "standard", "routine")
    for sla_class, priority, stage in itertools.product(table.classes, PRIORITIES, Stage):
        assert isinstance(table.limit(sla_class, priority, stage), Limit)
    assert table.limit("urgent", "P1", Stage.ACCEPT) == Limit(3, "minutes")
    assert table.limit("standard", "P3", Stage.RESOLVE) == Limit(5, "working_days")
    assert table.limit("routine", "P4", Stage.RESOLVE) == Limit(15, "working_days")
    assert table.police_sign == Limit(5, "minutes")
    assert table.police_feedback == Limit(24, "hours")


# Starts that stress the calendar: a Friday evening, a Saturday, the eve of National Day, and
# a make-up working Sunday.
PROBE_STARTS = [
    datetime(2026, 3, 13, 17, 0, tzinfo=SH),
    datetime(2026, 3, 14, 10, 0, tzinfo=SH),
    datetime(2026, 9, 30, 23, 0, tzinfo=SH),
    datetime(2026, 9, 20, 8, 30, tzinfo=SH),
]


def test_higher_priority_is_never_looser(table: SlaTable, cal: WorkCalendar) -> None:
    for sla_class, stage, start in itertools.product(table.classes, Stage, PROBE_STARTS):
        dues = [
            cal.add(start, limit.value, limit.unit)
            for limit in (table.limit(sla_class, p, stage) for p in PRIORITIES)
        ]
        assert dues == sorted(dues), f"{sla_class} {stage} from {start}: {dues}"
        assert dues[0] <= dues[-1]


@pytest.mark.parametrize(
    ("sla_class", "priority", "message"),
    [("severe", "P1", "unknown SLA class 'severe'"), ("urgent", "P5", "unknown priority 'P5'")],
)
def test_unknown_class_or_priority(
    table: SlaTable, sla_class: str, priority: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        table.limit(sla_class, priority, Stage.SIGN)


def _table_data() -> dict[str, Any]:
    limit = {"value": 1, "unit": "hours"}
    return {
        "classes": {
            name: {p: {str(s): dict(limit) for s in Stage} for p in PRIORITIES}
            for name in ("urgent", "routine")
        },
        "police": {"sign": {"value": 5, "unit": "minutes"}, "feedback": dict(limit)},
    }


def _render(data: dict[str, Any]) -> str:
    """Minimal TOML writer for the table layout (the test venv has no TOML writer)."""

    def inline(v: Any) -> str:
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {inline(x)}" for k, x in v.items()) + " }"
        return json.dumps(v)

    lines: list[str] = []
    for name, body in data.get("classes", {}).items():
        for priority, stages in body.items():
            lines.append(f"[classes.{name}.{priority}]")
            lines += [f"{stage} = {inline(limit)}" for stage, limit in stages.items()]
    if "police" in data:
        lines.append("[police]")
        lines += [f"{key} = {inline(limit)}" for key, limit in data["police"].items()]
    return "\n".join(lines) + "\n"


def _load(tmp_path: Path, data: dict[str, Any]) -> SlaTable:
    path = tmp_path / "sla.toml"
    path.write_text(_render(data), encoding="utf-8")
    return SlaTable.load(path)


def test_minimal_table_loads(tmp_path: Path) -> None:
    table = _load(tmp_path, _table_data())
    assert table.classes == ("urgent", "routine")


def _missing_stage(d: dict[str, Any]) -> None:
    del d["classes"]["routine"]["P2"]["sign"]


def _negative(d: dict[str, Any]) -> None:
    d["classes"]["urgent"]["P3"]["resolve"]["value"] = -4


def _zero(d: dict[str, Any]) -> None:
    d["classes"]["urgent"]["P1"]["accept"]["value"] = 0


def _bad_unit(d: dict[str, Any]) -> None:
    d["classes"]["routine"]["P4"]["reply"]["unit"] = "days"


def _missing_priority(d: dict[str, Any]) -> None:
    del d["classes"]["urgent"]["P4"]


def _unknown_stage(d: dict[str, Any]) -> None:
    d["classes"]["urgent"]["P1"]["signn"] = {"value": 1, "unit": "hours"}


def _fraction(d: dict[str, Any]) -> None:
    d["classes"]["urgent"]["P2"]["arrive"]["value"] = 1.5


def _no_police(d: dict[str, Any]) -> None:
    del d["police"]


def _no_police_feedback(d: dict[str, Any]) -> None:
    del d["police"]["feedback"]


def _no_classes(d: dict[str, Any]) -> None:
    del d["classes"]


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (_missing_stage, r"routine\.P2: missing stage sign"),
        (_negative, r"urgent\.P3\.resolve: limit value must be positive, got -4"),
        (_zero, r"urgent\.P1\.accept: limit value must be positive, got 0"),
        (_bad_unit, r"routine\.P4\.reply: unknown unit 'days'"),
        (_missing_priority, r"urgent: missing priority P4"),
        (_unknown_stage, r"urgent\.P1: unknown stage\(s\) signn"),
        (_fraction, r"urgent\.P2\.arrive: limit value must be a whole number"),
        (_no_police, r"missing \[police\]"),
        (_no_police_feedback, r"police: missing feedback"),
        (_no_classes, r"missing \[classes\]"),
    ],
)
def test_broken_table_names_the_entry(tmp_path: Path, breakage: Any, message: str) -> None:
    data = _table_data()
    breakage(data)
    with pytest.raises(ValueError, match=message) as info:
        _load(tmp_path, data)
    assert str(info.value).startswith("sla.toml: ")


def test_invalid_toml_rejected(tmp_path: Path) -> None:
    path = tmp_path / "sla.toml"
    path.write_text("[classes.urgent.P1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"sla\.toml: not valid TOML"):
        SlaTable.load(path)
