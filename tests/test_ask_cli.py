"""``python bot.py ask``: the scriptable interface (issue #3).

Run as a user runs it, in a subprocess, against the seed store. ``--json``
prints one object per message with the documented fields; without it, one
plain reply per message, in order.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import bot_py

FIELDS = {"query", "intent", "match", "suggestions", "items", "text"}
MATCH_FIELDS = {"kind", "name", "city", "score"}
ITEM_FIELDS = {"kind", "speaker", "text", "source"}


def ask(seed_db: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return bot_py("ask", "--db", str(seed_db), *args, stdin=stdin)


def json_lines(result: subprocess.CompletedProcess[str]) -> list[dict]:
    assert 0 == result.returncode, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def check_fields(reply: dict) -> None:
    """The documented shape of one reply."""
    assert FIELDS <= set(reply)
    assert isinstance(reply["query"], str) and isinstance(reply["intent"], str) and isinstance(reply["text"], str)
    assert reply["text"].strip()
    if reply["match"] is not None:
        assert MATCH_FIELDS <= set(reply["match"])
        assert isinstance(reply["match"]["score"], (int, float))
    assert all(isinstance(name, str) for name in reply["suggestions"])
    for item in reply["items"]:
        assert ITEM_FIELDS <= set(item)
        assert item["kind"] in ("quote", "statement", "fact")
        assert item["text"] and item["source"]


def test_json_answers_each_argument_in_order(seed_db: Path) -> None:
    messages = ["/who 马欣强", "/city 江城", "谁提到了DeepSeek", "/who 张三", "/topic AI"]
    replies = json_lines(ask(seed_db, "--json", *messages))
    assert messages == [reply["query"] for reply in replies]
    for reply in replies:
        check_fields(reply)
    person, city, search, unknown, topic = replies
    assert ("person", {"kind": "person", "name": "马新强", "city": "武汉"}) == (
        person["intent"], {k: person["match"][k] for k in ("kind", "name", "city")}
    )
    assert person["match"]["score"] < 100
    assert {"马新强"} == {item["speaker"] for item in person["items"]}
    assert ("city", "武汉", None) == (city["intent"], city["match"]["name"], city["match"]["city"])
    assert ("search", None, "王行环") == (search["intent"], search["match"], search["items"][0]["speaker"])
    assert "DeepSeek" in search["items"][0]["text"]
    assert "长江日报 2025-03《同饮一江春水 各领风骚向未来》" == search["items"][0]["source"]
    assert ("not_found", None, [], []) == (unknown["intent"], unknown["match"], unknown["suggestions"], unknown["items"])
    assert ("topic", "人工智能") == (topic["intent"], topic["match"]["name"])


def test_json_suggestions_are_names(seed_db: Path) -> None:
    reply = json_lines(ask(seed_db, "--json", "/who 马新"))[0]
    assert ("not_found", None, ["马新强"]) == (reply["intent"], reply["match"], reply["suggestions"])


def test_json_reads_one_message_per_line_of_stdin(seed_db: Path) -> None:
    messages = ["马新强", "武汉", "沿途下蛋", "/who", "/more Lp;o999"]
    replies = json_lines(ask(seed_db, "--json", stdin="\n".join(messages) + "\n"))
    assert messages == [reply["query"] for reply in replies]
    assert ["person", "city", "search", "person_list", "expired"] == [reply["intent"] for reply in replies]
    assert "耿福能" == replies[2]["items"][0]["speaker"]


def test_json_text_is_the_plain_reply(seed_db: Path) -> None:
    reply = json_lines(ask(seed_db, "--json", "/who 罗卫东"))[0]
    plain = ask(seed_db, "/who 罗卫东")
    assert 0 == plain.returncode, plain.stderr
    assert reply["text"].strip() == plain.stdout.strip()


def test_plain_replies_come_one_per_message_in_order(seed_db: Path) -> None:
    result = ask(seed_db, "/who 丁光宏", "/city 成都", "/topic 人才")
    assert 0 == result.returncode, result.stderr
    out = result.stdout
    positions = [out.index("丁光宏（上海）"), out.index("成都\n代表委员："), out.index("人才\n")]
    assert positions == sorted(positions)
    assert "" == result.stderr.strip()


def test_english_replies(seed_db: Path) -> None:
    result = ask(seed_db, "--lang", "en", "/who 宋朝学")
    assert 0 == result.returncode, result.stderr
    assert "Role: not stated in the source" in result.stdout


@pytest.mark.parametrize("message", ["", "   ", '"NEAR(*', "<b>&", "\u200b", "😀" * 2000])
def test_bad_input_on_the_command_line_still_answers(seed_db: Path, message: str) -> None:
    replies = json_lines(ask(seed_db, "--json", message))
    assert 1 == len(replies)
    check_fields(replies[0])


def test_json_query_is_the_message_as_sent(seed_db: Path) -> None:
    """The engine reads a cleaned copy; the query field keeps what was sent."""
    messages = ["/who  马新强 ", "\u3000武汉\u200b", "x" * 2000]
    replies = json_lines(ask(seed_db, "--json", *messages))
    assert messages == [reply["query"] for reply in replies]
    assert ["person", "city"] == [reply["intent"] for reply in replies[:2]]
