"""End to end: the real python-telegram-bot Application polls a local Bot API
stand-in over HTTP, and every text it sends is checked as Telegram would."""

from __future__ import annotations

import sqlite3
import stat

import pytest

from bot.telegram.app import menu
from fake_botapi import ApiError, FakeBotAPI, SentMessage
from telegram_harness import ADMIN_ID, idle, running_bot
from telegram_html import validate_telegram_html, visible_text

GROUP = -1001000000001
pytestmark = pytest.mark.asyncio


@pytest.fixture
def api():
    with FakeBotAPI() as server:
        yield server


def html_problems(sent: list[SentMessage]) -> list[str]:
    """Every message must be valid Telegram HTML of at most 4,096 characters."""
    problems = []
    for message in sent:
        for problem in validate_telegram_html(message.text):
            problems.append(f"{message.text[:40]!r}: {problem}")
    return problems


async def answer_to(api: FakeBotAPI, text: str, **push) -> SentMessage:
    """Push a message and wait for the bot's reply in that chat."""
    before = len(api.sent_messages())
    api.push_message(text, **push)
    sent = await api.await_for(lambda: api.sent_messages()[before:] or None)
    return sent[-1]


def buttons(message: SentMessage) -> list[tuple[str, str]]:
    markup = message.reply_markup or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row]


async def test_start_city_who_topic_and_plain_text(api, engine, tmp_path):
    async with running_bot(api, engine, tmp_path):
        start = await answer_to(api, "/start")
        assert "两会代表委员说了什么" in visible_text(start.text)
        # The example is the person with the most items: 马新强, with the reporting in his box.
        assert ("/who 马新强", "/who 马新强") in buttons(start)

        city = await answer_to(api, "/city 武汉")
        assert "马新强" in city.text and "王行环" in city.text

        typo = await answer_to(api, "/who 马欣强")
        assert "马新强" in visible_text(typo.text)
        assert "全国人大代表" in typo.text

        topic = await answer_to(api, "/topic 人工智能")
        assert "DeepSeek" in topic.text

        plain = await answer_to(api, "谁提到了DeepSeek")
        assert "王行环" in plain.text and "DeepSeek" in plain.text
    assert [] == html_problems(api.sent_messages())


async def test_command_menu_is_registered_in_both_languages(api, engine, tmp_path):
    async with running_bot(api, engine, tmp_path):
        english = api.commands()
        chinese = api.commands(language_code="zh")
    assert [name for name, _ in menu("en")] == [c["command"] for c in english]
    assert [name for name, _ in menu("zh")] == [c["command"] for c in chinese]
    assert "城市：代表委员和他们说了什么" == chinese[0]["description"]


async def test_english_speaking_user_gets_english(api, engine, tmp_path):
    async with running_bot(api, engine, tmp_path):
        reply = await answer_to(api, "/who 罗卫东", language_code="en")
    assert "Role:" in visible_text(reply.text)
    assert "not stated in the source" in visible_text(reply.text)


async def test_lang_switches_and_is_remembered(api, engine, tmp_path):
    async with running_bot(api, engine, tmp_path):
        switched = await answer_to(api, "/lang en", language_code="zh")
        after = await answer_to(api, "/who 罗卫东", language_code="zh")
    assert "Switched to English." == visible_text(switched.text)
    assert "Role:" in visible_text(after.text)
    # A restart keeps the choice: the persistence file holds it.
    async with running_bot(api, engine, tmp_path):
        again = await answer_to(api, "/who 罗卫东", language_code="zh")
    assert "Role:" in visible_text(again.text)


async def test_a_choice_is_kept_in_the_state_file_readable_by_its_owner_only(api, engine, tmp_path):
    """/lang lands in the state database beside the store (no pickle), which
    only its owner may read, and a restarted bot answers in that language."""
    async with running_bot(api, engine, tmp_path):
        await answer_to(api, "/start", user_id=801, language_code="zh")
        await answer_to(api, "/lang en", user_id=801, language_code="zh")
    state = tmp_path / "bot-state.db"
    with sqlite3.connect(state) as connection:
        kept = connection.execute("select user_id, lang from languages").fetchall()
    async with running_bot(api, engine, tmp_path):
        again = await answer_to(api, "/who 罗卫东", user_id=801, language_code="zh")
    assert [(801, "en")] == kept
    assert 0o600 == stat.S_IMODE(state.stat().st_mode)
    assert "Role:" in visible_text(again.text)
    assert [] == html_problems(api.sent_messages())


