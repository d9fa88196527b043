"""Tests for the synthetic corpus generator (tests/tools/corpus.py).

The generated corpus is ground truth for ingest tests, so these tests check the
promises the manifest makes: determinism, exact unit texts, names that occur
only where the generator put them, sidecars that parse, and newspaper columns
that respect their widths.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from tools import corpus
from tools.corpus import _NameIndex, char_width, generate, main

ROOT = Path(__file__).resolve().parent.parent


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, float]:
    """One 1,000-article corpus shared by the content checks below."""
    out = tmp_path_factory.mktemp("corpus1000")
    started = time.perf_counter()
    generate(out, articles=1000)
    seconds = time.perf_counter() - started
    return out, json.loads((out / "manifest.json").read_text(encoding="utf-8")), seconds


def _text(out: Path, article: dict) -> str:
    return (out / article["file"]).read_text(encoding="utf-8")


# ---------------------------------------------------------------- determinism
def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    generate(tmp_path / "a", articles=30)
    generate(tmp_path / "b", articles=30)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a.keys() == b.keys()
    assert len([n for n in a if n.endswith(".txt")]) == 30
    for name in a:
        assert a[name] == b[name], name


def test_different_seed_gives_different_corpus(tmp_path: Path) -> None:
    generate(tmp_path / "a", articles=30, seed=1)
    generate(tmp_path / "b", articles=30, seed=2)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a["manifest.json"] != b["manifest.json"]
    shared = [n for n in a if n in b and n.endswith(".txt")]
    assert all(a[n] != b[n] for n in shared)


def test_output_does_not_depend_on_hash_seed(tmp_path: Path) -> None:
    """Set iteration order changes with PYTHONHASHSEED; the corpus must not."""
    digests = []
    for hash_seed in ("0", "4242"):
        out = tmp_path / hash_seed
        code = (
            "import sys; from pathlib import Path; from tools.corpus import generate; "
            f"generate(Path({str(out)!r}), articles=12)"
        )
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        subprocess.run([sys.executable, "-c", code], cwd=ROOT / "tests", env=env, check=True)
        digests.append(hashlib.sha256(b"".join(_files(out).values())).hexdigest())
    assert digests[0] == digests[1]


def test_rerun_removes_stale_articles(tmp_path: Path) -> None:
    generate(tmp_path, articles=12)
    generate(tmp_path, articles=5)
    assert len(list(tmp_path.glob("*.txt"))) == 5
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["articles"]) == 5


def test_main_prints_one_summary_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--out", str(tmp_path / "c"), "--articles", "4", "--seed", "7"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    for key in ("articles=4", "people=", "quotes=", "statements=", "facts=", "seconds="):
        assert key in lines[0]
    assert (tmp_path / "c" / "manifest.json").exists()


# ---------------------------------------------------------------- scale
def test_people_count_scales_and_generation_is_fast(big: tuple[Path, dict, float]) -> None:
    out, manifest, seconds = big
    assert 4000 <= manifest["counts"]["people"] <= 6000
    assert manifest["counts"]["people"] == len(manifest["people"])
    assert seconds < 30  # a few seconds in practice; this only catches a pathological slowdown
    appearances = sorted((p["articles"] for p in manifest["people"]), reverse=True)
    assert appearances[0] >= 10  # a few people turn up often
    assert sum(1 for n in appearances if n <= 2) / len(appearances) > 0.9  # most once or twice


def test_counts_match_units(big: tuple[Path, dict, float]) -> None:
    _, manifest, _ = big
    units = [u for a in manifest["articles"] for u in a["units"]]
    for kind, key in (("quote", "quotes"), ("statement", "statements"), ("fact", "facts")):
        assert manifest["counts"][key] == sum(1 for u in units if u["kind"] == kind) > 0
    assert {u["kind"] for u in units} == {"quote", "statement", "fact"}


# ---------------------------------------------------------------- people
def test_no_two_people_share_a_name(big: tuple[Path, dict, float]) -> None:
    _, manifest, _ = big
    names = [p["name"] for p in manifest["people"]]
    assert len(names) == len(set(names))
    by_name = {p["name"]: p for p in manifest["people"]}
    for article in manifest["articles"]:
        cast = [p["name"] for p in article["people"]]
        assert len(cast) == len(set(cast))
        assert 3 <= len(cast) <= 8
        for person in article["people"]:
            stored = by_name[person["name"]]
            assert (person["city"], person["role"], person["affiliation"]) == (
                stored["city"], stored["role"], stored["affiliation"],
            )
            assert person["role"] in ("全国人大代表", "全国政协委员")


def test_homophone_pairs_are_listed_and_real(big: tuple[Path, dict, float]) -> None:
    _, manifest, _ = big
    pairs = manifest["homophone_pairs"]
    assert len(pairs) >= 10
    names = {p["name"] for p in manifest["people"]}
    for a, b in pairs:
        assert a != b and a in names and b in names
        assert len(a) == len(b) and sum(x != y for x, y in zip(a, b)) == 1
    pypinyin = pytest.importorskip("pypinyin")
    for a, b in pairs:
        assert pypinyin.lazy_pinyin(a, style=pypinyin.Style.TONE3) == pypinyin.lazy_pinyin(b, style=pypinyin.Style.TONE3)


def test_names_occur_only_in_their_own_articles(big: tuple[Path, dict, float]) -> None:
    """No delegate's name may turn up by accident (高新技术, 张伟 + 强调 = 张伟强)."""
    out, manifest, _ = big
    index = _NameIndex([p["name"] for p in manifest["people"]])
    for article in manifest["articles"]:
        lines = _text(out, article).split("\n")
        cast = {p["name"] for p in article["people"]}
        found: set[str] = set()
        for block in article["blocks"]:
            body = "".join(lines[block["first_line"] : block["last_line"] + 1])
            found |= set(index.scan(body))
        for heading in (article["title"], article["subtitle"] or ""):
            assert not index.scan(heading), article["file"]
        assert found <= cast, (article["file"], found - cast)
        flat = "".join(lines)
        assert all(name in flat for name in cast), article["file"]


