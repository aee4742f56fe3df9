"""Linux process containment for the sandbox supervisor: namespaces, prctl, the process tree.

Mechanisms only, no policy (``supervisor`` decides what to use). Everything degrades instead of
failing: where the OS refuses a namespace the caller is told and falls back; where there is no
``/proc`` the process tree reads as empty.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import time
from dataclasses import dataclass

_CLONE_NEWUSER, _CLONE_NEWPID, _CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
_PR_SET_PDEATHSIG, _PR_SET_CHILD_SUBREAPER = 1, 36


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    except OSError:
        return None


_LIBC = _libc()


@dataclass(frozen=True)
class Namespaces:
    """Which namespaces the supervisor entered (its children live in them)."""

    pid: bool
    network: bool


def enter_namespaces(pid: bool, network: bool) -> Namespaces:
    """Unshare a PID and/or network namespace for this process's future children (PID) and for
    itself (network). As root that is allowed directly; otherwise through a new user namespace
    that maps the user to itself (unprivileged user namespaces must be enabled). Returns what was
    entered: nothing when the OS refuses (a container without CAP_SYS_ADMIN, user namespaces off)."""
    flags = (_CLONE_NEWPID if pid else 0) | (_CLONE_NEWNET if network else 0)
    if not flags or _LIBC is None or not hasattr(_LIBC, "unshare"):
        return Namespaces(False, False)
    uid, gid = os.geteuid(), os.getegid()
    if uid != 0:
        flags |= _CLONE_NEWUSER
    if _LIBC.unshare(flags) != 0:
        return Namespaces(False, False)
    if uid != 0:
        try:
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"{uid} {uid} 1")
            _write("/proc/self/gid_map", f"{gid} {gid} 1")
        except OSError:
            pass  # unmapped ids only change how ownership is displayed inside; the limits hold
    return Namespaces(pid, network)


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def _prctl(option: int, value: int) -> bool:
    return _LIBC is not None and hasattr(_LIBC, "prctl") and _LIBC.prctl(option, value, 0, 0, 0) == 0


def become_subreaper() -> bool:
    """Orphaned descendants (double forks, setsid daemons) are re-parented to this process
    instead of init, so they stay in its process tree."""
    return _prctl(_PR_SET_CHILD_SUBREAPER, 1)


def die_with_parent() -> None:
    """SIGKILL this process when its parent dies (set in each forked child of the supervisor)."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class ForkWatch:
    """Whether any process or thread was created on this machine since the last look: the last
    pid handed out (``/proc/loadavg``, in this process's PID namespace, which every namespace
    below it also draws from). A few microseconds, so the walk of the process table (about a
    millisecond) is only done when something forked."""

    def __init__(self) -> None:
        try:
            self._fd = os.open("/proc/loadavg", os.O_RDONLY)
        except OSError:
            self._fd = -1
        self._last = b""

    def changed(self) -> bool:
        if self._fd < 0:
            return True  # no way to tell: always look
        last = os.pread(self._fd, 256, 0).rsplit(None, 1)[-1]
        changed, self._last = last != self._last, last
        return changed


def process_table() -> dict[int, int]:
    """{pid: parent pid} of every live process (zombies, which hold nothing, are left out)."""
    table: dict[int, int] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return table
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                data = f.read()
        except OSError:
            continue  # it ended while we looked
        fields = data[data.rfind(b")") + 2:].split()
        if len(fields) > 1 and fields[0] not in (b"Z", b"X"):
            table[int(name)] = int(fields[1])
    return table


def descendants(root: int, table: dict[int, int]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, ppid in table.items():
        children.setdefault(ppid, []).append(pid)
    found: set[int] = set()
    todo = list(children.get(root, ()))
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(children.get(pid, ()))
    return found


def kill_descendants(root: int, keep: frozenset[int] = frozenset(), rounds: int = 100) -> list[tuple[int, int]]:
    """SIGKILL every live descendant of ``root`` except ``keep``, repeating until none is left (a
    process killed mid-fork cannot finish the fork, so this converges). ``root`` must be this
    process: the children it reaps on the way are returned, [(pid, wait status)]."""
    ended: list[tuple[int, int]] = []
    for _ in range(rounds):
        targets = descendants(root, process_table()) - keep
        if not targets:
            break
        for pid in targets:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.001)  # let the kernel finish the kills before looking again
        ended += reap()
    return ended


def reap() -> list[tuple[int, int]]:
    """Collect every child of this process that has ended: [(pid, wait status)]."""
    ended: list[tuple[int, int]] = []
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return ended
        if pid == 0:
            return ended
        ended.append((pid, status))
