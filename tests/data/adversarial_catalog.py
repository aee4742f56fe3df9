"""An adversarial catalog: functions that misbehave in every way the sandbox must survive, and one
good function. Loaded in the test process too (to build specs), so nothing runs at import."""

from __future__ import annotations

import ctypes
import os
import socket
import sys
import time
import uuid

CATEGORY = "Adversarial"
# Tells worker processes apart (inside a PID namespace every worker is pid 2).
_PROCESS_TOKEN = uuid.uuid4().hex


def good_add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: First addend.
        b: Second addend.
    """
    return a + b


def shout(text: str) -> str:
    """Upper-case a text and print what it did.

    Args:
        text: The text.
    """
    print(f"shouting {len(text)} characters")
    return text.upper()


def hang(seconds: float) -> str:
    """Sleep for a long time.

    Args:
        seconds: How long to sleep.
    """
    time.sleep(seconds)
    return f"woke up in process {_PROCESS_TOKEN}"


def spin(seconds: float) -> int:
    """Busy-loop on the CPU.

    Args:
        seconds: How long to spin.
    """
    end, n = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        n += 1
    return n


def memory_bomb(megabytes: int) -> int:
    """Allocate a lot of memory.

    Args:
        megabytes: How much to allocate.
    """
    chunks = []
    for _ in range(megabytes):
        chunks.append(bytearray(1024 * 1024))
    return len(chunks)


def segfault(address: int) -> str:
    """Read from a raw memory address.

    Args:
        address: The address to read.
    """
    return ctypes.string_at(address).decode()


def call_sys_exit(status: int) -> str:
    """Exit the interpreter with sys.exit.

    Args:
        status: Exit status.
    """
    sys.exit(status)


def call_os_exit(status: int) -> str:
    """Exit the process with os._exit.

    Args:
        status: Exit status.
    """
    os._exit(status)


def recurse(depth: int) -> int:
    """Recurse without end.

    Args:
        depth: Starting depth.
    """
    return recurse(depth + 1) + 1


def huge_output(megabytes: int) -> str:
    """Return a huge string.

    Args:
        megabytes: Size of the result.
    """
    return "x" * (megabytes * 1024 * 1024)


def huge_print(megabytes: int) -> int:
    """Print a lot of text.

    Args:
        megabytes: How much to print.
    """
    line = "y" * 1023
    for _ in range(megabytes * 1024):
        print(line)
    return 0


def network_call(port: int) -> str:
    """Connect to a local TCP port.

    Args:
        port: The port to connect to.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return "connected"


def swallow_network(host: str) -> str:
    """Resolve a host name, falling back quietly on failure.

    Args:
        host: The host name.
    """
    try:
        return socket.gethostbyname(host)
    except OSError:
        return "0.0.0.0"


def fork_children(count: int, seconds: float) -> int:
    """Start child processes that sleep, and return without waiting for them.

    Args:
        count: How many children to start.
        seconds: How long each child sleeps.
    """
    for _ in range(count):
        if os.fork() == 0:
            time.sleep(seconds)
            os._exit(0)
    return count


def fork_then_crash(count: int) -> str:
    """Start sleeping child processes (they share the worker's pipes), then crash.

    Args:
        count: How many children to start first.
    """
    fork_children(count, 60)
    return segfault(0)


def fork_bomb(limit: int, tally: str) -> int:
    """Fork in a loop, at most ``limit`` times; every child stays alive. Each fork adds a byte
    to the file ``tally``, so the caller can see how far it got.

    Args:
        limit: The most processes to start.
        tally: A file that gets one byte per started process.
    """
    with open(tally, "ab", buffering=0) as counter:
        for _ in range(limit):
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
            counter.write(b"x")
    return limit


def start_daemon(marker: str) -> str:
    """Start a daemon (double fork, new session) that outlives the call, and return at once.

    Args:
        marker: A word on the daemon's command line, to find it by.
    """
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(60)", marker])
        os._exit(0)
    os.waitpid(pid, 0)
    return "started"


def read_env(name: str) -> str | None:
    """Read an environment variable.

    Args:
        name: The variable's name.
    """
    return os.environ.get(name)


def reload_then_fetch(port: int) -> str:
    """Reload the socket module, then fetch a local URL with urllib.

    Args:
        port: The local port to fetch from.
    """
    import importlib
    import urllib.request

    importlib.reload(socket)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
        return response.read().decode()


def unix_connect(path: str) -> str:
    """Connect to a Unix-domain socket.

    Args:
        path: The socket's file.
    """
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(path)
        return "connected"


def raw_connect(port: int) -> str:
    """Connect to a local TCP port through the C socket type, below any Python-level patch.

    Args:
        port: The port to connect to.
    """
    import _socket

    raw = _socket.socket.__mro__[-2]  # the C type, whatever subclasses sit on it
    sock = raw(_socket.AF_INET, _socket.SOCK_STREAM)
    try:
        raw.connect(sock, ("127.0.0.1", port))
        return "connected"
    finally:
        sock.close()
