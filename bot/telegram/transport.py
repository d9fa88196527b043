"""How the bot talks HTTP to the Bot API, and how Telegram's updates come in."""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from http import HTTPStatus

import httpx
import tornado.web
from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import NetworkError, TimedOut
from telegram.ext import Defaults
from telegram.ext import _updater as ptb_updater  # the webhook server's module: its app class is swapped (our_webhook_handler)
from telegram.ext._utils.webhookhandler import TelegramHandler, WebhookAppClass
from telegram.request import BaseRequest, HTTPXRequest, RequestData

log = logging.getLogger(__name__)

CONNECTION_POOL = 8
# Seconds to wait for Telegram's answer to a request other than getUpdates.
# Telegram answers a send within a second when it is well; one answered later
# has most likely been delivered already, and FloodControl sends a request
# that went unanswered at most once more. Long, so that a slow Telegram
# delivers each message once; a stop cuts it short (bot.telegram.app).
READ_TIMEOUT = 15.0


def api_urls(base_url: str) -> tuple[str, str]:
    """The bot and file URLs of a self-hosted Bot API server given as
    http://host:port or http://host:port/bot (the token is appended to both)."""
    base = base_url.rstrip("/")
    root = base[: -len("/bot")] if base.endswith("/bot") else base
    return root + "/bot", root + "/file/bot"


class AnswerTimedOut(TimedOut):
    """The request went out in full and its answer did not come in time:
    Telegram may have acted on it (a message sent)."""


class AnswerLost(NetworkError):
    """The request went out in full and the connection closed before an
    answer: Telegram may have acted on it."""


def unanswered(error: Exception) -> bool:
    """Whether a failed request may have been carried out by Telegram all the
    same (it was sent; no answer came), as opposed to one that never left
    (no connection) or that Telegram answered with an error."""
    return isinstance(error, (AnswerTimedOut, AnswerLost))


def readable_update(update: object) -> dict | None:
    """The update as it came, if python-telegram-bot can read it; else only
    its update_id, so that the offset moves past it and nothing is answered;
    None for something with no update_id at all. python-telegram-bot fails a
    whole getUpdates on one update it cannot read (a poll without
    persistent_id, from a local Bot API server older than 9.6) and asks for
    the same updates again, forever; a webhook answers such an update 400,
    and Telegram sends it again."""
    update_id = update.get("update_id") if isinstance(update, dict) else None
    if not isinstance(update_id, int):
        log.warning("skipped an update without an update_id")
        return None
    try:
        Update.de_json(update, None)
    except Exception as error:  # whatever python-telegram-bot's parsing raises
        log.warning("skipped update %d: python-telegram-bot cannot read it (%s: %s)", update_id, error.__class__.__name__, error)
        return {"update_id": update_id}
    return update


class JSONRequest(HTTPXRequest):
    """Sends the Bot API's parameters as a JSON body, which Telegram accepts for
    every method but file uploads. python-telegram-bot sends a form instead,
    and percent-encoding a few kilobytes of Chinese byte by byte in Python
    costs about a millisecond a message and triples its size.

    Failures are told apart by whether the request may have been carried out
    (``unanswered``), and getUpdates hands on only updates python-telegram-bot
    can read (``readable_update``)."""

    async def post(
        self,
        url: str,
        request_data: RequestData | None = None,
        read_timeout=BaseRequest.DEFAULT_NONE,
        write_timeout=BaseRequest.DEFAULT_NONE,
        connect_timeout=BaseRequest.DEFAULT_NONE,
        pool_timeout=BaseRequest.DEFAULT_NONE,
    ):
        result = await super().post(url, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout)
        if url.endswith("/getUpdates") and isinstance(result, list):
            return [update for update in map(readable_update, result) if update is not None]
        return result

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout=BaseRequest.DEFAULT_NONE,
        write_timeout=BaseRequest.DEFAULT_NONE,
        connect_timeout=BaseRequest.DEFAULT_NONE,
        pool_timeout=BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if request_data is None or request_data.contains_files:
            return await super().do_request(url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout)
        client = self._client
        timeout = httpx.Timeout(
            connect=client.timeout.connect if connect_timeout is BaseRequest.DEFAULT_NONE else connect_timeout,
            read=client.timeout.read if read_timeout is BaseRequest.DEFAULT_NONE else read_timeout,
            write=client.timeout.write if write_timeout is BaseRequest.DEFAULT_NONE else write_timeout,
            pool=client.timeout.pool if pool_timeout is BaseRequest.DEFAULT_NONE else pool_timeout,
        )
        body = json.dumps(request_data.parameters, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            response = await client.request(
                method=method,
                url=url,
                headers={"User-Agent": self.USER_AGENT, "Content-Type": "application/json"},
                timeout=timeout,
                content=body,
            )
        except httpx.ReadTimeout as error:
            raise AnswerTimedOut from error
        except httpx.TimeoutException as error:  # connecting, waiting for a connection, writing
            raise TimedOut from error
        except (httpx.ReadError, httpx.RemoteProtocolError) as error:
            raise AnswerLost(f"httpx.{error.__class__.__name__}: {error}") from error
        except httpx.HTTPError as error:
            raise NetworkError(f"httpx.{error.__class__.__name__}: {error}") from error
        return response.status_code, response.content


def reply_defaults() -> Defaults:
    """How every reply is sent: Telegram HTML, no link previews."""
    return Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))


# The webhook ------------------------------------------------------------------------------------


class WebhookHandler(TelegramHandler):
    """python-telegram-bot's webhook request handler, with what it gets wrong:
    a body that is not JSON (or not UTF-8) is answered 500 there, 400 here;
    an update it cannot read is answered 400 there, so Telegram sends it
    again and again; here it is skipped (logged once) and answered 200."""

    async def post(self) -> None:
        self._validate_post()  # the secret: 403 before anything is read
        try:
            data = json.loads(self.request.body.decode("utf-8"))
        except ValueError:  # UnicodeDecodeError and JSONDecodeError both
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST, reason="Body is not JSON") from None
        update = readable_update(data)
        if update is None:
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST, reason="Not an update")
        self.set_status(HTTPStatus.OK)
        await self.update_queue.put(Update.de_json(update, self.bot))


class WebhookApp(WebhookAppClass):
    """The webhook server's tornado application, serving WebhookHandler."""

    def __init__(self, webhook_path: str, bot, update_queue, secret_token: str | None = None):
        # As WebhookAppClass.__init__ does, with the handler class changed.
        self.shared_objects = {"bot": bot, "update_queue": update_queue, "secret_token": secret_token}
        tornado.web.Application.__init__(self, [(rf"{webhook_path}/?", WebhookHandler, self.shared_objects)])


@contextmanager
def our_webhook_handler():
    """While inside, python-telegram-bot's run_webhook serves WebhookHandler.
    Its Updater builds the server's application from a name in its own module,
    with no way to pass another: the name is swapped, then put back."""
    original = ptb_updater.WebhookAppClass
    ptb_updater.WebhookAppClass = WebhookApp
    try:
        yield
    finally:
        ptb_updater.WebhookAppClass = original
