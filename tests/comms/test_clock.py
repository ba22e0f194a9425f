"""The world clock: real time, or a demo world running faster, and the console following it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from console.comms.clock import Clock


class Real:
    """A real clock the test moves by hand."""

    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


START = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def test_real_time_advances_one_second_per_second() -> None:
    real = Real()
    clock = Clock(origin=START, real=real)
    assert clock.now() == START and clock.speed == 1.0
    real.t += 2.5
    assert clock.now() == START + timedelta(seconds=2.5)


def test_a_faster_world_runs_speed_times_real_time() -> None:
    real = Real()
    clock = Clock(10, origin=START, real=real)
    real.t += 60
    assert clock.now() == START + timedelta(minutes=10)


def test_following_the_hub_restarts_from_its_time_and_speed() -> None:
    real = Real()
    clock = Clock(origin=START, real=real)
    real.t += 5
    hub_time = START + timedelta(hours=3)
    clock.follow(hub_time.astimezone(timezone(timedelta(hours=8))), 4)
    assert clock.now() == hub_time and clock.now().tzinfo is UTC
    real.t += 15
    assert clock.now() == hub_time + timedelta(minutes=1)


def test_without_an_origin_it_starts_at_the_present() -> None:
    before = datetime.now(UTC)
    now = Clock().now()
    assert before <= now <= datetime.now(UTC)


@pytest.mark.parametrize("speed", [0, -1, float("inf"), float("nan"), "10"])
def test_a_bad_speed_is_refused(speed: object) -> None:
    with pytest.raises(ValueError, match="positive number"):
        Clock(speed)  # type: ignore[arg-type]


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="UTC offset"):
        Clock().follow(datetime(2026, 11, 27), 1)
