"""Ports for test processes, reserved from the OS instead of computed (`web_port + 1` once
collided with a port another test held).

`free_port()` binds port 0 on 127.0.0.1, reads the port the kernel chose and releases it for the
process under test to bind. The kernel hands out ephemeral ports in rotation, so a just-released
port is not offered again soon; within one test session a port is never returned twice.
"""

from __future__ import annotations

import socket
import threading

_given: set[int] = set()
_lock = threading.Lock()


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on `host` now and was not handed out before in this session."""
    with _lock:
        for _ in range(100):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.bind((host, 0))
                port = int(sock.getsockname()[1])
            if port not in _given:
                _given.add(port)
                return port
    raise RuntimeError(f"no free port on {host} after 100 tries")


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """`count` distinct free ports (e.g. a broker's client and controller ports)."""
    return [free_port(host) for _ in range(count)]
