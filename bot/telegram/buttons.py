"""Buttons as Telegram takes them: callback data of at most 64 bytes.

The engine says what a button means: a message the bot answers
(``/more p1a2b;o5``, ``/context 3k9``, ``/who 马新强``). Most fit in 64
bytes as they are, and such a button works in any process, a restarted bot
included. A ``/more`` that does not fit (a long search) carries a digest
instead, remembered here, in this process: of its search words when that is
enough (``h…``), else of the whole page (``/more k…``). After a restart
such a button answers "expired". Any other command that does not fit gets
no button.

A digest is remembered with the chats its button was sent to (``grant``),
and works only there: pressed in another chat (data copied from elsewhere,
or guessed), it answers "expired" rather than another chat's search words.
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
# Chats remembered for each digest, most recent kept (the same long search
# asked in many chats gets the same button).
CHATS_PER_DIGEST = 256
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
        self._chats: dict[str, OrderedDict[int, None]] = {}  # digest -> the chats its button went to
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

    def decode(self, data: str, chat_id: int | None) -> str | None:
        """The command a button pressed in ``chat_id`` stands for; None for a
        digest this process does not know (made before a restart, or
        forgotten) or did not send to that chat."""
        if not data.startswith(MORE):
            return data
        token = data[len(MORE) :]
        if token.startswith("k"):
            whole = self._recall(token[1:], chat_id)
            return MORE + whole if whole is not None else None
        parts = token.split(";")
        for index, part in enumerate(parts):
            if part.startswith("h"):
                terms = self._recall(part[1:], chat_id)
                if terms is None:
                    return None
                parts[index] = "s" + terms
        return MORE + ";".join(parts)

    def grant(self, markup: InlineKeyboardMarkup | None, chat_id: int) -> None:
        """The buttons of ``markup`` are going to ``chat_id``: their digests work there."""
        for row in markup.inline_keyboard if markup else ():
            for button in row:
                self.allow(button.callback_data or "", chat_id)

    def allow(self, data: str, chat_id: int) -> None:
        """A button with this callback data is going to ``chat_id``: its digests work there."""
        for digest in _digests(data):
            with self._lock:
                chats = self._chats.get(digest)
                if chats is None:
                    continue  # forgotten already: the button answers "expired" anywhere
                chats[chat_id] = None
                chats.move_to_end(chat_id)
                if len(chats) > CHATS_PER_DIGEST:
                    chats.popitem(last=False)

    def _remember(self, digest: str, text: str) -> None:
        with self._lock:
            self._remembered[digest] = text
            self._remembered.move_to_end(digest)
            self._chats.setdefault(digest, OrderedDict())
            while len(self._remembered) > self.bound:
                forgotten, _ = self._remembered.popitem(last=False)
                del self._chats[forgotten]

    def _recall(self, digest: str, chat_id: int | None) -> str | None:
        with self._lock:
            if chat_id not in self._chats.get(digest, ()):
                return None
            return self._remembered.get(digest)

    def __len__(self) -> int:
        return len(self._remembered)


def _digests(data: str) -> list[str]:
    """The digests a button's callback data carries (encode)."""
    if not data.startswith(MORE):
        return []
    token = data[len(MORE) :]
    if token.startswith("k"):
        return [token[1:]]
    return [part[1:] for part in token.split(";") if part.startswith("h")]


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
