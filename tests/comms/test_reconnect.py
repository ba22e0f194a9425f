"""The backoff policy and the reconnect loop, without a network."""

from __future__ import annotations

import asyncio
import random

import pytest

from console.comms.reconnect import Backoff, Ended, backoff_delay, reconnect_forever


def test_the_delay_doubles_up_to_the_cap_with_full_jitter() -> None:
    rng = random.Random(1)
    for attempt, ceiling in [(0, 0.25), (1, 0.5), (2, 1.0), (6, 10.0), (1000, 10.0)]:
        draws = [backoff_delay(attempt, 0.25, 10.0, rng) for _ in range(200)]
        assert all(0.0 <= d <= ceiling for d in draws)
        assert min(draws) < ceiling / 4 and max(draws) > ceiling * 3 / 4
    assert backoff_delay(-3, 0.25, 10.0, rng) <= 0.25


def test_least_keeps_the_draw_in_the_upper_part() -> None:
    backoff = Backoff(1.0, 30.0, least=0.5, seed=3)
    draws = [backoff.next() for _ in range(8)]
    for n, delay in enumerate(draws):
        ceiling = min(30.0, 2.0 ** n)
        assert ceiling / 2 <= delay <= ceiling


def test_a_seeded_backoff_repeats_and_reset_starts_again() -> None:
    one, two = Backoff(seed=7), Backoff(seed=7)
    assert [one.next() for _ in range(5)] == [two.next() for _ in range(5)]
    assert one.failures == 5
    one.reset()
    assert one.failures == 0 and one.next() <= 0.25


async def run_loop(outcomes: list[Ended | Exception], backoff: Backoff,
                   stopping: asyncio.Event | None = None) -> list[tuple[float, int, str]]:
    retries: list[tuple[float, int, str]] = []
    left = list(outcomes)

    async def connect_once() -> Ended:
        outcome = left.pop(0)
        if not left and stopping is not None:
            stopping.set()
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    await reconnect_forever(connect_once, backoff, stopping=stopping,
                            on_retry=lambda *retry: retries.append(retry))
    return retries


def test_the_loop_counts_failures_resets_after_a_live_link_and_honours_a_set_delay() -> None:
    class Refused(Exception):
        pass

    backoff = Backoff(0.001, 0.004, seed=1)
    retries: list[tuple[float, int, str]] = []
    with pytest.raises(Refused):
        retries = asyncio.run(run_loop([
            Ended("down"), Ended("down"), Ended("was live", live=True),
            Ended("resync", delay=0.0), Refused()], backoff))
    assert backoff.failures == 2  # reset by the live link, then two more
    backoff = Backoff(0.001, 0.004, seed=1)
    stop = asyncio.Event()

    async def main() -> list[tuple[float, int, str]]:
        return await run_loop([Ended("down"), Ended("down"), Ended("was live", live=True),
                               Ended("resync", delay=0.0), Ended("last")], backoff, stop)

    retries = asyncio.run(main())
    assert [(n, why) for _, n, why in retries] == [(1, "down"), (2, "down"), (1, "was live"),
                                                  (2, "resync")]
    assert retries[3][0] == 0.0
    assert all(0 <= delay <= 0.004 for delay, _, _ in retries)


def test_stopping_ends_the_wait_at_once() -> None:
    async def main() -> float:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        async def connect_once() -> Ended:
            loop.call_later(0.05, stop.set)
            return Ended("down")

        started = loop.time()
        await reconnect_forever(connect_once, Backoff(60.0, 60.0, least=1.0), stopping=stop)
        return loop.time() - started

    assert asyncio.run(main()) < 5.0
