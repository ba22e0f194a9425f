"""`main.py hub` as an operator runs it, on a database made with `main.py admin init-db`."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.hub.conftest import Client, HubProcess
from tests.store.test_cli import run


@pytest.mark.slow
def test_hub_from_the_command_line(db_url: str) -> None:
    assert run("admin", "init-db", "--db", db_url).returncode == 0
    password = "联动-指挥中心-2026"  # create-user holds to the password policy
    made = run("admin", "create-user", "wang", "--role", "controller", "--db", db_url,
               stdin=password + "\n")
    assert made.returncode == 0, made.stderr
    hub = HubProcess(db_url, "smoke")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{hub.port}/healthz", timeout=5) as answer:
            status = json.loads(answer.read())
        assert status["status"] == "ok"
        assert status["hub"] == "smoke"
        client = Client(hub.port)
        assert client.login("wang", password=password)["user"]["roles"] == ["controller"]
        client.close()
    finally:
        assert hub.stop() == 0
    assert "Traceback" not in "".join(hub.output)
    assert any("hub smoke stopping" in line for line in hub.output)
