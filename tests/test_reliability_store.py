"""The store cannot be corrupted by the bot, survives being rebuilt under
load, and is rebuilt from the seeds when it is missing or damaged.

Ingest is the only writer: it builds into a temporary file and renames it
over the store, and the bot opens the store read-only, so a query in flight
reads either the old file or the new one, never a mix."""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.ingest.build import build_store
from bot.render import to_text
from bot.ingest.freshness import store_is_current
from fake_botapi import FakeBotAPI
from telegram_harness import running_bot
from telegram_html import visible_text

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
# Queries that read every part of the store; /quote is left out (it is random by design).
QUERIES = [
    "/who 马新强", "/who 马欣强", "/who maxinqiang", "/who 馬新強", "/who 罗卫东", "/who 宋朝学", "/who 张三", "/who 武汉",
    "/city 武汉", "/city 成都", "/city 杭州", "/city 上海", "/city 北京", "/city",
    "/topic 人工智能", "/topic 人才", "/topic", "/search 创新", "/search DeepSeek 人才", "/search zzzz",
    "谁提到了DeepSeek", "丁光宏说了什么", "武汉 人工智能", "成都的代表说了什么", "光电子", "新质生产力", "hello", "asdf qwer",
    "/more p1;o5", "/more ;;;", "/context zzzz", "/help", "/start", "/lang en", "/nonsense", "", "   ", "<b>马新强</b>",
]


def run_bot_py(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args], capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )


# Read-only -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    ["insert into meta (key, value) values ('x', 'y')", "delete from items", "update people set name = 'x'", "create table t (x)", "drop table vocab"],
)
def test_the_bot_cannot_write_to_the_store(engine, statement):
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        engine.store.connection().execute(statement)
    assert "马新强" == engine.answer("/who 马新强").match.name


# Rebuilt while serving ------------------------------------------------------------------


@pytest.fixture(scope="module")
def extra_articles(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[list[Path], str]]:
    """Three generated articles, each with a delegate the seeds do not have:
    (the article's files, the delegate's name)."""
    from tools.corpus import generate

    directory = tmp_path_factory.mktemp("extra-articles")
    manifest = generate(directory, articles=3, seed=20250306)
    articles = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))["articles"]
    assert 3 == len(articles), manifest
    out = []
    for article in articles:
        text = directory / article["file"]
        files = [text] + [p for p in [text.with_suffix(".toml")] if p.exists()]
        out.append((files, article["people"][0]["name"]))
    return out


def version_seen(engine: Engine, names: list[str]) -> int:
    """How many of the added delegates this engine knows; added in order, so
    0 is the first store, len(names) the last. -1 when the answers are not a
    prefix (a store that never existed)."""
    known = [(answer := engine.answer(f"/who {name}")).match is not None and answer.match.name == name for name in names]
    count = sum(known)
    return count if known == [True] * count + [False] * (len(names) - count) else -1


