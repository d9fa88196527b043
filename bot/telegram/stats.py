"""What /stats shows: counters, latencies and the event loop's lag. Every
collection is bounded."""

from __future__ import annotations

import asyncio
import html
import time
from collections import Counter, deque
from dataclasses import dataclass, field

from ..engine.answer import Intent
from ..strings import t

TOP_QUERIES = 10


class BoundedCounter(Counter):
    """A Counter that keeps only its most common keys beyond a bound."""

    def __init__(self, bound: int = 1000):
        super().__init__()
        self.bound = bound

    def add(self, key: str) -> None:
        self[key] += 1
        if len(self) > self.bound * 2:
            for rare, _ in self.most_common()[self.bound :]:
                del self[rare]


@dataclass
class Stats:
    """What /stats shows. Every collection is bounded."""

    started: float = field(default_factory=time.monotonic)
    served: int = 0
    by_intent: Counter = field(default_factory=Counter)
    queries: BoundedCounter = field(default_factory=BoundedCounter)
    not_found: BoundedCounter = field(default_factory=BoundedCounter)
    latencies: deque = field(default_factory=lambda: deque(maxlen=2000))
    rate_limited: int = 0
    errors: int = 0
    max_loop_lag: float = 0.0

    def record(self, query: str, intent: Intent, seconds: float) -> None:
        self.served += 1
        self.by_intent[intent] += 1
        key = query.strip()[:60]
        if not key.startswith(("/more", "/context")):
            self.queries.add(key)
        if intent == Intent.NOT_FOUND:
            self.not_found.add(key)
        self.latencies.append(seconds)

    def render(self, lang: str) -> str:
        latencies = sorted(self.latencies)
        p50 = latencies[len(latencies) // 2] * 1000 if latencies else 0.0
        p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000 if latencies else 0.0
        lines = [
            f"<b>{html.escape(t(lang, 'stats'))}</b>",
            f"uptime: {int(time.monotonic() - self.started)} s",
            f"queries served: {self.served}",
            f"answer time p50/p95: {p50:.1f}/{p95:.1f} ms",
            f"max event-loop lag: {self.max_loop_lag * 1000:.1f} ms",
            f"rate-limited: {self.rate_limited} · errors: {self.errors}",
            "intents: " + html.escape(", ".join(f"{k} {v}" for k, v in self.by_intent.most_common())),
            "<b>top queries</b>",
        ]
        lines += [f"{n} × {html.escape(q)}" for q, n in self.queries.most_common(TOP_QUERIES)] or ["—"]
        lines.append("<b>nothing found</b>")
        lines += [f"{n} × {html.escape(q)}" for q, n in self.not_found.most_common(TOP_QUERIES)] or ["—"]
        return "\n".join(lines)


class LoopLag:
    """Measures how late the event loop wakes up: the cost of anything that
    blocks it. Stats keep the worst seen."""

    def __init__(self, stats: Stats, interval: float = 0.05):
        self.stats = stats
        self.interval = interval
        self.samples: deque = deque(maxlen=10_000)
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="loop-lag")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.interval)
            lag = loop.time() - before - self.interval
            self.samples.append(lag)
            self.stats.max_loop_lag = max(self.stats.max_loop_lag, lag)
