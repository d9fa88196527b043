"""The rules of the genre, read from data/genre.toml: cue verbs, titles,
sessions, place abbreviations and header forms."""

from __future__ import annotations

import tomllib
from pathlib import Path

GENRE_FILE = Path(__file__).parent / "data" / "genre.toml"

with open(GENRE_FILE, "rb") as _handle:
    GENRE = tomllib.load(_handle)
