"""`main.py console` in a subprocess, offscreen, as a controller starts it on a remote hub."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from console.domain.rules import Rules
from tests.hub.conftest import MAIN, PASSWORD, HubThread, add_users


@pytest.fixture
def hub(tmp_path: Path) -> Any:
    thread = HubThread(f"sqlite:///{tmp_path / 'hub.db'}", Rules.load())
    add_users(thread.store)
    thread.start()
    yield thread
    thread.stop()


def run_console(tmp_path: Path, *args: str, stdin: str | None = None
                ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1",
           "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    return subprocess.run([sys.executable, str(MAIN), "console", *args, "--quit-after", "4"],
                          input=stdin, capture_output=True, text=True, env=env, timeout=90)


def test_user_and_password_on_stdin_log_in_directly(tmp_path: Path, hub: HubThread) -> None:
    done = run_console(tmp_path, "--hub", f"ws://127.0.0.1:{hub.port}", "--user", "ctl",
                       stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert "logged in as ctl (controller)" in done.stderr
    assert "Traceback" not in done.stderr
    # The settings went where the test said, not into the real user's.
    assert list((tmp_path / "cfg").rglob("*.conf"))


def test_without_a_user_the_login_dialog_opens(tmp_path: Path, hub: HubThread) -> None:
    done = run_console(tmp_path, "--hub", f"ws://127.0.0.1:{hub.port}", stdin="")
    assert done.returncode == 0, done.stderr
    assert f"login dialog for ws://127.0.0.1:{hub.port}" in done.stderr
    assert "logged in" not in done.stderr and "Traceback" not in done.stderr


def test_a_wrong_password_is_refused_and_the_dialog_offered(tmp_path: Path,
                                                            hub: HubThread) -> None:
    done = run_console(tmp_path, "--hub", f"127.0.0.1:{hub.port}", "--user", "ctl",
                       stdin="wrong\n")
    assert done.returncode == 0, done.stderr
    assert "login refused" in done.stderr
    assert "logged in as" not in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("args", "said"), [
    (("--user", "ctl"), "only with --hub"),
    (("--hub", "ftp://somewhere", "--user", "ctl"), "is not a hub address"),
])
@pytest.mark.slow
def test_a_bad_hub_address_is_a_clear_error(tmp_path: Path, args: tuple[str, ...],
                                            said: str) -> None:
    done = run_console(tmp_path, *args, stdin=PASSWORD + "\n")
    assert done.returncode == 2, done.stderr
    assert said in done.stderr
    assert "Traceback" not in done.stderr
