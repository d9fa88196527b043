"""A full ingest shared over worker processes (bot/ingest/workers.py) writes
the store the main process alone writes, row for row; a bad seed is still
named with its file and line, and a worker that dies is a clear error, not a
hang. Each build here spawns two real workers (a second or two each)."""

from __future__ import annotations

import gc
import multiprocessing
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlite_utils
from conftest import settle

from bot.config import Settings, load_settings
from bot.errors import ConfigError, SeedError, StoreError
from bot.ingest import build, dictionary, workers
from bot.ingest.build import build_store
from bot.ingest.records import PersonRecord

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def _rows(store: Path) -> dict[str, list[tuple]]:
    """Every table's rows, the search indexes' own tables too, in a fixed order."""
    with sqlite3.connect(store) as connection:
        tables = [name for (name,) in connection.execute("select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' order by name")]
        return {table: sorted(map(repr, connection.execute(f"select * from [{table}]"))) for table in tables}


@pytest.fixture(scope="module")
def mixed_seeds(corpus: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated corpus with the project's seeds and the reader's fixtures
    (sidecars, reprints, homonyms, every layout) among its articles."""
    folder = tmp_path_factory.mktemp("mixed") / "seeds"
    shutil.copytree(corpus[0], folder)
    (folder / "manifest.json").unlink()
    for source in (SEEDS, FIXTURES):
        for path in source.iterdir():
            if path.is_file():
                shutil.copy(path, folder / path.name)
    # Both stores record the folder's stamp: a build done within two seconds of the copy would record none.
    settle(folder)
    return folder


def test_workers_write_the_store_the_main_process_writes(mixed_seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.ingest import write

    alone = build_store(mixed_seeds, tmp_path / "alone.db", progress=False, workers=0)
    # The helper that spells the people is given them a few at a time: its
    # results are joined across tasks in order, and a Latin spelling two
    # people in different tasks share is one row of reversed_keys.
    monkeypatch.setattr(write, "PEOPLE_PER_TASK", 7)
    shared = build_store(mixed_seeds, tmp_path / "shared.db", progress=False, workers=2)

    assert shared.articles == alone.articles > 100
    assert shared.items == alone.items and shared.per_person == alone.per_person
    expected, found = _rows(tmp_path / "alone.db"), _rows(tmp_path / "shared.db")
    assert found.keys() == expected.keys()
    assert [table for table in expected if found[table] != expected[table]] == []
    assert len(expected["items"]) > 1000 and expected["item_reprints"] and expected["taught"]
    people = sqlite3.connect(tmp_path / "alone.db").execute("select count(*), count(distinct pinyin), count(distinct name) from people").fetchone()
    assert people[0] > 10 * 7 and people[1] < people[0] and people[2] < people[0]  # many tasks; shared pinyin; homonyms


def _unknown_city(sidecar: str) -> str:
    return re.sub(r'city = \{ value = "[^"]+"', 'city = { value = "无此市"', sidecar, count=1)


def _person_never_named(sidecar: str) -> str:
    return sidecar + '\n[[people]]\nname = "查无此人"\n'


@pytest.mark.parametrize(
    "breakage, message",
    [
        # Read in the first pass: a city the gazetteer does not know.
        (_unknown_city, "unknown city '无此市'"),
        # Read in the second pass: a person the text never names.
        (_person_never_named, "person 查无此人 never appears"),
    ],
    ids=["first pass", "second pass"],
)
def test_a_bad_seed_read_by_a_worker_is_named_with_its_line_and_the_old_store_stands(
    mixed_seeds: Path, tmp_path: Path, breakage: Callable[[str], str], message: str
) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(mixed_seeds, seeds)
    store = tmp_path / "store.db"
    build_store(seeds, store, progress=False, workers=0)
    before = store.read_bytes()
    sidecar = seeds / "2025-03-cjrb-four-cities-innovation.toml"
    text = sidecar.read_text(encoding="utf-8")
    assert breakage(text) != text
    sidecar.write_text(breakage(text), encoding="utf-8")

    with pytest.raises(SeedError) as raised:
        build_store(seeds, store, progress=False, workers=2)

    assert raised.value.path == sidecar and raised.value.line is not None
    assert f"{sidecar}:{raised.value.line}: " in str(raised.value) and message in str(raised.value)
    assert store.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["seeds", "store.db", "store.db.built"]
    assert multiprocessing.active_children() == []


def test_the_bot_ingests_with_workers_from_a_thread_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bot builds its store off the event loop: spawned workers do not mind."""
    made: list[int] = []

    class Counted(workers.Workers):
        def __init__(self, count, *rest) -> None:
            made.append(count)
            super().__init__(count, *rest)

    monkeypatch.setattr(workers, "WORKERS_FROM_ARTICLES", 1)
    monkeypatch.setattr(workers, "load_settings", lambda: Settings(ingest_workers=2))
    monkeypatch.setattr(build, "Workers", Counted)
    reports = []
    thread = threading.Thread(target=lambda: reports.append(build_store(FIXTURES, tmp_path / "store.db", progress=False)))
    thread.start()
    thread.join(timeout=120)

    assert made == [2, 2]  # both passes
    assert reports and reports[0].articles == len(list(FIXTURES.glob("*.txt")))
    assert _rows(tmp_path / "store.db")["articles"]


def _dies(task: int) -> int:
    if task == 5:
        os._exit(3)
    return task * 2


def _ready() -> None:
    """Nothing to make ready."""


def _cannot_start() -> None:
    raise ValueError("no dictionary here")


def _first_tasks_slowest(task: int) -> int:
    time.sleep(0.2 if task < workers.ARTICLES_PER_TASK else 0)
    return -task


def test_a_worker_that_dies_is_a_clear_error_not_a_hang() -> None:
    with pytest.raises(StoreError, match="LIANGHUI_INGEST_WORKERS=1"):
        list(workers.Workers(2, _ready).in_order(_dies, range(40)))
    assert multiprocessing.active_children() == []


def test_a_worker_that_cannot_start_says_why() -> None:
    with pytest.raises(StoreError, match="an ingest worker could not start: ValueError: no dictionary here"):
        list(workers.Workers(2, _cannot_start).in_order(abs, range(40)))
    assert multiprocessing.active_children() == []


def test_results_come_in_the_order_of_the_tasks_not_of_their_ending() -> None:
    # The first chunk's tasks end last: the second worker is done with the next chunks first.
    assert list(workers.Workers(2, _ready).in_order(_first_tasks_slowest, range(40))) == [-task for task in range(40)]


def _tasks_read(into: list[int], count: int):
    for task in range(count):
        into.append(task)
        yield task


def test_work_sent_ahead_is_bounded_by_tasks_per_worker() -> None:
    read: list[int] = []
    with workers.Workers(2, _ready) as pool:
        results = pool.in_order(abs, _tasks_read(read, 1000))
        assert next(results) == 0
        assert len(read) == 2 * workers.CHUNKS_AHEAD * workers.ARTICLES_PER_TASK


def test_work_sent_ahead_is_bounded_by_its_bytes() -> None:
    # Two chunks' bytes fill what may wait, exactly: the first results are read before a third chunk is sent.
    read: list[int] = []
    with workers.Workers(2, _ready) as pool:
        results = pool.in_order(abs, _tasks_read(read, 100), size=lambda task: workers.BYTES_AHEAD // (2 * workers.ARTICLES_PER_TASK))
        assert next(results) == 0
        assert len(read) == 2 * workers.ARTICLES_PER_TASK
        assert list(results) == list(range(1, 100))


# The tasks a worker of the test below did, over its run of in_order.
_counted: list[int] = []


def _counting(task: int) -> int:
    _counted.append(task)
    time.sleep(0.001)
    return -task


def _counted_here() -> tuple[int, list[int]]:
    return os.getpid(), _counted


def test_each_worker_hands_over_what_it_kept_once_after_its_tasks() -> None:
    """from_each runs once in every worker after in_order's last result (a
    barrier keeps one worker from taking both turns), and then ends the
    workers: an ingest's linking workers hand over so the count of the words
    each cut, which each article's result no longer carries."""
    pool = workers.Workers(2, _ready)
    assert list(pool.in_order(_counting, range(200), then_each=True)) == [-task for task in range(200)]
    assert len(multiprocessing.active_children()) == 2  # kept for from_each
    kept = pool.from_each(_counted_here)
    assert len({pid for pid, _ in kept}) == 2
    assert sorted(task for _, tasks in kept for task in tasks) == list(range(200))
    assert multiprocessing.active_children() == []


def _second_starts_late(marker: str) -> None:
    """The first worker to start is ready at once, the second a second later."""
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        time.sleep(1)


def _pid() -> int:
    return os.getpid()


def test_a_worker_ready_first_takes_one_turn_of_from_each_not_both(tmp_path: Path) -> None:
    """Each worker takes one turn: the first ready waits at the barrier for
    the other, however late it starts."""
    with workers.Workers(2, _second_starts_late, (str(tmp_path / "started"),)) as pool:
        assert len(set(pool.from_each(_pid))) == 2


def _second_cannot_start(marker: str) -> None:
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        raise ValueError("no dictionary here") from None


def test_a_worker_that_cannot_start_says_why_in_from_each_without_a_wait(tmp_path: Path) -> None:
    """A worker that could not start breaks the barrier: the other stops
    waiting for it, and the error is its own, not the other's wait."""
    started = time.monotonic()
    with pytest.raises(StoreError, match="an ingest worker could not start: ValueError: no dictionary here"):
        workers.Workers(2, _second_cannot_start, (str(tmp_path / "started"),)).from_each(_pid)
    assert time.monotonic() - started < workers.BARRIER_SECONDS / 10
    assert multiprocessing.active_children() == []


def _marked(task: tuple[str, int]) -> int:
    folder, number = task
    Path(folder, str(number)).touch()
    return -number


def test_work_sent_now_is_done_before_its_results_are_read(tmp_path: Path) -> None:
    """sent_now sends every task before it returns: the worker works while
    the caller does something else (an ingest ranks its items while a
    helper reads the people's names), and the results come in order."""
    with workers.Workers(1, _ready) as pool:
        results = pool.sent_now(_marked, ((str(tmp_path), number) for number in range(30)))
        deadline = time.monotonic() + 60
        while len(list(tmp_path.iterdir())) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(list(tmp_path.iterdir())) == 30
        assert list(results) == [-number for number in range(30)]
    assert multiprocessing.active_children() == []


def test_a_helper_that_dies_is_a_clear_error_not_a_hang() -> None:
    results = workers.Workers(1, _ready).sent_now(_dies, range(10))
    with pytest.raises(StoreError, match="LIANGHUI_INGEST_WORKERS=1"):
        list(results)
    assert multiprocessing.active_children() == []


def test_a_helper_spells_the_people_the_main_process_spells(tmp_path: Path) -> None:
    """The people's spellings a helper process makes for the build's end
    (their first readings and syllables, in the people's order, and their
    names and typo_keys rows, written to the spelling file and copied into
    the store) are the ones person_spelling makes in the main process; the
    reversed keys and characters' readings it writes too are the ones
    finish would."""
    from bot.ingest import phonetics, write

    names = ("马新强", "欧阳一伟", "单雄", "曾静", "阿不都·热合曼", "王行环")
    everyone = [PersonRecord(name, aliases=["Ma Xinqiang", "马总"] if name == "马新强" else []) for name in names]
    spelling_file = tmp_path / "spelt.db"
    store = sqlite_utils.Database(tmp_path / "store.db")
    for table in write.HELPER_TABLES:
        store.execute(write.table_ddl(table))
    with write.spelt_apart(store, everyone, spelling_file) as readings:
        assert readings is not None
        helped = list(readings)
    assert multiprocessing.active_children() == []
    here = [write.person_spelling(record, record.id, None, phonetics) for record in everyone]
    assert helped == [(spelling.readings[0], spelling.syllables) for spelling in here]
    # The helper's rows, copied into the store when the block ended.
    for table, field in (("names", "keys"), ("typo_keys", "typos")):
        written = list(store[table].rows)
        made = [row for spelling in here for row in getattr(spelling, field)]
        assert len(written) == len(made) > len(everyone)
        assert sorted(map(repr, map(sorted, map(dict.items, written)))) == sorted(map(repr, map(sorted, map(dict.items, made))))
    # And the reversed_keys of their Latin spellings, and each character's readings, which finish writes where there is no helper.
    made = write.reversed_keys(row["key"] for spelling in here for row in spelling.keys if row["strength"] >= write.MEDIUM)
    assert {row["reversed"] for row in store["reversed_keys"].rows} == made and made
    assert list(store["chars"].rows_where(order_by="char")) == sorted(phonetics.char_rows(), key=lambda row: row["char"])


def test_no_one_to_spell_starts_no_helper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.ingest import write

    monkeypatch.setattr(write, "Workers", None)  # calling it would fail
    with write.spelt_apart(sqlite_utils.Database(tmp_path / "store.db"), [], tmp_path / "spelt.db") as readings:
        assert readings is None
        assert multiprocessing.active_children() == []


def test_leaving_early_ends_the_workers() -> None:
    with workers.Workers(2, _ready) as pool:
        results = pool.in_order(abs, range(1000))
        assert next(results) == 0
        assert len(multiprocessing.active_children()) == 2
    assert multiprocessing.active_children() == []


STUCK = """
import os, time
from bot.ingest.workers import Workers

def ready():
    pass

def stuck(task):
    # One write of the whole line: print's two (the number, then the end of
    # line) from both workers could interleave as "12\\n34\\n" or "1234\\n\\n".
    os.write(1, f"{os.getpid()}\\n".encode())
    time.sleep(600)

if __name__ == "__main__":
    with Workers(2, ready) as workers:
        list(workers.in_order(stuck, range(16)))
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; who reaps it is not the test's business


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_end_when_the_main_process_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "stuck.py"
    script.write_text(STUCK, encoding="utf-8")
    main = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        pids = {int(main.stdout.readline()) for _ in range(2)}
        assert all(map(_alive, pids))
    finally:
        main.kill()
        main.wait()
    deadline = time.monotonic() + 20
    while any(map(_alive, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_alive, pids))


def test_a_taught_tokenizer_is_made_again_the_same() -> None:
    """What a worker's tokenizer is taught (build.taught_tokenizer) gives
    the dictionary and total of the main process's, which _teach taught:
    each taught word's frequency and its prefixes'."""
    people = {name: PersonRecord(name) for name in ("罗卫东", "王行环", "宋朝学", "马新强")}
    taught_here = dictionary.words().tokenizer()
    taught = build._teach(taught_here, people, ["六小龙", "新质生产力"])
    again = build.taught_tokenizer(taught, taught_here.total)
    pieces = {word[:end] for word in taught for end in range(1, len(word) + 1)}

    assert again.total == taught_here.total
    assert {piece: again.FREQ[piece] for piece in pieces} == {piece: taught_here.FREQ[piece] for piece in pieces}
    assert again.FREQ["罗卫东"] >= 1000 and again.FREQ["罗卫"] == 0
    assert again.user_word_tag_tab == taught_here.user_word_tag_tab
    assert again.lcut("罗卫东说六小龙") == taught_here.lcut("罗卫东说六小龙") == ["罗卫东", "说", "六小龙"]


def test_an_ingest_collects_less_often_and_then_as_before() -> None:
    before = gc.get_threshold()
    seen: list[tuple[int, ...]] = []
    with workers.fewer_collections():
        seen.append(gc.get_threshold())
    assert seen == [workers.COLLECTION_THRESHOLDS] != [before]
    assert gc.get_threshold() == before
    with pytest.raises(ZeroDivisionError), workers.fewer_collections():
        1 / 0
    assert gc.get_threshold() == before


def test_how_many_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1, 2})
    monkeypatch.setattr(workers, "available_memory", lambda: 8 * workers.WORKER_MEMORY)
    monkeypatch.setattr(workers, "load_settings", lambda: Settings())
    assert workers.worker_count(workers.WORKERS_FROM_ARTICLES - 1) == 0
    assert workers.worker_count(workers.WORKERS_FROM_ARTICLES) == 3
    # Free memory for two workers: two, however many processors; for one: none.
    monkeypatch.setattr(workers, "available_memory", lambda: 2 * workers.WORKER_MEMORY + 1)
    assert workers.worker_count(10_000) == 2
    monkeypatch.setattr(workers, "available_memory", lambda: 2 * workers.WORKER_MEMORY - 1)
    assert workers.worker_count(10_000) == 0
    monkeypatch.setattr(workers, "load_settings", lambda: Settings(ingest_workers=4))
    assert workers.worker_count(10_000) == 4
    monkeypatch.setattr(workers, "load_settings", lambda: Settings(ingest_workers=1))
    assert workers.worker_count(10_000) == 0


@pytest.mark.skipif(not Path("/proc/meminfo").exists(), reason="reads /proc/meminfo")
def test_free_memory_is_read_from_the_system() -> None:
    line = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemAvailable:"))
    assert abs(workers.available_memory() - int(line.split()[1]) * 1024) < 200 * 1_000_000


@pytest.mark.parametrize("value", ["0", "-2", "two", "33", "1.5", "²", "٣"])
def test_a_bad_worker_count_is_refused(value: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="LIANGHUI_INGEST_WORKERS"):
        load_settings(env_file=tmp_path / "none", environ={"LIANGHUI_INGEST_WORKERS": value})


def test_a_worker_count_is_read(tmp_path: Path) -> None:
    assert load_settings(env_file=tmp_path / "none", environ={"LIANGHUI_INGEST_WORKERS": "3"}).ingest_workers == 3
    assert load_settings(env_file=tmp_path / "none", environ={}).ingest_workers is None


def test_a_linked_article_is_sent_back_as_its_fields_and_comes_back_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a linking worker sends back (a LinkedArticle and its LinkedItems)
    pickles as its class and its fields in order, made again by __init__,
    and unpickles equal to what was sent, over the fixture articles."""
    import pickle

    from bot.ingest import write

    monkeypatch.setattr(build, "_linker", None)
    build._start_linking({"罗卫东": (1000, "nr", "person")}, dictionary.words().total + 1000, {"罗卫东", "王行环", "马新强"})
    fixtures = sorted((Path(__file__).parent / "fixtures" / "articles").glob("*.txt"))
    linked = [build._link_in_worker((pickle.dumps(article), {})) for article in build.read_articles(fixtures)]
    items = [item for article in linked for item in article.items]
    assert len(linked) == len(fixtures) and len(items) > 100
    assert items[0].__reduce__() == (write.LinkedItem, tuple(getattr(items[0], name) for name in write.LinkedItem.__slots__))
    assert [pickle.loads(pickle.dumps(article, pickle.HIGHEST_PROTOCOL)) for article in linked] == linked
