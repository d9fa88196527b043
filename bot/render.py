"""Turn an ``Answer`` into text: plain for the console and ``ask``, HTML for
Telegram. Both come from the same blocks, so every surface says the same.

The interface speaks Chinese or English; store text (quotes, names, titles)
is shown as it is. In HTML every piece of store and user text is escaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from .engine.answer import DEEP_LINK_TAGS, Answer, Fact, Intent, Item, Notice, Person, to_base36
from .strings import language, t

TELEGRAM_LIMIT = 4096
MAX_ITEM_CHARS = 1000  # longer items are cut here; the context button shows the paragraph

@dataclass(frozen=True)
class Span:
    text: str
    style: str = ""  # "", "b" (bold), "i" (italic), "code", "mark" (the item inside its paragraph)
    url: str | None = None  # where the text links to (an article's address), http(s) only


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
    # A fact without figures is reporting in the person's section: labelled so, not as data.
    label = "kind.reported" if item.kind == "fact" and not item.has_figures else "kind." + item.kind
    head = [Span(marker), Span(f"[{t(lang, label)}] ", "i"), Span(speaker, "b")]
    if item.speaker and item.speaker_city:
        head.append(Span(_in_city(lang, item.speaker_city, item.speaker_city_latin)))
    if item.kind == "fact" and item.speaker:
        # A fact sits in the delegate's passage; the reporter may be the one stating it.
        head.append(Span(t(lang, "fact_note"), "i"))
    body = _cut(item.text)
    text = f"“{body}”" if item.kind == "quote" else body
    return [head, [Span(text)], _sources(lang, item)]


def _sources(lang: str, item: Item) -> Block:
    """—— and every article the item appears in, earliest first, each linked
    to its address when one is known."""
    block = [Span("—— ", "i")]
    for number, source in enumerate(item.sources or (item.source,)):
        if number:
            block.append(Span("；" if lang == "zh" else "; ", "i"))
        url = source.url if source.url and source.url.lower().startswith(("http://", "https://")) else None
        block.append(Span(source.line(), "i", url))
    return block


Groups = list[list[Block]]


def blocks(answer: Answer, lang: str) -> Groups:
    """The answer as groups of blocks. A group is never split across messages."""
    lang = language(lang)
    return _BY_INTENT.get(answer.intent, _items_answer)(answer, lang)


def _help(answer: Answer, lang: str) -> Groups:
    stats = answer.stats
    head = [[Span(t(lang, "help_title"), "b")]]
    if answer.notice == Notice.EMPTY:
        head.append([Span(t(lang, "empty"))])
    nouns = {"articles": "article", "people": "delegate", "cities": "city", "topics": "topic"}
    head.append([Span(t(lang, "help_intro", **{key: counted(lang, stats.get(key, 0), noun) for key, noun in nouns.items()}))])
    head.append([Span(t(lang, "help_commands"))])
    groups = [head]
    if answer.examples:
        groups.append([[Span(t(lang, "try"))]] + [[Span("• "), Span(example, "code")] for example in answer.examples])
    return groups


def _unknown_command(answer: Answer, lang: str) -> Groups:
    return [[[Span(t(lang, "unknown_command", command=answer.command or ""))], [Span(t(lang, "help_commands"))]]]


def _expired(answer: Answer, lang: str) -> Groups:
    return [[[Span(t(lang, "expired"))]]]


def _language(answer: Answer, lang: str) -> Groups:
    if answer.subject:
        return [[[Span(t(answer.subject, "language_set"))]]]
    return [[[Span(t(lang, "language_usage"))]]]


def _not_found(answer: Answer, lang: str) -> Groups:
    key = answer.notice if answer.notice in (Notice.AMBIGUOUS, Notice.NO_COVERAGE, Notice.NOTHING_TO_SEARCH) else "not_found"
    group = [[Span(t(lang, key, subject=answer.subject or ""))]]
    if answer.suggestions:
        group.append([Span(t(lang, "did_you_mean"))])
        for suggestion in answer.suggestions:
            group.append([Span("• "), Span(suggestion_command(suggestion.kind, suggestion.name), "code")])
    elif key != Notice.NOTHING_TO_SEARCH:
        group.append([Span(t(lang, "help_commands"))])
    return [group]


def _listing(answer: Answer, lang: str) -> Groups:
    group = [[Span(t(lang, answer.intent, total=answer.total), "b")]]
    count_key, noun = ("people_count", "delegate") if answer.intent == Intent.CITY_LIST else ("items_count", "item")
    for entry in answer.entries:
        detail = f" {entry.detail}" if entry.detail else ""
        count = t(lang, count_key, count=counted(lang, entry.count, noun))
        group.append([Span("• "), Span(entry.name, "b"), Span(f"{detail} · {count}")])
    return [group, _footer(answer, lang)]


def _context(answer: Answer, lang: str) -> Groups:
    context = answer.context
    if context is None:
        return _items_answer(answer, lang)
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
    group.append(_sources(lang, item))
    return [group]


# Answers made of items: a head per intent, then the items, figures and footer.


def _person_head(answer: Answer, lang: str) -> list[Block]:
    if len(answer.people) > 1:
        # What several people said: each named with what is known of them.
        head = [[Span(_listed(lang, [person.name for person in answer.people]), "b")]]
        if answer.offset == 0:
            head.extend(_delegate_line(lang, person) for person in answer.people)
        return head
    if answer.people:
        if answer.offset == 0:
            return _person_card(lang, answer.people[0])
        return [[Span(answer.people[0].name, "b")]]
    return []


def _city_head(answer: Answer, lang: str) -> list[Block]:
    if not answer.match:
        return []
    head = [[Span(answer.match.name, "b")]]
    if answer.people and answer.offset == 0:
        label = t(lang, "delegates")
        if answer.people_total > len(answer.people):
            label += _bracketed(lang, t(lang, "more_delegates", total=answer.people_total))
        head.append([Span(label + ("：" if lang == "zh" else ":"))])
        head.extend(_delegate_line(lang, person) for person in answer.people)
    return head


def _topic_head(answer: Answer, lang: str) -> list[Block]:
    return [[Span(answer.match.name, "b")]] if answer.match else []


def _search_head(answer: Answer, lang: str) -> list[Block]:
    terms = " ".join(answer.terms)
    if answer.notice == Notice.NOT_A_TOPIC:
        head = [[Span(t(lang, "not_a_topic", subject=terms))]]
    elif answer.match:
        head = [[Span(t(lang, "search_in", terms=terms, scope=answer.match.name), "b")]]
    else:
        head = [[Span(t(lang, "search", terms=terms), "b")]]
    if answer.notice == Notice.ANY_WORD:
        head.append([Span(t(lang, "any_word"), "i")])
    elif answer.notice == Notice.IN_CONTEXT:
        head.append([Span(t(lang, "in_context"), "i")])
    return head


def _quote_head(answer: Answer, lang: str) -> list[Block]:
    head = [[Span(t(lang, "quote_title"), "b")]]
    if answer.notice == Notice.NO_QUOTES:
        whose = answer.match.name if answer.match else ""
        head.append([Span(t(lang, "no_quotes", subject=(f" from {whose}" if lang == "en" and whose else whose)))])
    return head


_HEADS = {Intent.PERSON: _person_head, Intent.CITY: _city_head, Intent.TOPIC: _topic_head, Intent.SEARCH: _search_head, Intent.QUOTE: _quote_head}


def _notes(answer: Answer, lang: str) -> list[Block]:
    """What the head says about the items: none for the filters, none with the words, which filters."""
    intent = answer.intent
    # Whom a notice is about: the person, or every person asked about together.
    about = _listed(lang, [person.name for person in answer.people]) if intent == Intent.PERSON and answer.people else None
    notes: list[Block] = []
    if answer.notice == Notice.NO_ITEMS_FOR_FILTERS and answer.match:
        names = _listed(lang, [f.name for f in answer.filters])
        if answer.match.kind == "person":
            notes.append([Span(t(lang, "no_items_for_filters", name=about or answer.match.name, filters=names))])
        else:
            # 人才 人工智能: two topics (or places) that no item shares; neither "said" anything.
            together = [answer.match.name, *(f.name for f in answer.filters)]
            notes.append([Span(t(lang, "no_items_together", names=("和".join(together) if lang == "zh" else " and ".join(together))))])
    elif answer.notice == Notice.TERMS_NOT_FOUND and answer.match:
        terms = " ".join(answer.terms) or _argument(answer.query)[:60]
        notes.append([Span(t(lang, "terms_not_found", terms=terms, name=about or answer.match.name))])
    elif answer.filters and intent != Intent.SEARCH:
        notes.append([Span("+ " + " + ".join(f.name for f in answer.filters), "i")])
    if not answer.items and intent != Intent.QUOTE and answer.notice != Notice.NO_ITEMS_FOR_FILTERS:
        notes.append([Span(t(lang, "no_items"))])
    return notes


def _items_answer(answer: Answer, lang: str) -> Groups:
    """A person, city, topic, search or quote: its head, then the items."""
    intent = answer.intent
    head = _HEADS[intent](answer, lang) if intent in _HEADS else []
    if head and answer.match and answer.match.score < 100 and answer.match.typed and answer.offset == 0:
        # Not the name as written (a typo, pinyin, a given name): show what was read as it.
        head[0] = head[0] + [Span(t(lang, "matched_as", query=answer.match.typed), "i")]
    head.extend(_notes(answer, lang))
    groups = [head]
    previous_kind = None
    for number, item in enumerate(answer.items, start=answer.offset + 1):
        group_kind = "fact" if item.kind == "fact" else "said"
        group: list[Block] = []
        if intent in (Intent.CITY, Intent.PERSON) and group_kind != previous_kind:
            group.append([Span(t(lang, "facts" if group_kind == "fact" else "statements"), "b")])
        previous_kind = group_kind
        group.extend(_item_blocks(lang, f"{number}. ", item))
        groups.append(group)
    if answer.figures:
        groups.append([[Span(t(lang, "facts"), "b")]])
        groups.extend(_item_blocks(lang, "• ", item) for item in answer.figures)
    if intent != Intent.QUOTE:
        footer = _footer(answer, lang)
        if footer:
            groups.append(footer)
    return groups


_BY_INTENT = {
    Intent.HELP: _help,
    Intent.UNKNOWN_COMMAND: _unknown_command,
    Intent.EXPIRED: _expired,
    Intent.LANGUAGE: _language,
    Intent.NOT_FOUND: _not_found,
    Intent.CITY_LIST: _listing,
    Intent.PERSON_LIST: _listing,
    Intent.TOPIC_LIST: _listing,
    Intent.CONTEXT: _context,
}


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


# A button is its label and the message it stands for (what pressing it
# asks); a keyboard is rows of buttons. Each surface decides how to carry the
# message: Telegram puts it in callback data (bot.telegram.buttons).
Button = tuple[str, str]
ButtonRows = tuple[tuple[Button, ...], ...]


def button_rows(answer: Answer, lang: str) -> ButtonRows:
    """The buttons under an answer: context per item, previous/next page,
    did-you-mean, examples."""
    rows: list[list[Button]] = []
    if answer.items and answer.intent != Intent.CONTEXT:
        rows.append([(t(lang, "label.context", n=number), item.context_command) for number, item in enumerate(answer.items, start=answer.offset + 1)])
    pages = [(t(lang, "label.prev"), answer.prev), (t(lang, "label.more"), answer.next)]
    rows.append([(label, command) for label, command in pages if command])
    for suggestion in answer.suggestions:
        label = suggestion.name + (f"（{suggestion.city}）" if suggestion.city else "")
        rows.append([(label, suggestion_command(suggestion.kind, suggestion.name))])
    if answer.intent in (Intent.HELP, Intent.UNKNOWN_COMMAND):
        examples = [(example, example) for example in answer.examples]
        rows.extend(examples[i : i + 2] for i in range(0, len(examples), 2))
    return tuple(tuple(row) for row in rows if row)


def follow_command(kind: str, entity_id: int) -> str:
    """The /follow message for one subject by id, as a button carries it."""
    return f"/follow #{DEEP_LINK_TAGS[kind]}{to_base36(entity_id)}"


def unfollow_command(kind: str, entity_id: int) -> str:
    return f"/unfollow #{DEEP_LINK_TAGS[kind]}{to_base36(entity_id)}"


def chat_rows(answer: Answer, lang: str) -> ButtonRows:
    """The buttons a chat that remembers its users adds under an answer:
    Follow under a person, city or topic answer, and Export under an answer
    with items."""
    rows: list[tuple[Button, ...]] = []
    subject = answer.followable
    if subject and answer.offset == 0:
        rows.append(((t(lang, "label.follow", name=subject.name), follow_command(subject.kind, subject.id)),))
    if answer.export and answer.items:
        rows.append(((t(lang, "label.export"), answer.export),))
    return tuple(rows)


# Formatting -------------------------------------------------------------------


def to_text(answer: Answer, lang: str, hints: bool = True) -> str:
    """Plain text, for the console and ``ask``."""
    lines = ["".join(_text_span(span) for span in block) for group in blocks(answer, lang) for block in group]
    if hints and answer.next:
        lines.append(t(lang, "more_hint", command=answer.next))
    return "\n".join(lines)


def _text_span(span: Span) -> str:
    """Plain text has no bold: the item inside its paragraph is bracketed
    instead; a link is its text and then its address."""
    if span.url:
        return f"{span.text} {span.url}"
    return f"【{span.text}】" if span.style == "mark" and span.text else span.text


def _html_span(span: Span) -> str:
    text = html.escape(span.text, quote=False)
    if span.url:
        text = f'<a href="{html.escape(span.url, quote=True)}">{text}</a>'
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


def notification_html(lang: str, title: str, names: list[str], items: list[Item], limit: int = TELEGRAM_LIMIT) -> str:
    """One message telling a follower what an added article brings about
    what they follow: the items, each with its linked sources, as many as
    fit in one message, and how many more there are."""
    lang = language(lang)
    head = "".join(_html_span(span) for span in [Span(t(lang, "new_for_you", title=f"《{title}》", names=_listed(lang, names)), "b")])
    parts = [head]
    length = _units(head)
    room = limit - 100  # for the "and N more" line
    for number, item in enumerate(items, start=1):
        rendered = "\n".join("".join(_html_span(span) for span in block) for block in _item_blocks(lang, f"{number}. ", item))
        if length + _units(rendered) + 2 > room:
            parts.append(html.escape(t(lang, "new_more", count=len(items) - number + 1), quote=False))
            break
        parts.append(rendered)
        length += _units(rendered) + 2
    return "\n\n".join(parts)


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
                formatted = _html_span(Span(text + "…", span.style, span.url))
            if budget <= 0 or not text:
                break
            budget -= _units(formatted)
            parts.append(formatted)
        if parts:
            lines.append("".join(parts))
        budget -= 1
    return "\n".join(lines)