@pytest.mark.asyncio
async def test_rebuilding_the_store_while_serving(seeds_copy, tmp_path, extra_articles):
    """Three rebuilds, each adding an article, while two threads ask the
    engine and chats ask the bot: no error anywhere, and every thread sees
    the stores in order: the old one, then the newer ones, never back."""
    db = tmp_path / "store" / "lianghui.db"
    db.parent.mkdir()
    build_store(seeds_copy, db, progress=False)
    engine = Engine(db)
    names = [name for _, name in extra_articles]
    assert 0 == version_seen(engine, names)

    stop = threading.Event()
    seen: dict[int, list[int]] = {}
    failures: list[BaseException] = []

    def ask_in_a_loop(number: int) -> None:
        history = seen.setdefault(number, [])
        try:
            while not stop.wait(0.005):  # a breath between queries, so the rebuild gets the GIL too
                history.append(version_seen(engine, names))
                engine.answer(QUERIES[len(history) % len(QUERIES)])
            history.append(version_seen(engine, names))  # once more, after the last rebuild
        except BaseException as error:  # the test reports it
            failures.append(error)

    def rebuild_three_times() -> None:
        for files, _ in extra_articles:
            for path in files:
                shutil.copy(path, seeds_copy / path.name)
            build_store(seeds_copy, db, progress=False)

    threads = [threading.Thread(target=ask_in_a_loop, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    with FakeBotAPI() as api:
        async with running_bot(api, engine, tmp_path / "state", flood_control=False) as application:
            rebuild = asyncio.create_task(asyncio.to_thread(rebuild_three_times))
            asked: dict[int, str] = {}  # chat: the delegate asked about
            while not rebuild.done():
                for name in ("马新强", names[-1]):
                    asked[9_000_000 + len(asked)] = name
                    api.push_message(f"/who {name}", user_id=9_000_000 + len(asked) - 1)
                await asyncio.sleep(0.1)
            await rebuild
            asked[9_000_000 + len(asked)] = names[-1]
            api.push_message(f"/who {names[-1]}", user_id=9_000_000 + len(asked) - 1)
            stop.set()
            for thread in threads:
                await asyncio.to_thread(thread.join)
            replies = await api.await_for(lambda: [visible_text(api.sent_messages(c)[0].text) for c in asked] if all(api.sent_messages(c) for c in asked) else None, 30)
            errors = application.bot_data["services"].stats.errors

    assert [] == failures
    assert 0 == errors
    for number, history in seen.items():
        assert -1 not in history, f"thread {number} saw a store that never existed: {history}"
        assert history == sorted(history), f"thread {number} went back to an older store: {history}"
        assert (0, len(names)) == (history[0], history[-1]), history
    about = list(asked.values())
    assert [] == [text[:40] for text, name in zip(replies, about) if name == "马新强" and not text.startswith("马新强")]
    # The bot, too, answered about the added delegate from the old store first, then from the new one.
    added = [text.startswith(names[-1]) for text, name in zip(replies, about) if name == names[-1]]
    assert added == sorted(added) and (False, True) == (added[0], added[-1]), added


# Missing or damaged, and rebuilt ---------------------------------------------------------


def damage(kind: str, path: Path, good: Path) -> None:
    rng = random.Random(kind)
    if kind == "random bytes":
        path.write_bytes(rng.randbytes(200_000))
    elif kind == "truncated":
        path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif kind == "pages overwritten":
        data = bytearray(good.read_bytes())
        start = len(data) // 3
        data[start : start + 64 * 4096] = rng.randbytes(64 * 4096)
        path.write_bytes(bytes(data))
    elif kind == "empty":
        path.write_bytes(b"")


@pytest.mark.parametrize("kind", ["missing", "random bytes", "truncated", "pages overwritten", "empty"])
def test_a_damaged_store_is_not_current(seed_db, tmp_path, kind):
    """What decides a rebuild at start-up. A store whose damaged pages no
    query has touched yet opens fine: only SQLite's page check finds it."""
    db = tmp_path / "lianghui.db"
    damage(kind, db, seed_db)
    assert store_is_current(seed_db, SEEDS)
    assert not store_is_current(db, SEEDS)


def test_a_missing_or_damaged_store_is_rebuilt_from_the_seeds(seed_db, tmp_path):
    """Through `python bot.py ask`, as a person would meet it (four at once:
    each rebuild takes a few seconds)."""
    kinds = ["missing", "random bytes", "truncated", "pages overwritten"]
    paths = {}
    for kind in kinds:
        paths[kind] = tmp_path / kind.replace(" ", "-") / "lianghui.db"
        paths[kind].parent.mkdir()
        damage(kind, paths[kind], seed_db)
    processes = {
        kind: subprocess.Popen(
            [sys.executable, str(ROOT / "bot.py"), "ask", "--json", "--db", str(path), "--seeds", str(SEEDS), "/who 马新强"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for kind, path in paths.items()
    }
    for kind, process in processes.items():
        out, err = process.communicate(timeout=180)
        assert 0 == process.returncode, (kind, err[-2000:])
        assert "Traceback" not in err, kind
        assert "马新强" == json.loads(out)["match"]["name"], kind
        with sqlite3.connect(f"file:{paths[kind]}?mode=ro", uri=True) as rebuilt:
            assert "ok" == rebuilt.execute("pragma quick_check").fetchone()[0], kind


@pytest.mark.parametrize("kind", ["missing", "random bytes", "pages overwritten"])
def test_without_seeds_a_bad_store_stops_with_one_clear_line(seed_db, tmp_path, kind):
    db = tmp_path / "lianghui.db"
    damage(kind, db, seed_db)
    done = run_bot_py("ask", "--db", str(db), "--seeds", str(tmp_path / "no-seeds-here"), "/who 马新强")
    assert 1 == done.returncode
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert 1 == len(lines), done.stderr
    assert lines[0].startswith("error: ") and "no seeds directory" in lines[0], lines[0]
    assert "" == done.stdout


def test_a_sound_store_without_its_seeds_is_used_as_it_is(seed_db, tmp_path):
    done = run_bot_py("ask", "--json", "--db", str(seed_db), "--seeds", str(tmp_path / "no-seeds-here"), "/city 成都")
    assert 0 == done.returncode, done.stderr
    assert "成都" == json.loads(done.stdout)["match"]["name"]


def test_a_store_path_with_uri_characters_opens_the_right_file(seed_db, tmp_path):
    """The store is opened through an SQLite URI; '?', '#' and '%' in a
    directory name must not cut the file name short."""
    odd = tmp_path / "two?sessions #2025 %41" / "lianghui.db"
    odd.parent.mkdir()
    shutil.copy(seed_db, odd)
    assert "马新强" == Engine(odd).answer("/who 马新强").match.name


# Concurrency -------------------------------------------------------------------------


def test_concurrent_queries_give_the_answers_serial_ones_do(seed_db):
    engine = Engine(seed_db)
    rounds = 12
    serial = {query: to_text(engine.answer(query), "zh") for query in QUERIES}
    work = [query for _ in range(rounds) for query in QUERIES]
    random.Random(5).shuffle(work)
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(lambda query: (query, to_text(engine.answer(query), "zh")), work))
    assert len(QUERIES) * rounds == len(concurrent)
    assert [] == [query for query, text in concurrent if text != serial[query]]
