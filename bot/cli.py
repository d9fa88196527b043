"""The bot's composition root and command line: ``lianghui-bot``,
``python -m bot`` and ``python bot.py`` are the same program.

    lianghui-bot                  Telegram when TELEGRAM_BOT_TOKEN is set, else the local console
    lianghui-bot ingest           build the store from the seeds
    lianghui-bot add PATH...      add articles to the seeds and the store
    lianghui-bot remove ARTICLE   take an article out of both
    lianghui-bot console          chat in the terminal
    lianghui-bot ask [--json] …   answer messages (arguments, or one per line of standard input)
    lianghui-bot export [QUERY]   every item of an answer (or of the store) as CSV, JSON or JSON Lines
    lianghui-bot run              run the Telegram bot (polling, or a webhook with --webhook-url)

Settings come from the environment and .env (see README). Every command but
``ingest`` builds the store first when it is missing or older than its seeds.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import logging
import sqlite3
import sys
from pathlib import Path

from .config import DEFAULT_SEEDS, Settings, load_settings, redact, secret_parts
from .errors import BotError
from .text import well_formed

log = logging.getLogger("bot")


class RedactingFilter(logging.Filter):
    """Keeps secrets out of every log line, whoever logs it (httpx logs URLs
    with the token, and python-telegram-bot's InvalidToken repeats it).

    The message is only part of what a handler writes: a logged exception's
    traceback and a stack dump are formatted later, from exc_info and
    stack_info, so they are formatted here, redacted, and stored in the fields
    the formatter then uses as they are."""

    _formatter = logging.Formatter()

    def __init__(self, secrets: list[str | None]):
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        cleaned = redact(message, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


def setup_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter([*secret_parts(settings.token), settings.webhook_secret]))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level if settings.log_level in logging.getLevelNamesMapping() else "INFO")
    # httpx logs every request at INFO, with the token in the URL: keep it to warnings.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def prepare_store(db_path: Path, seeds_dir: Path | None, default_seeds: Path, quiet: bool = False) -> Path:
    """Build the store if it is missing or older than its seeds.

    Without --seeds or LIANGHUI_SEEDS (seeds_dir None) a store's seeds are
    the directory it was built from, as it records: a store built from other
    seeds is never rebuilt from the default ones. A missing store is built
    from default_seeds; a damaged one that cannot say its seeds is not (it
    may hold thousands of articles the default seeds lack): the error names
    the seeds a rebuild would use and the command that does it.

    When the rebuild cannot be written (a full disk, a read-only folder) and
    the store there is sound, it answers as it is, with a warning."""
    from .errors import StoreError, StoreWriteError
    from .ingest.freshness import check_store_path, recorded_seeds_dir, store_is_current, store_is_sound

    check_store_path(db_path)
    if seeds_dir is None:
        seeds_dir = recorded_seeds_dir(db_path)
        if seeds_dir is None and db_path.exists():
            raise StoreError(
                f"the store {db_path} is damaged and does not say which seeds it was built from; to rebuild it from "
                f"{default_seeds}, run: lianghui-bot ingest --seeds {default_seeds} --db {db_path}"
            )
        seeds_dir = seeds_dir or default_seeds
    if store_is_current(db_path, seeds_dir):
        return db_path
    from .ingest.build import ensure_store, summary

    if not quiet and seeds_dir.is_dir():  # without seeds, ensure_store explains in one line
        print(f"Building the store {db_path} from {seeds_dir} …", file=sys.stderr)
    try:
        report = ensure_store(db_path, seeds_dir)
    except StoreWriteError as error:
        if not store_is_sound(db_path):
            raise
        print(f"warning: {error}; answering from the store as it is", file=sys.stderr)
        return db_path
    if report and not quiet:
        print(summary(report), file=sys.stderr)
    return db_path


def command_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from .ingest.build import build_store, per_person_table, summary

    report = build_store(_seeds(args, settings), Path(args.db or settings.db_path), progress=None)
    print(summary(report))
    if args.verbose:
        print(per_person_table(report))
    return 0


def _seeds(args: argparse.Namespace, settings: Settings) -> Path:
    return Path(args.seeds or settings.seeds_dir or DEFAULT_SEEDS)


def command_add(args: argparse.Namespace, settings: Settings) -> int:
    from .ingest.build import summary
    from .ingest.changes import add_articles

    change = add_articles([Path(path) for path in args.paths], _seeds(args, settings), Path(args.db or settings.db_path))
    print(summary(change.report))
    print(f"added {', '.join(change.articles)}: {len(change.new_items)} new items ({'in place' if change.in_place else 'store rebuilt'})")
    return 0


def command_remove(args: argparse.Namespace, settings: Settings) -> int:
    from .ingest.build import summary
    from .ingest.changes import remove_article

    change = remove_article(args.article, _seeds(args, settings), Path(args.db or settings.db_path))
    print(summary(change.report))
    print(f"removed {change.articles[0]} ({'in place' if change.in_place else 'store rebuilt'})")
    return 0


def _engine(args: argparse.Namespace, settings: Settings, quiet: bool = False):
    from .engine import Engine

    seeds = Path(args.seeds) if args.seeds else settings.seeds_dir
    db = prepare_store(Path(args.db or settings.db_path), seeds, DEFAULT_SEEDS, quiet=quiet)
    return Engine(db)


def command_console(args: argparse.Namespace, settings: Settings, banner: bool = False) -> int:
    from .console import BANNER, run

    return run(_engine(args, settings), lang=args.lang, banner=BANNER if banner else None)


def command_ask(args: argparse.Namespace, settings: Settings) -> int:
    from .render import to_text

    engine = _engine(args, settings, quiet=args.json)
    if not args.message and isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")
    messages = args.message if args.message else (line.rstrip("\n") for line in sys.stdin)
    for message in messages:
        message = well_formed(message)
        answer = engine.answer(message, args.lang)
        text = to_text(answer, args.lang)
        if args.json:
            # "query" is the message as it was sent; the engine reads a cleaned, cut copy of it.
            print(json.dumps({**answer.to_json(text), "query": message}, ensure_ascii=False), flush=True)
        else:
            print(text, end="\n\n", flush=True)
    return 0


def command_export(args: argparse.Namespace, settings: Settings) -> int:
    from .export import dump

    engine = _engine(args, settings, quiet=True)
    query = well_formed(" ".join(args.query))
    _, items = engine.export(query)
    sys.stdout.write(dump(items, args.format))
    sys.stdout.flush()
    print(f"{len(items)} items", file=sys.stderr)
    return 0


def command_run(args: argparse.Namespace, settings: Settings) -> int:
    from .config import check_token
    from .telegram.app import run_bot

    check_token(settings.token)
    if args.webhook_url:
        settings = dataclasses.replace(settings, webhook_url=args.webhook_url)
    engine = _engine(args, settings)
    return run_bot(settings, engine)


def parser(prog: str | None = None) -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog=prog,
        description="Who said what at the Two Sessions (两会): ask about a delegate, a city or a topic and get the exact "
        "words back, attributed and sourced. With no command, the bot runs on Telegram when TELEGRAM_BOT_TOKEN is set, "
        "and as a chat in this terminal when it is not.",
        epilog="Settings come from the environment and from .env (TELEGRAM_BOT_TOKEN, LIANGHUI_DB, LIANGHUI_SEEDS, …: see "
        "the README). The store and the bot's state live in store/ under the data directory: the checkout when run "
        "from one, else the working directory.",
    )
    sub = top.add_subparsers(dest="command", metavar="COMMAND")

    def store_options(command: argparse.ArgumentParser) -> None:
        command.add_argument("--db", help="the store file (default: LIANGHUI_DB, else store/lianghui.db in the data directory)")
        command.add_argument("--seeds", help="the folder of articles (default: LIANGHUI_SEEDS, else the one the store was built from, else seeds/)")

    ingest = sub.add_parser(
        "ingest",
        help="read the articles in the seeds folder and build the store",
        description="Read every article in the seeds folder, find who said what, and build the store the bot answers "
        "from. The old store stays in place until the new one is whole; a broken article is named with its line.",
    )
    store_options(ingest)
    ingest.add_argument("-v", "--verbose", action="store_true", help="also print how many quotes, statements and facts each person has")

    add = sub.add_parser(
        "add",
        help="add articles to the seeds folder and the store",
        description="Copy each article (a .txt file, with its .toml sidecar when one lies beside it) into the seeds "
        "folder and bring the store up to date. If an article cannot be read, nothing changes.",
    )
    store_options(add)
    add.add_argument("paths", nargs="+", metavar="PATH", help="the article files to add")

    remove = sub.add_parser(
        "remove",
        help="take an article out of the seeds folder and the store",
        description="Take one article (and its sidecar) out of the seeds folder and bring the store up to date.",
    )
    store_options(remove)
    remove.add_argument("article", metavar="ARTICLE", help="the article's file name in the seeds folder, with or without .txt")

    console = sub.add_parser(
        "console",
        help="chat with the bot in this terminal",
        description="Chat with the bot in this terminal, with the same answers as on Telegram. Type a question, "
        "more for the next page, ctx N for the paragraph around item N, quit to leave.",
    )
    store_options(console)
    console.add_argument("--lang", default="zh", choices=["zh", "en"], help="the interface language (default zh)")

    ask = sub.add_parser(
        "ask",
        help="answer messages as the bot would, and exit",
        description="Answer each message exactly as the bot would answer it in a chat, one reply per message. "
        "Without messages, each line of standard input is one.",
    )
    store_options(ask)
    ask.add_argument("--json", action="store_true", help="one JSON object per answer, per line (the README lists the fields)")
    ask.add_argument("--lang", default="zh", choices=["zh", "en"], help="the interface language (default zh)")
    ask.add_argument("message", nargs="*", help="the messages to answer, e.g. \"/who 马新强\" or 武汉 人工智能")

    export = sub.add_parser(
        "export",
        help="write every item of an answer as CSV, JSON or JSON Lines",
        description="Write every item (all pages) of the answer to QUERY, exactly as the bot reads it (/who 马新强, "
        "武汉 人工智能, 谁提到了DeepSeek), to standard output, with each item's speaker, text, topics and sources. "
        "Without a QUERY, every item in the store, best first. The count goes to standard error.",
    )
    store_options(export)
    export.add_argument("--format", default="csv", choices=["csv", "json", "jsonl"], help="the file format (default csv)")
    export.add_argument("query", nargs="*", metavar="QUERY", help="what to export, as you would ask the bot")

    run = sub.add_parser(
        "run",
        help="run the bot on Telegram",
        description="Run the bot on Telegram with the token in TELEGRAM_BOT_TOKEN: polling by default, or a webhook. "
        "Ctrl-C or SIGTERM finishes the updates in flight and exits.",
    )
    store_options(run)
    run.add_argument("--webhook-url", help="serve a webhook at this public https URL instead of polling (or WEBHOOK_URL)")
    return top


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    """The program; its exit status."""
    argv = sys.argv[1:] if argv is None else argv
    args = parser(prog).parse_args(argv)
    try:
        settings = load_settings()
        setup_logging(settings)
        if args.command is None:
            # No command: Telegram when a token is set, otherwise the console.
            args.db = args.seeds = None
            args.lang = "zh"
            args.webhook_url = None
            if settings.token:
                return command_run(args, settings)
            return command_console(args, settings, banner=True)
        handlers = {
            "ingest": command_ingest,
            "add": command_add,
            "remove": command_remove,
            "console": command_console,
            "ask": command_ask,
            "export": command_export,
            "run": command_run,
        }
        return handlers[args.command](args, settings)
    except BotError as error:
        print(f"error: {redact(str(error), secret_parts(load_settings_safely()))}", file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as error:
        # The store was damaged after it was opened (it is checked at start-up).
        print(f"error: the store is damaged ({error}); rebuild it with: python bot.py ingest", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (ask … | head): stop quietly, as Unix tools do.
        sys.stderr.close()
        return 0
    except OSError as error:
        # A file the command needs cannot be read or written: which, and why, in one line.
        where = f" {error.filename}" if error.filename else ""
        print(f"error: cannot use{where}: {error.strerror or error}", file=sys.stderr)
        return 1


def load_settings_safely() -> str | None:
    try:
        return load_settings().token
    except BotError:
        return None
