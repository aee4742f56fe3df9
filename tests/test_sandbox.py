"""Stage 2's sandbox on real worker processes: limits, classification, respawn, survival."""

from __future__ import annotations

import asyncio
import socket

from apigen.execution import SandboxPool
from apigen.records import ExecutorBinding

from conftest import ADVERSARIAL


def binding(function: str, **options) -> ExecutorBinding:
    return ExecutorBinding("python", str(ADVERSARIAL), function, options)


def run_calls(calls, **pool_kwargs):
    """Run (function, arguments[, options]) calls one after another on one pool."""

    async def go():
        pool = SandboxPool(**{"workers": 1, "timeout_s": 1.5, "memory_mb": 256, "cpu_time_s": 1.0, **pool_kwargs})
        try:
            results = [await pool.execute(binding(c[0], **(c[2] if len(c) > 2 else {})), c[1]) for c in calls]
            return results, pool.spawned
        finally:
            await pool.close()

    return asyncio.run(go())


def test_timeout_kills_and_the_next_call_gets_a_fresh_worker():
    (hung, good), spawned = run_calls([("hang", {"seconds": 30}), ("good_add", {"a": 1, "b": 2})])
    assert (hung.code, good.ok, good.result) == ("timeout", True, 3)
    assert spawned == 2


def test_pool_survives_crashes_and_exits_and_keeps_the_worker_after_ordinary_errors():
    calls = [("segfault", {"address": 0}), ("call_os_exit", {"status": 7}), ("call_sys_exit", {"status": 2}),
             ("good_add", {"a": "x", "b": 1}), ("good_add", {"a": 1}), ("recurse", {"depth": 0}), ("good_add", {"a": 2, "b": 2})]
    results, spawned = run_calls(calls)
    assert [r.code for r in results] == ["crashed", "exited", "exited", "bad_argument_type", "bad_argument_type", "recursion_limit", "ok"]
    assert "SIGSEGV" in results[0].message and "exit status 7" in results[1].message
    assert spawned == 3  # the first, one after the segfault, one after os._exit; none for raised errors


def test_cpu_memory_and_output_limits():
    results, _ = run_calls([("spin", {"seconds": 30}), ("memory_bomb", {"megabytes": 4096}), ("huge_output", {"megabytes": 1}),
                            ("huge_print", {"megabytes": 1}), ("shout", {"text": "hi"})], timeout_s=5.0, max_result_chars=1000)
    assert [r.code for r in results] == ["cpu_limit", "memory_limit", "output_too_large", "output_too_large", "ok"]
    # cpu_limit, not timeout: the CPU limit stopped the spin before the 5 s wall clock
    assert "cap is 1000" in results[2].message
    assert len(results[3].stdout) == 10000  # what was printed before the cap is kept, capped
    assert results[4].stdout == "shouting 2 characters\n" and results[4].result == "HI"


def test_network_is_blocked_unless_the_api_allows_it():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    try:
        results, _ = run_calls([("network_call", {"port": port}), ("swallow_network", {"host": "localhost"}),
                                ("network_call", {"port": port}, {"network": True})])
    finally:
        listener.close()
    assert [r.code for r in results] == ["network_blocked", "network_blocked", "ok"]
    assert results[2].result == "connected"


def test_a_cancelled_call_never_leaves_its_answer_for_the_next_call():
    async def go():
        pool = SandboxPool(workers=1, timeout_s=5)
        try:
            slow = asyncio.create_task(pool.execute(binding("hang", ), {"seconds": 0.5}))
            await asyncio.sleep(0.3)
            slow.cancel()
            await asyncio.gather(slow, return_exceptions=True)
            return await pool.execute(binding("good_add"), {"a": 20, "b": 22})
        finally:
            await pool.close()

    result = asyncio.run(go())
    assert (result.ok, result.result) == (True, 42)


def test_parallel_calls_use_all_workers_and_unexecutable_kinds_are_classified():
    async def go():
        pool = SandboxPool(workers=2, timeout_s=5)
        await pool.warm()
        try:
            hangs = [pool.execute(binding("hang"), {"seconds": 0.4}) for _ in range(2)]
            results = await asyncio.gather(*hangs)
            none = await pool.execute(ExecutorBinding("none"), {})
            return results, none, pool.spawned
        finally:
            await pool.close()

    results, none, spawned = asyncio.run(go())
    # Two calls in flight at once went to two different worker processes.
    assert all(r.ok for r in results) and spawned == 2
    assert len({r.result for r in results}) == 2
    assert none.code == "not_executable"
