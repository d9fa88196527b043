"""Every file in the seeds folder is checked before it is read (issue 14, rows
2, 3, 7, 12, 13), and what is read is decoded whatever its encoding, script or
format (issue 11, items 9 and 10).

One seeds folder holds every kind of file that must not be read, next to the
real seed: a single build shows each is skipped, with a warning naming it, and
that the store holds the seed alone."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from pathlib import Path

import opencc
import pytest

from bot.engine import Engine
from bot.errors import SeedError
from bot.ingest.build import build_store
from bot.ingest.files import clean, to_simplified
from bot.ingest.layout import MAX_PARAGRAPH, rebuild
from bot.ingest.seeds import read_seed
from bot.render import to_text
from conftest import FIXTURES, bot_py

WEB_ARTICLE = FIXTURES / "web_article.txt"
FORMATS = FIXTURES / "formats"
STEM = "2025-03-cjrb-four-cities-innovation"


def _articles(db: Path) -> list[str]:
    with sqlite3.connect(db) as connection:
        return [file for (file,) in connection.execute("select file from articles order by file")]


@pytest.fixture
def hostile_seeds(seeds_copy: Path, tmp_path: Path) -> Path:
    """The seed, and beside it every file that must be skipped."""
    (seeds_copy / ".#draft.txt").symlink_to("user@host.1:1")  # an editor's lock: a dangling symlink
    (seeds_copy / "gone.txt").symlink_to(tmp_path / "deleted.txt")  # dangling, not an editor's
    (seeds_copy / "passwd.txt").symlink_to("/etc/passwd")  # leaves the folder
    (seeds_copy / "zero.txt").symlink_to("/dev/zero")  # a device: would read forever
    (seeds_copy / "folder.txt").mkdir()
    os.mkfifo(seeds_copy / "pipe.txt")  # opening it for reading would block
    (seeds_copy / "huge.txt").write_text("两会\n" + "代表说，要发展。" * 200_000, encoding="utf-8")
    (seeds_copy / "report.pdf").write_bytes(b"%PDF-1.4")
    (seeds_copy / "draft.txt~").write_text("备份", encoding="utf-8")
    (seeds_copy / f".{STEM}.txt.swp").write_bytes(b"\x00swap")
    return seeds_copy


def test_files_that_cannot_be_articles_are_skipped_with_a_warning(hostile_seeds: Path, tmp_path: Path, caplog) -> None:
    db = tmp_path / "store.db"
    with caplog.at_level(logging.WARNING, logger="bot.ingest.files"):
        build_store(hostile_seeds, db, progress=False, max_seed_bytes=1_000_000)
    assert [f"{STEM}.txt"] == _articles(db)
    warned = {Path(record.args[0]).name: record.getMessage() for record in caplog.records}
    assert "does not exist" in warned["gone.txt"]
    assert "outside the seeds folder" in warned["passwd.txt"]
    assert "outside the seeds folder" in warned["zero.txt"] and "not a regular file" in warned["pipe.txt"]
    assert "folder" in warned["folder.txt"]
    assert "LIANGHUI_MAX_SEED_MB" in warned["huge.txt"]
    assert "not an article" in warned["report.pdf"]
    # Editors' lock, swap and backup files are not worth a warning.
    assert set() == {".#draft.txt", "draft.txt~", f".{STEM}.txt.swp"} & set(warned)


def test_a_symlink_inside_the_folder_is_read(seeds_copy: Path, tmp_path: Path) -> None:
    shutil.copy(WEB_ARTICLE, seeds_copy / "elsewhere.data")
    (seeds_copy / "linked.txt").symlink_to("elsewhere.data")
    logging.getLogger("bot.ingest.files").disabled = True  # the .data file's warning is not this test's point
    try:
        build_store(seeds_copy, tmp_path / "store.db", progress=False)
    finally:
        logging.getLogger("bot.ingest.files").disabled = False
    assert [f"{STEM}.txt", "linked.txt"] == _articles(tmp_path / "store.db")


def test_the_commands_go_on_past_a_dangling_lock_and_a_fifo(hostile_seeds: Path, tmp_path: Path) -> None:
    """`ln -s 'user@host.1:1' seeds/.#x.txt` crashed ingest, ask and run with a
    traceback; a FIFO named x.txt blocked ingest for ever."""
    db = tmp_path / "store.db"
    ingest = bot_py("ingest", "--seeds", str(hostile_seeds), "--db", str(db), timeout=120, LIANGHUI_MAX_SEED_MB="1")
    assert 0 == ingest.returncode, ingest.stderr
    assert "Traceback" not in ingest.stderr
    assert "skipping" in ingest.stderr and "pipe.txt" in ingest.stderr
    ask = bot_py("ask", "--seeds", str(hostile_seeds), "--db", str(db), "/who 马新强", timeout=120, LIANGHUI_MAX_SEED_MB="1")
    assert 0 == ask.returncode, ask.stderr
    assert ask.stdout.startswith("马新强")


def test_a_sidecar_nested_too_deep_is_one_line(seeds_copy: Path, tmp_path: Path) -> None:
    (seeds_copy / f"{STEM}.toml").write_text("x = " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    result = bot_py("ingest", "--seeds", str(seeds_copy), "--db", str(tmp_path / "store.db"))
    assert 1 == result.returncode
    assert [f"error: {seeds_copy / STEM}.toml: malformed TOML: arrays or tables nested too deeply"] == result.stderr.splitlines()


def test_nul_and_control_characters_never_reach_a_reply(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = WEB_ARTICLE.read_text(encoding="utf-8")
    dirty = text.replace("实验室里的好成果", "实验\x00室里的\x07好成\x1b[31m果").replace("柯云舟说", "柯云\x0c舟说\x85")
    (seeds / "dirty.txt").write_text(dirty, encoding="utf-8")
    build_store(seeds, tmp_path / "store.db", progress=False)
    reply = to_text(Engine(tmp_path / "store.db").answer("/who 柯云舟"), "zh")
    assert "实验室里的好成[31m果" in reply
    assert [] == [char for char in reply if ord(char) < 0x20 and char != "\n" or 0x7F <= ord(char) <= 0x9F]


def test_clean_keeps_tabs_and_line_breaks() -> None:
    assert "一\t二\n三\r\n四" == clean("一\t二\n\x00三\r\n四\x7f")


@pytest.mark.parametrize(
    ("mirrored", "read"),
    [
        ("全國(guó)人大代表、某公司副總經(jīng)理柯云舟說(shuō)", "全国人大代表、某公司副总经理柯云舟说"),
        ("人類跟自然結（jié）合起來(lái)", "人类跟自然结合起来"),
        ("人工智能(AI)和大模型(llm)", "人工智能(AI)和大模型(llm)"),
    ],
    ids=["半角", "全角", "无声调"],
)
def test_clean_drops_pinyin_a_mirror_flattened_into_the_text(mirrored: str, read: str) -> None:
    """A mirror printed each character's ruby pinyin in brackets after it:
    every name and verb was cut apart. Only a bracket of toned pinyin right
    after a character goes."""
    assert read == clean(mirrored)


# Long files and lines ----------------------------------------------------------------------


def test_a_paragraph_of_any_length_is_cut_at_sentence_ends() -> None:
    """One line of 350,000 characters was one paragraph: every item's context
    and token scan covered all of it, and ingest never finished."""
    sentence = "柯云舟说，重庆要把智造重镇的底子用好。"
    layout = rebuild("标题一行\n" + sentence * 20_000 + "\n")
    assert sentence * 20_000 == "".join(paragraph.text for paragraph in layout.paragraphs)
    assert max(len(paragraph.text) for paragraph in layout.paragraphs) <= MAX_PARAGRAPH
    assert all(paragraph.text.endswith("。") for paragraph in layout.paragraphs)
    unbroken = rebuild("标题一行\n" + "字" * 5_000 + "\n")
    assert [MAX_PARAGRAPH, MAX_PARAGRAPH, 1_000] == [len(paragraph.text) for paragraph in unbroken.paragraphs]


# Encodings and scripts ------------------------------------------------------------------------


def _traditional(text: str, standard: str = "s2t") -> str:
    return opencc.OpenCC(standard).convert(text)


COPIES = {
    "gbk.txt": lambda text: text.encode("gbk"),
    "gb18030.txt": lambda text: text.encode("gb18030"),
    "utf16-bom.txt": lambda text: text.encode("utf-16"),
    "utf16-no-bom.txt": lambda text: text.encode("utf-16-le"),
    "utf8-bom.txt": lambda text: text.encode("utf-8-sig"),
    "traditional.txt": lambda text: _traditional(text).encode("utf-8"),
    "traditional-big5.txt": lambda text: _traditional(text, "s2tw").encode("big5"),
}


def _said(db: Path) -> dict[str, list[tuple[str, str | None, str]]]:
    """Per article file: its items' kind, speaker and text, in order."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "select articles.file, items.kind, people.name, item_texts.text from item_sources join item_texts on item_texts.id = item_sources.item_id "
            "join items on items.id = item_sources.item_id join articles on articles.id = item_sources.article_id "
            "join paragraphs on paragraphs.id = items.paragraph_id "
            "left join people on people.id = items.speaker_id order by articles.file, paragraphs.number, items.start"
        ).fetchall()
    said: dict[str, list[tuple[str, str | None, str]]] = {}
    for file, kind, speaker, text in rows:
        said.setdefault(file, []).append((kind, speaker, text))
    return said


