"""`wss://` when the hub has a certificate."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import pytest

from console.domain.rules import Rules
from tests.hub.conftest import Client, HubThread, add_users


def test_the_hub_serves_wss_with_its_certificate(tmp_path: Path, rules: Rules) -> None:
    openssl = shutil.which("openssl")
    assert openssl, "openssl makes the test certificate"
    cert, key = tmp_path / "hub.pem", tmp_path / "hub.key"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    hub = HubThread(f"sqlite:///{tmp_path / 'hub.db'}", rules, tls_cert=str(cert),
                    tls_key=str(key))
    add_users(hub.store)
    hub.start()
    try:
        trusting = ssl.create_default_context(cafile=str(cert))
        client = Client(hub.port, scheme="wss", ssl=trusting)
        assert client.login("ctl")["user"]["username"] == "ctl"
        client.close()
        # A client that does not trust the certificate does not get in.
        with pytest.raises(ssl.SSLError):
            Client(hub.port, scheme="wss", ssl=ssl.create_default_context())
        # Nor does a plain ws:// client.
        with pytest.raises(Exception):  # noqa: B017, PT011 - the handshake fails, however it says so
            Client(hub.port)
    finally:
        hub.stop()
