"""How the bot talks HTTP to the Bot API."""

from __future__ import annotations

import json

import httpx
from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import NetworkError, TimedOut
from telegram.ext import Defaults
from telegram.request import BaseRequest, HTTPXRequest, RequestData

CONNECTION_POOL = 8


def api_urls(base_url: str) -> tuple[str, str]:
    """The bot and file URLs of a self-hosted Bot API server given as
    http://host:port or http://host:port/bot (the token is appended to both)."""
    base = base_url.rstrip("/")
    root = base[: -len("/bot")] if base.endswith("/bot") else base
    return root + "/bot", root + "/file/bot"


class JSONRequest(HTTPXRequest):
    """Sends the Bot API's parameters as a JSON body, which Telegram accepts for
    every method but file uploads. python-telegram-bot sends a form instead,
    and percent-encoding a few kilobytes of Chinese byte by byte in Python
    costs about a millisecond a message and triples its size."""

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
        except httpx.TimeoutException as error:
            raise TimedOut from error
        except httpx.HTTPError as error:
            raise NetworkError(f"httpx.{error.__class__.__name__}: {error}") from error
        return response.status_code, response.content


def reply_defaults() -> Defaults:
    """How every reply is sent: Telegram HTML, no link previews."""
    return Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))
