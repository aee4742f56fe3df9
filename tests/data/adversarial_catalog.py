"""An adversarial catalog: functions that misbehave in every way the sandbox must survive, and one
good function. Loaded in the test process too (to build specs), so nothing runs at import."""

from __future__ import annotations

import ctypes
import os
import socket
import sys
import time

CATEGORY = "Adversarial"


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
    return f"woke up in process {os.getpid()}"


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