def test_other_encodings_and_traditional_script_read_as_the_simplified_utf8_copy(tmp_path: Path) -> None:
    """Each copy read gives the very text of the simplified UTF-8 copy: ingest
    takes the same article under two names once, so all of them together are
    one article with the original's items. Big5 (Taiwan's standard) writes 着
    as 著, which simplified Chinese also uses: it stays 著, one article more."""
    text = WEB_ARTICLE.read_text(encoding="utf-8")
    alone, together = tmp_path / "alone", tmp_path / "together"
    alone.mkdir()
    together.mkdir()
    shutil.copy(WEB_ARTICLE, alone / "original.txt")
    shutil.copy(WEB_ARTICLE, together / "original.txt")
    for name, encode in COPIES.items():
        (together / name).write_bytes(encode(text))
    build_store(alone, tmp_path / "alone.db", progress=False)
    report = build_store(together, tmp_path / "together.db", progress=False)
    original = _said(tmp_path / "alone.db")["original.txt"]
    said = _said(tmp_path / "together.db")
    assert {"柯云舟", "闻晓岚", "钟北辰", "童若溪"} <= set(report.per_person)
    assert len(original) >= 10
    assert 2 == report.articles
    big5 = said.pop("traditional-big5.txt")
    assert [original] == list(said.values())
    assert original == [(kind, speaker, text.replace("著", "着")) for kind, speaker, text in big5]