# ---------------------------------------------------------------- units
def test_every_unit_appears_verbatim(big: tuple[Path, dict, float]) -> None:
    out, manifest, _ = big
    for article in manifest["articles"]:
        flat = _text(out, article).replace("\n", "")
        cast = {p["name"] for p in article["people"]}
        for unit in article["units"]:
            assert "\n" not in unit["text"]
            assert unit["text"] in flat, (article["file"], unit)
            assert unit["speaker"] is None or unit["speaker"] in cast
            if unit["kind"] == "quote":
                assert "“" not in unit["text"] and "”" not in unit["text"]
                assert f"“{unit['text']}”" in flat
                assert unit["speaker"] is not None


def test_unit_texts_are_unambiguous_within_an_article(big: tuple[Path, dict, float]) -> None:
    """Ingest results are matched to the manifest by text, so that must be unique."""
    _, manifest, _ = big
    for article in manifest["articles"]:
        quotes = [u["text"] for u in article["units"] if u["kind"] == "quote"]
        for i, a in enumerate(quotes):
            assert not any(a in b for j, b in enumerate(quotes) if i != j), (article["file"], a)
        others = [(u["kind"], u["text"]) for u in article["units"] if u["kind"] != "quote"]
        assert len(others) == len(set(others)), article["file"]


def test_intro_units_have_no_speaker_and_boxes_have_one(big: tuple[Path, dict, float]) -> None:
    out, manifest, _ = big
    for article in manifest["articles"]:
        lines = _text(out, article).split("\n")
        intro = article["blocks"][0]
        assert intro["kind"] == "intro" and intro["speaker"] is None
        intro_text = "".join(lines[intro["first_line"] : intro["last_line"] + 1])
        boxes = article["blocks"][1:]
        assert [b["speaker"] for b in boxes] == [p["name"] for p in article["people"]]
        for unit in article["units"]:
            if unit["speaker"] is None:
                assert unit["text"] in intro_text
        for box in boxes:
            body = "".join(lines[box["first_line"] : box["last_line"] + 1])
            assert box["speaker"] in body


