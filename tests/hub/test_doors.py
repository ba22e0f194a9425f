"""The hub's doors over real sockets: the hello deadline, the connection limits, and logins
throttled, locked and unlocked (docs/security.md), on SQLite and PostgreSQL.

Floods come from another process (tests/hub/crowd.py) and from loopback addresses of their own
(127.0.0.0/8 is all loopback), so the per-address limits see them as the strangers they are.
The tests that time a console's login during a flood are marked ``timing``: a password's Argon2
takes a core for a quarter second or more, and the bound is one second.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from console.domain.rules import Rules
from console.store import accounts
from tests.hub.conftest import PASSWORD, Client, HubThread, add_users
from tests.store.test_cli import run
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
WRONG = "Unknown user, wrong password, or an expired session; log in again."


@pytest.fixture(autouse=True)
def production_hashing() -> Iterator[None]:
    """Passwords here cost what they cost in production (the rest of the suite hashes cheaply):
    a flood is about each guess's Argon2 taking a core, and a throttle's delay runs from the
    end of the guess before."""
    previous = accounts.use_hasher(accounts.PRODUCTION_HASHER)
    yield
    accounts.use_hasher(previous)


def crowd(*args: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.hub.crowd", *map(str, args)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = process.communicate(timeout=150)
    assert process.returncode == 0
    result: dict[str, Any] = json.loads(out.splitlines()[-1])
    return result


def addresses(prefix: str, count: int) -> str:
    return ",".join(f"{prefix}.{n}" for n in range(1, count + 1))


def started(db_url: str, rules: Rules, **config: Any) -> HubThread:
    thread = HubThread(db_url, rules, **config)
    add_users(thread.store)
    return thread.start()


def timed_login(port: int, username: str, source: str = "127.0.0.1") -> float:
    begun = time.monotonic()
    client = Client(port, source_address=(source, 0))
    try:
        client.hello(username)
    finally:
        client.close()
    return time.monotonic() - begun


class Prober:
    """Logs a user in every ``every`` seconds in a thread until stopped; keeps each duration."""

    def __init__(self, port: int, username: str, every: float) -> None:
        self.durations: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(port, username, every))
        self._thread.start()

    def _run(self, port: int, username: str, every: float) -> None:
        while not self._stop.wait(every):
            self.durations.append(timed_login(port, username))

    def stop(self) -> list[float]:
        self._stop.set()
        self._thread.join(30)
        return self.durations


# -- connections -----------------------------------------------------------------------------

@pytest.mark.slow
def test_bad_frames_do_not_move_the_hello_deadline(db_url: str, rules: Rules) -> None:
    hub = started(db_url, rules, hello_timeout=1.5)
    try:
        client = Client(hub.port)
        begun = time.monotonic()
        answers = []
        with contextlib.suppress(ConnectionClosed):
            for _ in range(100):  # bounded: the hub closes it long before
                client.send("{}")
                time.sleep(0.1)
        elapsed = time.monotonic() - begun
        with contextlib.suppress(ConnectionClosed):
            while True:  # what came before the close
                answers.append(client.recv(timeout=5))
        assert 1.4 <= elapsed <= 2.5
        assert answers[0]["code"] == "bad_message"
        assert answers[-1]["message"] == "No hello within 1.5 seconds; closing."
        assert answers[-1]["template"] == "No hello within {seconds} seconds; closing."
        assert client.ws.close_code == 1008
    finally:
        hub.stop()


@pytest.mark.timing
def test_two_thousand_silent_connections_close_at_the_deadline_and_a_console_logs_in(
        db_url: str, rules: Rules) -> None:
    deadline = 15.0  # long enough for all of them to be open together for a while
    hub = started(db_url, rules, hello_timeout=deadline)
    try:
        # 80 strangers with 25 connections each: within the default per-address limits.
        begun = time.monotonic()
        flood = crowd("silent", hub.port, 2000, addresses("127.0.1", 80))
        opening = Prober(hub.port, "ctl", 0.3)
        assert flood.stdout is not None
        assert json.loads(flood.stdout.readline()) == {"open": 2000}
        while_opening = opening.stop()
        hanging = Prober(hub.port, "ctl", 0.2)
        # Until the first of them may be closed: their closing is work again.
        time.sleep(max(0.0, begun + deadline - 0.5 - time.monotonic()))
        while_hanging = hanging.stop()
        result = finished(flood)
        assert result["refused"] == []
        closes = result["closes"]
        assert len(closes) == 2000
        assert {(c["code"], c["reason"]) for c in closes} == {(1008, "no hello")}
        assert all(c["answers"][0]["code"] == "bad_message" for c in closes)
        assert all(c["answers"][-1]["template"].startswith("No hello within") for c in closes)
        # Closed at the deadline, counted from the accept (after the connect began, before the
        # client saw it open): never before it, and not long after.
        assert min(c["after"] for c in closes) >= deadline - 0.05
        assert max(c["after_open"] for c in closes) <= deadline + 1.0
        # While 2,000 strangers hang on: a console logs in in under a second. (While they are
        # opened, and closed, the hub does their handshakes on the same two cores as the crowd,
        # so those logins are only required to get in.)
        assert len(while_hanging) >= 3
        assert max(while_hanging) < 1.0, while_hanging
        assert max(while_opening, default=0) < 5.0, while_opening
        wait_until(lambda: hub.hub is not None and hub.hub.admission.open == 0, timeout=5)
    finally:
        hub.stop()


def refusal(port: int, source: str) -> dict[str, Any]:
    with pytest.raises(InvalidStatus) as refused:
        Client(port, source_address=(source, 0))
    response = refused.value.response
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    body: dict[str, Any] = json.loads(response.body)
    assert body["code"] == "too_many_connections"
    assert body["message"] == body["template"].format(**body["params"])
    return body


@pytest.mark.slow
def test_the_connection_caps_refuse_with_a_reason(db_url: str, rules: Rules) -> None:
    hub = started(db_url, rules, max_connections=6, max_connections_per_address=3,
                  max_handshakes_per_address=2)
    try:
        # Per address: two may be logging in at once, three may be open.
        waiting = [Client(hub.port, source_address=("127.0.2.1", 0)) for _ in range(2)]
        body = refusal(hub.port, "127.0.2.1")
        assert body["params"] == {"address": "127.0.2.1", "limit": 2}
        assert "still logging in" in body["message"]
        for client in waiting:
            client.hello("ctl")
        third = Client(hub.port, source_address=("127.0.2.1", 0))
        third.hello("viewer")
        body = refusal(hub.port, "127.0.2.1")
        assert body["params"] == {"address": "127.0.2.1", "limit": 3}
        # In all: six, from anywhere.
        others = [Client(hub.port, source_address=(f"127.0.2.{n}", 0)) for n in (2, 3, 4)]
        body = refusal(hub.port, "127.0.2.9")
        assert body["params"] == {"limit": 6}
        assert body["message"] == ("The hub has 6 connections, as many as it takes; try again "
                                   "later.")
        # One leaves: the next one is let in.
        others.pop().close()
        assert hub.hub is not None
        wait_until(lambda: hub.hub is not None and hub.hub.admission.open == 5, timeout=5)
        Client(hub.port, source_address=("127.0.2.9", 0)).hello("viewer")
    finally:
        hub.stop()


# -- logins ----------------------------------------------------------------------------------

def guesses(result: dict[str, Any]) -> tuple[list[float], list[dict[str, Any]]]:
    """The times of the wrong passwords the hub verified, and its other answers."""
    answers = sorted(result["answers"], key=lambda a: a["at"])
    verified = [a["at"] for a in answers if a.get("message") == WRONG]
    return verified, [a for a in answers if a.get("message") != WRONG]


@pytest.mark.timing
def test_a_thousand_wrong_passwords_are_throttled_then_locked(
        db_url: str, rules: Rules) -> None:
    # Small delays: 2 free, then 0.125, 0.25, 0.5 and 1 s; locked at the sixth.
    hub = started(db_url, rules, login_free_failures=2, login_delay=0.125,
                  login_lockout_failures=6)
    try:
        attack = crowd("guess", hub.port, 1000, "127.0.0.2", "ctl", "guess-", 8)
        prober = Prober(hub.port, "viewer", 0.3)
        result = finished(attack)
        durations = prober.stop()
        verified, others = guesses(result)
        assert len(result["answers"]) == 1000
        assert len(verified) == 6
        gaps = [b - a for a, b in itertools.pairwise(verified)]
        assert gaps[2] >= 0.125 and gaps[3] >= 0.25 and gaps[4] >= 1.0 - 0.5, gaps
        assert gaps[-1] >= 1.0  # below one a second, and then none at all
        assert {a["code"] for a in others} == {"auth_failed"}
        assert all("is locked after too many wrong passwords" in a["message"] for a in others)
        assert hub.hub is not None and hub.hub.logins.verified == 6 + len(durations)
        assert max(durations) < 1.0, durations
    finally:
        hub.stop()


@pytest.mark.slow
def test_one_address_guessing_many_names_is_slowed_down(db_url: str, rules: Rules) -> None:
    hub = started(db_url, rules, login_address_free_failures=2, login_delay=0.2)
    try:
        took = []
        for n in range(5):  # a new name each time: no account's own count grows
            client = Client(hub.port, source_address=("127.0.0.4", 0))
            begun = time.monotonic()
            client.send({"type": "hello", "protocol": 1, "client": "sprayer",
                         "auth": {"username": f"name-{n}", "password": "not it"}})
            assert client.recv()["message"] == WRONG
            took.append(time.monotonic() - begun)
            client.close()
        # Two free, then 0.2, 0.4, 0.8 s before each further one is read.
        assert took[2] >= 0.2 and took[3] >= 0.4 and took[4] >= 0.8, took
        # Another address is not held up by it; the count is kept per address.
        assert hub.hub is not None
        assert hub.hub.logins._addresses["127.0.0.4"].count == 5
        timed_login(hub.port, "ctl")
        assert hub.hub.logins._addresses["127.0.0.1"].count == 0
    finally:
        hub.stop()


@pytest.mark.slow
def test_forged_tokens_from_one_address_are_slowed_down_like_its_passwords(
        db_url: str, rules: Rules) -> None:
    hub = started(db_url, rules, login_address_free_failures=2, login_delay=0.2)
    try:
        answered = []
        for n in range(5):
            client = Client(hub.port, source_address=("127.0.0.7", 0))
            client.send({"type": "hello", "protocol": 1, "client": "forger",
                         "auth": {"token": f"forged-token-{n}"}})
            assert client.recv()["message"] == WRONG
            answered.append(time.monotonic())
            client.close()
        # Two free, then 0.2, 0.4, 0.8 s after the refusal before (counted just before its
        # answer went out: a scheduling delay's slack), as for the address's wrong passwords.
        gaps = [b - a for a, b in itertools.pairwise(answered)]
        assert gaps[1] >= 0.2 - 0.05 and gaps[2] >= 0.4 - 0.05 and gaps[3] >= 0.8 - 0.05, gaps
        assert len(hub.store.audit.rows(action="token.refused")) == 5
        assert hub.hub is not None and hub.hub.logins._addresses["127.0.0.7"].count == 5
        timed_login(hub.port, "ctl")  # another address logs in, its count untouched
        assert hub.hub.logins._addresses["127.0.0.1"].count == 0
    finally:
        hub.stop()


@pytest.mark.slow
def test_a_guess_whose_client_left_during_the_wait_is_not_read(db_url: str, rules: Rules) -> None:
    hub = started(db_url, rules, login_free_failures=1, login_delay=30.0)
    try:
        for _ in range(2):
            client = Client(hub.port, source_address=("127.0.0.5", 0))
            client.send({"type": "hello", "protocol": 1, "client": "tests",
                         "auth": {"username": "ctl", "password": "not it"}})
            if hub.hub is not None and hub.hub.logins.verified == 0:
                assert client.recv()["message"] == WRONG
        # The second waits 30 s; its client leaves, and the wait ends with it, unread.
        client.close()
        assert hub.hub is not None
        logins = hub.hub.logins
        wait_until(lambda: not logins._by_name._locks, timeout=5)
        assert logins.verified == 1
    finally:
        hub.stop()


@pytest.mark.slow
def test_a_locked_account_stays_locked_until_admin_unlock(
        db_url: str, rules: Rules, caplog: pytest.LogCaptureFixture) -> None:
    hub = started(db_url, rules, login_free_failures=10, login_lockout_failures=3)
    try:
        caplog.set_level(logging.INFO, logger="console.hub.logins")
        for _ in range(3):
            client = Client(hub.port, source_address=("127.0.0.3", 0))
            client.send({"type": "hello", "protocol": 1, "client": "tests-guesser",
                         "auth": {"username": "ctl", "password": "not it"}})
            assert client.recv()["message"] == WRONG
        warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert warned[-2:] == ["wrong password: user 'ctl' from 127.0.0.3, client 'tests-guesser'",
                               "account locked: user 'ctl' from 127.0.0.3, client 'tests-guesser'"]
        client = Client(hub.port)
        client.send({"type": "hello", "protocol": 1, "client": "tests",
                     "auth": {"username": "ctl", "password": PASSWORD}})
        locked = client.recv()
        assert locked["code"] == "auth_failed"
        assert locked["template"].startswith("The account {username} is locked")
        assert locked["params"]["username"] == "ctl"
        assert hub.hub is not None and hub.hub.logins.verified == 3  # the right one unread
        done = run("admin", "unlock", "ctl", "--db", db_url)
        assert done.returncode == 0, done.stderr
        assert timed_login(hub.port, "ctl") < 1.0
        assert any(r.getMessage() == "login: user 'ctl' from 127.0.0.1, client 'tests'"
                   for r in caplog.records)
    finally:
        hub.stop()


@pytest.mark.slow
@pytest.mark.timing
def test_the_default_throttle_holds_a_thousand_guesses_below_one_a_second(
        db_url: str, rules: Rules) -> None:
    hub = started(db_url, rules)
    try:
        attack = crowd("guess", hub.port, 1000, "127.0.0.2", "ctl", "guess-", 8)
        prober = Prober(hub.port, "viewer", 1.0)
        result = finished(attack)
        durations = prober.stop()
        verified, others = guesses(result)
        assert len(result["answers"]) == 1000
        assert len(verified) == 10  # then locked: the rest are not read
        gaps = [b - a for a, b in itertools.pairwise(verified)]
        assert all(gap >= 1.0 for gap in gaps[4:]), gaps
        assert all("is locked" in a["message"] for a in others)
        assert max(durations) < 1.0, durations
    finally:
        hub.stop()
