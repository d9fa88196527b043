"""A chat in the terminal, with the same answers as Telegram.

It serves people trying the bot without a token, and tests: ``Console.push``
sends a message and returns the reply as text, like errbot's test backend.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import TextIO

from .engine import Engine
from .engine.answer import Answer, Intent
from .render import suggestion_command, to_text
from .strings import language, t
from .text import clean_message

PROMPT = "› "
QUIT = {"quit", "exit", "q", ":q", "退出"}
MORE = {"more", "m", "next", "n", "更多", "下一页"}
BACK = {"back", "b", "prev", "上一页"}
# ASCII digits only: str.isdigit() also admits characters int() rejects (፩, ⑴).
_NUMBER = re.compile(r"[0-9]{1,6}")


class Console:
    def __init__(self, engine: Engine, lang: str = "zh"):
        self.engine = engine
        self.lang = language(lang)
        self.last: Answer | None = None  # the last answer
        # The page that more, back, ctx N and numbers refer to. A paragraph
        # shown with ctx does not replace it: more then goes on from the page.
        self.page: Answer | None = None

    def push(self, message: str) -> str:
        """Answer one line typed at the console and return the reply."""
        stripped = clean_message(message)  # NFKC: a Chinese keyboard types １ and ＭＯＲＥ full-width
        lowered = stripped.lower()
        page = self.page
        if lowered in MORE and page and page.next:
            message = page.next
        elif lowered in BACK and page and page.prev:
            message = page.prev
        elif page and _NUMBER.fullmatch(stripped):
            message = self._pick(int(stripped), page) or message
        elif lowered.startswith(("ctx ", "context ")) and page and _NUMBER.fullmatch(stripped.split()[-1]):
            number = int(stripped.split()[-1])
            command = self._context(number, page)
            if command is None:
                first, shown = page.offset + 1, page.offset + len(page.items)
                return t(self.lang, "not_on_page", number=number, first=first, last=shown)
            message = command
        answer = self.engine.answer(message, self.lang)
        if answer.intent == Intent.LANGUAGE and answer.subject:
            self.lang = answer.subject
        self.last = answer
        if answer.intent != Intent.CONTEXT:
            self.page = answer
        return self._render(answer)

    def _pick(self, number: int, page: Answer) -> str | None:
        """A number picks a suggestion (after "did you mean") or an example (after help)."""
        if page.suggestions and 1 <= number <= len(page.suggestions):
            suggestion = page.suggestions[number - 1]
            return suggestion_command(suggestion.kind, suggestion.name)
        if page.intent == Intent.HELP and 1 <= number <= len(page.examples):
            return page.examples[number - 1]
        return None

    def _context(self, number: int, page: Answer) -> str | None:
        index = number - page.offset - 1
        if 0 <= index < len(page.items):
            return page.items[index].context_command
        return None

    def _render(self, answer: Answer) -> str:
        text = to_text(answer, self.lang, hints=False)
        hints = []
        if answer.intent == Intent.CONTEXT and self.page:
            answer = self.page  # more and back still go on from the page
        if answer.next:
            hints.append("more")
        if answer.prev:
            hints.append("back")
        if answer.items and answer.intent != Intent.CONTEXT:
            hints.append("ctx N")
        if answer.suggestions or answer.intent == Intent.HELP and answer.examples:
            count = len(answer.suggestions or answer.examples)
            hints.append(f"1-{count}" if count > 1 else "1")
        if hints:
            text += "\n" + ("  [" + " · ".join(hints) + "]")
        return text


def run(engine: Engine, lang: str = "zh", stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout, banner: str | None = None) -> int:
    """The interactive loop. Ends on quit, Ctrl-D or Ctrl-C."""
    console = Console(engine, lang)
    read: Callable[[str], str]
    if stdin is sys.stdin and stdin.isatty():
        try:
            import readline  # noqa: F401  (line editing and history for input())
        except ImportError:
            pass
        read = input
    else:
        def read(prompt: str) -> str:
            line = stdin.readline()
            if not line:
                raise EOFError
            return line.rstrip("\n")

    if banner:
        print(banner, file=stdout)
    print(console.push("/start"), file=stdout)
    while True:
        try:
            line = read(PROMPT)
        except (EOFError, KeyboardInterrupt):
            print(file=stdout)
            return 0
        if line.strip().lower() in QUIT:
            return 0
        if not line.strip():
            continue
        print(console.push(line), file=stdout, flush=True)


BANNER = (
    "本地控制台：没有设置 TELEGRAM_BOT_TOKEN。接入 Telegram 请在 @BotFather 创建机器人，把令牌写进 .env，再运行 python bot.py。\n"
    "Local console: TELEGRAM_BOT_TOKEN is not set. To connect Telegram, create a bot with @BotFather, "
    "put TELEGRAM_BOT_TOKEN=... in .env and run python bot.py again. Type quit to leave."
)


__all__ = ["Console", "run", "BANNER"]