async def test_more_button_edits_in_place_and_context_replies(api, engine, tmp_path):
    async with running_bot(api, engine, tmp_path):
        first = await answer_to(api, "/who 罗卫东")
        more = dict((text, data) for text, data in buttons(first))["更多 ▸"]
        assert more.startswith("/more ") and len(more.encode()) <= 64
        api.push_callback_query(more, message=first.message)
        edited = await api.await_for(lambda: [m for m in api.sent_messages() if m.method == "editMessageText"] or None)
        assert first.message_id == edited[0].message_id
        assert "6. " in visible_text(edited[0].text)

        context = dict(buttons(first))["原文 1"]
        before = len(api.sent_messages())
        api.push_callback_query(context, message=first.message)
        reply = await api.await_for(lambda: api.sent_messages()[before:] or None)
        assert "原文" in visible_text(reply[0].text)
        answered = api.calls("answerCallbackQuery")
    assert 2 == len(answered)
    assert [] == html_problems(api.sent_messages())


async def test_forged_and_stale_buttons_get_a_polite_answer(api, engine, tmp_path):
    forged = ("/more p0;o5", "/more ;;;", "/context zzzzzzzzzzzzz", "/more " + "s" * 58, "x" * 65)
    async with running_bot(api, engine, tmp_path):
        first = await answer_to(api, "/who 罗卫东")
        for data in forged:
            api.push_callback_query(data, message=first.message)
        answers = await api.await_for(lambda: (calls := api.calls("answerCallbackQuery")) and len(calls) >= len(forged) and calls)
        edits = [m for m in api.sent_messages() if m.method == "editMessageText"]
    # Updates are handled concurrently, so the answers come in any order.
    assert ["这个按钮已经失效了，请重新提问。"] * len(forged) == [call.params.get("text") for call in answers]
    assert [] == edits


async def test_did_you_mean_buttons(api, engine, tmp_path):
    async with running_bot(api, engine, tmp_path):
        reply = await answer_to(api, "/who 武汉")
    assert ("武汉", "/city 武汉") in buttons(reply)


async def test_inline_query_pages_quotes_with_speaker_and_source(api, engine, tmp_path):
    async with running_bot(api, engine, tmp_path):
        api.push_inline_query("马新强")
        first = (await api.await_for(lambda: api.calls("answerInlineQuery") or None))[0]
        api.push_inline_query("")
        pages = await api.await_for(lambda: (calls := api.calls("answerInlineQuery")) and len(calls) >= 2 and calls)
        api.push_inline_query("", offset=pages[1].params["next_offset"])
        last = (await api.await_for(lambda: (calls := api.calls("answerInlineQuery")) and len(calls) >= 3 and calls))[2]
    # How many quotes the seeds hold is the engine's business; paging them is this surface's.
    everything = engine.share("", 0, 50).total
    assert 50 < everything <= 100
    results = first.params["results"]
    assert engine.share("马新强", 0, 50).total == len(results) > 0
    shared = results[0]["input_message_content"]["message_text"]
    assert "马新强" in shared and "长江日报" in shared and [] == validate_telegram_html(shared)
    assert 50 == len(pages[1].params["results"])
    assert "50" == pages[1].params["next_offset"]
    assert "" == last.params.get("next_offset", "")
    assert everything - 50 == len(last.params["results"])


async def test_groups_answer_commands_mentions_and_replies_only(api, engine, tmp_path):
    async with running_bot(api, engine, tmp_path):
        addressed = await answer_to(api, "/city@lianghui_test_bot 成都", chat_type="supergroup")
        assert "耿福能" in addressed.text
        assert addressed.reply_to_message_id is not None

        before = len(api.sent_messages())
        api.push_message("大家好，今天天气不错", chat_type="supergroup")
        api.push_message("/city@other_bot 成都", chat_type="supergroup")
        api.push_message("/nonsense", chat_type="supergroup")
        mention = await answer_to(api, "@lianghui_test_bot 马新强", chat_type="supergroup")
        replied = await answer_to(api, "罗卫东", chat_type="supergroup", reply_to_message=addressed.message)
        sent = api.sent_messages()[before:]
    assert 2 == len(sent), [m.text[:30] for m in sent]
    assert "马新强" in mention.text
    assert "罗卫东" in replied.text


async def test_unknown_command_in_private_chat(api, engine, tmp_path):
    async with running_bot(api, engine, tmp_path):
        reply = await answer_to(api, "/nonsense")
    assert "不认识的命令 /nonsense。" in visible_text(reply.text)


async def test_stats_only_for_admins(api, engine, tmp_path):
    async with running_bot(api, engine, tmp_path):
        await answer_to(api, "/who 张三")
        api.push_message("/stats", user_id=777)
        admin = await answer_to(api, "/stats", user_id=ADMIN_ID)
        replies_to_others = [m for m in api.sent_messages() if m.chat_id == 777]
    assert [] == replies_to_others
    assert "queries served" in admin.text
    assert "张三" in visible_text(admin.text)


async def test_per_user_rate_limit_answers_politely_once(api, engine, tmp_path):
    async with running_bot(api, engine, tmp_path, user_rate=3):
        for _ in range(3):
            await answer_to(api, "/who 马新强", user_id=555)
        warned = await answer_to(api, "/who 马新强", user_id=555)
        api.push_message("/who 马新强", user_id=555)
        other = await answer_to(api, "/who 马新强", user_id=556)
        to_limited = [m for m in api.sent_messages() if m.chat_id == 555]
    assert "消息太多了" in warned.text
    assert 4 == len(to_limited)
    assert "马新强" in other.text


