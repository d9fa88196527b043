"""The Telegram bot: python-telegram-bot v22 over the answer engine.

``build_application`` wires the handlers (bot.telegram.handlers) to the
engine; ``run_bot`` runs it with python-telegram-bot's own runner
(``run_polling`` / ``run_webhook``) behind a short pre-flight that turns what
Telegram refuses for good (a token, a webhook) into one line. ``bot.cli`` is
the composition root: it reads the settings, builds the engine and calls
``run_bot``.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import gc
import itertools
import logging
import signal
from urllib.parse import urlsplit

from telegram import Bot, BotCommand, Update
from telegram.error import InvalidToken, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from ..config import DEFAULT_SEEDS, Settings
from ..engine import Engine
from ..engine.core import COMMANDS
from ..errors import ConfigError
from ..ingest.freshness import recorded_seeds_dir
from ..strings import t
from .handlers import (
    Services,
    forget_users_without_choices,
    on_callback,
    on_command,
    on_error,
    on_group_text,
    on_inline,
    on_private_text,
    on_stats,
    on_unknown_command,
)
from .limits import FloodControl, UserRateLimit, seconds_to_wait
from .articles import on_articles, on_document, on_remove, on_url, remove
from .desk import ArticleDesk
from .follows import follow, on_follow, on_following, on_unfollow, unfollow
from .sharing import export, on_export
from .stats import LoopLag, Stats
from .transport import CONNECTION_POOL, READ_TIMEOUT, JSONRequest, api_urls, our_webhook_handler, reply_defaults
from .updates import OneChatAtATime, UpdatesInHand
from .userstate import IN_MEMORY, UserState

log = logging.getLogger(__name__)


AFTER_ANSWERING = 1  # the handler group that runs once an update has been answered
POLL_TIMEOUT = 10  # seconds Telegram holds a long poll open (python-telegram-bot's default)
# Only what the bot handles: Telegram then neither sends nor queues the rest
# (edited messages, reactions, polls), and an update type python-telegram-bot
# cannot parse never reaches it.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# After a stop signal the updates in hand are answered for this long at most,
# then cut off, so the bot exits within 10 s whatever Telegram does (a 429
# asking for a minute, sends answered late): the 2 s left are for the last
# getUpdates that confirms the updates taken, and for closing down.
CUT_OFF_AFTER = 7.0
GET_UPDATES_READ_TIMEOUT = 5.0  # seconds, beyond the long poll (python-telegram-bot's default)
# Pre-flight attempts while Telegram does not answer: the first retry after a
# second, then twice as long each time, never more than half a minute apart.
START_RETRY_FIRST = 1.0
START_RETRY_MAX = 30.0
MENU_COMMANDS = ("city", "who", "topic", "quote", "search", "follow", "following", "lang", "help")
# The commands only the chat has (they need a user, a file or an admin), beside the engine's COMMANDS.
CHAT_COMMANDS = ("follow", "unfollow", "following", "export", "articles", "remove")


def menu(lang: str) -> list[tuple[str, str]]:
    """The command menu in one language: every engine command people type
    (/more and /context are reached through buttons)."""
    return [(command, t(lang, f"menu.{command}")) for command in MENU_COMMANDS]


async def register_menu(application: Application) -> None:
    """Set the command menu for English (the default) and Chinese."""
    bot = application.bot
    await bot.set_my_commands([BotCommand(name, text) for name, text in menu("en")])
    await bot.set_my_commands([BotCommand(name, text) for name, text in menu("zh")], language_code="zh")


def build_application(
    settings: Settings,
    engine: Engine,
    *,
    flood_control: bool = True,
    persistence: bool = True,
    answer_in_thread: bool = True,
    get_updates_read_timeout: float | None = None,
    read_timeout: float | None = None,
) -> Application:
    """The Application with every handler. Tests pass a base URL in the
    settings to reach a local stand-in for the Bot API, and short timeouts
    to exercise the timeout path without waiting the default 5 s.
    Without ``persistence``, what users chose and follow is kept in memory only."""
    builder = (
        ApplicationBuilder()
        .token(settings.token or "")
        .defaults(reply_defaults())
        .concurrent_updates(OneChatAtATime())
        .update_queue(UpdatesInHand())
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if settings.base_url:
        base_url, base_file_url = api_urls(settings.base_url)
        builder = builder.base_url(base_url).base_file_url(base_file_url)
    if flood_control:
        builder = builder.rate_limiter(FloodControl())
    builder = builder.get_updates_request(JSONRequest(connection_pool_size=1, read_timeout=get_updates_read_timeout or GET_UPDATES_READ_TIMEOUT))
    builder = builder.request(JSONRequest(connection_pool_size=CONNECTION_POOL, read_timeout=read_timeout or READ_TIMEOUT))
    application = builder.build()
    seeds_dir = settings.seeds_dir or recorded_seeds_dir(engine.store.path) or DEFAULT_SEEDS
    application.bot_data["services"] = Services(
        engine,
        settings,
        Stats(),
        UserRateLimit(settings.user_rate),
        answer_in_thread,
        state=UserState(settings.state_path if persistence else IN_MEMORY),
        button_handlers={"/follow": follow, "/unfollow": unfollow, "/export": export, "/remove": remove},
        desk=ArticleDesk(seeds_dir, engine.store.path),
    )

    # New messages only: an edited message is not answered (ALLOWED_UPDATES
    # does not ask for them; a server that sends them anyway gets no answer).
    new_message = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("stats", on_stats, filters=new_message))
    application.add_handler(CommandHandler("follow", on_follow, filters=new_message))
    application.add_handler(CommandHandler("unfollow", on_unfollow, filters=new_message))
    application.add_handler(CommandHandler("following", on_following, filters=new_message))
    application.add_handler(CommandHandler("export", on_export, filters=new_message))
    # Admins only; anyone else gets no answer, as with /stats.
    application.add_handler(CommandHandler("articles", on_articles, filters=new_message))
    application.add_handler(CommandHandler("remove", on_remove, filters=new_message))
    application.add_handler(MessageHandler(new_message & filters.Document.ALL, on_document))
    if settings.admin_ids:
        # An admin's message that is a URL adds the page; anyone else's is a question.
        application.add_handler(
            MessageHandler(
                new_message & filters.ChatType.PRIVATE & filters.User(list(settings.admin_ids)) & filters.Regex(r"^\s*https?://\S+\s*$"), on_url
            )
        )
    application.add_handler(CommandHandler(list(COMMANDS), on_command, filters=new_message))
    application.add_handler(MessageHandler(new_message & filters.COMMAND, on_unknown_command))
    application.add_handler(MessageHandler(new_message & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, on_private_text))
    application.add_handler(MessageHandler(new_message & filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND, on_group_text))
    application.add_handler(CallbackQueryHandler(on_callback))
    application.add_handler(InlineQueryHandler(on_inline))
    # A later group: runs after whichever handler above answered (or failed).
    application.add_handler(TypeHandler(Update, forget_users_without_choices), group=AFTER_ANSWERING)
    application.add_error_handler(on_error)
    return application


async def _post_init(application: Application) -> None:
    shared: Services = application.bot_data["services"]
    try:
        await register_menu(application)
    except TelegramError as error:  # the menu is a convenience: the commands work without it
        log.warning("could not set the command menu (%s); going on without it", describe(error))
    shared.lag = LoopLag(shared.stats)
    shared.lag.start()
    # Everything loaded so far lives as long as the bot: keep the collector
    # from walking it again on every full collection (pauses of tens of ms).
    gc.collect()
    gc.freeze()
    if application.bot_data.get("stop_signals"):
        stop_on_signals(application, application.bot_data["stop_signals"])
    log.info("bot @%s is up", application.bot.username)


def stop_on_signals(application: Application, signals: tuple[int, ...], cut_off_after: float = CUT_OFF_AFTER) -> None:
    """python-telegram-bot's runner stops on a signal by finishing every
    update in hand, however long that takes: with Telegram answering sends
    late, or a 429 asking for a minute, a stop took over a minute. Its signal
    handlers are replaced here by ones that do the same, and also cut off
    whatever is still being handled ``cut_off_after`` seconds on (logged)."""
    loop = asyncio.get_running_loop()

    def cut_off() -> None:
        cut = application.update_processor.cut_off()
        log.warning("stopping: %d updates still in hand after %.0f s were cut off", cut, cut_off_after)

    def on_signal() -> None:
        for signal_number in signals:
            loop.add_signal_handler(signal_number, log.info, "already stopping (at most %.0f s)", cut_off_after)
        log.info("stopping: answering the updates in hand, for at most %.0f s", cut_off_after)
        loop.call_later(cut_off_after, cut_off)
        raise SystemExit  # as python-telegram-bot's own handler: its runner then stops and shuts down

    for signal_number in signals:
        loop.add_signal_handler(signal_number, on_signal)


async def _post_shutdown(application: Application) -> None:
    shared: Services = application.bot_data["services"]
    if shared.lag:
        await shared.lag.stop()
    shared.engine.store.close()
    shared.state.close()


REJECTED_TOKEN = "Telegram rejected the token: check TELEGRAM_BOT_TOKEN (create one with @BotFather)"


def describe(error: TelegramError) -> str:
    """One line about a failed request, for the log."""
    return f"{error.__class__.__name__}: {error}"


def webhook_path(webhook_url: str) -> str:
    """The path the webhook server serves: the one Telegram is told to call
    (a reverse proxy passes it on unchanged)."""
    return urlsplit(webhook_url).path.strip("/") or "telegram"


async def _ask_telegram_once(settings: Settings) -> None:
    """Who the token belongs to, and how updates are to come: to the
    webhook, or by polling (no webhook).

    python-telegram-bot's runner does the same at start, but it reports a
    rejected token as a logged traceback that repeats the token, and retries
    a webhook Telegram refused for good (a bad URL) forever. Asked here
    first, each becomes one line (ConfigError)."""
    urls = api_urls(settings.base_url) if settings.base_url else ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot")
    bot = Bot(settings.token or "", base_url=urls[0], base_file_url=urls[1])
    try:
        async with bot:  # initialize() calls getMe
            if settings.webhook_url:
                await bot.set_webhook(settings.webhook_url, allowed_updates=ALLOWED_UPDATES, secret_token=settings.webhook_secret)
            else:
                await bot.delete_webhook()
    except InvalidToken:
        raise ConfigError(REJECTED_TOKEN) from None


async def preflight(settings: Settings) -> None:
    """Ask Telegram once it answers, however long that takes: a server may
    boot before its network is up. Each failed attempt logs one line and
    the next waits twice as long, up to START_RETRY_MAX (or as long as a 429
    asks). What Telegram refused for good (the token, the webhook) stops at
    once, in one line."""
    delay = START_RETRY_FIRST
    for attempt in itertools.count(1):
        wait = delay
        try:
            await _ask_telegram_once(settings)
            return
        except RetryAfter as error:
            wait = max(delay, seconds_to_wait(error))
            log.warning("Telegram asked to wait at start-up (%s); attempt %d, trying again in %.0f s", describe(error), attempt, wait)
        except TelegramError as error:
            if not FloodControl.transient(error):
                raise ConfigError(f"Telegram refused to start the bot: {error.message}") from None
            log.warning("Telegram did not answer at start-up (%s); attempt %d, trying again in %.0f s", describe(error), attempt, wait)
        await asyncio.sleep(wait)
        delay = min(delay * 2, START_RETRY_MAX)


async def _preflight_until_signalled(settings: Settings) -> bool:
    """The pre-flight, cut short by a stop signal: whether it finished."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in STOP_SIGNALS:
        loop.add_signal_handler(signal_number, stopping.set)
    checking = asyncio.create_task(preflight(settings), name="pre-flight")
    stop_requested = asyncio.create_task(stopping.wait(), name="stop-signal")
    try:
        await asyncio.wait({checking, stop_requested}, return_when=asyncio.FIRST_COMPLETED)
        if checking.done():
            checking.result()  # raises what Telegram refused (ConfigError)
            return True
        log.info("stopped during start-up")
        return False
    finally:
        for task in (checking, stop_requested):
            task.cancel()
        await asyncio.gather(checking, stop_requested, return_exceptions=True)
        for signal_number in STOP_SIGNALS:
            loop.remove_signal_handler(signal_number)


