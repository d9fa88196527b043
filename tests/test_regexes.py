"""The lookup file of compiled regular expressions (bot/regexes.py): a pattern
read from it is the pattern re.compile makes, the reader asks for the same
sources in every process, and a file that cannot be used costs speed only."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot import regexes
from bot.ingest import extract, roles

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "articles"

# Each builds the big expressions of the roles module, the city lists among them.
ROLE_PATTERNS = (roles._place_pattern, roles._session_pattern, roles._lead_delegation, roles._city_beside_name, roles._from_city, roles._lives_in)


def reader_sources() -> list[str]:
    return [pattern._source for pattern in vars(extract).values() if isinstance(pattern, extract._Pattern)]


@pytest.fixture
def lookup_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "regexes.sqlite"
    monkeypatch.setattr(regexes, "cache_path", lambda: path)
    monkeypatch.setattr(regexes, "_kept", regexes._Kept())
    return path


def test_a_pattern_read_from_the_file_is_the_one_re_compile_makes(lookup_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources = [*reader_sources(), *(build().pattern for build in ROLE_PATTERNS)]
    first = [regexes.compiled(source) for source in sources]
    assert lookup_file.stat().st_mode & 0o777 == 0o600
    # A second process: nothing is compiled, everything is read.
    monkeypatch.setattr(regexes, "_kept", regexes._Kept())
    monkeypatch.setattr(re._compiler, "_code", _never)
    monkeypatch.setattr(re._compiler, "compile", _never)
    read = [regexes.compiled(source) for source in sources]
    assert read == first
    assert [pattern.groupindex for pattern in read] == [pattern.groupindex for pattern in first]
    name = "(?P<name>[\u4e00-\u9fff]{2,3})(?:表示|建议)"
    text = "全国人大代表马新强表示，要培养人才。"
    monkeypatch.undo()
    monkeypatch.setattr(regexes, "cache_path", lambda: lookup_file)
    monkeypatch.setattr(regexes, "_kept", regexes._Kept())
    assert regexes.compiled(name).search(text)["name"] == "马新强"
    monkeypatch.setattr(regexes, "_kept", regexes._Kept())
    assert regexes.compiled(name).search(text)["name"] == "马新强"


def _never(*args, **kwargs):
    raise AssertionError("compiled, not read from the lookup file")


def test_flags_are_part_of_the_key(lookup_file: Path) -> None:
    assert regexes.compiled("wuhan").search("WUHAN") is None
    assert regexes.compiled("wuhan", re.IGNORECASE).search("WUHAN")
    assert regexes.compiled("wuhan").search("WUHAN") is None


@pytest.mark.parametrize("content", [b"not a database at all", b"SQLite format 3\x00" + b"\xff" * 200])
def test_a_file_that_is_not_a_lookup_file_costs_speed_not_answers(lookup_file: Path, content: bytes, caplog: pytest.LogCaptureFixture) -> None:
    lookup_file.write_bytes(content)
    lookup_file.chmod(0o600)
    with caplog.at_level(logging.WARNING, logger="bot.regexes"):
        pattern = regexes.compiled("(?P<city>武汉|南京)代表")
    assert pattern.search("南京代表说")["city"] == "南京"
    assert "compiled in each process" in caplog.text


def test_a_row_that_does_not_load_is_compiled_again(lookup_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = "[\u4e00-\u9fff]{2}"
    regexes.compiled(source)
    connection = regexes._kept.connection()
    connection.execute("update patterns set parts = ?", [json.dumps([0, [1, 2, 3], 0, {}, []])])
    monkeypatch.setattr(regexes, "_kept", regexes._Kept())
    assert regexes.compiled(source).fullmatch("武汉")


def test_a_folder_that_cannot_be_written_costs_speed_not_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes to a read-only folder")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    monkeypatch.setattr(regexes, "cache_path", lambda: folder / "regexes.sqlite")
    monkeypatch.setattr(regexes, "_kept", regexes._Kept())
    assert regexes.compiled("代表(?=说)").search("代表说")


SOURCES_OF_A_BUILD = """
import hashlib, sys
from pathlib import Path
from bot import regexes
asked = set()
def recording(source, flags=0, compile=regexes.compiled):
    asked.add((source, int(flags)))
    return compile(source, flags)
regexes.compiled = recording
from bot.ingest.build import build_store
build_store(Path(sys.argv[1]), Path(sys.argv[2]), progress=False)
print(len(asked), hashlib.sha256(repr(sorted(asked)).encode()).hexdigest())
"""


def test_every_process_asks_for_the_same_sources(tmp_path: Path) -> None:
    """Expressions built from sets (the gazetteer's cities) must not depend on
    the hash seed, or each process would miss the file and add rows to it."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for path in sorted(FIXTURES.glob("*.txt"))[:12]:
        (seeds / path.name).write_bytes(path.read_bytes())
    answers = []
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", SOURCES_OF_A_BUILD, str(seeds), str(tmp_path / f"store-{seed}.db")],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        answers.append(result.stdout.split()[-2:])
    assert int(answers[0][0]) > 40
    assert answers[0] == answers[1]


def test_a_file_another_user_owns_is_not_read(lookup_file: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """The temporary folder is shared: code someone else put in a lookup file
    would decide what the reader matches. It is refused, and patterns compiled."""
    source = "(?P<title>代表|委员)(?=说)"
    regexes.compiled(source)
    someone_else = os.getuid() + 1
    monkeypatch.setattr(os, "getuid", lambda: someone_else)
    monkeypatch.setattr(regexes, "_kept", regexes._Kept())
    monkeypatch.setattr(regexes, "_rebuilt", _never)
    with caplog.at_level(logging.WARNING, logger="bot.regexes"):
        assert regexes.compiled(source).search("委员说")["title"] == "委员"
    assert "belongs to another user" in caplog.text
