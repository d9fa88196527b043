"""Bad seeds fail with one clear line, and never damage the store.

Each broken seed must give a SeedError naming the file and (where there is
one) the line; ``python bot.py ingest`` must exit non-zero with that one line
on stderr and no traceback; and a store already at the --db path must stay
byte for byte as it was, with no temporary file left beside it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.errors import SeedError
from bot.ingest.build import build_store
from conftest import ROOT, SEEDS

STEM = "2025-03-cjrb-four-cities-innovation"


def _edit_lines(path: Path, edit: Callable[[list[str]], None]) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    edit(lines)
    path.write_text("\n".join(lines), encoding="utf-8")


def _set_line(number: int, text: str) -> Callable[[list[str]], None]:
    def edit(lines: list[str]) -> None:
        lines[number - 1] = text

    return edit


def _insert_after(number: int, text: str) -> Callable[[list[str]], None]:
    def edit(lines: list[str]) -> None:
        lines.insert(number, text)

    return edit


def _empty(seeds: Path) -> None:
    (seeds / "2025-03-extra.txt").write_bytes(b"")


def _whitespace(seeds: Path) -> None:
    (seeds / "2025-03-extra.txt").write_text(" \n\t\n\u3000\u3000\n\n", encoding="utf-8")


def _not_utf8(seeds: Path) -> None:
    """A stray byte in the middle of line 80 of the article."""
    path = seeds / f"{STEM}.txt"
    lines = path.read_bytes().split(b"\n")
    lines[79] = lines[79][:6] + b"\xff" + lines[79][6:]
    path.write_bytes(b"\n".join(lines))


def _malformed_toml(seeds: Path) -> None:
    _edit_lines(seeds / f"{STEM}.toml", _set_line(9, 'date = "2025-03'))


def _unknown_person_key(seeds: Path) -> None:
    # Line 16 is 丁光宏's affiliation; the unknown key becomes line 17.
    _edit_lines(seeds / f"{STEM}.toml", _insert_after(16, 'nickname = "丁教授"'))


def _unknown_article_key(seeds: Path) -> None:
    # "page" also occurs in the comment on line 2: the error must name line 11, where it is a key.
    _edit_lines(seeds / f"{STEM}.toml", _insert_after(10, "page = 7"))


def _fact_without_source(seeds: Path) -> None:
    _edit_lines(seeds / f"{STEM}.toml", _set_line(22, 'role = { value = "全国人大代表" }'))


def _stranger(seeds: Path) -> None:
    _edit_lines(seeds / f"{STEM}.toml", lambda lines: lines.extend(["[[people]]", 'name = "张三丰"', ""]))


def _inside_a_longer_name(seeds: Path) -> None:
    """王行 occurs in the text only as part of 王行环."""
    _edit_lines(seeds / f"{STEM}.toml", lambda lines: lines.extend(["[[people]]", 'name = "王行"', ""]))


def _orphan_sidecar(seeds: Path) -> None:
    (seeds / "2025-03-orphan.toml").write_text('[article]\ntitle = "无文之题"\n', encoding="utf-8")


def _unknown_city(seeds: Path) -> None:
    # Line 33 is 罗卫东's city.
    _edit_lines(
        seeds / f"{STEM}.toml",
        _set_line(33, 'city = { value = "临安府", source = "长江日报 page" }'),
    )


@dataclass(frozen=True)
class Case:
    break_seeds: Callable[[Path], None]
    file: str
    line: int | None
    says: str


CASES = {
    "empty file": Case(_empty, "2025-03-extra.txt", 1, "empty"),
    "whitespace only": Case(_whitespace, "2025-03-extra.txt", 1, "empty"),
    "not UTF-8": Case(_not_utf8, f"{STEM}.txt", 80, "not UTF-8"),
    "malformed TOML": Case(_malformed_toml, f"{STEM}.toml", 9, "malformed TOML"),
    "unknown person key": Case(_unknown_person_key, f"{STEM}.toml", 17, "nickname"),
    "unknown article key": Case(_unknown_article_key, f"{STEM}.toml", 11, "page"),
    "fact without source": Case(_fact_without_source, f"{STEM}.toml", 22, "role of 马新强"),
    "person not in the text": Case(_stranger, f"{STEM}.toml", 46, "张三丰 never appears"),
    "person only inside a longer name": Case(_inside_a_longer_name, f"{STEM}.toml", 46, "王行 never appears in 2025-03-cjrb-four-cities-innovation.txt except inside 王行环"),
    "sidecar without article": Case(_orphan_sidecar, "2025-03-orphan.toml", None, "without an article"),
    "unknown city": Case(_unknown_city, f"{STEM}.toml", 33, "临安府"),
}


@pytest.fixture(scope="module")
def good_store(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A good store's bytes, built once and copied to each test's --db path."""
    path = tmp_path_factory.mktemp("good") / "lianghui.db"
    build_store(SEEDS, path, progress=False)
    return path.read_bytes()


