"""The store under a bad disk and bad hands (issue 14, rows 5, 6, 7, 8, 9), and
the seed-freshness check at any number of articles (issue 12).

A full disk and a read-only file system are made for real, in a private mount
namespace (``unshare``) with a small tmpfs; where the machine cannot do that,
those tests are skipped and say why."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.ingest.build import build_store, remove_leftovers
from bot.ingest.freshness import folder_stamp, seeds_fingerprint, seeds_unchanged, store_is_current
from conftest import ROOT, SEEDS, bot_py


def _can_unshare() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-Urm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"], capture_output=True)
    return probe.returncode == 0


needs_mounts = pytest.mark.skipif(not _can_unshare(), reason="needs unshare -Urm and tmpfs mounts (user namespaces)")


def _in_namespace(script: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run a shell script in a private mount namespace, as its root."""
    env = {key: value for key, value in os.environ.items() if key != "TELEGRAM_BOT_TOKEN"}
    return subprocess.run(["unshare", "-Urm", "sh", "-ec", script], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env)


def _damaged_copy(good: Path, target: Path) -> None:
    """The store with every 7th page overwritten: it opens, and fails mid-answer."""
    data = bytearray(good.read_bytes())
    page = 4096
    rng = random.Random(7)
    for start in range(page * 7, len(data), page * 7):
        data[start : start + page] = rng.randbytes(page)
    target.write_bytes(bytes(data))


# Row 5: a damaged store swapped in under a running bot ------------------------------------


def test_a_damaged_store_moved_in_is_refused_and_the_old_one_answers(seed_db: Path, tmp_path: Path, caplog) -> None:
    db = tmp_path / "lianghui.db"
    shutil.copy(seed_db, db)
    engine = Engine(db)
    assert "马新强" == engine.answer("/who 马新强").match.name
    damaged = tmp_path / "damaged.db"
    _damaged_copy(seed_db, damaged)
    os.replace(damaged, db)  # `mv` in a copy, as the probe did
    with caplog.at_level(logging.WARNING, logger="bot.engine.store"):
        answers = [engine.answer(query) for query in ["/who 马新强", "/city 武汉", "/topic 人才", "光电子"] * 5]
    assert all(answer.items for answer in answers)
    assert "马新强" == answers[0].match.name
    assert 1 == sum("not switching" in record.getMessage() for record in caplog.records)
    # A sound store put back is picked up on the next query.
    shutil.copy(seed_db, tmp_path / "good.db")
    os.replace(tmp_path / "good.db", db)
    generation = engine.store.generation
    assert "马新强" == engine.answer("/who 马新强").match.name
    assert generation + 1 == engine.store.generation


# Row 6: a damaged store is never rebuilt from other seeds unasked -------------------------------