# ---------------------------------------------------------------- files
def test_sidecars_parse_and_list_only_people_in_the_text(big: tuple[Path, dict, float]) -> None:
    out, manifest, _ = big
    with_sidecar = 0
    for article in manifest["articles"]:
        path = out / article["file"].replace(".txt", ".toml")
        assert path.exists() == article["sidecar"]
        if not article["sidecar"]:
            continue
        with_sidecar += 1
        meta = tomllib.loads(path.read_text(encoding="utf-8"))
        assert meta["article"]["title"] == article["title"]
        assert meta["article"].get("subtitle") == article["subtitle"]
        assert meta["article"]["source"] and meta["article"]["date"].startswith("20")
        # Raw text, line breaks included: a name may also be split across column
        # lines, but every listed person occurs unbroken at least once.
        text = _text(out, article)
        for person in meta["people"]:
            assert person["name"] in text
            for key in ("city", "role", "affiliation"):
                assert person[key]["value"] and person[key]["source"]
        assert [p["name"] for p in meta["people"]] == [p["name"] for p in article["people"]]
    assert 0.25 < with_sidecar / len(manifest["articles"]) < 0.42


def test_both_layouts_and_file_names(big: tuple[Path, dict, float]) -> None:
    out, manifest, _ = big
    layouts = [a["layout"] for a in manifest["articles"]]
    assert 0.35 < layouts.count("newspaper") / len(layouts) < 0.65
    assert set(layouts) == {"newspaper", "web"}
    files = [a["file"] for a in manifest["articles"]]
    assert files == sorted(files)
    assert files[0] == f"0001_{layouts[0]}.txt"


def test_newspaper_lines_respect_their_column_width(big: tuple[Path, dict, float]) -> None:
    out, manifest, _ = big
    widths: set[int] = set()
    indented = mid_blank = 0
    for article in manifest["articles"]:
        if article["layout"] != "newspaper":
            continue
        lines = _text(out, article).split("\n")
        for block in article["blocks"]:
            width = block["width"]
            assert 9 <= width <= 22
            widths.add(width)
            first = lines[block["first_line"]]
            indented += first.startswith(" ")
            for line in lines[block["first_line"] : block["last_line"] + 1]:
                assert char_width(line) <= width, (article["file"], width, line)
                assert line == line.rstrip()
            # Latin words and figures never break across lines (joining lines
            # must not have to guess whether a space was there).
            body = lines[block["first_line"] : block["last_line"] + 1]
            for above, below in zip(body, body[1:]):
                assert not (above[-1:].isascii() and above[-1:].isalnum() and below[:1].isascii() and below[:1].isalnum())
        mid_blank += any(
            lines[i] == "" and lines[i - 1] and lines[i - 1][-1] not in "。！？”"
            for i in range(article["blocks"][0]["first_line"], len(lines) - 1)
        )
    assert widths == set(range(9, 23))
    assert indented > 50 and mid_blank > 50


def test_web_articles_are_one_paragraph_per_line(big: tuple[Path, dict, float]) -> None:
    out, manifest, _ = big
    for article in manifest["articles"]:
        if article["layout"] != "web":
            continue
        lines = _text(out, article).split("\n")
        assert lines[0] == article["title"]
        if article["subtitle"]:
            assert lines[1] == article["subtitle"]
        for block in article["blocks"]:
            for line in lines[block["first_line"] : block["last_line"] + 1]:
                assert line == "" or line[-1] in "。！？”", (article["file"], line)


def test_vocabulary_comes_from_the_data_files(big: tuple[Path, dict, float]) -> None:
    out, manifest, _ = big
    cities, topics = corpus.load_vocabulary()
    city_names = {c.name for c in cities}
    assert {p["city"] for p in manifest["people"]} <= city_names
    sample = "".join(_text(out, a) for a in manifest["articles"][:50])
    assert sum(t.name in sample for t in topics) > len(topics) // 3
    aliases = [alias for c in cities for alias in c.aliases]
    assert any(alias in sample for alias in aliases)
