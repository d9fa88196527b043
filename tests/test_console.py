"""The terminal console: ``Console.push`` and ``python bot.py console`` (issue #3).

The console keeps the last answer so that short words act on it: "more" and
"back" page, "ctx N" opens item N's paragraph, a number picks a suggestion
or a help example. Everything else is a message like any other.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

from bot.console import Console, run
from bot.engine import Engine
from conftest import bot_py



@pytest.fixture
def console(engine: Engine) -> Console:
    return Console(engine)


def test_push_answers_a_message(console: Console) -> None:
    reply = console.push("/who 马欣强")
    assert reply.startswith("马新强（武汉）（按“马欣强”匹配）")
    assert "[more · ctx N]" in reply
    assert "马新强" == console.last.match.name


@pytest.mark.parametrize("word", ["more", "m", "next", "更多", " MORE ", "ＭＯＲＥ"])
def test_more_shows_the_next_page(console: Console, word: str) -> None:
    first = console.push("/who 马新强")
    first_ids = [item.id for item in console.last.items]
    second = console.push(word)
    assert 5 == console.last.offset
    assert not set(first_ids) & {item.id for item in console.last.items}
    assert "第 6–" in second and "第 6–" not in first
    assert "back" in second


@pytest.mark.parametrize("word", ["back", "b", "prev", "上一页"])
def test_back_returns_to_the_previous_page(console: Console, word: str) -> None:
    first = console.push("/city 武汉")
    console.push("more")
    assert first == console.push(word)
    assert 0 == console.last.offset


def test_more_without_a_next_page_is_just_a_message(console: Console) -> None:
    console.push("/who 丁光宏")
    console.push("more")  # 丁光宏 has two pages
    reply = console.push("more")
    assert console.last.intent in ("search", "not_found")
    assert reply.strip()


def test_ctx_opens_the_paragraph_of_item_n(console: Console) -> None:
    console.push("/who 马新强")
    second = console.last.items[1]
    reply = console.push("ctx 2")
    assert ("context", second.id) == (console.last.intent, console.last.context.item.id)
    assert reply.startswith("原文 · 马新强")
    assert second.text in reply


def test_ctx_counts_items_across_pages(console: Console) -> None:
    """Items are numbered through the answer, so on page two ctx 6 is its first item."""
    console.push("/who 马新强")
    console.push("more")
    sixth = console.last.items[0]
    console.push("ctx 6")
    assert sixth.id == console.last.context.item.id


@pytest.mark.parametrize("typed", ["ctx 99", "ctx 0", "context 1"])
def test_ctx_out_of_range_is_answered_as_text(console: Console, typed: str) -> None:
    console.push("/who 马新强")
    reply = console.push(typed)
    if typed == "context 1":
        assert "context" == console.last.intent
    else:
        assert "context" != console.last.intent
        assert reply.strip()


@pytest.mark.parametrize("number", ["1", " 1 ", "１"])  # a Chinese keyboard types １
def test_number_picks_a_suggestion(console: Console, number: str) -> None:
    reply = console.push("/who 马新")
    assert "/who 马新强" in reply
    assert "[1]" in reply  # one suggestion: only 1 can be picked
    console.push(number)
    assert ("person", "马新强") == (console.last.intent, console.last.match.name)


def test_number_picks_a_help_example(console: Console) -> None:
    console.push("/start")
    examples = console.last.examples
    console.push("3")
    assert examples[2] == console.last.query


@pytest.mark.parametrize("typed", ["7", "፩", "ctx ፩", "0", "-1"])
def test_numbers_that_pick_nothing_are_messages(console: Console, typed: str) -> None:
    console.push("/who 马新")
    reply = console.push(typed)
    assert reply.strip()
    assert "person" != console.last.intent


def test_lang_switches_the_console_language(console: Console) -> None:
    assert "Switched to English." == console.push("/lang en")
    assert "Role: not stated in the source" in console.push("/who 罗卫东")
    console.push("/lang zh")
    assert "身份：原文未说明" in console.push("/who 罗卫东")


def test_run_prints_help_then_answers_each_line(engine: Engine) -> None:
    out = io.StringIO()
    status = run(engine, stdin=io.StringIO("/who 王行坏\n\n沿途下蛋\nquit\n/who 丁光宏\n"), stdout=out)
    text = out.getvalue()
    assert 0 == status
    assert text.startswith("两会代表委员说了什么")
    assert text.index("王行环（武汉）（按“王行坏”匹配）") < text.index("搜索“")
    assert "丁光宏（上海）\n城市" not in text  # after quit


def console_process(seed_db: Path, stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return bot_py("console", "--db", str(seed_db), *args, stdin=stdin)


def test_console_command_reads_stdin_and_quits(seed_db: Path) -> None:
    result = console_process(seed_db, "/who 马欣强\nmore\nctx 6\nquit\n/who 王行环\n")
    assert 0 == result.returncode, result.stderr
    out = result.stdout
    assert out.startswith("两会代表委员说了什么")
    assert out.index("马新强（武汉）（按“马欣强”匹配）") < out.index("第 6–10 条") < out.index("原文 · 马新强")
    assert "王行环（武汉）\n城市" not in out


@pytest.mark.parametrize("ending", ["", "\n", "exit\n", "q\n", "退出\n"])
def test_console_command_ends_on_eof_or_quit(seed_db: Path, ending: str) -> None:
    result = console_process(seed_db, "/city 杭州\n" + ending)
    assert 0 == result.returncode, result.stderr
    assert "罗卫东" in result.stdout


def test_console_command_in_english(seed_db: Path) -> None:
    result = console_process(seed_db, "/who 宋朝学\n", "--lang", "en")
    assert 0 == result.returncode, result.stderr
    assert result.stdout.startswith("Who said what at the Two Sessions")
    assert "Role: not stated in the source" in result.stdout
