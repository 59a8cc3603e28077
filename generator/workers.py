"""Forked worker processes for the build's parallel phases, with no helper threads.

Each worker has one pipe; the calling thread sends it tasks and reads its results itself.
multiprocessing.Pool reads results in a thread of its own, and its worker-watching thread wakes
on every result still unread: the two cost the main process 0.8 CPU-s of a 10,000-article
build, on a machine whose every core is busy with the workers. A worker that dies (killed, out
of memory) is an error here, where a Pool waits for it forever.
"""

from __future__ import annotations

import multiprocessing
import traceback
from multiprocessing.connection import wait
from multiprocessing.reduction import ForkingPickler
from typing import Callable, Iterable, Iterator

IN_FLIGHT = 2  # tasks queued per worker: it starts the next while its last result is read
AHEAD_MAX = 16 * 1024  # bytes: a bigger task is not queued behind a running one (see _Feed)
_DIED = "a worker process died (killed, or out of memory?)"


class WorkerError(RuntimeError):
    """A task raised in a worker (its traceback is the message) or a worker process died."""


class Workers:
    """`jobs` forked processes that run func on the tasks given to results().

    The workers are forks of this process, made on entering the `with` block: func, the
    initializer and everything they read are inherited, not pickled; only tasks and results
    travel. Leaving the block (normally, on an exception, or after a break) stops them.
    """

    def __init__(self, func: Callable, jobs: int, initializer: Callable[[], None] | None = None):
        self.func, self.jobs, self.initializer = func, max(1, jobs), initializer
        self.workers: list[tuple[multiprocessing.Process, object]] = []

    def __enter__(self) -> "Workers":
        ctx = multiprocessing.get_context("fork")
        try:
            for _ in range(self.jobs):
                parent, child = ctx.Pipe()
                process = ctx.Process(target=_serve, args=(child, self.func, self.initializer),
                                      name="generator-worker", daemon=True)
                process.start()
                child.close()
                self.workers.append((process, parent))
        except BaseException as exc:
            self.__exit__(type(exc))
            raise
        return self

    def __exit__(self, exc_type=None, *_exc) -> None:
        """Stop the workers: asked to when all went well, at once otherwise (one may be blocked
        sending a result nobody will read)."""
        for process, conn in self.workers:
            if exc_type is None:
                try:
                    conn.send(None)
                except OSError:
                    pass
            else:
                process.terminate()
        for process, conn in self.workers:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join()
            conn.close()
        self.workers = []

    def results(self, tasks: Iterable) -> Iterator:
        """func(task) for every task, yielded as the workers finish them (in no set order)."""
        feed = _Feed(iter(tasks), {conn: 0 for _, conn in self.workers})
        for _ in range(IN_FLIGHT):  # round by round: every worker has a task before any has two
            for conn in feed.busy:
                feed.send(conn)
        while any(feed.busy.values()):
            for conn in wait([c for c, n in feed.busy.items() if n]):
                try:
                    ok, value = conn.recv()
                except (EOFError, OSError):
                    raise WorkerError(_DIED) from None
                feed.busy[conn] -= 1
                feed.send(conn)
                if not ok:
                    raise WorkerError(value)
                yield value


class _Feed:
    """The tasks not yet sent, sent one at a time so that no send can block for good.

    A send blocks until the worker has read what does not fit in the pipe. A task queued behind
    a running one is read only when that one is done, and by then the worker may itself be blocked
    sending a result the parent is not reading (it is still sending): both wait for ever. So a
    task bigger than a pipe's buffer goes only to a worker with nothing else to do.
    """

    def __init__(self, tasks: Iterator, busy: dict):
        self.tasks = tasks
        self.busy = busy  # connection -> tasks sent and not yet answered
        self.held: bytes | None = None  # the next task, too big to queue behind a running one

    def send(self, conn) -> None:
        if self.held is None:
            task = next(self.tasks, _END)
            if task is _END:
                return
            self.held = bytes(ForkingPickler.dumps((task,)))
        if self.busy[conn] and len(self.held) > AHEAD_MAX:
            return
        try:
            conn.send_bytes(self.held)
        except OSError:  # the pipe broke: its worker is gone
            raise WorkerError(_DIED) from None
        self.held = None
        self.busy[conn] += 1


_END = object()


def _serve(conn, func: Callable, initializer: Callable[[], None] | None) -> None:
    """A worker's loop: run tasks until told to stop (None) or the parent goes away."""
    failed = None  # an initializer's traceback: the answer to every task
    try:
        if initializer is not None:
            try:
                initializer()
            except Exception:  # noqa: BLE001
                failed = traceback.format_exc()
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                break
            if message is None:
                break
            if failed is not None:
                conn.send((False, failed))
                continue
            try:
                reply = (True, func(message[0]))
            except Exception:  # noqa: BLE001 - the parent raises it, with this traceback
                reply = (False, traceback.format_exc())
            conn.send(reply)
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group: the parent reports it
        pass
    finally:
        conn.close()
