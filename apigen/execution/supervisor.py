"""The sandbox supervisor: one per worker, between the pool and the process that runs API code.

    pool ──pipes──> supervisor ──pipes──> [namespace init, pid 1] ──> worker (runs the functions)

The supervisor runs no API code. It relays each request line down and answers it with exactly one
reply line, so the pool's protocol is one line in, one line out, and it contains everything the
worker starts:

- Namespaces where the OS allows (``containment.enter_namespaces``): a PID namespace, whose init
  (a process that only reaps) takes every process in it down when it ends, so nothing the worker
  starts can outlive it, daemonised or not; and, for APIs without network permission, an empty
  network namespace. Otherwise the supervisor is a child subreaper, so orphaned descendants stay
  in its process tree, and it kills that tree by walking /proc.
- The worker's death is learnt from the kernel (its wait status), never from a pipe closing (the
  worker's children may hold the pipe open), and the call in flight is answered with the
  classified death (``crashed``, ``exited``, ``cpu_limit``).
- Process limit: while a call runs, the worker's descendants are counted every
  ``WATCH_INTERVAL_S`` and once more when its reply comes (only when something on the machine
  forked since the last count: counting walks /proc). More than ``max_processes`` kills them all
  and answers ``process_limit``. Whatever a call leaves running is killed before its reply is
  passed on.
- After a fatal outcome it kills everything, answers, and exits; the pool starts a new worker.
  SIGTERM from the pool, or the pool closing its pipe, does the same without an answer.

Exit status (the pool reads it when no answer came): 0 after an answer or a shutdown,
``EXIT_WORKER_GONE`` when the worker ended between calls (the pool retries the call on a fresh
worker), ``EXIT_START_FAILED`` when the worker could not start.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Any, NoReturn

from apigen.execution import containment
from apigen.execution.exits import exit_outcome

WATCH_INTERVAL_S = 0.02
READY_TIMEOUT_S = 30.0
# One reply line holds a capped result, capped output and a capped traceback; anything longer than
# this is a broken worker. The pool reads with the same limit.
LINE_LIMIT = 16 * 1024 * 1024
EXIT_WORKER_GONE = 75
EXIT_START_FAILED = 76


class _Shutdown(Exception):
    """SIGTERM from the pool: kill everything and exit."""


def _on_sigterm(_signum: int, _frame: Any) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: a second one must not cut the clean-up short
    raise _Shutdown


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _answer(code: str, error_type: str, message: str) -> None:
    """The supervisor's own answer to the call in flight; ``fatal``: this worker is gone."""
    reply = {"ok": False, "code": code, "error_type": error_type, "message": message, "fatal": True}
    _write_all(1, (json.dumps(reply) + "\n").encode())


def _reset_signals() -> None:
    """A forked child must not run the supervisor's handlers."""
    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGTERM, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)


def _become_worker(to_worker: int, from_worker: int, expected_parent: int, settings: dict) -> NoReturn:
    _reset_signals()
    containment.die_with_parent()
    if os.getppid() != expected_parent:
        os._exit(1)  # the parent died before the death signal was armed
    os.dup2(to_worker, 0)
    os.dup2(from_worker, 1)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # nothing of the supervisor's stays open here
    from apigen.execution.sandbox_worker import serve

    serve(int(settings["memory_mb"]))
    os._exit(0)


def _run_init(worker: int, status_fd: int) -> NoReturn:
    """PID 1 of the namespace: reap everything; when the worker ends, report its wait status and
    exit, which makes the kernel kill every other process in the namespace."""
    _reset_signals()
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.closerange(3, status_fd)
    os.closerange(status_fd + 1, os.sysconf("SC_OPEN_MAX"))
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(0)
        if pid == worker:
            os.write(status_fd, f"{status}\n".encode())
            os._exit(0)


@dataclass
class _Worker:
    pid: int  # the worker, as this process (outside its namespace) sees it
    top: int  # this process's child: the namespace init, or the worker itself
    to_worker: int
    from_worker: int
    status_fd: int  # the init reports the worker's wait status here; -1 without a PID namespace

    @property
    def infrastructure(self) -> frozenset[int]:
        return frozenset({self.pid, self.top})


def _read_ready(fd: int) -> int:
    """The worker's first line, ``{"ready": pid}``."""
    data, deadline = b"", time.monotonic() + READY_TIMEOUT_S
    while b"\n" not in data:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise RuntimeError(f"the worker did not start within {READY_TIMEOUT_S:g}s")
        chunk = os.read(fd, 4096)
        if not chunk:
            raise RuntimeError("the worker ended while starting")
        data += chunk
    return int(json.loads(data.split(b"\n", 1)[0])["ready"])


def _start(settings: dict, pid_namespace: bool) -> _Worker:
    to_r, to_w = os.pipe()
    from_r, from_w = os.pipe()
    status_r, status_w = os.pipe() if pid_namespace else (-1, -1)
    supervisor = os.getpid()
    top = os.fork()
    if top == 0:
        try:
            if not pid_namespace:
                _become_worker(to_r, from_w, supervisor, settings)
            containment.die_with_parent()
            worker = os.fork()
            if worker == 0:
                _become_worker(to_r, from_w, 1, settings)
            _run_init(worker, status_w)
        finally:
            os._exit(70)
    for fd in (to_r, from_w, status_w):
        if fd >= 0:
            os.close(fd)
    if status_r >= 0:
        os.set_blocking(status_r, False)
    return _Worker(_read_ready(from_r), top, to_w, from_r, status_r)


