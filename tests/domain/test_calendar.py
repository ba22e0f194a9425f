"""Tests for the working calendar: working days, adding limits, and loading calendar.toml."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.calendar import WorkCalendar

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.load()


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


# ---- the shipped calendar -------------------------------------------------------------------


def test_shipped_calendar_loads_in_shanghai(cal: WorkCalendar) -> None:
    assert cal.tz.key == "Asia/Shanghai"
    assert {d.year for d in cal.holidays} == {2025, 2026, 2027}
    assert not cal.holidays & cal.workdays


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 1, 1), False),  # New Year
        (date(2026, 1, 4), True),  # make-up Sunday
        (date(2026, 2, 16), False),  # Spring Festival (Monday)
        (date(2026, 2, 14), True),  # make-up Saturday
        (date(2026, 4, 6), False),  # Qingming Monday
        (date(2026, 4, 7), True),
        (date(2026, 5, 5), False),  # Labour Day Tuesday
        (date(2026, 5, 9), True),  # make-up Saturday
        (date(2026, 6, 19), False),  # Dragon Boat Friday
        (date(2026, 9, 25), False),  # Mid-Autumn Friday
        (date(2026, 9, 20), True),  # make-up Sunday
        (date(2026, 10, 7), False),  # National Day Wednesday
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # make-up Saturday
        (date(2026, 10, 11), False),  # ordinary Sunday
        (date(2026, 3, 9), True),  # ordinary Monday
        (date(2025, 10, 8), False),  # 2025: National Day + Mid-Autumn ran to the 8th
        (date(2025, 1, 26), True),
    ],
)
def test_is_working_day(cal: WorkCalendar, day: date, working: bool) -> None:
    assert cal.is_working_day(day) is working


def test_empty_calendar_is_monday_to_friday() -> None:
    cal = WorkCalendar()
    week = [date(2026, 3, 9) + timedelta(days=i) for i in range(7)]
    assert [cal.is_working_day(d) for d in week] == [True] * 5 + [False] * 2


# ---- adding working days --------------------------------------------------------------------


def test_friday_before_national_day_is_mid_autumn(cal: WorkCalendar) -> None:
    # Fri 2026-09-25 is itself a holiday (中秋节), so counting starts Mon 28th: 28, 29, 30 —
    # the case falls due at the end of Wed 30 September, just before National Day.
    due = cal.add(local(2026, 9, 25, 17, 0), 3, "working_days")
    assert due == local(2026, 10, 1, 0, 0)
    assert due.tzinfo is UTC


def test_three_working_days_across_national_day(cal: WorkCalendar) -> None:
    # Wed 30 Sep 17:00 → Thu 8 Oct (1), Fri 9 Oct (2), make-up Sat 10 Oct (3).
    assert cal.add(local(2026, 9, 30, 17, 0), 3, "working_days") == local(2026, 10, 10, 17, 0)
    # Thu 24 Sep 17:00 → skips the Mid-Autumn weekend: Mon 28 (1), 29 (2), Wed 30 (3).
    assert cal.add(local(2026, 9, 24, 17, 0), 3, "working_days") == local(2026, 9, 30, 17, 0)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        ((2026, 4, 3, 17, 0), (2026, 4, 9, 17, 0)),  # Qingming: Monday 6 April off
        ((2025, 5, 30, 17, 0), (2025, 6, 5, 17, 0)),  # Dragon Boat: Monday 2 June off
    ],
)
def test_friday_plus_three_with_monday_holiday_is_thursday(
    cal: WorkCalendar, start: tuple[int, int, int, int, int], due: tuple[int, int, int, int, int]
) -> None:
    result = cal.add(local(*start), 3, "working_days")
    assert result == local(*due)
    assert result.astimezone(SH).strftime("%A %H:%M") == "Thursday 17:00"


def test_start_on_saturday_runs_to_end_of_nth_working_day(cal: WorkCalendar) -> None:
    saturday = local(2026, 3, 7, 10, 30)
    assert cal.add(saturday, 1, "working_days") == local(2026, 3, 10, 0, 0)  # end of Mon 9th
    assert cal.add(saturday, 3, "working_days") == local(2026, 3, 12, 0, 0)  # end of Wed 11th


def test_make_up_sunday_counts(cal: WorkCalendar) -> None:
    # Fri 18 Sep → make-up Sun 20 Sep (1), Mon 21 (2), Tue 22 (3).
    assert cal.add(local(2026, 9, 18, 9, 0), 3, "working_days") == local(2026, 9, 22, 9, 0)
    # A case received on the make-up Sunday starts counting on that day.
    assert cal.add(local(2026, 9, 20, 9, 0), 1, "working_days") == local(2026, 9, 21, 9, 0)


def test_working_days_use_the_calendar_zone_not_utc(cal: WorkCalendar) -> None:
    # Fri 9 Oct 23:30 UTC is 07:30 on the make-up Saturday 10 Oct in Shanghai.
    start = datetime(2026, 10, 9, 23, 30, tzinfo=UTC)
    assert cal.add(start, 1, "working_days") == local(2026, 10, 12, 7, 30)


def test_minutes_and_hours_are_elapsed_time(cal: WorkCalendar) -> None:
    start = local(2026, 9, 30, 23, 50)  # straight into the National Day holiday
    assert cal.add(start, 15, "minutes") == local(2026, 10, 1, 0, 5)
    assert cal.add(start, 24, "hours") == local(2026, 10, 1, 23, 50)
    assert cal.add(start, 24, "hours").tzinfo is UTC


def test_naive_start_rejected(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.add(datetime(2026, 9, 25, 17, 0), 3, "working_days")


@pytest.mark.parametrize("value", [0, -1, True, 1.5, "3"])
def test_value_must_be_a_positive_int(cal: WorkCalendar, value: object) -> None:
    with pytest.raises(ValueError, match="positive whole number"):
        cal.add(local(2026, 3, 9, 9, 0), value, "hours")  # type: ignore[arg-type]


def test_unknown_unit_rejected(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="unknown unit 'days'"):
        cal.add(local(2026, 3, 9, 9, 0), 3, "days")


def _working_days(cal: WorkCalendar, after: date, upto: date) -> int:
    """Working days d with after < d <= upto."""
    return sum(
        cal.is_working_day(after + timedelta(days=i)) for i in range(1, (upto - after).days + 1)
    )


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 20), timezones=st.just(UTC)
    ),
    n=st.integers(min_value=1, max_value=20),
)
def test_working_day_deadline_property(cal: WorkCalendar, start: datetime, n: int) -> None:
    due = cal.add(start, n, "working_days").astimezone(SH)
    begin = start.astimezone(SH)
    assert due > begin
    if cal.is_working_day(begin.date()):
        assert due.time() == begin.time()
        assert cal.is_working_day(due.date())
        assert _working_days(cal, begin.date(), due.date()) == n
    else:
        last_day = due.date() - timedelta(days=1)
        assert due.time() == time(0, 0)
        assert cal.is_working_day(last_day)
        assert _working_days(cal, begin.date(), last_day) == n


# ---- calendar.toml validation --------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_a_small_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'tz = "Asia/Shanghai"\n'
        '[[holiday]]\nname = "x"\nfirst = 2026-10-01\nlast = "2026-10-03"\n'
        "workdays = [2026-10-10]\n",
    )
    cal = WorkCalendar.load(path)
    assert cal.holidays == {date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 3)}
    assert cal.workdays == {date(2026, 10, 10)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[holiday]]\nname = "A"\nfirst = 2026-10-01\nlast = 2026-10-07\n'
            '[[holiday]]\nname = "B"\nfirst = 2026-10-09\nworkdays = [2026-10-04]\n',
            r"2026-10-04 is both a holiday \(holiday #1 \(A\)\) and a make-up workday "
            r"\(holiday #2 \(B\)\)",
        ),
        (
            '[[holiday]]\nname = "Feb"\nfirst = "2026-02-30"\n',
            r"holiday #1 \(Feb\): first: '2026-02-30' is not a date",
        ),
        (
            '[[holiday]]\nname = "W"\nfirst = 2026-10-01\nworkdays = ["soon"]\n',
            r"holiday #1 \(W\): workdays: 'soon' is not a date",
        ),
        ('tz = "Mars/Olympus_Mons"\n', r"unknown time zone tz = 'Mars/Olympus_Mons'"),
        ("tz = 8\n", "tz must be a time zone name"),
        (
            '[[holiday]]\nname = "Mon"\nfirst = 2026-10-01\nworkdays = [2026-10-12]\n',
            r"make-up workday 2026-10-12 is a Monday",
        ),
        (
            '[[holiday]]\nname = "Back"\nfirst = 2026-10-07\nlast = 2026-10-01\n',
            r"holiday #1 \(Back\): last 2026-10-01 is before first 2026-10-07",
        ),
        ("[[holiday]]\nfirst = 2026-10-01\n", r"holiday #1: missing name"),
        ('[[holiday]]\nname = "T"\nfirst = 2026-10-01T08:00:00\n', "must be a date without"),
        ('[[holiday]]\nname = "K"\nfirst = 2026-10-01\nto = 2026-10-02\n', "unknown key"),
        ("tz = \n", "not valid TOML"),
        ('[[holiday]]\nname = "Bad"\nfirst = 2026-02-30\n', "not valid TOML"),
    ],
)
def test_invalid_calendar_named_in_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        WorkCalendar.load(_write(tmp_path, text))
    assert str(info.value).startswith("calendar.toml: ")


def test_constructor_rejects_overlap() -> None:
    with pytest.raises(ValueError, match="both a holiday and a make-up workday: 2026-10-10"):
        WorkCalendar(frozenset({date(2026, 10, 10)}), frozenset({date(2026, 10, 10)}))