def test_without_seeds_a_damaged_store_asks_before_a_rebuild_from_the_default_seeds(seed_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "lianghui.db"
    data = bytearray(seed_db.read_bytes())
    data[:100] = b"\x00" * 100  # the header overwritten: it cannot say which seeds it came from
    db.write_bytes(bytes(data))
    result = bot_py("ask", "--db", str(db), "/who 马新强")
    assert 1 == result.returncode
    lines = result.stderr.splitlines()
    assert 1 == len(lines), result.stderr
    assert "damaged" in lines[0] and str(SEEDS) in lines[0] and f"lianghui-bot ingest --seeds {SEEDS} --db {db}" in lines[0]
    assert bytes(data) == db.read_bytes()


# Row 7: one line, no traceback --------------------------------------------------------------------


def test_a_store_path_that_is_a_folder_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "lianghui.db"
    folder.mkdir()
    for command in (["ingest", "--seeds", str(SEEDS)], ["ask", "--seeds", str(SEEDS), "/who 马新强"], ["ask", "/who 马新强"]):
        result = bot_py(*command, "--db", str(folder))
        assert 1 == result.returncode, command
        assert [f"error: the store path {folder} is a folder; give --db (or LIANGHUI_DB) a file name, e.g. {folder / 'lianghui.db'}"] == result.stderr.splitlines()


@needs_mounts
def test_a_read_only_store_folder_is_one_line_and_ask_answers_from_the_old_store(seed_db: Path, seeds_copy: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    (seeds_copy / "web_article.txt").write_text((ROOT / "tests/fixtures/web_article.txt").read_text(encoding="utf-8"), encoding="utf-8")
    done = _in_namespace(
        f"mount -t tmpfs tmpfs {store}; cp {seed_db} {store}/lianghui.db; mount -o remount,ro {store}\n"
        f"{sys.executable} bot.py ingest --seeds {seeds_copy} --db {store}/lianghui.db 2> {tmp_path}/ingest.err || echo $? > {tmp_path}/ingest.rc\n"
        f"{sys.executable} bot.py ask --json --seeds {seeds_copy} --db {store}/lianghui.db '/who 马新强' > {tmp_path}/ask.out 2> {tmp_path}/ask.err\n"
    )
    assert 0 == done.returncode, done.stderr
    ingest = (tmp_path / "ingest.err").read_text(encoding="utf-8").splitlines()
    assert "1" == (tmp_path / "ingest.rc").read_text().strip()
    assert 1 == len(ingest) and "Read-only file system" in ingest[0] and "the old store is unchanged" in ingest[0], ingest
    ask_err = (tmp_path / "ask.err").read_text(encoding="utf-8")
    assert "Traceback" not in ask_err and "answering from the store as it is" in ask_err
    assert "马新强" == json.loads((tmp_path / "ask.out").read_text(encoding="utf-8"))["match"]["name"]


def test_an_immutable_store_file_is_one_line(seed_db: Path, seeds_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "lianghui.db"
    shutil.copy(seed_db, db)
    if subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i needs CAP_LINUX_IMMUTABLE")
    try:
        result = bot_py("ingest", "--seeds", str(seeds_copy), "--db", str(db))
    finally:
        subprocess.run(["chattr", "-i", str(db)], check=True)
    assert 1 == result.returncode
    lines = result.stderr.splitlines()
    assert 1 == len(lines) and lines[0].startswith(f"error: cannot write the store {db}: Operation not permitted"), result.stderr
    assert [] == list(tmp_path.glob("*.tmp"))


# Row 8: a full disk says so, and ask answers from the sound old store ----------------------------------


@needs_mounts
def test_a_full_disk_says_so_and_ask_answers_from_the_old_store(seed_db: Path, seeds_copy: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    # Room for the old store and a little more: not for a second one beside it.
    size_kb = seed_db.stat().st_size // 1024 + 256
    (seeds_copy / "web_article.txt").write_text((ROOT / "tests/fixtures/web_article.txt").read_text(encoding="utf-8"), encoding="utf-8")
    done = _in_namespace(
        f"mount -t tmpfs -o size={size_kb}k tmpfs {store}; cp {seed_db} {store}/lianghui.db\n"
        f"{sys.executable} bot.py ingest --seeds {seeds_copy} --db {store}/lianghui.db 2> {tmp_path}/ingest.err || echo $? > {tmp_path}/ingest.rc\n"
        f"{sys.executable} bot.py ask --json --seeds {seeds_copy} --db {store}/lianghui.db '/who 马新强' > {tmp_path}/ask.out 2> {tmp_path}/ask.err || echo $? > {tmp_path}/ask.rc\n"
        f"ls -a {store} > {tmp_path}/left\n"
    )
    assert 0 == done.returncode, done.stderr
    ingest = (tmp_path / "ingest.err").read_text(encoding="utf-8").splitlines()
    assert "1" == (tmp_path / "ingest.rc").read_text().strip()
    assert 1 == len(ingest) and "the disk is full" in ingest[0] and "damaged" not in ingest[0], ingest
    assert not (tmp_path / "ask.rc").exists(), (tmp_path / "ask.err").read_text()
    assert "the disk is full" in (tmp_path / "ask.err").read_text(encoding="utf-8")
    assert "马新强" == json.loads((tmp_path / "ask.out").read_text(encoding="utf-8"))["match"]["name"]
    assert [] == [name for name in (tmp_path / "left").read_text().split() if name.endswith(".tmp")]


# Row 9: leftovers of a killed ingest ------------------------------------------------------------------


def test_the_next_ingest_removes_a_killed_ingests_temporary_files(tmp_path: Path) -> None:
    db = tmp_path / "lianghui.db"
    leftover = tmp_path / "lianghui.db.k1ll3d.tmp"
    leftover.write_bytes(b"\x00" * 1_000_000)
    marker = tmp_path / "lianghui.db.built.tmp"
    marker.write_text("1 2 3", encoding="ascii")
    in_progress = tmp_path / "lianghui.db.running.tmp"
    in_progress.write_bytes(b"")
    other = tmp_path / "notes.tmp"
    other.write_bytes(b"")
    with open(in_progress, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a build still running holds its file
        assert {leftover, marker} == set(remove_leftovers(db))
    assert in_progress.exists() and other.exists()
    leftover.write_bytes(b"\x00")
    build_store(SEEDS, db, progress=False)  # the lock is released now: that build is over too
    assert {"lianghui.db", "lianghui.db.built", "notes.tmp"} == {path.name for path in tmp_path.iterdir()}


# Issue 12: freshness at any number of articles ----------------------------------------------------------


@pytest.fixture
def settled_seeds(seeds_copy: Path) -> Path:
    """Seeds whose folder last changed a minute ago: its time can be trusted."""
    past = seeds_copy.stat().st_mtime - 60
    os.utime(seeds_copy, (past, past))
    return seeds_copy


def test_an_unchanged_folder_is_not_listed(settled_seeds: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorded = seeds_fingerprint(settled_seeds)
    assert not recorded.startswith("-")

    import bot.ingest.freshness

    scandir = os.scandir

    def no_listing(folder):
        if Path(folder) == settled_seeds:
            raise AssertionError("the seeds were listed")
        return scandir(folder)

    monkeypatch.setattr(bot.ingest.freshness.os, "scandir", no_listing)
    assert seeds_unchanged(recorded, settled_seeds)
    # The control: a changed folder is listed.
    (settled_seeds / "new.txt").write_text("标题\n正文。\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="listed"):
        seeds_unchanged(recorded, settled_seeds)


def test_a_lock_file_coming_and_going_does_not_make_the_store_stale(settled_seeds: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    build_store(settled_seeds, db, progress=False)
    past = settled_seeds.stat().st_mtime
    (settled_seeds / ".#x.txt").symlink_to("user@host.1:1")
    (settled_seeds / ".#x.txt").unlink()
    assert past != settled_seeds.stat().st_mtime
    assert store_is_current(db, settled_seeds)
    shutil.copy(ROOT / "tests/fixtures/web_article.txt", settled_seeds)
    assert not store_is_current(db, settled_seeds)


def test_a_folder_changed_just_now_is_not_trusted(seeds_copy: Path) -> None:
    (seeds_copy / "new.txt").write_text("标题\n正文。\n", encoding="utf-8")
    assert "-" == folder_stamp(seeds_copy)