@pytest.fixture(params=sorted(CASES), ids=sorted(CASES))
def case(request: pytest.FixtureRequest, seeds_copy: Path) -> tuple[Case, Path]:
    chosen = CASES[request.param]
    chosen.break_seeds(seeds_copy)
    return chosen, seeds_copy


def _where(seeds: Path, case: Case) -> str:
    path = seeds / case.file
    return f"{path}:{case.line}: " if case.line else f"{path}: "


def test_seed_error_names_the_file_and_line(case: tuple[Case, Path], tmp_path: Path) -> None:
    chosen, seeds = case
    with pytest.raises(SeedError) as caught:
        build_store(seeds, tmp_path / "never.db", progress=False)
    error = caught.value
    assert (seeds / chosen.file, chosen.line) == (error.path, error.line)
    assert str(error).startswith(_where(seeds, chosen))
    assert chosen.says in str(error)
    assert [] == list(tmp_path.glob("never.db*"))


def test_ingest_fails_cleanly_and_keeps_the_store(case: tuple[Case, Path], good_store: bytes, tmp_path: Path) -> None:
    chosen, seeds = case
    store_dir = tmp_path / "store"
    store_dir.mkdir()
    db = store_dir / "lianghui.db"
    db.write_bytes(good_store)
    result = subprocess.run(
        [sys.executable, "bot.py", "ingest", "--seeds", str(seeds), "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert 0 != result.returncode
    assert "" == result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert 1 == len(lines), result.stderr
    assert lines[0].startswith("error: " + _where(seeds, chosen))
    assert chosen.says in lines[0]
    assert good_store == db.read_bytes()
    assert ["lianghui.db"] == sorted(path.name for path in store_dir.iterdir())


def test_a_name_broken_across_a_column_line_break_is_named(tmp_path: Path) -> None:
    """龚/念慈 is split by the column in the file: the rebuilt paragraph names
    龚念慈, so the sidecar's person is accepted and speaks."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "split.txt").write_text(
        "标题一行\n\n副标题一行\n\n本报记者邀请代表委员畅\n谈创新，大家表示，要把\n创新资源转化为产业优势。\n\n"
        "“西安和南京可以在航空\n航天领域互补，这是两地\n最大的机会。”龚\n念慈说，两地要共建联合\n实验室，推动成果转化。\n",
        encoding="utf-8",
    )
    (seeds / "split.toml").write_text('[[people]]\nname = "龚念慈"\ncity = { value = "西安", source = "test" }\n', encoding="utf-8")
    assert "龚念慈" not in (seeds / "split.txt").read_text(encoding="utf-8")
    report = build_store(seeds, tmp_path / "split.db", progress=False)
    assert {"龚念慈": {"quote": 1, "statement": 1}} == {name: dict(counts) for name, counts in report.per_person.items()}
