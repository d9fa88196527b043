"""When the store is rebuilt (bot/store.py store_is_current, bot/ingest.py).

Every command but ``ingest`` builds the store when it is missing, unreadable
or older than its seeds, so a first ``ask`` works on a fresh checkout and an
edited seed is picked up without a manual step.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.ingest import freshness
from bot.ingest.build import build_store
from bot.ingest.freshness import built_marker, mark_built, recorded_seeds_dir, store_is_current
from conftest import FIXTURES, ROOT, SEEDS, bot_py, settle


def test_a_missing_store_is_not_current(tmp_path: Path) -> None:
    assert not store_is_current(tmp_path / "absent.db", SEEDS)


def test_a_corrupt_file_is_not_current(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.db"
    path.write_bytes(random.Random(7).randbytes(8192))
    assert not store_is_current(path, SEEDS)


def test_the_seed_store_is_current_for_its_seeds(seed_db: Path) -> None:
    """The control for the tests around it: the same store, the same seeds."""
    assert store_is_current(seed_db, SEEDS)


def test_a_store_built_from_other_seeds_is_not_current(seed_db: Path, tmp_path: Path) -> None:
    other = tmp_path / "other-seeds"
    other.mkdir()
    shutil.copy(FIXTURES / "web_article.txt", other)
    assert not store_is_current(seed_db, other)


def test_a_seed_saved_anew_makes_the_store_stale(seeds_copy: Path, tmp_path: Path) -> None:
    """Saved as editors save (a new file renamed over the old), which changes
    the folder: the freshness check looks at the folder, not at every file."""
    path = tmp_path / "store.db"
    build_store(seeds_copy, path, progress=False)
    assert store_is_current(path, seeds_copy)
    save_anew(next(seeds_copy.glob("*.txt")))
    assert not store_is_current(path, seeds_copy)


def test_data_files_count_by_content_not_time(seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another checkout of the same version has the same data files with new
    times: its store stays current. A changed word in them makes it stale."""
    data = tmp_path / "data"
    shutil.copytree(freshness.DATA, data)
    monkeypatch.setattr(freshness, "DATA", data)
    path = tmp_path / "store.db"
    build_store(seeds_copy, path, progress=False)
    assert store_is_current(path, seeds_copy)
    topics = data / "topics.toml"
    later = topics.stat().st_mtime_ns + 60 * 10**9
    os.utime(topics, ns=(later, later))
    assert store_is_current(path, seeds_copy)
    topics.write_text(topics.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert not store_is_current(path, seeds_copy)


def save_anew(seed: Path) -> None:
    """Save a seed with a line added, as editors do: a new file renamed over it."""
    saved = seed.with_name(seed.name + ".new")
    saved.write_text(seed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    os.replace(saved, seed)


def test_ask_builds_the_store_on_first_use(tmp_path: Path) -> None:
    db = tmp_path / "new" / "lianghui.db"
    result = subprocess.run(
        [sys.executable, "bot.py", "ask", "--db", str(db), "--seeds", str(SEEDS), "马新强"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert 0 == result.returncode, result.stderr
    assert db.exists()
    assert store_is_current(db, SEEDS)
    assert "马新强" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.fixture
def twenty_articles(corpus: tuple[Path, dict], tmp_path: Path) -> Path:
    """Enough articles for a progress bar to be worth showing on a terminal."""
    directory, manifest = corpus
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for article in manifest["articles"][:20]:
        for path in directory.glob(Path(article["file"]).stem + ".*"):
            shutil.copy(path, seeds)
    return seeds


def test_no_progress_bar_when_stderr_is_not_a_terminal(
    twenty_articles: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_store(twenty_articles, tmp_path / "quiet.db", progress=None)
    assert "" == capsys.readouterr().err
    # The control: asked for, the bar does print, so the silence above means something.
    build_store(twenty_articles, tmp_path / "loud.db", progress=True)
    assert "article" in capsys.readouterr().err


# Without --seeds: the store's own seeds ------------------------------------------


@pytest.fixture
def other_store(tmp_path: Path) -> tuple[Path, Path]:
    """A store built from seeds other than the default ones: the web article alone."""
    seeds = tmp_path / "other-seeds"
    seeds.mkdir()
    shutil.copy(FIXTURES / "web_article.txt", seeds)
    db = tmp_path / "store" / "other.db"
    build_store(seeds, db, progress=False)
    return seeds, db


def _people(db: Path) -> set[str]:
    connection = sqlite3.connect(db)
    try:
        return {name for (name,) in connection.execute("select name from people")}
    finally:
        connection.close()


def test_the_store_records_the_absolute_seeds_directory(other_store: tuple[Path, Path]) -> None:
    seeds, db = other_store
    assert seeds.resolve() == recorded_seeds_dir(db)
    assert seeds.resolve().is_absolute()


def test_without_seeds_a_store_built_from_other_seeds_is_kept(other_store: tuple[Path, Path]) -> None:
    seeds, db = other_store
    before = (db.stat().st_ino, _people(db))
    result = bot_py("ask", "--db", str(db), "柯云舟")
    assert 0 == result.returncode, result.stderr
    assert result.stdout.startswith("柯云舟"), result.stdout
    assert "Building" not in result.stderr
    # A rebuild writes a new file and renames it into place.
    assert before == (db.stat().st_ino, _people(db))


def test_without_seeds_a_stale_store_is_rebuilt_from_its_own_seeds(other_store: tuple[Path, Path]) -> None:
    seeds, db = other_store
    save_anew(seeds / "web_article.txt")
    result = bot_py("ask", "--db", str(db), "柯云舟")
    assert 0 == result.returncode, result.stderr
    assert f"from {seeds.resolve()}" in result.stderr
    assert store_is_current(db, seeds)
    assert {"柯云舟", "闻晓岚", "钟北辰", "童若溪"} == _people(db)


def test_without_seeds_a_sound_store_whose_seeds_are_gone_is_used_as_it_is(other_store: tuple[Path, Path]) -> None:
    seeds, db = other_store
    shutil.rmtree(seeds)
    before = db.read_bytes()
    result = bot_py("ask", "--db", str(db), "柯云舟")
    assert 0 == result.returncode, result.stderr
    assert result.stdout.startswith("柯云舟"), result.stdout
    assert before == db.read_bytes()


def test_seeds_set_in_the_environment_count_as_seeds_given(other_store: tuple[Path, Path]) -> None:
    """LIANGHUI_SEEDS names the seeds as --seeds does: the store follows them."""
    _, db = other_store
    result = bot_py("ask", "--db", str(db), "马新强", LIANGHUI_SEEDS=str(SEEDS))
    assert 0 == result.returncode, result.stderr
    assert result.stdout.startswith("马新强"), result.stdout
    assert SEEDS.resolve() == recorded_seeds_dir(db)


def test_without_seeds_a_missing_store_is_built_from_the_default_seeds(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    assert recorded_seeds_dir(db) is None
    result = bot_py("ask", "--db", str(db), "马新强")
    assert 0 == result.returncode, result.stderr
    assert SEEDS.resolve() == recorded_seeds_dir(db)
    assert "马新强" in _people(db)


# The page check at start-up ------------------------------------------------------


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL statement store_is_current runs."""
    import bot.ingest.freshness

    executed: list[str] = []
    connect = sqlite3.connect

    def traced(*args, **kwargs) -> sqlite3.Connection:
        connection = connect(*args, **kwargs)
        connection.set_trace_callback(executed.append)
        return connection

    monkeypatch.setattr(bot.ingest.freshness.sqlite3, "connect", traced)
    return executed


def test_the_file_ingest_wrote_is_not_page_checked_again(seed_db: Path, statements: list[str]) -> None:
    """Reading every page costs about 0.1 s on a 1,000-article store, on
    every one-shot start: the file ingest wrote and recorded is sound."""
    assert store_is_current(seed_db, SEEDS)
    assert statements, "the trace saw nothing"
    assert not any("quick_check" in sql for sql in statements)


def test_any_other_file_is_page_checked(seed_db: Path, tmp_path: Path, statements: list[str]) -> None:
    copy = tmp_path / "copy.db"
    shutil.copy(seed_db, copy)
    assert store_is_current(copy, SEEDS)
    assert any("quick_check" in sql for sql in statements)


def test_a_rebuilt_store_is_recorded_anew(seeds_copy: Path, tmp_path: Path, statements: list[str]) -> None:
    db = tmp_path / "store.db"
    build_store(seeds_copy, db, progress=False)
    first = built_marker(db).read_text(encoding="ascii")
    build_store(seeds_copy, db, progress=False)
    assert first != built_marker(db).read_text(encoding="ascii")
    assert store_is_current(db, seeds_copy)
    assert not any("quick_check" in sql for sql in statements)
    # Written over in place, the file is no longer the one recorded.
    data = bytearray(db.read_bytes())
    data[len(data) // 3 : len(data) // 3 + 64 * 4096] = random.Random(3).randbytes(64 * 4096)
    db.write_bytes(bytes(data))
    assert not store_is_current(db, seeds_copy)


def _recorded_stamp(db: Path) -> str:
    connection = sqlite3.connect(db)
    try:
        return connection.execute("select value from meta where key = 'seeds_fingerprint'").fetchone()[0].partition(" ")[0]
    finally:
        connection.close()


def test_a_stamp_too_fresh_to_trust_is_renewed_once_the_folder_settles(seeds_copy: Path, tmp_path: Path, statements: list[str]) -> None:
    """Ingest right after the seeds folder changed (an add, a fresh copy)
    records no stamp ("-"): every check then compares every file (0.7 s at
    10,000 articles). The first check that finds the files unchanged, once the
    folder is old enough to trust, records its stamp, and the store stays the
    file ingest wrote (no page check)."""
    db = _recorded_too_fresh(seeds_copy, tmp_path)
    assert store_is_current(db, seeds_copy)
    assert "-" != _recorded_stamp(db)
    statements.clear()
    assert store_is_current(db, seeds_copy)
    assert not any("quick_check" in sql for sql in statements)
    shutil.copy(FIXTURES / "web_article.txt", seeds_copy)
    assert not store_is_current(db, seeds_copy)


def _recorded_too_fresh(seeds: Path, tmp_path: Path) -> Path:
    """A store whose ingest found the seeds folder too fresh to trust, as an
    add does, with the folder settled since."""
    db = tmp_path / "store.db"
    build_store(seeds, db, progress=False)
    connection = sqlite3.connect(db)
    with connection:
        connection.execute("update meta set value = '-' || substr(value, instr(value, ' ')) where key = 'seeds_fingerprint'")
    connection.close()
    mark_built(db)
    settle(seeds)
    assert "-" == _recorded_stamp(db)
    return db


def test_a_store_busy_with_a_change_keeps_its_stamp_and_stays_current(seeds_copy: Path, tmp_path: Path) -> None:
    """The check never waits for an add in progress: it renews another time."""
    db = _recorded_too_fresh(seeds_copy, tmp_path)
    writer = sqlite3.connect(db)
    writer.execute("begin immediate")
    try:
        assert store_is_current(db, seeds_copy)
    finally:
        writer.rollback()
        writer.close()
    assert "-" == _recorded_stamp(db)
