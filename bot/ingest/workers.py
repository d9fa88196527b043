"""A full ingest's work per article, shared over the machine's processors.

Most of what a full ingest does, it does for each article apart from every
other: read and rebuild it and find its people (the first pass), extract its
items, cut its text into words and link each item (the second). That work
can run in worker processes, each with a tokenizer of its own, while the
main process keeps all that must see the articles in order: the spill
file, the merging of people, the reprints, the ids and the store itself.
What a worker sends back is what the main process would have made, so the
store is the same row for row (tests/test_workers.py).

Workers are spawned, not forked: a fork copies the locks of the main
process's other threads as they stand (the bot ingests on a thread of its
own), and a spawned worker loads jieba's cached dictionary in half a second.
A spawned worker imports the main module, so a script that ingests must
start from ``if __name__ == "__main__":`` (bot.py and ``python -m bot`` do).
An ingest of a few articles runs in the main process alone: starting a
worker costs more than it would do.

The main process decides: a worker ignores Ctrl-C (the main process ends the
workers when it stops), and ends itself when the main process is gone,
killed or not, rather than wait for work forever.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from itertools import islice
from multiprocessing.connection import wait
from typing import Any, TypeVar

from ..config import MAX_INGEST_WORKERS, MEGABYTE, load_settings
from ..errors import StoreError

Task = TypeVar("Task")
Result = TypeVar("Result")

# Below this many articles an ingest runs in its own process: each worker
# takes one to two seconds to start (Python, jieba's dictionary, its tables).
WORKERS_FROM_ARTICLES = 400
# Articles a worker is sent at a time: few enough that both workers stay
# busy to the end, enough that the pipe is not asked once per article.
ARTICLES_PER_TASK = 8
# What a worker is allowed in free memory: at 10,000 articles one peaked at
# about 105 MB (60,000 words taught, the pieces of jieba's dictionary it met,
# its cache of cut text), and the main process goes on growing beside it.
WORKER_MEMORY = 250 * MEGABYTE
# Work sent ahead, not yet read back: up to CHUNKS_AHEAD tasks per worker,
# or tasks of BYTES_AHEAD in all (their articles' bytes) plus the one just
# sent, whichever comes first. Enough that the workers keep working while
# the main process writes a batch (a tenth to half a second): with two
# tasks each, they stood idle a tenth of the second pass. The bytes bound
# what waits in memory when articles are large.
CHUNKS_AHEAD = 8
BYTES_AHEAD = 64 * MEGABYTE


# The collector's thresholds while an ingest runs (gc.set_threshold): a young
# collection per 100,000 objects made, not per 700. An ingest makes millions
# and leaves few cycles: at 10,000 articles the collector took 1.2-1.7 s of
# each worker's time and 2-4 s of the main process's; with a young
# collection per 20,000, 0.1 s and 1.1 s; per 100,000, 0.1 and 0.2 s.
COLLECTION_THRESHOLDS = (100_000, 50, 100)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """COLLECTION_THRESHOLDS in this process for the block; the thresholds before it after."""
    before = gc.get_threshold()
    gc.set_threshold(*COLLECTION_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def worker_count(articles: int) -> int:
    """How many worker processes an ingest of this many articles runs: 0,
    the main process alone, for a small one, or where there is one processor
    or too little free memory for two workers; else LIANGHUI_INGEST_WORKERS
    (1 means none), or one per processor this process may run on, as many
    as the free memory holds."""
    if articles < WORKERS_FROM_ARTICLES:
        return 0
    wanted = load_settings().ingest_workers
    if wanted is None:
        processors = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        wanted = min(processors, available_memory() // WORKER_MEMORY, MAX_INGEST_WORKERS)
    return wanted if wanted > 1 else 0


def available_memory() -> int:
    """The memory the system can give without swapping, in bytes
    (MemAvailable); where it cannot be read, as if there were room for one
    worker per processor."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return MAX_INGEST_WORKERS * WORKER_MEMORY


