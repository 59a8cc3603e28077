"""The build's worker processes: every task answered once, errors and dead workers reported, none left behind."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from generator.workers import Workers, WorkerError

SEEN: list[int] = []


def square(x: int) -> int:
    return x * x


def fails_on_seven(x: int) -> int:
    if x == 7:
        raise ValueError("seven is not allowed")
    return x


def dies_on_three(x: int) -> int:
    if x == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return x


def inherited(x: int) -> int:
    return SEEN[0] + x  # set in the parent before the fork: inherited, never pickled


def _children() -> set[int]:
    try:
        with open(f"/proc/{os.getpid()}/task/{os.getpid()}/children") as fh:
            return {int(p) for p in fh.read().split()}
    except OSError:
        pytest.skip("no /proc children list here")


def test_every_task_answered_once_and_workers_gone():
    before = _children()
    with Workers(square, 2) as workers:
        assert len(_children() - before) == 2
        got = list(workers.results(range(500)))
    assert sorted(got) == [x * x for x in range(500)]
    assert _children() == before


def test_no_tasks_and_more_workers_than_tasks():
    with Workers(square, 4) as workers:
        assert list(workers.results([])) == []
        assert sorted(workers.results([3, 4])) == [9, 16]


def test_a_task_error_is_raised_with_its_traceback():
    before = _children()
    with pytest.raises(WorkerError) as err:
        with Workers(fails_on_seven, 2) as workers:
            list(workers.results(range(50)))
    assert "ValueError: seven is not allowed" in str(err.value) and "fails_on_seven" in str(err.value)
    assert _children() == before


def test_a_killed_worker_is_an_error_not_a_hang():
    before = _children()
    with pytest.raises(WorkerError, match="died"):
        with Workers(dies_on_three, 2) as workers:
            list(workers.results(range(20)))
    assert _children() == before


def echo_twice(task: bytes) -> bytes:
    return task * 2  # a result bigger than a pipe's buffer, as a chunk's fingerprints and related lists are


@pytest.mark.parametrize("jobs", [1, 2])
def test_tasks_and_results_bigger_than_a_pipe_do_not_deadlock(jobs: int):
    """A big task queued behind a running one blocks the parent until the worker reads it, while
    the worker, done with the first, blocks sending its big result: both would wait for ever (a
    changed [related] setting on a built 10,000-article site hung the build this way)."""
    tasks = [bytes([i]) * 300_000 for i in range(2 * jobs + 1)]
    before = _children()
    out: list[bytes] = []

    def run() -> None:
        with Workers(echo_twice, jobs) as workers:
            out.extend(workers.results(tasks))
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(60)
    if thread.is_alive():
        for pid in _children() - before:
            os.kill(pid, signal.SIGKILL)
        pytest.fail("deadlock: the parent and a worker both blocked sending")
    assert sorted(out) == sorted(t * 2 for t in tasks)


def test_workers_see_what_the_parent_held_when_they_were_forked():
    SEEN[:] = [1000]
    with Workers(inherited, 2) as workers:
        assert sorted(workers.results([1, 2])) == [1001, 1002]


def test_an_initializer_error_answers_every_task():
    def broken_init() -> None:
        raise RuntimeError("no cache here")

    with pytest.raises(WorkerError, match="no cache here"):
        with Workers(square, 2, broken_init) as workers:
            list(workers.results(range(5)))
