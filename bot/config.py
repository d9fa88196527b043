"""Settings from the environment and an optional ``.env`` file.

The environment wins over ``.env``, so a systemd unit or a shell export can
override the file. The token and the webhook secret are kept out of ``repr``
so they never reach a log line.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

# A checkout of the repository holds the package beside its seeds/ and store/.
CHECKOUT = Path(__file__).resolve().parent.parent


def data_root() -> Path:
    """Where the store, the state and the seeds live unless settings say
    otherwise: the checkout when the bot runs from one (python bot.py, an
    editable install), else the working directory. Never the installed
    package's own folder: site-packages is no place for data."""
    if (CHECKOUT / "pyproject.toml").is_file() and (CHECKOUT / "bot").is_dir():
        return CHECKOUT
    return Path.cwd()


ROOT = data_root()
DEFAULT_DB = ROOT / "store" / "lianghui.db"
DEFAULT_SEEDS = ROOT / "seeds"
DEFAULT_STATE = ROOT / "store" / "bot-state.db"
MEGABYTE = 1_000_000
# More processes than this only add their tokenizers' memory (about 150 MB each).
MAX_INGEST_WORKERS = 32
# Telegram tokens look like 123456789:AA...; anything else cannot work.
TOKEN_SHAPE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")


def new_webhook_secret() -> str:
    """A secret_token for the webhook when none is configured: one per start."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Settings:
    token: str | None = field(default=None, repr=False)
    base_url: str | None = None  # a self-hosted Bot API server, e.g. http://localhost:8081/bot
    db_path: Path = DEFAULT_DB
    # Set in the environment (LIANGHUI_SEEDS), it counts as --seeds does;
    # unset, a store is kept fresh against the seeds it was built from.
    seeds_dir: Path | None = None
    webhook_url: str | None = None
    # Always the secret in use, generated when none is configured, so that
    # whatever redacts it from the logs (bot.py) knows it. It exists even when
    # polling: the webhook URL may still come from the command line, after the
    # settings were read and the logging set up.
    webhook_secret: str = field(default_factory=new_webhook_secret, repr=False)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    admin_ids: frozenset[int] = frozenset()
    user_rate: int = 20  # messages per user per minute before the bot asks them to slow down
    state_path: Path = DEFAULT_STATE  # SQLite: the language each user chose, what each follows
    log_level: str = "INFO"
    # A seed file larger than this is skipped with a warning: a stray dump or a
    # link to a device must not fill the memory of ingest.
    max_seed_bytes: int = 20 * MEGABYTE
    # Processes a full ingest of many articles shares its work over; None:
    # one per processor this process may run on (see bot/ingest/workers.py).
    ingest_workers: int | None = None


def load_settings(env_file: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read settings; ``.env`` beside the bot is read when present."""
    values = dict(os.environ if environ is None else environ)
    env_file = env_file if env_file is not None else ROOT / ".env"
    if env_file.exists():
        from dotenv import dotenv_values

        for key, value in dotenv_values(env_file).items():
            if value is not None:
                values.setdefault(key, value)

    def get(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    admins: set[int] = set()
    for part in re.split(r"[,\s]+", get("ADMIN_IDS") or ""):
        if part:
            if not part.lstrip("-").isdigit():
                raise ConfigError(f"ADMIN_IDS must be Telegram user ids separated by commas, not {part!r}")
            admins.add(int(part))
    port = get("WEBHOOK_PORT") or "8443"
    rate = get("USER_RATE_PER_MINUTE") or "20"
    if not port.isdigit() or not rate.isdigit():
        raise ConfigError("WEBHOOK_PORT and USER_RATE_PER_MINUTE must be whole numbers")
    max_seed_mb = get("LIANGHUI_MAX_SEED_MB") or "20"
    try:
        max_seed_bytes = int(float(max_seed_mb) * MEGABYTE)
    except (ValueError, OverflowError):  # not a number, nan, inf
        max_seed_bytes = 0
    if max_seed_bytes <= 0:
        raise ConfigError(f"LIANGHUI_MAX_SEED_MB must be a positive number of megabytes, not {max_seed_mb!r}")
    workers = get("LIANGHUI_INGEST_WORKERS")
    if workers is not None and not (workers.isdecimal() and workers.isascii() and 1 <= int(workers) <= MAX_INGEST_WORKERS):
        raise ConfigError(f"LIANGHUI_INGEST_WORKERS must be a whole number from 1 to {MAX_INGEST_WORKERS}, not {workers!r}")
    return Settings(
        token=get("TELEGRAM_BOT_TOKEN"),
        base_url=get("TELEGRAM_BASE_URL"),
        db_path=Path(get("LIANGHUI_DB") or DEFAULT_DB),
        seeds_dir=Path(get("LIANGHUI_SEEDS")) if get("LIANGHUI_SEEDS") else None,
        webhook_url=get("WEBHOOK_URL"),
        webhook_secret=get("WEBHOOK_SECRET") or new_webhook_secret(),
        webhook_listen=get("WEBHOOK_LISTEN") or "127.0.0.1",
        webhook_port=int(port),
        admin_ids=frozenset(admins),
        user_rate=int(rate),
        state_path=Path(get("LIANGHUI_STATE") or DEFAULT_STATE),
        log_level=(get("LOG_LEVEL") or "INFO").upper(),
        max_seed_bytes=max_seed_bytes,
        ingest_workers=int(workers) if workers is not None else None,
    )


def check_token(token: str | None) -> str:
    """The token, or a one-line error that does not repeat it."""
    if not token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set; create a bot with @BotFather and put its token in .env")
    if not TOKEN_SHAPE.match(token):
        raise ConfigError("TELEGRAM_BOT_TOKEN does not look like a Telegram token (digits, a colon, then 30+ letters)")
    return token


def secret_parts(token: str | None) -> list[str]:
    """What must never be shown of a token: the whole of it, and the part after
    the colon on its own (the digits before it are the bot's public id)."""
    if not token:
        return []
    parts = [token]
    _, _, secret = token.partition(":")
    if len(secret) >= 8:
        parts.append(secret)
    return parts


def redact(text: str, secrets: list[str | None]) -> str:
    """text with every secret replaced; the longest first, so a secret that
    contains another is removed whole."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "[redacted]")
    return text
