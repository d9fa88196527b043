"""Adding and removing articles for the bot, one change at a time, off the event loop."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ..ingest.incoming import Incoming

if TYPE_CHECKING:
    from ..ingest.changes import Change


class ArticleDesk:
    """Adds and removes articles for the bot, one change at a time, off the
    event loop (a rebuild takes seconds)."""

    def __init__(self, seeds_dir: Path, db_path: Path):
        self.seeds_dir = seeds_dir
        self.db_path = db_path
        self._one_at_a_time = asyncio.Lock()

    async def add(self, article: Incoming) -> Change:
        async with self._one_at_a_time:
            return await asyncio.to_thread(self._add, article)

    def _add(self, article: Incoming) -> Change:
        # Ingest (jieba and its tagger: half a second and tens of MB) is loaded
        # the first time an admin adds an article, in the worker thread, not
        # when the bot starts.
        from ..ingest.changes import add_articles

        with tempfile.TemporaryDirectory(prefix="lianghui-incoming-") as staging:
            return add_articles([article.stage(Path(staging))], self.seeds_dir, self.db_path)

    async def remove(self, slug: str) -> Change:
        from ..ingest.changes import remove_article

        async with self._one_at_a_time:
            return await asyncio.to_thread(remove_article, slug, self.seeds_dir, self.db_path)

    def added_at(self, slug: str) -> float:
        """When the article's file came into the seeds (0 when it is not there)."""
        try:
            return (self.seeds_dir / f"{slug}.txt").stat().st_mtime
        except OSError:
            return 0.0