async def test_inline_queries_count_towards_the_per_user_rate_limit(api, engine, tmp_path):
    async with running_bot(api, engine, tmp_path, user_rate=3) as application:
        for _ in range(5):
            api.push_inline_query("马新强", user_id=557)
        api.push_inline_query("马新强", user_id=558)
        answers = await api.await_for(lambda: (calls := api.calls("answerInlineQuery")) and len(calls) >= 6 and calls)
        stats = application.bot_data["services"].stats
    answered = [call.params for call in answers]
    assert 6 == len({params["inline_query_id"] for params in answered})  # each query answered once
    limited = [params for params in answered if not params["results"]]
    assert 2 == len(limited) == stats.rate_limited
    assert 4 == sum(1 for params in answered if params["results"])  # three for 557, one for 558
    buttons = [params["button"]["text"] for params in limited if params.get("button")]
    assert 1 == len(buttons) and buttons[0].startswith("消息太多了")  # told once
    assert all(0 == params["cache_time"] for params in limited)  # not cached for the next person
    assert 0 == stats.errors
    shared = [result["input_message_content"]["message_text"] for params in answered for result in params["results"]]
    assert [] == [problem for text in shared for problem in validate_telegram_html(text)]


async def test_engine_failure_is_logged_and_answered_politely(api, engine, tmp_path, caplog, monkeypatch):
    async with running_bot(api, engine, tmp_path) as application:
        services = application.bot_data["services"]
        monkeypatch.setattr(services.engine, "answer", broken)
        reply = await answer_to(api, "/who 马新强")
        monkeypatch.undo()
        recovered = await answer_to(api, "/who 马新强")
    assert "抱歉，出了点问题，请稍后再试。" == visible_text(reply.text)
    assert "马新强" in recovered.text
    assert any("store exploded" in str(record.exc_info[1]) for record in caplog.records if record.exc_info)


def broken(message: str, lang: str = "zh"):
    raise RuntimeError("store exploded")


async def test_a_lang_button_switches_and_is_remembered_like_a_typed_lang(api, engine, tmp_path):
    """Button data is a message the bot answers: pressed, /lang en is the
    same as typed, choice kept and all."""
    async with running_bot(api, engine, tmp_path) as application:
        first = await answer_to(api, "/who 罗卫东", user_id=811)
        before = len(api.sent_messages())
        api.push_callback_query("/lang en", message=first.message, user_id=811)
        switched = (await api.await_for(lambda: api.sent_messages()[before:]))[0]
        after = await answer_to(api, "/who 罗卫东", user_id=811)
        kept = application.bot_data["services"].state.language(811)
    assert "Switched to English." == visible_text(switched.text)
    assert "Role:" in visible_text(after.text)
    assert "en" == kept
    assert [] == html_problems(api.sent_messages())


async def test_a_failure_during_a_button_press_answers_the_press_in_the_users_language(api, engine, tmp_path, monkeypatch):
    async with running_bot(api, engine, tmp_path) as application:
        await answer_to(api, "/lang en", user_id=812, language_code="zh")
        first = await answer_to(api, "/who 罗卫东", user_id=812, language_code="zh")
        monkeypatch.setattr(application.bot_data["services"].engine, "answer", broken)
        api.push_callback_query("/who 马新强", message=first.message, user_id=812, language_code="zh")
        toast = (await api.await_for(lambda: api.calls("answerCallbackQuery")))[0]
        await api.await_for(lambda: idle(application))
        monkeypatch.undo()
        errors = application.bot_data["services"].stats.errors
    assert "Sorry, something went wrong. Please try again later." == toast.params["text"]  # their /lang, not their client's
    assert first == api.sent_messages(812)[-1]  # the toast said it: no message for the failure
    assert 1 == errors
    assert [] == html_problems(api.sent_messages())


async def test_a_failure_after_the_press_was_answered_is_told_in_the_chat(api, engine, tmp_path):
    def cannot_edit(params: dict) -> bool:
        raise ApiError(400, "Bad Request: message can't be edited")

    api.register_method("editMessageText", cannot_edit)
    async with running_bot(api, engine, tmp_path) as application:
        first = await answer_to(api, "/who 罗卫东", user_id=813)
        api.push_callback_query(dict(buttons(first))["更多 ▸"], message=first.message, user_id=813)
        told = (await api.await_for(lambda: api.sent_messages(813)[1:]))[0]
        await api.await_for(lambda: idle(application))
        errors = application.bot_data["services"].stats.errors
    answers = api.calls("answerCallbackQuery")
    assert "抱歉，出了点问题，请稍后再试。" == visible_text(told.text)
    assert 2 == len(answers) and answers[1].error  # the second answer to the press was refused: hence the message
    assert 1 == errors
    assert [] == html_problems(api.sent_messages())
