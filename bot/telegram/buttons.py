"""Buttons as Telegram takes them: callback data of at most 64 bytes.

The engine says what a button means: a message the bot answers
(``/more p1a2b;o5``, ``/context 3k9``, ``/who 马新强``). Most fit in 64
bytes as they are, and such a button works in any process, a restarted bot
included. A ``/more`` that does not fit (a long search) carries a digest
instead, remembered here, in this process: of its search words when that is
enough (``h…``), else of the whole page (``/more k…``). After a restart
such a button answers "expired". Any other command that does not fit gets
no button.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from ..render import ButtonRows

# Telegram's limit on a button's callback data.
BUTTON_BYTES = 64
# Digests remembered, most recent kept: a long search's pages stay reachable
# while the conversation about it goes on.
DIGESTS = 2048
MORE = "/more "

def _fits(data: str) -> bool:
    return len(data.encode("utf-8", "surrogatepass")) <= BUTTON_BYTES


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


class CallbackData:
    """Commands in and out of callback data, with the digests this process made."""

    def __init__(self, bound: int = DIGESTS):
        self.bound = bound
        self._remembered: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, command: str) -> str | None:
        """The callback data for a command; None when it cannot have a button."""
        if _fits(command):
            return command
        if not command.startswith(MORE):
            return None
        parts = command[len(MORE) :].split(";")
        terms = next((part[1:] for part in parts if part.startswith("s")), None)
        if terms is not None:
            digest = _digest(terms)
            shortened = MORE + ";".join("h" + digest if part.startswith("s") else part for part in parts)
            if _fits(shortened):
                self._remember(digest, terms)
                return shortened
        token = command[len(MORE) :]
        digest = _digest(token)
        self._remember(digest, token)
        return MORE + "k" + digest

    def decode(self, data: str) -> str | None:
        """The command a button stands for; None for a digest this process
        does not know (made before a restart, or forgotten)."""
        if not data.startswith(MORE):
            return data
        token = data[len(MORE) :]
        if token.startswith("k"):
            whole = self._recall(token[1:])
            return MORE + whole if whole is not None else None
        parts = token.split(";")
        for index, part in enumerate(parts):
            if part.startswith("h"):
                terms = self._recall(part[1:])
                if terms is None:
                    return None
                parts[index] = "s" + terms
        return MORE + ";".join(parts)

    def _remember(self, digest: str, text: str) -> None:
        with self._lock:
            self._remembered[digest] = text
            self._remembered.move_to_end(digest)
            while len(self._remembered) > self.bound:
                self._remembered.popitem(last=False)

    def _recall(self, digest: str) -> str | None:
        with self._lock:
            return self._remembered.get(digest)

    def __len__(self) -> int:
        return len(self._remembered)


class SerialisedKeyboard(InlineKeyboardMarkup):
    """A keyboard serialised once. Replies are remembered and sent again, and
    python-telegram-bot walks every button of a keyboard to serialise it
    each time it is sent (about 40 µs for a page's seven buttons); the
    keyboard is immutable, so its JSON form is kept. The bot's buttons all
    carry text and callback data only, which is all the JSON form needs."""

    __slots__ = ("_serialised",)

    def __init__(self, inline_keyboard: list[list[InlineKeyboardButton]]):
        super().__init__(inline_keyboard)
        with self._unfrozen():
            self._serialised = {
                "inline_keyboard": [[{"text": button.text, "callback_data": button.callback_data} for button in row] for row in inline_keyboard]
            }

    def to_dict(self, recursive: bool = True) -> dict:
        return dict(self._serialised)


def keyboard(rows: ButtonRows, callback_data: CallbackData) -> InlineKeyboardMarkup | None:
    """Telegram's keyboard for button rows (bot.render.button_rows): each
    command as callback data, buttons that cannot have any left out; None for
    no buttons."""
    encoded = []
    for row in rows:
        buttons = [InlineKeyboardButton(label[:64], callback_data=data) for label, command in row if (data := callback_data.encode(command))]
        if buttons:
            encoded.append(buttons)
    return SerialisedKeyboard(encoded) if encoded else None