def test_a_traditional_quote_is_shown_simplified(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "traditional.txt").write_text(_traditional(WEB_ARTICLE.read_text(encoding="utf-8")), encoding="utf-8")
    build_store(seeds, tmp_path / "store.db", progress=False)
    reply = to_text(Engine(tmp_path / "store.db").answer("/who 柯雲舟"), "zh")
    assert "实验室里的好成果，不能只躺在论文里" in reply


def test_a_character_whose_simplified_form_depends_on_its_word_is_read_by_phrase() -> None:
    """甦 alone is also a simplified character; in 復甦 it is 苏. The line keeps
    its length (every offset holds), a line without traditional characters
    is left as it is, and 著名 stays."""
    line = "委員建議，促進旅遊產業復甦，打造著名品牌。"
    assert "委员建议，促进旅游产业复苏，打造著名品牌。" == to_simplified(line)
    assert len(line) == len(to_simplified(line))
    assert "产业复甦" == to_simplified("产业复甦")
    assert "复苏\n产业复甦" == to_simplified("復甦\n产业复甦")


def test_damaged_utf8_is_still_an_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "damaged.txt"
    lines = WEB_ARTICLE.read_bytes().split(b"\n")
    lines[4] = lines[4][:6] + b"\xff" + lines[4][6:]
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(SeedError, match="not UTF-8") as caught:
        read_seed(path)
    assert 5 == caught.value.line


# Saved pages and Markdown ---------------------------------------------------------------------


def test_a_saved_page_gives_its_text_and_its_metadata(tmp_path: Path) -> None:
    seed = read_seed(FORMATS / "saved-page.html")
    assert seed.meta is not None
    assert ("代表委员建言银发经济：让老年人“老有所乐”", "澄江日报", "2024-03-06", "https://example.com/news/2024-03/06/content_88123.html") == (
        seed.meta.title, seed.meta.source, seed.meta.date, seed.meta.url
    )
    assert seed.text.startswith("代表委员建言银发经济")
    assert "责任编辑" not in seed.text and "相关阅读" not in seed.text and "登录" not in seed.text
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(FORMATS / "saved-page.html", seeds)
    report = build_store(seeds, tmp_path / "store.db", progress=False)
    assert {"甘如玉", "麦晓玲"} <= set(report.per_person)
    with sqlite3.connect(tmp_path / "store.db") as connection:
        assert ("澄江日报", "2024-03-06") == connection.execute("select source, date from articles").fetchone()


def test_a_sidecar_wins_over_the_page(tmp_path: Path) -> None:
    shutil.copy(FORMATS / "saved-page.html", tmp_path)
    (tmp_path / "saved-page.toml").write_text('[article]\nsource = "澄江晚报"\n', encoding="utf-8")
    meta = read_seed(tmp_path / "saved-page.html").meta
    assert ("澄江晚报", "2024-03-06") == (meta.source, meta.date)


def test_markdown_gives_a_headline_and_paragraphs(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(FORMATS / "notes.md", seeds)
    report = build_store(seeds, tmp_path / "store.db", progress=False)
    with sqlite3.connect(tmp_path / "store.db") as connection:
        assert "代表委员谈数字乡村：让“新农具”用得上、用得好" == connection.execute("select title from articles").fetchone()[0]
        texts = [text for (text,) in connection.execute("select text from paragraphs")]
    assert not any(text.startswith("#") for text in texts)
    assert {"靳玉兰", "廖思源"} <= set(report.per_person)


def test_two_articles_of_one_name_are_an_error(tmp_path: Path) -> None:
    shutil.copy(WEB_ARTICLE, tmp_path / "same.txt")
    shutil.copy(FORMATS / "notes.md", tmp_path / "same.md")
    with pytest.raises(SeedError, match="two articles named same"):
        build_store(tmp_path, tmp_path / "store.db", progress=False)
