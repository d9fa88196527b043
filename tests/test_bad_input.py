"""Every message gets a sensible reply, whatever it holds (issue #3).

Sensible means: an intent is set, the plain text is not empty, every Telegram
message is valid HTML of at most 4096 characters, and the ``ask --json``
object serialises. Never an exception, never an FTS5 syntax error. Covered
three ways: fixed cases (FTS5 syntax, SQL, HTML, Markdown, control
characters, long messages), hypothesis, and the Big List of Naughty Strings.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.answer import Intent
from bot.engine.answer import Answer
from bot.engine import Engine
from bot.render import TELEGRAM_LIMIT, to_html_messages, to_text
from telegram_html import validate_telegram_html

INTENTS = {
    Intent.HELP, Intent.PERSON, Intent.CITY, Intent.TOPIC, Intent.SEARCH, Intent.QUOTE, Intent.NOT_FOUND,
    Intent.PERSON_LIST, Intent.CITY_LIST, Intent.TOPIC_LIST, Intent.CONTEXT, Intent.UNKNOWN_COMMAND,
    Intent.EXPIRED, Intent.LANGUAGE,
}
PREFIXES = [
    "", "/start ", "/help ", "/city ", "/who ", "/topic ", "/quote ", "/search ", "/more ", "/context ", "/lang ",
    "/who@LiangHuiBot ", "/city@LiangHuiBot\u3000", "/nosuchcommand ", "马新强 ", "武汉 ",
]
FTS5 = ['"', '""', '"马新强', "NEAR(", "NEAR(马新强 人才, 2)", "*", "马*", "AND", "OR", "NOT", "-", "-马新强", "^", "^人才",
        "text:", "text:人才", "speaker:马新强", "{text speaker}: 人才", "(", ")", "((人才", "人才 AND", "OR 人才",
        "马新强 OR 王行环", "a NOT b", '"a" + "b"', "item_search_fts", "rank:", "bm25(", ":", "'", "''"]
SQL = ["'; DROP TABLE people; --", "1 OR 1=1", "' OR '1'='1", "马新强'); DELETE FROM items; --", "%", "_", "\\", "?", "?1"]
MARKUP = ["<b>马新强</b>", "<script>alert(1)</script>", "</i>", "<code>", "&amp;", "&lt;", "&", "a < b > c",
          "*bold* _italic_ `code` [link](http://x)", "__init__", "~~s~~", "||spoiler||", "```", "<a href='x'>武汉</a>"]
CONTROL = ["\u200b", "\u200b马新强\u200b", "马\u200d新\u200c强", "\u202e武汉", "\ufeff/who 马新强", "\x00", "\x00马新强",
           "\x1b[31m武汉", "\x7f", "\u3000", "\t\n\r", "马\n新\n强", "\u2028", "\ud7ff", "\U0001f600", "马新强\U0001f600",
           "\U0001f1e8\U0001f1f3", "👨‍👩‍👧‍👦", "\u0301", "e\u0301", "\uffff", "\U0010ffff"]
LONG = ["马新强" * 1400, "a" * 4000, "😀" * 4000, "<&>" * 1400, "武汉 " * 1000, "人才 AND " * 500, '"' * 4000,
        "/who " + "马" * 4000, " " * 4000, "\u200b" * 4000, "发展" * 2100, "𠀀" * 4000]
FIXED = [""] + FTS5 + SQL + MARKUP + CONTROL + LONG


def problems(answer: Answer) -> list[str]:
    """What is wrong with a reply; empty when it is sensible."""
    found = []
    if answer.intent not in INTENTS:
        found.append(f"intent {answer.intent!r}")
    for lang in ("zh", "en"):
        text = to_text(answer, lang)
        if not text.strip():
            found.append(f"empty {lang} text")
        json.dumps(answer.to_json(text), ensure_ascii=False)
        messages = to_html_messages(answer, lang)
        if not messages:
            found.append(f"no {lang} messages")
        for html in messages:
            found.extend(validate_telegram_html(html))
            if len(html) > TELEGRAM_LIMIT:
                found.append(f"{lang} message of {len(html)} characters")
    return found


@pytest.mark.parametrize("body", FIXED)
def test_fixed_bad_input_gets_a_sensible_reply(engine: Engine, body: str) -> None:
    """Each case as plain text and after every command."""
    failures = {prefix: found for prefix in PREFIXES if (found := problems(engine.answer(prefix + body)))}
    assert {} == failures


@pytest.mark.parametrize("message", ["", " ", "   ", "\u3000", "\u200b", "\t\n", "\x00", "\ufeff", "/search", "/search   "])
def test_empty_messages_get_help(engine: Engine, message: str) -> None:
    answer = engine.answer(message)
    assert (Intent.HELP, "empty") == (answer.intent, answer.notice)
    assert "请发一个名字、城市、话题或问题" in to_text(answer, "zh")


@pytest.mark.parametrize("message", FTS5 + SQL)
def test_query_syntax_is_searched_as_text_not_run(engine: Engine, message: str) -> None:
    """FTS5 and SQL syntax are words to look for, never operators: no reply is help or an error."""
    answer = engine.answer(message)
    assert answer.intent in {Intent.SEARCH, Intent.NOT_FOUND, Intent.PERSON, Intent.TOPIC, Intent.CITY}


@pytest.mark.parametrize("message", ["马新强 OR 王行环", "NEAR(马新强 人才)", "马新强*", "^马新强", '"马新强"', "<b>马新强</b>", "\u200b马新强\u200b"])
def test_a_name_inside_syntax_is_still_found(engine: Engine, message: str) -> None:
    answer = engine.answer(message)
    assert answer.match is not None and "马新强" == answer.match.name


def test_sql_in_a_message_changes_nothing(engine: Engine) -> None:
    before = engine.answer("/who 马新强").total
    for message in SQL:
        engine.answer(message)
        engine.answer("/who " + message)
    assert before == engine.answer("/who 马新强").total
    assert 6 == engine.store.value("select count(*) from people")


def test_user_text_is_escaped_in_html(engine: Engine) -> None:
    answer = engine.answer("/who <b>张三</b>&")
    html = "\n".join(to_html_messages(answer, "zh"))
    assert "&lt;b&gt;张三&lt;/b&gt;&amp;" in html


def test_long_replies_are_split_within_telegram_limits(engine: Engine) -> None:
    """A reply longer than one message is split, each part valid and within 4096 UTF-16 units."""
    answer = engine.answer("马新强 zzzz " + "😀" * 4000)
    assert [] == problems(answer)
    small = to_html_messages(engine.answer("/city 武汉"), "zh", limit=600)
    assert len(small) > 1
    assert all(len(message) <= 600 and [] == validate_telegram_html(message) for message in small)


# Hypothesis ------------------------------------------------------------------------

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
TOKENS = ["马新强", "马欣强", "武汉", "江城", "人工智能", "AI", "人才", "DeepSeek", "谁", "提到", "了", "沿途下蛋", "maxinqiang",
          "Ma", "Xinqiang", "mxq", "北京", "张三", "/who", "/city", "/topic", "/more", "/quote", "/context", "p1", "o5", ";",
          *FTS5, *SQL[:3], *MARKUP[:4], "\u200b", "😀", "\x00", "  ", "\u3000"]


@FUZZ
@given(st.text(max_size=300))
def test_any_text_gets_a_sensible_reply(engine: Engine, message: str) -> None:
    assert [] == problems(engine.answer(message))


@FUZZ
@given(st.sampled_from(PREFIXES), st.text(max_size=80))
def test_any_command_argument_gets_a_sensible_reply(engine: Engine, prefix: str, argument: str) -> None:
    assert [] == problems(engine.answer(prefix + argument))


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=8), st.sampled_from([" ", "", "\u3000", ";"]))
def test_mixed_names_words_and_syntax_get_a_sensible_reply(engine: Engine, words: list[str], separator: str) -> None:
    assert [] == problems(engine.answer(separator.join(words)))


@FUZZ
@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=12), st.sampled_from(PREFIXES))
def test_any_han_text_gets_a_sensible_reply(engine: Engine, han: str, prefix: str) -> None:
    """Han text takes the segmentation and fuzzy-name paths that random Unicode rarely reaches."""
    assert [] == problems(engine.answer(prefix + han))


@FUZZ
@given(st.text(alphabet="pctLshoq0123456789abz;-_ ", max_size=40))
def test_any_continuation_token_is_answered_or_expired(engine: Engine, token: str) -> None:
    answer = engine.answer("/more " + token)
    assert [] == problems(answer)
    assert answer.intent in {Intent.EXPIRED, Intent.PERSON_LIST, Intent.CITY_LIST, Intent.TOPIC_LIST, Intent.SEARCH,
                             Intent.PERSON, Intent.CITY, Intent.TOPIC, Intent.NOT_FOUND, Intent.HELP}


# The Big List of Naughty Strings ---------------------------------------------------------


@pytest.mark.parametrize("prefix", PREFIXES)
def test_naughty_strings_get_sensible_replies(engine: Engine, naughty_strings: list[str], prefix: str) -> None:
    assert len(naughty_strings) > 400
    failures = {}
    for naughty in naughty_strings:
        found = problems(engine.answer(prefix + naughty))
        if found:
            failures[naughty] = found
    assert {} == failures
