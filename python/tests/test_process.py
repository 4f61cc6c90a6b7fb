"""How the package behaves in a process: it leaves no thread behind a call and is safe after
fork, releases the GIL while it runs, and starts no process and writes no file."""

import multiprocessing
import os
import resource
import select
import signal
import sys
import threading
import time

import pytest

import embedsim
from conftest import SHORT


def os_threads():
    """The threads of this process, as the kernel counts them (Python's own count misses the
    native ones)."""
    return len(os.listdir("/proc/self/task"))


def test_a_call_leaves_no_thread_behind():
    before = os_threads()
    embedsim.run("s-town", set=SHORT, replications=4, threads=4)
    assert os_threads() == before


def test_a_forked_child_runs_as_the_parent_did():
    # A pool of several workers in the parent first: the child must not inherit a pool that has
    # no threads in it (rayon's global pool would deadlock there).
    parent = embedsim.run("s-town", set=SHORT, replications=3, threads=3).csv["summary.csv"]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            os.close(read)
            child = embedsim.run("s-town", set=SHORT, replications=3, threads=3).csv["summary.csv"]
            os.write(write, child.encode())
        finally:
            os._exit(0)
    os.close(write)
    got = b""
    deadline = time.monotonic() + 60
    finished = False
    try:
        while True:
            left = deadline - time.monotonic()
            assert left > 0, "the forked child did not finish in 60 s (deadlock?)"
            ready, _, _ = select.select([read], [], [], left)
            if ready:
                chunk = os.read(read, 1 << 16)
                if not chunk:
                    break
                got += chunk
        finished = True
    finally:
        os.close(read)
        if not finished:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert got.decode() == parent


def _summary(seed):
    return embedsim.run("s-town", set=SHORT, replications=2, seed=seed, threads=2).csv["summary.csv"]


def test_a_fork_pool_of_workers_runs_as_the_parent_does():
    expected = [_summary(s) for s in (1, 2, 3, 4)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        got = pool.map_async(_summary, (1, 2, 3, 4)).get(timeout=120)
    assert got == expected


def loop_rate(work):
    """Turns per second of a Python loop that runs while `work` runs in another thread (from
    before the thread starts): it turns only while no thread holds the GIL for long."""
    done = threading.Event()
    out = {}

    def run():
        out["result"] = work()
        done.set()

    t = threading.Thread(target=run)
    started = time.monotonic()
    t.start()
    turns = 0
    while not done.is_set():
        turns += 1
    rate = turns / (time.monotonic() - started)
    t.join()
    return rate, out["result"]


def test_the_gil_is_released_while_the_simulation_runs():
    alone, _ = loop_rate(lambda: time.sleep(0.3))  # sleeping releases the GIL
    beside, r = loop_rate(lambda: embedsim.run("s-town", replications=8, threads=1))
    # Held, the GIL would stop the loop for the whole run (a list sort of the same length, which
    # holds it, gives a few percent of the rate alone). Released, the loop keeps a core of its own.
    assert beside > 0.1 * alone, f"{beside:.0f} turns/s beside the run, {alone:.0f} alone: the GIL was held"
    assert len(r.summary) == 16


def test_a_run_starts_no_process_and_writes_no_file(tmp_path, monkeypatch):
    """What this can see: (1) any process started, or program executed, through Python —
    subprocess, os.system, os.exec*, os.spawn*, os.posix_spawn, os.fork, pty — by the audit hook;
    (2) any child process the native library started and waited for, by the children's resource
    use (a process that ran at all page-faults: its minor faults add to RUSAGE_CHILDREN when it is
    reaped), and any child still running, by the kernel's list of this process's children;
    (3) any file written to the temporary folder or to the working folder. What it cannot see: a
    child started natively and left running detached after being reparented (a double fork), or a
    file written elsewhere; the Rust code has neither (src/api.rs starts only threads)."""
    events = []
    watched = ("subprocess.", "os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.fork", "os.forkpty", "pty.")

    def hook(event, args):
        if event.startswith(watched):
            events.append(event)

    sys.addaudithook(hook)  # cannot be removed: it only records
    tmp = tmp_path / "tmp"
    work = tmp_path / "work"
    tmp.mkdir()
    work.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.chdir(work)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    events.clear()
    embedsim.run("s-town", set=SHORT, replications=2, threads=2)
    embedsim.sweep("s-town", {"platforms.minhu.arrival_rate_per_day": [2.0, 3.0]}, set=SHORT, replications=1)
    embedsim.compare("s-town", set=SHORT, set_b={"platforms.minhu.arrival_rate_per_day": 3.0}, replications=2)
    seen = list(events)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert seen == [], f"process events during the calls: {seen}"
    assert (after.ru_minflt, after.ru_utime) == (children.ru_minflt, children.ru_utime), "a child process ran"
    live = [p for t in os.listdir("/proc/self/task") for p in open(f"/proc/self/task/{t}/children").read().split()]
    assert live == [], f"child processes: {live}"
    assert list(tmp.iterdir()) == [] and list(work.iterdir()) == []


@pytest.mark.skipif(sys.platform != "linux", reason="the fork start method is Linux's default")
def test_multiprocessing_forks_here():
    # The EMA test relies on it: MultiprocessingEvaluator uses the default start method.
    assert multiprocessing.get_start_method() == "fork"