@dataclass
class _Relay:
    worker: _Worker
    wake_fd: int
    max_processes: int
    pending: bool = False
    reply: bytearray = field(default_factory=bytearray)
    ended: dict[int, int] = field(default_factory=dict)  # wait statuses of reaped children
    forks: containment.ForkWatch = field(default_factory=containment.ForkWatch)
    started: set[int] = field(default_factory=set)  # live processes the calls started, at the last count
    next_watch: float = 0.0

    def run(self) -> int:
        """Relay until the worker is gone or the pool hangs up; the supervisor's exit status."""
        poller = select.poll()
        for fd in (0, self.worker.from_worker, self.wake_fd):
            poller.register(fd, select.POLLIN)
        while True:
            ready = {fd for fd, _ in poller.poll(WATCH_INTERVAL_S * 1000 if self.pending else None)}
            if self.wake_fd in ready:  # a signal (SIGCHLD): drain first, so a later one wakes us again
                while _drain(self.wake_fd):
                    pass
                self._collect(containment.reap())
            if self.worker.from_worker in ready and self._read_reply(poller):
                return 0
            if 0 in ready:
                request = os.read(0, 1 << 16)
                if not request:
                    return 0  # the pool closed the pipe (or died)
                _write_all(self.worker.to_worker, request)
                self.pending = True
                self.next_watch = time.monotonic() + WATCH_INTERVAL_S
            returncode = self._worker_returncode()
            if returncode is not None:
                if not self.pending:
                    return EXIT_WORKER_GONE
                _answer(*exit_outcome(returncode))
                return 0
            if self.pending and time.monotonic() >= self.next_watch:
                self.next_watch = time.monotonic() + WATCH_INTERVAL_S
                if self._over_limit():
                    return 0

    def _read_reply(self, poller: select.poll) -> bool:
        """Take what the worker wrote; pass each complete reply on. True: the supervisor must end."""
        data = os.read(self.worker.from_worker, 1 << 16)
        if not data:  # the worker and every process holding its pipe are gone; its status follows
            poller.unregister(self.worker.from_worker)
            return False
        self.reply += data
        while b"\n" in self.reply:
            line, _, rest = self.reply.partition(b"\n")
            self.reply = bytearray(rest)
            self.pending = False
            if self._over_limit():
                return True
            if self.started:  # the call returned but left processes running
                self._collect(containment.kill_descendants(os.getpid(), keep=self.worker.infrastructure))
                self.started = set()
                self.forks.changed()  # the kills are not forks
            _write_all(1, bytes(line) + b"\n")
        if len(self.reply) > LINE_LIMIT:
            _answer("output_too_large", "OutputTooLarge", f"the worker's reply is over {LINE_LIMIT} bytes")
            return True
        return False

    def _over_limit(self) -> bool:
        """Count the live processes the worker started (walking /proc only when something forked
        since the last count); over the limit, kill them all and answer ``process_limit``."""
        if self.forks.changed():
            table = containment.process_table()
            self.started = containment.descendants(os.getpid(), table) - self.worker.infrastructure
        if not self.max_processes or len(self.started) <= self.max_processes:
            return False
        count = len(self.started)
        self._collect(containment.kill_descendants(os.getpid()))
        _answer("process_limit", "ProcessLimit",
                f"the call had {count} processes running at once, over the limit of {self.max_processes}; "
                "all were killed")
        return True

    def _collect(self, ended: list[tuple[int, int]]) -> None:
        self.ended.update(ended)

    def _worker_returncode(self) -> int | None:
        """The worker's exit status once it has been reaped (as ``subprocess``: -N for signal N)."""
        if self.worker.top not in self.ended:
            return None
        status = self.ended[self.worker.top]
        if self.worker.status_fd >= 0:  # the top is the init; it reported the worker's status
            try:
                status = int(os.read(self.worker.status_fd, 64).strip() or b"-1")
            except (OSError, ValueError):
                status = -1
            if status < 0:
                return -signal.SIGKILL  # the init itself was killed
        return os.waitstatus_to_exitcode(status)


def _drain(fd: int) -> bool:
    try:
        return bool(os.read(fd, 4096))
    except BlockingIOError:
        return False


def main() -> None:
    settings = json.loads(sys.argv[1])
    signal.signal(signal.SIGTERM, _on_sigterm)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # its wakeup byte ends the poll when a child ends
    contain = bool(settings["namespaces"])
    namespaces = containment.enter_namespaces(pid=contain, network=contain and not settings["network"])
    subreaper = containment.become_subreaper()
    code = 0
    try:
        code = _supervise(settings, namespaces, subreaper, wake_r)
    except (_Shutdown, BrokenPipeError):
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        containment.kill_descendants(os.getpid())
    sys.exit(code)


def _supervise(settings: dict, namespaces: containment.Namespaces, subreaper: bool, wake_fd: int) -> int:
    try:
        worker = _start(settings, namespaces.pid)
    except Exception as exc:
        _write_all(1, (json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\n").encode())
        return EXIT_START_FAILED
    if settings["network"]:
        network = "allowed"
    else:
        network = "namespace" if namespaces.network else "python_guard"
    processes = "pid_namespace" if namespaces.pid else ("process_tree" if subreaper else "process_group")
    _write_all(1, (json.dumps({"hello": {"processes": processes, "network": network}}) + "\n").encode())
    return _Relay(worker, wake_fd, int(settings["max_processes"])).run()


if __name__ == "__main__":
    main()
