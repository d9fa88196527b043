"""Shared fixtures: real stores built from real seeds with a real jieba.

Building a store takes a couple of seconds, so the seed store and the
generated corpus store are built once per session; tests that change seeds
build their own under ``tmp_path``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BLNS = ROOT.parent / "shared" / "testdata" / "blns.json"
# A generated corpus small enough for every test run, big enough to hold thousands of items.
CORPUS_ARTICLES = 120
CORPUS_SEED = 20250305

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def bot_py(*args: str, stdin: str | None = None, timeout: float = 120, **settings: str) -> subprocess.CompletedProcess[str]:
    """Run ``python bot.py ARGS`` as a person would, without a Telegram token,
    with the environment settings given (LIANGHUI_SEEDS=…)."""
    env = {key: value for key, value in os.environ.items() if key != "TELEGRAM_BOT_TOKEN"} | settings
    return subprocess.run(
        [sys.executable, "bot.py", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=timeout,
    )


def fixture_paragraphs() -> list[str]:
    """Every paragraph of the fixture articles, as ingest rebuilds them."""
    from bot.ingest.build import read_articles

    return [paragraph.text for article in read_articles(sorted((FIXTURES / "articles").glob("*.txt"))) for paragraph in article.layout.paragraphs]


def settle(folder: Path) -> None:
    """Date the folder's last change ten seconds back, as if that much time had
    passed: a store built from it just now recorded no stamp ("-", too fresh
    to trust), and the next freshness check would record one, changing the
    store's bytes (bot/ingest/freshness.py _record_fingerprint)."""
    settled = folder.stat().st_mtime_ns - 10 * 10**9
    os.utime(folder, ns=(settled, settled))


def store_of_seeds(tmp_path: Path, seeds: dict[str, str]) -> Path:
    """The store built at tmp_path/store.db from a seeds folder of these
    files (name: text), written first into tmp_path/seeds."""
    from bot.ingest.build import build_store

    folder = tmp_path / "seeds"
    folder.mkdir()
    for name, text in seeds.items():
        (folder / name).write_text(text, encoding="utf-8")
    db = tmp_path / "store.db"
    build_store(folder, db, progress=False)
    return db


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store built from the project's seeds."""
    from bot.ingest.build import build_store

    path = tmp_path_factory.mktemp("seed-store") / "lianghui.db"
    build_store(SEEDS, path, progress=False)
    return path


@pytest.fixture(scope="session")
def engine(seed_db: Path):
    from bot.engine import Engine

    return Engine(seed_db)


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A writable copy of the seeds, for tests that add or break files."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A generated corpus and its manifest (the generator's ground truth)."""
    from tools.corpus import generate

    directory = tmp_path_factory.mktemp("corpus")
    generate(directory, articles=CORPUS_ARTICLES, seed=CORPUS_SEED)
    return directory, json.loads((directory / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def corpus_db(corpus: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bot.ingest.build import build_store

    path = tmp_path_factory.mktemp("corpus-store") / "corpus.db"
    build_store(corpus[0], path, progress=False)
    return path


@pytest.fixture(scope="session")
def naughty_strings() -> list[str]:
    """The Big List of Naughty Strings, read from ../shared; skipped when absent."""
    if not BLNS.exists():
        pytest.skip(f"{BLNS} is not present")
    return [s for s in json.loads(BLNS.read_text(encoding="utf-8")) if isinstance(s, str)]
