"""Turn an ``Answer`` into text: plain for the console and ``ask``, HTML for
Telegram. Both come from the same blocks, so every surface says the same.

The interface speaks Chinese or English; store text (quotes, names, titles)
is shown as it is. In HTML every piece of store and user text is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from . import answer as intents
from .answer import BUTTON_BYTES, Answer, Fact, Item, Person

TELEGRAM_LIMIT = 4096
MAX_ITEM_CHARS = 1000  # longer items are cut here; the context button shows the paragraph

STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "kind.quote": "原话",
        "kind.statement": "表述",
        "kind.fact": "数据",
        "no_speaker": "报道（未署名代表委员）",
        "not_stated": "原文未说明",
        "role": "身份",
        "affiliation": "单位",
        "city": "城市",
        "source": "来源",
        "topics": "话题",
        "counts": "原话 {quotes} · 表述 {statements} · 数据 {facts}",
        "delegates": "代表委员",
        "more_delegates": "等 {total} 位",
        "statements": "相关表述",
        "facts": "数据与事实",
        "page": "第 {first}–{last} 条，共 {total} 条",
        "more_hint": "发送 {command} 查看更多",
        "search": "搜索“{terms}”",
        "search_in": "在{scope}中搜索“{terms}”",
        "not_a_topic": "“{subject}”不在话题词表里，以下是提到它的内容：",
        "not_found": "没有找到“{subject}”。",
        "ambiguous": "“{subject}”可以指好几个人或地方，请说得更具体些。",
        "no_coverage": "知道“{subject}”，但资料里还没有相关的代表委员或表述。",
        "nothing_to_search": "请告诉我一个名字、城市或话题。",
        "did_you_mean": "你是不是要找：",
        "try": "试试：",
        "no_items": "资料里还没有相关表述。",
        "no_items_for_filters": "{name}没有关于{filters}的表述。",
        "no_items_together": "没有同时涉及{names}的内容。",
        "terms_not_found": "没有关于{name}且提到“{terms}”的内容，以下是{name}的全部内容：",
        "no_quotes": "资料里还没有{subject}的原话。",
        "any_word": "没有同时包含这些词的内容，以下包含其中任一个：",
        "fact_note": "（报道所述）",
        "quote_title": "随机原话",
        "city_list": "城市（{total}）",
        "person_list": "代表委员（{total}）",
        "topic_list": "话题（{total}）",
        "people_count": "{count} 人",
        "items_count": "{count} 条",
        "context_title": "原文",
        "help_title": "两会代表委员说了什么",
        "help_intro": "我知道 {articles} 篇报道里 {people} 位代表委员的原话、表述和数据，涉及 {cities} 个城市、{topics} 个话题。",
        "help_commands": "/city 城市 · /who 人名 · /topic 话题 · /quote 随机原话 · /lang 切换语言\n也可以直接提问，错别字、拼音、繁体都行。",
        "unknown_command": "不认识的命令 {command}。",
        "expired": "这个按钮已经失效了，请重新提问。",
        "language_set": "已切换为中文。",
        "language_usage": "用法：/lang zh 或 /lang en",
        "empty": "请发一个名字、城市、话题或问题。",
        "label.more": "更多 ▸",
        "label.prev": "◂ 上一页",
        "label.context": "原文 {n}",
        "matched_as": "（按“{query}”匹配）",
    },
    "en": {
        "kind.quote": "quote",
        "kind.statement": "statement",
        "kind.fact": "fact",
        "no_speaker": "report (no delegate named)",
        "not_stated": "not stated in the source",
        "role": "Role",
        "affiliation": "Affiliation",
        "city": "City",
        "source": "source",
        "topics": "Topics",
        "counts": "{quotes} · {statements} · {facts}",
        "delegates": "Delegates",
        "more_delegates": "{total} in all",
        "statements": "What was said",
        "facts": "Facts and figures",
        "page": "items {first}–{last} of {total}",
        "more_hint": "send {command} for more",
        "search": "Search “{terms}”",
        "search_in": "Search “{terms}” in {scope}",
        "not_a_topic": "“{subject}” is not one of my topics; here is what mentions it:",
        "not_found": "Nothing matches “{subject}”.",
        "ambiguous": "“{subject}” could mean several people or places; please be more specific.",
        "no_coverage": "I know “{subject}”, but no delegate or statement about it is in the store yet.",
        "nothing_to_search": "Tell me a name, a city or a topic.",
        "did_you_mean": "Did you mean:",
        "try": "Try:",
        "no_items": "Nothing said yet.",
        "no_items_for_filters": "{name} said nothing about {filters}.",
        "no_items_together": "Nothing covers {names} together.",
        "terms_not_found": "Nothing about {name} mentions “{terms}”; here is everything about {name}:",
        "no_quotes": "No quotes{subject} yet.",
        "any_word": "Nothing has all of these words; here is what has any of them:",
        "fact_note": " (as reported)",
        "quote_title": "A random quote",
        "city_list": "Cities ({total})",
        "person_list": "Delegates ({total})",
        "topic_list": "Topics ({total})",
        "people_count": "{count}",
        "items_count": "{count}",
        "context_title": "In context",
        "help_title": "Who said what at the Two Sessions",
        "help_intro": "I know the quotes, statements and figures of {people} in {articles}, covering {cities} and {topics}.",
        "help_commands": "/city city · /who name · /topic topic · /quote random quote · /lang language\nOr just ask: typos, pinyin and traditional characters are fine.",
        "unknown_command": "I don't know the command {command}.",
        "expired": "This button has expired. Please ask again.",
        "language_set": "Switched to English.",
        "language_usage": "Usage: /lang zh or /lang en",
        "empty": "Send me a name, a city, a topic or a question.",
        "label.more": "More ▸",
        "label.prev": "◂ Back",
        "label.context": "Context {n}",
        "matched_as": " (matched from “{query}”)",
    },
}


def language(code: str | None) -> str:
    """Chinese for zh*, English otherwise."""
    return "zh" if (code or "").lower().startswith("zh") else "en"


def t(lang: str, key: str, **values: object) -> str:
    return STRINGS[language(lang)][key].format(**values)


@dataclass(frozen=True)
class Span:
    text: str
    style: str = ""  # "", "b" (bold), "i" (italic), "code", "mark" (the item inside its paragraph)


Block = list[Span]


_PLURALS = {"city": "cities"}


def counted(lang: str, count: int, noun: str) -> str:
    """A count as the interface language writes it: 3 (zh, the template has
    the measure word), "1 city" or "3 cities" (en)."""
    if language(lang) == "zh":
        return str(count)
    return f"{count} {noun}" if count == 1 else f"{count} {_PLURALS.get(noun, noun + 's')}"


def _cut(text: str) -> str:
    return text if len(text) <= MAX_ITEM_CHARS else text[: MAX_ITEM_CHARS - 1] + "…"


def _cut_left(text: str) -> str:
    """The end of text, which leads into what follows it."""
    return text if len(text) <= MAX_ITEM_CHARS else "…" + text[-(MAX_ITEM_CHARS - 1) :]


def _fact(lang: str, label: str, fact: Fact | None) -> Block:
    if fact is None:
        return [Span(f"{t(lang, label)}：" if lang == "zh" else f"{t(lang, label)}: "), Span(t(lang, "not_stated"), "i")]
    separator = "：" if lang == "zh" else ": "
    return [Span(f"{t(lang, label)}{separator}{fact.value}"), Span(_bracketed(lang, f"{t(lang, 'source')}{separator}{fact.source}"), "i")]


def _listed(lang: str, names: list[str]) -> str:
    """马新强、王行环 in Chinese, 马新强, 王行环 in English."""
    return ("、" if lang == "zh" else ", ").join(names)


def _bracketed(lang: str, text: str) -> str:
    """（…） after Chinese, (…) after a space in English."""
    return f"（{text}）" if lang == "zh" else f" ({text})"


def _named(lang: str, name: str, latin: str | None) -> str:
    """A name as the interface language shows it: 马新强, or 马新强 Ma Xinqiang in English."""
    return f"{name} {latin}" if lang == "en" and latin else name


def _in_city(lang: str, city: str, latin: str | None) -> str:
    """（武汉） in Chinese, (Wuhan) in English."""
    return _bracketed(lang, city if lang == "zh" else latin or city)


def _person_card(lang: str, person: Person) -> list[Block]:
    title = [Span(_named(lang, person.name, person.latin), "b")]
    if person.city:
        title.append(Span(_in_city(lang, person.city, person.city_latin)))
    blocks = [title, _fact(lang, "city", person.city_fact), _fact(lang, "role", person.role), _fact(lang, "affiliation", person.affiliation)]
    if person.topics:
        blocks.append([Span(f"{t(lang, 'topics')}{'：' if lang == 'zh' else ': '}{_listed(lang, list(person.topics))}")])
    blocks.append(
        [
            Span(
                t(
                    lang,
                    "counts",
                    quotes=counted(lang, person.quotes, "quote"),
                    statements=counted(lang, person.statements, "statement"),
                    facts=counted(lang, person.facts, "fact"),
                ),
                "i",
            )
        ]
    )
    return blocks


def _delegate_line(lang: str, person: Person) -> Block:
    details = [fact.value for fact in (person.role, person.affiliation) if fact]
    if not details:
        details = [t(lang, "not_stated")]
    separator = "，" if lang == "zh" else ", "
    return [Span("• "), Span(_named(lang, person.name, person.latin), "b"), Span(_bracketed(lang, separator.join(details)))]


def _item_blocks(lang: str, marker: str, item: Item) -> list[Block]:
    """An item under its marker ("3. " in a numbered page, "• " among a city's figures)."""
    speaker = _named(lang, item.speaker, item.speaker_latin) if item.speaker else t(lang, "no_speaker")
    head = [Span(marker), Span(f"[{t(lang, 'kind.' + item.kind)}] ", "i"), Span(speaker, "b")]
    if item.speaker and item.speaker_city:
        head.append(Span(_in_city(lang, item.speaker_city, item.speaker_city_latin)))
    if item.kind == "fact" and item.speaker:
        # A fact sits in the delegate's passage; the reporter may be the one stating it.
        head.append(Span(t(lang, "fact_note"), "i"))
    body = _cut(item.text)
    text = f"“{body}”" if item.kind == "quote" else body
    return [head, [Span(text)], [Span("—— " + item.source.line(), "i")]]


def blocks(answer: Answer, lang: str) -> list[list[Block]]:
    """The answer as groups of blocks. A group is never split across messages."""
    lang = language(lang)
    groups: list[list[Block]] = []
    intent = answer.intent
    subject = answer.subject or ""

    if intent == intents.HELP:
        stats = answer.stats
        head = [[Span(t(lang, "help_title"), "b")]]
        if answer.notice == "empty":
            head.append([Span(t(lang, "empty"))])
        nouns = {"articles": "article", "people": "delegate", "cities": "city", "topics": "topic"}
        head.append([Span(t(lang, "help_intro", **{key: counted(lang, stats.get(key, 0), noun) for key, noun in nouns.items()}))])
        head.append([Span(t(lang, "help_commands"))])
        groups.append(head)
        if answer.examples:
            groups.append([[Span(t(lang, "try"))]] + [[Span("• "), Span(example, "code")] for example in answer.examples])
        return groups
    if intent == intents.UNKNOWN_COMMAND:
        groups.append([[Span(t(lang, "unknown_command", command=answer.command or ""))], [Span(t(lang, "help_commands"))]])
        return groups
    if intent == intents.EXPIRED:
        return [[[Span(t(lang, "expired"))]]]
    if intent == intents.LANGUAGE:
        if answer.subject:
            return [[[Span(t(answer.subject, "language_set"))]]]
        return [[[Span(t(lang, "language_usage"))]]]
    if intent == intents.NOT_FOUND:
        key = answer.notice if answer.notice in ("ambiguous", "no_coverage", "nothing_to_search") else "not_found"
        group = [[Span(t(lang, key, subject=subject))]]
        if answer.suggestions:
            group.append([Span(t(lang, "did_you_mean"))])
            for suggestion in answer.suggestions:
                group.append([Span("• "), Span(suggestion_command(suggestion.kind, suggestion.name), "code")])
        elif key != "nothing_to_search":
            group.append([Span(t(lang, "help_commands"))])
        return [group]
    if intent in (intents.CITY_LIST, intents.PERSON_LIST, intents.TOPIC_LIST):
        group = [[Span(t(lang, intent, total=answer.total), "b")]]
        count_key, noun = ("people_count", "delegate") if intent == intents.CITY_LIST else ("items_count", "item")
        for entry in answer.entries:
            detail = f" {entry.detail}" if entry.detail else ""
            count = t(lang, count_key, count=counted(lang, entry.count, noun))
            group.append([Span("• "), Span(entry.name, "b"), Span(f"{detail} · {count}")])
        groups.append(group)
        groups.append(_footer(answer, lang))
        return groups
    if intent == intents.CONTEXT and answer.context:
        context = answer.context
        item = context.item
        group = [[Span(t(lang, "context_title"), "b"), Span(" · " + (item.speaker or t(lang, "no_speaker")))]]
        if context.before:
            group.append([Span(_cut(context.before), "i")])
        paragraph = context.paragraph
        group.append(
            [Span(_cut_left(paragraph[: item.start])), Span(_cut(paragraph[item.start : item.end]), "mark"), Span(_cut(paragraph[item.end :]))]
        )
        if context.after:
            group.append([Span(_cut(context.after), "i")])
        group.append([Span("—— " + item.source.line(), "i")])
        return [group]

    # Answers made of items: person, city, topic, search, quote.
    head: list[Block] = []
    if intent == intents.PERSON and len(answer.people) > 1:
        # What several people said: each named with what is known of them.
        head.append([Span(_listed(lang, [person.name for person in answer.people]), "b")])
        if answer.offset == 0:
            head.extend(_delegate_line(lang, person) for person in answer.people)
    elif intent == intents.PERSON and answer.people:
        if answer.offset == 0:
            head.extend(_person_card(lang, answer.people[0]))
        else:
            head.append([Span(answer.people[0].name, "b")])
    elif intent == intents.CITY and answer.match:
        head.append([Span(answer.match.name, "b")])
        if answer.people and answer.offset == 0:
            label = t(lang, "delegates")
            if answer.people_total > len(answer.people):
                label += _bracketed(lang, t(lang, "more_delegates", total=answer.people_total))
            head.append([Span(label + ("：" if lang == "zh" else ":"))])
            head.extend(_delegate_line(lang, person) for person in answer.people)
    elif intent == intents.TOPIC and answer.match:
        head.append([Span(answer.match.name, "b")])
    elif intent == intents.SEARCH:
        terms = " ".join(answer.terms)
        if answer.notice == "not_a_topic":
            head.append([Span(t(lang, "not_a_topic", subject=terms))])
        elif answer.match:
            head.append([Span(t(lang, "search_in", terms=terms, scope=answer.match.name), "b")])
        else:
            head.append([Span(t(lang, "search", terms=terms), "b")])
        if answer.notice == "any_word":
            head.append([Span(t(lang, "any_word"), "i")])
    elif intent == intents.QUOTE:
        head.append([Span(t(lang, "quote_title"), "b")])
        if answer.notice == "no_quotes":
            whose = answer.match.name if answer.match else ""
            head.append([Span(t(lang, "no_quotes", subject=(f" from {whose}" if lang == "en" and whose else whose)))])
    if answer.match and answer.match.score < 100 and answer.match.typed and answer.offset == 0:
        # Not the name as written (a typo, pinyin, a given name): show what was read as it.
        head[0] = head[0] + [Span(t(lang, "matched_as", query=answer.match.typed), "i")]
    # Whom a notice is about: the person, or every person asked about together.
    about = _listed(lang, [person.name for person in answer.people]) if intent == intents.PERSON and answer.people else None
    if answer.notice == "no_items_for_filters" and answer.match:
        names = _listed(lang, [f.name for f in answer.filters])
        if answer.match.kind == "person":
            head.append([Span(t(lang, "no_items_for_filters", name=about or answer.match.name, filters=names))])
        else:
            # 人才 人工智能: two topics (or places) that no item shares; neither "said" anything.
            together = [answer.match.name, *(f.name for f in answer.filters)]
            head.append([Span(t(lang, "no_items_together", names=("和".join(together) if lang == "zh" else " and ".join(together))))])
    elif answer.notice == "terms_not_found" and answer.match:
        terms = " ".join(answer.terms) or _argument(answer.query)[:60]
        head.append([Span(t(lang, "terms_not_found", terms=terms, name=about or answer.match.name))])
    elif answer.filters and intent != intents.SEARCH:
        head.append([Span("+ " + " + ".join(f.name for f in answer.filters), "i")])
    if not answer.items and intent != intents.QUOTE and answer.notice != "no_items_for_filters":
        head.append([Span(t(lang, "no_items"))])
    groups.append(head)
    previous_kind = None
    for number, item in enumerate(answer.items, start=answer.offset + 1):
        group_kind = "fact" if item.kind == "fact" else "said"
        group: list[Block] = []
        if intent in (intents.CITY, intents.PERSON) and group_kind != previous_kind:
            group.append([Span(t(lang, "facts" if group_kind == "fact" else "statements"), "b")])
        previous_kind = group_kind
        group.extend(_item_blocks(lang, f"{number}. ", item))
        groups.append(group)
    if answer.figures:
        groups.append([[Span(t(lang, "facts"), "b")]])
        groups.extend(_item_blocks(lang, "• ", item) for item in answer.figures)
    if intent != intents.QUOTE:
        footer = _footer(answer, lang)
        if footer:
            groups.append(footer)
    return groups


def _argument(query: str) -> str:
    """The argument of a command, or the message itself."""
    return query.split(maxsplit=1)[1] if query.startswith("/") and " " in query else query


def _footer(answer: Answer, lang: str) -> list[Block]:
    if answer.total <= 0:
        return []
    shown = len(answer.items) or len(answer.entries)
    if answer.total <= shown and answer.offset == 0:
        return []
    return [[Span(t(lang, "page", first=answer.offset + 1, last=answer.offset + shown, total=answer.total), "i")]]


def suggestion_command(kind: str, name: str) -> str:
    return {"person": "/who", "city": "/city", "topic": "/topic"}[kind] + " " + name


# A button is its label and its callback data; a keyboard is rows of buttons.
Button = tuple[str, str]
ButtonRows = tuple[tuple[Button, ...], ...]


def _button(label: str, data: str | None) -> Button | None:
    """A button whose data is a message the bot answers; None when it would not fit."""
    if not data or len(data.encode("utf-8")) > BUTTON_BYTES:
        return None
    return label[:64], data


def button_rows(answer: Answer, lang: str, button_data: Callable[[str], str | None]) -> ButtonRows:
    """The buttons under an answer: context per item, previous/next page,
    did-you-mean, examples. ``button_data`` fits a command into callback
    data (Engine.button_data)."""
    rows: list[list[Button | None]] = []
    if answer.items and answer.intent != intents.CONTEXT:
        rows.append(
            [
                _button(t(lang, "label.context", n=number), item.context_command)
                for number, item in enumerate(answer.items, start=answer.offset + 1)
            ]
        )
    rows.append(
        [
            _button(t(lang, "label.prev"), button_data(answer.prev)) if answer.prev else None,
            _button(t(lang, "label.more"), button_data(answer.next)) if answer.next else None,
        ]
    )
    for suggestion in answer.suggestions:
        label = suggestion.name + (f"（{suggestion.city}）" if suggestion.city else "")
        rows.append([_button(label, suggestion_command(suggestion.kind, suggestion.name))])
    if answer.intent in (intents.HELP, intents.UNKNOWN_COMMAND):
        examples = [button for button in (_button(example, example) for example in answer.examples) if button]
        rows.extend(examples[i : i + 2] for i in range(0, len(examples), 2))
    kept = (tuple(button for button in row if button) for row in rows)
    return tuple(row for row in kept if row)


# Formatting -------------------------------------------------------------------


def to_text(answer: Answer, lang: str, hints: bool = True) -> str:
    """Plain text, for the console and ``ask``."""
    lines = ["".join(_text_span(span) for span in block) for group in blocks(answer, lang) for block in group]
    if hints and answer.next:
        lines.append(t(lang, "more_hint", command=answer.next))
    return "\n".join(lines)


def _text_span(span: Span) -> str:
    """Plain text has no bold: the item inside its paragraph is bracketed instead."""
    return f"【{span.text}】" if span.style == "mark" and span.text else span.text


def _html_span(span: Span) -> str:
    text = html.escape(span.text, quote=False)
    tag = "b" if span.style == "mark" else span.style
    if tag in ("b", "i", "code"):
        return f"<{tag}>{text}</{tag}>"
    return text


def _units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units, so an emoji counts 2."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def to_html_messages(answer: Answer, lang: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Telegram HTML, split at group boundaries into messages under the limit."""
    messages: list[str] = []
    current: list[str] = []
    length = 0
    for group in blocks(answer, lang):
        rendered = "\n".join("".join(_html_span(span) for span in block) for block in group)
        size = _units(rendered) + 2
        if current and length + size > limit:
            messages.append("\n\n".join(current))
            current, length = [], 0
        if size > limit:
            rendered = _shorten_html(group, limit)
            size = _units(rendered) + 2
        current.append(rendered)
        length += size
    if current:
        messages.append("\n\n".join(current))
    return messages or [html.escape(t(lang, "empty"), quote=False)]


def _shorten_html(group: list[Block], limit: int) -> str:
    """A single group too long for one message: cut its text until the
    formatted (escaped) result fits."""
    budget = limit - 100
    lines: list[str] = []
    for block in group:
        parts = []
        for span in block:
            formatted = _html_span(span)
            text = span.text
            while _units(formatted) > budget and text:
                text = text[: len(text) * 3 // 4]
                formatted = _html_span(Span(text + "…", span.style))
            if budget <= 0 or not text:
                break
            budget -= _units(formatted)
            parts.append(formatted)
        if parts:
            lines.append("".join(parts))
        budget -= 1
    return "\n".join(lines)
