"""A full ingest shared over worker processes (bot/ingest/workers.py) writes
the store the main process alone writes, row for row; a bad seed is still
named with its file and line, and a worker that dies is a clear error, not a
hang. Each build here spawns two real workers (a second or two each)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.errors import ConfigError, SeedError, StoreError
from bot.ingest import workers
from bot.ingest.build import build_store

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


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
    return folder


def test_workers_write_the_store_the_main_process_writes(mixed_seeds: Path, tmp_path: Path) -> None:
    alone = build_store(mixed_seeds, tmp_path / "alone.db", progress=False, workers=0)
    shared = build_store(mixed_seeds, tmp_path / "shared.db", progress=False, workers=2)

    assert shared.articles == alone.articles > 100
    assert shared.items == alone.items and shared.per_person == alone.per_person
    expected, found = _rows(tmp_path / "alone.db"), _rows(tmp_path / "shared.db")
    assert found.keys() == expected.keys()
    assert [table for table in expected if found[table] != expected[table]] == []
    assert len(expected["items"]) > 1000 and expected["item_reprints"] and expected["taught"]


def test_a_bad_seed_read_by_a_worker_is_named_with_its_line_and_the_old_store_stands(mixed_seeds: Path, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(mixed_seeds, seeds)
    store = tmp_path / "store.db"
    build_store(seeds, store, progress=False, workers=0)
    before = store.read_bytes()
    sidecar = next(path for path in sorted(seeds.glob("*.toml")))
    sidecar.write_text(sidecar.read_text(encoding="utf-8") + "\n[[people]]\nname = \"查无此人\"\n", encoding="utf-8")

    with pytest.raises(SeedError) as raised:
        build_store(seeds, store, progress=False, workers=2)

    assert raised.value.path == sidecar and raised.value.line is not None
    assert f"{sidecar}:{raised.value.line}: person 查无此人 never appears" in str(raised.value)
    assert store.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["seeds", "store.db", "store.db.built"]


def _dies(task: int) -> int:
    if task == 5:
        os._exit(3)
    return task * 2


def _ready() -> None:
    """Nothing to make ready."""


def test_a_worker_that_dies_is_a_clear_error_not_a_hang() -> None:
    with pytest.raises(StoreError, match="LIANGHUI_INGEST_WORKERS=1"):
        list(workers.in_order(_dies, range(40), 2, _ready))


def test_results_come_in_the_order_of_the_tasks() -> None:
    assert list(workers.in_order(abs, range(0, -100, -1), 2, _ready)) == list(range(100))


def test_how_many_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    assert workers.worker_count(workers.WORKERS_FROM_ARTICLES - 1, configured=4) == 0
    assert workers.worker_count(workers.WORKERS_FROM_ARTICLES, configured=4) == 4
    assert workers.worker_count(10_000, configured=1) == 0
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1, 2})
    monkeypatch.setattr(workers, "available_memory", lambda: 8 * workers.WORKER_MEMORY)
    monkeypatch.setattr(workers, "load_settings", lambda: Settings())
    assert workers.worker_count(10_000) == 3
    # Free memory for two workers: two, however many processors; for one: none.
    monkeypatch.setattr(workers, "available_memory", lambda: 2 * workers.WORKER_MEMORY + 1)
    assert workers.worker_count(10_000) == 2
    monkeypatch.setattr(workers, "available_memory", lambda: 2 * workers.WORKER_MEMORY - 1)
    assert workers.worker_count(10_000) == 0
    monkeypatch.setattr(workers, "load_settings", lambda: Settings(ingest_workers=1))
    assert workers.worker_count(10_000) == 0


def test_free_memory_is_read() -> None:
    assert workers.available_memory() > 0


@pytest.mark.parametrize("value", ["0", "-2", "two", "33", "1.5"])
def test_a_bad_worker_count_is_refused(value: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="LIANGHUI_INGEST_WORKERS"):
        load_settings(env_file=tmp_path / "none", environ={"LIANGHUI_INGEST_WORKERS": value})


def test_a_worker_count_is_read(tmp_path: Path) -> None:
    assert load_settings(env_file=tmp_path / "none", environ={"LIANGHUI_INGEST_WORKERS": "3"}).ingest_workers == 3
    assert load_settings(env_file=tmp_path / "none", environ={}).ingest_workers is None
