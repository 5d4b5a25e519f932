"""Shared fixtures: the component, compiled once per session, and the AWS
emulator on a free loopback port."""

import socket
import subprocess
import time
import urllib.request

import pytest

import leverage_host


@pytest.fixture(scope="session")
def core() -> leverage_host.Core:
    # Fails (never skips) when the component is missing: the message says how to build it.
    return leverage_host.Core(leverage_host.component_path())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def emulator():
    """moto_server on a free loopback port; another process may take the port
    first, so a server that exits is started again on another one."""
    for _attempt in range(3):
        port = free_port()
        server = subprocess.Popen(
            ["moto_server", "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and server.poll() is None:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            server.kill()
            server.wait()
            continue
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.kill()
            server.wait()
        return
    pytest.fail("moto_server did not start (3 attempts)")