class OneLinePollingErrors(logging.Filter):
    """python-telegram-bot logs each failed getUpdates with a traceback, and
    retries with backoff; a network outage is then pages of the same trace.
    One line each time says as much."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], TelegramError):
            error = record.exc_info[1]
            record.msg, record.args = "getUpdates failed (%s); retrying", (describe(error),)
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def run_bot(settings: Settings, engine: Engine) -> int:
    """Run until stopped: Ctrl-C or SIGTERM, at any time, even while the
    pre-flight waits for Telegram, finishes the updates in flight (for at
    most CUT_OFF_AFTER seconds) and returns 0. python-telegram-bot's runner
    does the rest, with its own bootstrap retries should Telegram go away
    between the pre-flight and its start."""
    if not asyncio.run(_preflight_until_signalled(settings)):
        return 0
    application = build_application(settings, engine)
    # Until post_init the runner's own signal handlers stop it; from then on, ours (stop_on_signals).
    application.bot_data["stop_signals"] = STOP_SIGNALS
    logging.getLogger("telegram.ext.Updater").addFilter(OneLinePollingErrors())
    if settings.webhook_url:
        log.info("serving a webhook on %s:%d", settings.webhook_listen, settings.webhook_port)
        with our_webhook_handler():
            application.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=webhook_path(settings.webhook_url),
                webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
                bootstrap_retries=-1,
                stop_signals=STOP_SIGNALS,
            )
    else:
        application.run_polling(
            poll_interval=0.0,
            timeout=dtm.timedelta(seconds=POLL_TIMEOUT),
            allowed_updates=ALLOWED_UPDATES,
            bootstrap_retries=-1,
            stop_signals=STOP_SIGNALS,
        )
    return 0


__all__ = ["ALLOWED_UPDATES", "CHAT_COMMANDS", "build_application", "menu", "run_bot", "webhook_path"]
