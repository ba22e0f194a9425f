"""The hub's Debian package (``make dist-hub``): lintian finds no errors, it unpacks into a
throw-away root with its files where the systemd unit expects them, the unit passes
``systemd-analyze verify`` there, and the bundled venv runs the hub on the default settings.

The tools (dpkg-deb, lintian, systemd-analyze) come from installer/debian-packages.sh; a machine
without them fails these tests rather than skipping them.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
UNIT = "/lib/systemd/system/linkage-hub.service"
pytestmark = pytest.mark.slow


def need(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: run installer/debian-packages.sh")


def run(*args: str, timeout: float = 900, **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=timeout,
                          check=False, **options)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def deb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package, built once for this module (or the one LINKAGE_HUB_DEB names)."""
    need("dpkg-deb", "readelf", "patchelf")
    given = os.environ.get("LINKAGE_HUB_DEB")
    if given:
        return Path(given)
    out = tmp_path_factory.mktemp("dist")
    env = {**os.environ, "DIST": str(out), "PIP": f"{sys.executable} -m pip"}
    built = run(str(ROOT / "installer" / "build-deb.sh"), cwd=ROOT, env=env, timeout=1800)
    assert built.returncode == 0, built.stdout + built.stderr
    return Path(built.stdout.strip().splitlines()[-1]) if built.stdout.strip().endswith(
        ".deb") else next(out.glob("*.deb"))


@pytest.fixture(scope="module")
def unpacked(deb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package unpacked by dpkg into an empty root with a dpkg database of its own.

    Unpacked, not configured: configuring runs the postinst chrooted into the root, which holds
    no shell nor adduser. What configuring does to the files themselves, putting the conffiles'
    ``.dpkg-new`` copies in place, is done here.
    """
    root = tmp_path_factory.mktemp("root")
    for folder in ("var/lib/dpkg/info", "var/lib/dpkg/updates"):
        (root / folder).mkdir(parents=True)
    (root / "var/lib/dpkg/status").touch()
    done = run("dpkg", f"--root={root}", "--force-depends", "--unpack", str(deb))
    assert done.returncode == 0, done.stderr
    conffiles = (root / "var/lib/dpkg/info/linkage-hub.conffiles").read_text().split()
    assert conffiles == ["/etc/linkage/hub.toml"]
    for conffile in conffiles:
        new = root / (conffile.lstrip("/") + ".dpkg-new")
        new.rename(root / conffile.lstrip("/"))
    return root


def test_lintian_finds_no_errors(deb: Path) -> None:
    need("lintian")
    done = run("lintian", "--no-tag-display-limit", str(deb))
    errors = [line for line in done.stdout.splitlines() if line.startswith("E:")]
    assert not errors, "\n".join(errors)
    assert done.returncode == 0, done.stdout + done.stderr


def unit_paths(root: Path) -> tuple[list[str], str]:
    """The unit's ExecStart command line and the settings file it names."""
    text = (root / UNIT.lstrip("/")).read_text()
    command = shlex.split(re.search(r"^ExecStart=(.+)$", text, re.MULTILINE).group(1))  # type: ignore[union-attr]
    return command, command[command.index("--config") + 1]


def test_the_files_are_where_the_unit_expects_them(unpacked: Path) -> None:
    command, config = unit_paths(unpacked)
    python, main = Path(command[0]), Path(command[1])
    assert os.readlink(unpacked / python.relative_to("/")) == "/usr/bin/python3.11"
    assert (unpacked / main.relative_to("/")).is_file()
    assert (unpacked / Path(config).relative_to("/")).is_file()
    assert (unpacked / "usr/lib/linkage-hub/app/console/cli/hub.py").is_file()
    assert (unpacked / "usr/bin/linkage").stat().st_mode & 0o111
    listed = run("dpkg", f"--root={unpacked}", "--status", "linkage-hub").stdout
    assert "Status: install ok unpacked" in listed
    assert not list(unpacked.glob("usr/lib/linkage-hub/**/__pycache__"))


def test_systemd_analyze_verifies_the_unit(unpacked: Path, tmp_path: Path) -> None:
    """In a root holding the package, the system's own units and the Python it depends on."""
    need("systemd-analyze")
    root = tmp_path / "root"
    shutil.copytree(unpacked, root, symlinks=True)
    shutil.copytree("/lib/systemd/system", root / "lib/systemd/system", symlinks=True,
                    dirs_exist_ok=True)
    (root / "usr/bin").mkdir(parents=True, exist_ok=True)
    shutil.copy2("/usr/bin/python3.11", root / "usr/bin/python3.11")
    done = run("systemd-analyze", f"--root={root}", "verify", UNIT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "" and done.stderr.strip() == "", done.stderr
    text = (root / UNIT.lstrip("/")).read_text()
    for line in ("User=linkage", "Restart=on-failure", "NoNewPrivileges=yes",
                 "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes"):
        assert re.search(rf"^{re.escape(line)}$", text, re.MULTILINE), line


def test_the_bundled_venv_runs_the_hub_on_the_default_settings(unpacked: Path,
                                                                tmp_path: Path) -> None:
    """The package's python, main.py and /etc/linkage/hub.toml, nothing of this checkout: the
    database and port from LINKAGE_* as an operator's hub.env would give them."""
    command, config = unit_paths(unpacked)
    python, main = (str(unpacked / Path(part).relative_to("/")) for part in command[:2])
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1",
               LINKAGE_DATABASE_URL=str(tmp_path / "hub.db"), LINKAGE_LISTEN_PORT="0")
    migrated = run(python, main, "admin", "migrate", "--db", str(tmp_path / "hub.db"),
                   env=env, cwd=tmp_path, timeout=300)
    assert migrated.returncode == 0, migrated.stderr
    assert "migrated" in migrated.stdout
    hub = subprocess.Popen([python, main, "hub", "--config",
                            str(unpacked / Path(config).relative_to("/"))], env=env,
                           cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    try:
        assert hub.stdout is not None
        port = None
        for line in hub.stdout:
            found = re.match(r"hub \S+ listening on ws://[\d.]+:(\d+)", line)
            if found:
                port = int(found.group(1))
                break
        assert port is not None, "the packaged hub did not start"

        def ready() -> bool:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as answer:
                return bool(json.loads(answer.read())["ready"])

        wait_until(ready, timeout=30, what="the packaged hub ready")
    finally:
        hub.terminate()
        assert hub.wait(60) == 0
        assert hub.stdout is not None
        hub.stdout.close()
