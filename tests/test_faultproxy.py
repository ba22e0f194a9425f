"""The drills' fault proxy does what each fault says (tests/faultproxy.py), against an echo
server: the drills' figures mean nothing if a 'reset' were a clean close or a 'half-open' let
bytes through."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator

import pytest

from tests.faultproxy import FaultProxy
from tests.waiting import wait_until


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(65536):
            self.request.sendall(data)


@pytest.fixture
def proxy() -> Iterator[FaultProxy]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proxy = FaultProxy("127.0.0.1", server.server_address[1]).start()
    yield proxy
    proxy.stop()
    server.shutdown()
    server.server_close()


_opened: list[socket.socket] = []


@pytest.fixture(autouse=True)
def _close_sockets() -> Iterator[None]:
    yield
    while _opened:
        _opened.pop().close()


def connect(proxy: FaultProxy, timeout: float = 10) -> socket.socket:
    _opened.append(socket.create_connection(("127.0.0.1", proxy.port), timeout=timeout))
    return _opened[-1]


def echo(sock: socket.socket, data: bytes) -> bytes:
    sock.sendall(data)
    got = b""
    while len(got) < len(data):
        chunk = sock.recv(65536)
        if not chunk:
            break
        got += chunk
    return got


def test_cut_closes_both_sides_and_refuses_until_healed(proxy: FaultProxy) -> None:
    sock = connect(proxy)
    assert echo(sock, b"hello") == b"hello"
    proxy.cut()
    assert sock.recv(10) == b""  # a clean close (FIN)
    refused = connect(proxy)
    assert refused.recv(10) == b""
    proxy.heal()
    assert echo(connect(proxy), b"again") == b"again"


def test_reset_resets(proxy: FaultProxy) -> None:
    sock = connect(proxy)
    assert echo(sock, b"hello") == b"hello"
    proxy.reset()
    with pytest.raises(ConnectionResetError):
        sock.recv(10)
    proxy.heal()
    assert echo(connect(proxy), b"again") == b"again"


def test_delay_and_throttle_slow_the_bytes_and_keep_them_in_order(proxy: FaultProxy) -> None:
    sock = connect(proxy)
    proxy.delay(300)
    started = time.monotonic()
    assert echo(sock, b"late") == b"late"
    assert time.monotonic() - started >= 0.6  # there and back
    proxy.heal()
    proxy.throttle(20_000)
    data = bytes(range(256)) * 40  # 10,240 bytes: half a second's worth each way
    started = time.monotonic()
    assert echo(sock, data) == data
    # The two ways overlap (the echo returns each piece as it comes): about half a second.
    assert time.monotonic() - started >= 0.4


def test_half_open_holds_everything_and_the_heal_resets(proxy: FaultProxy) -> None:
    sock = connect(proxy)
    assert echo(sock, b"hello") == b"hello"
    proxy.half_open()
    sock.sendall(b"held")
    sock.settimeout(0.3)
    with pytest.raises(TimeoutError):  # nothing comes back, and nothing is closed
        sock.recv(10)
    sock.settimeout(10)
    assert proxy.bites >= 1
    proxy.heal()
    with pytest.raises(ConnectionResetError):
        sock.recv(10)
    assert echo(connect(proxy), b"again") == b"again"


def test_a_heal_in_the_middle_of_a_throttled_chunk_keeps_the_bytes_intact(
        proxy: FaultProxy) -> None:
    sock = connect(proxy)
    proxy.throttle(2_000)  # 100-byte pieces
    data = bytes(range(256)) * 16  # 4,096 bytes: two seconds' worth
    sock.sendall(data)
    wait_until(lambda: proxy.forwarded > 0 or proxy.bites >= 2, 10, "a throttled piece")
    proxy.heal()
    got = b""
    while len(got) < len(data):
        chunk = sock.recv(65536)
        assert chunk, "closed"
        got += chunk
    assert got == data
    assert echo(sock, b"after") == b"after"