class Workers:
    """``count`` spawned worker processes, each made ready once by
    start(*start_with), for one run of in_order or sent_now (and then, for
    what each kept over its tasks, from_each). start and the work must be
    functions of a module, which a worker imports. Used as a context
    manager, the workers end with the block whatever happens in it."""

    def __init__(self, count: int, start: Callable[..., None], start_with: tuple[Any, ...] = ()):
        self._count = count
        context = multiprocessing.get_context("spawn")
        # A barrier is shared by inheritance only: each worker is given it as it starts.
        self._everyone = context.Barrier(count)
        try:
            self._executor = ProcessPoolExecutor(count, mp_context=context, initializer=_start_worker, initargs=(start, start_with, self._everyone))
        except RuntimeError as error:  # the interpreter is shutting down (the bot stopping while it ingests)
            raise StoreError(f"the ingest was stopped: {error}") from None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """End the workers: what they were not yet given is dropped, what they are doing is waited for."""
        self._executor.shutdown(wait=True, cancel_futures=True)

    def in_order(
        self, work: Callable[[Task], Result], tasks: Iterable[Task], size: Callable[[Task], int] | None = None, then_each: bool = False
    ) -> Iterator[Result]:
        """work(task) for each task, in the order of the tasks. Tasks are read
        as the workers need them, a few ahead: up to CHUNKS_AHEAD tasks per
        worker, or about BYTES_AHEAD of them (size: a task's bytes), wait in
        memory, not the whole run. An exception in a worker is raised here, at
        its task's turn; a worker that dies (killed, out of memory) is a
        StoreError. The workers end with the last result, unless then_each
        says that from_each comes next (it ends them)."""
        pending: deque[tuple[Future[list[Result]], int]] = deque()
        ahead = 0
        with self._failures_said(), self._closed_after(unless=then_each):
            for chunk in batched(tasks, ARTICLES_PER_TASK):
                chunk_bytes = sum(map(size, chunk)) if size else 0
                pending.append((self._executor.submit(_each, work, chunk), chunk_bytes))
                ahead += chunk_bytes
                while len(pending) >= self._count * CHUNKS_AHEAD or ahead >= BYTES_AHEAD:
                    future, chunk_bytes = pending.popleft()
                    ahead -= chunk_bytes
                    yield from future.result()
            while pending:
                yield from pending.popleft()[0].result()

    def sent_now(self, work: Callable[[Task], Result], tasks: Iterable[Task]) -> Iterator[Result]:
        """work(task) for each task, in the order of the tasks, every task
        sent before this returns: the workers work while the caller does
        something else, and their results wait in memory until it reads them
        (for a few tasks with small results). Failures are said as in_order
        says them; the workers end with the last result."""
        with self._failures_said():
            futures = deque(self._executor.submit(_each, work, (task,)) for task in tasks)
        return self._results(futures)

    def from_each(self, work: Callable[[], Result]) -> list[Result]:
        """work() once in every worker, after its tasks: what each kept over
        them (a count of its own, say), one result a worker in no order. Each
        waits at a barrier until every worker holds one, so no worker takes
        two. Failures are said as in_order says them; the workers end here."""
        with self._failures_said(), self._closed_after():
            futures = [self._executor.submit(_once, work) for _ in range(self._count)]
            failures = [failure for failure in map(Future.exception, futures) if failure is not None]
            if failures:
                # A worker's own failure says why, not the others' wait for it.
                raise next((failure for failure in failures if not isinstance(failure, _OthersFailed)), failures[0])
            return [future.result() for future in futures]

    def _results(self, futures: deque[Future[list[Result]]]) -> Iterator[Result]:
        with self._failures_said(), self._closed_after():
            while futures:
                # Let go of each result once read, not all at the end.
                yield from futures.popleft().result()

    @contextmanager
    def _closed_after(self, unless: bool = False) -> Iterator[None]:
        """End the workers after the block; if unless, only when the block fails."""
        try:
            yield
        except BaseException:
            self.close()
            raise
        if not unless:
            self.close()

    @staticmethod
    @contextmanager
    def _failures_said() -> Iterator[None]:
        """A worker that died, or an interpreter shutting down, as a StoreError."""
        try:
            yield
        except BrokenProcessPool:
            raise StoreError(
                "an ingest worker process ended before its work was done (killed, or out of memory?);"
                " LIANGHUI_INGEST_WORKERS=1 ingests in this process alone"
            ) from None
        except RuntimeError as error:  # submit, while the interpreter shuts down
            raise StoreError(f"the ingest was stopped: {error}") from None


# Why this worker could not be made ready, said for each task it is given:
# the main process then names it, where a worker that died would say nothing.
_start_failure: str | None = None
# The barrier every worker of the pool waits at before from_each's work.
_everyone: Any = None
# How long a worker waits there for the others: each takes one task of
# from_each as soon as it is free, so only a worker stuck elsewhere is late.
BARRIER_SECONDS = 600


def _start_worker(start: Callable[..., None], start_with: tuple[Any, ...], everyone: Any) -> None:
    global _start_failure, _everyone
    _everyone = everyone
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with_parent, name="end-with-parent", daemon=True).start()
    try:
        start(*start_with)
    except Exception as error:
        _start_failure = f"an ingest worker could not start: {type(error).__name__}: {error}"
    # What start made lives as long as the worker (its tokenizer, its tables):
    # the collector need not walk it again on each full collection.
    gc.freeze()
    gc.set_threshold(*COLLECTION_THRESHOLDS)


def _end_with_parent() -> None:
    """Wait for the main process to end, then end this one: a worker left
    behind would wait for work forever, holding its memory."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        wait([parent.sentinel])
        os._exit(1)


def _each(work: Callable[[Task], Result], tasks: tuple[Task, ...]) -> list[Result]:
    """A worker's share: work on each of a few tasks, sent and sent back at once."""
    if _start_failure is not None:
        raise StoreError(_start_failure)
    return [work(task) for task in tasks]


class _OthersFailed(StoreError):
    """A worker's turn of from_each given up: another worker failed, or never came."""


def _once(work: Callable[[], Result]) -> Result:
    """A worker's turn of from_each, once every worker has one. One that
    could not start breaks the barrier, so the others stop waiting for it."""
    if _start_failure is not None:
        _everyone.abort()
        raise StoreError(_start_failure)
    try:
        _everyone.wait(BARRIER_SECONDS)
    except threading.BrokenBarrierError:
        raise _OthersFailed(f"an ingest worker did not take its turn within {BARRIER_SECONDS} s, or could not") from None
    return work()


def batched(items: Iterable[Task], size: int) -> Iterator[tuple[Task, ...]]:
    """items a tuple of ``size`` at a time, the last perhaps shorter (itertools.batched, Python 3.12)."""
    iterator = iter(items)
    while chunk := tuple(islice(iterator, size)):
        yield chunk
