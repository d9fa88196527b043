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
An ingest of a few articles runs in the main process alone: starting a
worker costs more than it would do.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, TypeVar

from ..config import MAX_INGEST_WORKERS, load_settings
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
# about 210 MB (its tokenizer taught 60,000 words, its caches of cut text),
# and the main process goes on growing beside it.
WORKER_MEMORY = 400 * 1_000_000
# Tasks of ARTICLES_PER_TASK sent ahead per worker: one worked on, one waiting in its pipe.
CHUNKS_AHEAD = 2


def worker_count(articles: int, configured: int | None = None) -> int:
    """How many worker processes an ingest of this many articles runs: 0,
    the main process alone, for a small one, or where there is one processor
    or too little free memory for two workers; else LIANGHUI_INGEST_WORKERS
    (1 means none), or one per processor this process may run on, as many
    as the free memory holds."""
    if articles < WORKERS_FROM_ARTICLES:
        return 0
    wanted = configured if configured is not None else load_settings().ingest_workers
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


def in_order(
    work: Callable[[Task], Result],
    tasks: Iterable[Task],
    workers: int,
    start: Callable[..., None],
    start_with: tuple[Any, ...] = (),
) -> Iterator[Result]:
    """work(task) for each task, in the order of the tasks, done by
    ``workers`` spawned processes, each made ready by start(*start_with)
    once. work and start must be functions of a module, which a worker
    imports. Tasks are read as the workers need them, a few ahead, so an
    article waits in memory only while it is worked on. An exception in a
    worker is raised here, at its task's turn; a worker that dies (killed,
    out of memory) is a StoreError. Leaving the iterator early ends the
    workers."""
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=start, initargs=start_with)
    pending: deque[Future[list[Result]]] = deque()
    try:
        for chunk in batched(tasks, ARTICLES_PER_TASK):
            pending.append(executor.submit(_each, work, chunk))
            if len(pending) >= workers * CHUNKS_AHEAD:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    except BrokenProcessPool:
        raise StoreError(
            "an ingest worker process ended before its work was done (killed, or out of memory?);"
            " LIANGHUI_INGEST_WORKERS=1 ingests in this process alone"
        ) from None
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _each(work: Callable[[Task], Result], tasks: tuple[Task, ...]) -> list[Result]:
    """A worker's share: work on each of a few tasks, sent and sent back at once."""
    return [work(task) for task in tasks]


def batched(items: Iterable[Task], size: int) -> Iterator[tuple[Task, ...]]:
    """items a tuple of ``size`` at a time, the last perhaps shorter (itertools.batched, Python 3.12)."""
    iterator = iter(items)
    while chunk := tuple(islice(iterator, size)):
        yield chunk
