"""The package as it is installed: a wheel built from this checkout, in a fresh environment with
no Qt, runs the hub (docs/packaging.md)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.hub.conftest import Client, incident_args

ROOT = Path(__file__).resolve().parents[1]
#: What the build reads from the checkout; the rest (environments, caches, earlier builds) stays.
SKIP = shutil.ignore_patterns(".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__",
                              ".*_cache", ".hypothesis", "*.db")
QT = ("PySide6", "shiboken6", "PySide6QtAds", "pyqtgraph")


def _quiet_env() -> dict[str, str]:
    """The environment for the installed programs: nothing of this checkout on the path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _run(*command: str | Path, cwd: Path, stdin: str = "",
         timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], cwd=cwd, input=stdin, text=True,
                          capture_output=True, env=_quiet_env(), timeout=timeout, check=False)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of this checkout (built from a copy, so no build/ is left in it)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=SKIP)
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
                 "-q", "-w", work / "out", source, cwd=work)
    assert built.returncode == 0, built.stdout + built.stderr
    [found] = (work / "out").glob("linkage_console-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment with the wheel and its core dependencies only: no Qt."""
    folder = tmp_path_factory.mktemp("venv") / "venv"
    made = _run(sys.executable, "-m", "venv", folder, cwd=folder.parent)
    assert made.returncode == 0, made.stderr
    installed = _run(folder / "bin" / "python", "-m", "pip", "install", "-q",
                     "--disable-pip-version-check", wheel, cwd=folder.parent)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return folder


def test_the_hub_and_the_command_line_load_no_qt() -> None:
    """What ``linkage-hub`` and ``linkage admin`` import leaves Qt out (the import contracts
    check the hub's own packages; this checks the command line that starts them too)."""
    probe = ("import sys, console.cli, console.cli.hub, console.cli.admin, console.hub.server, "
             "console.store.store, console.sim.simulator; "
             f"print(sorted(m for m in sys.modules if m.split('.')[0] in {QT!r}))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_make_test_checks_types_strictly_on_the_core_packages() -> None:
    """``make test`` runs ruff and mypy before the suite; mypy is strict (every check of
    ``--strict``, nothing switched off) on domain, store, hub and comms."""
    import tomllib

    mypy = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert mypy["strict"] is True
    assert {"console/domain", "console/store", "console/hub", "console/comms"} <= set(
        mypy["files"])
    relaxed = {"allow_untyped_defs", "allow_incomplete_defs", "allow_untyped_calls",
               "allow_any_generics", "ignore_errors", "disallow_untyped_defs",
               "check_untyped_defs", "warn_return_any", "no_implicit_reexport"}
    for override in mypy.get("overrides", []):
        assert set(override) <= {"module", "ignore_missing_imports"}, override
    assert not relaxed & set(mypy)
    makefile = (ROOT / "Makefile").read_text()
    test_rule = next(line for line in makefile.splitlines() if line.startswith("test:"))
    assert "lint" in test_rule and "typecheck" in test_rule
    assert "$(VENV)/bin/mypy" in makefile and "ruff check ." in makefile


def test_the_demo_starts_its_children_without_main_py(tmp_path: Path) -> None:
    """The demo's simulators run ``python -m console`` with this copy of the package on the
    path: from any folder, and with no ``main.py`` beside an installed package."""
    from console.cli.common import self_command

    command, env = self_command()
    assert command[1:] == ["-m", "console"]
    done = subprocess.run([*command, "simulate", "--help"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "--hub" in done.stdout


@pytest.mark.slow
def test_the_wheel_carries_the_resources_and_the_entry_points(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        scripts = archive.read(entry_points).decode()
        [metadata] = [n for n in names if n.endswith(".dist-info/METADATA")]
        requires = [line.split(":", 1)[1].strip() for line in
                    archive.read(metadata).decode().splitlines()
                    if line.startswith("Requires-Dist:")]
    for data in ("sla.toml", "taxonomy.json", "geography/streets.geojson",
                 "i18n/linkage_zh_CN.qm", "map/linkage_map.js", "sounds/alert.wav"):
        assert f"console/resources/{data}" in names
    assert "linkage = console.cli:run" in scripts
    assert "linkage-hub = console.cli:run_hub" in scripts
    # Qt comes only with the console extra.
    core = [r for r in requires if "extra ==" not in r]
    assert core and not [r for r in core if r.startswith(QT)]
    assert [r for r in requires if r.startswith("PySide6") and 'extra == "console"' in r]


def _hub(venv: Path, db: str,
         cwd: Path) -> tuple[subprocess.Popen[str], int, list[str], threading.Thread]:
    process = subprocess.Popen(
        [str(venv / "bin" / "linkage-hub"), "--db", db, "--port", "0", "--name", "wheel"],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=_quiet_env())
    assert process.stdout is not None
    output: list[str] = []
    for line in process.stdout:
        output.append(line)
        found = re.search(r"listening on ws://[\d.]+:(\d+)", line)
        if found:
            port = int(found.group(1))
            break
    else:
        raise AssertionError("the hub did not start:\n" + "".join(output))
    # Drained to the end, so that the pipe never fills and blocks the hub.
    drain = threading.Thread(target=lambda: output.extend(process.stdout or ()), daemon=True)
    drain.start()
    return process, port, output, drain


@pytest.mark.slow
def test_the_installed_hub_runs_without_qt(venv: Path, tmp_path: Path) -> None:
    scratch = tmp_path
    python = venv / "bin" / "python"
    assert _run(python, "-c", "import PySide6", cwd=scratch).returncode != 0
    listed = _run(python, "-m", "pip", "list", "--format", "json", cwd=scratch)
    assert not [p["name"] for p in json.loads(listed.stdout) if p["name"].startswith(QT)]

    db = f"sqlite:///{scratch / 'hub.db'}"
    made = _run(venv / "bin" / "linkage", "admin", "init-db", "--db", db, cwd=scratch)
    assert made.returncode == 0, made.stdout + made.stderr
    password = "联动-指挥中心-2026"
    user = _run(venv / "bin" / "linkage", "admin", "create-user", "wang", "--role",
                "controller", "--db", db, stdin=password + "\n", cwd=scratch)
    assert user.returncode == 0, user.stdout + user.stderr

    process, port, output, drain = _hub(venv, db, scratch)
    try:
        # The hub's own code came from the wheel, not from this checkout.
        where = _run(python, "-c", "import console; print(console.__file__)", cwd=scratch)
        assert str(venv) in where.stdout and str(ROOT) not in where.stdout
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10) as answer:
            assert answer.status == 200
            ready = json.loads(answer.read())
        assert ready["ready"] is True and ready["hub"] == "wheel", ready
        client = Client(port)
        try:
            assert client.login("wang", password=password)["user"]["roles"] == ["controller"]
            created = client.command("incident.create", **incident_args())
            assert created["ok"] is True, created
            assert created["data"]["id"]
        finally:
            client.close()
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(60)
        drain.join(10)
        assert process.stdout is not None
        process.stdout.close()
    assert code == 0, "".join(output)
    assert "Traceback" not in "".join(output)
