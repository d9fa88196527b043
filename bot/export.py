"""Items as files: CSV (the /export button, ``lianghui-bot export``), JSON
and JSON Lines. One row per item, its sources listed earliest first."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from .engine.answer import Item

FORMATS = ("csv", "json", "jsonl")
CSV_COLUMNS = ("id", "kind", "speaker", "speaker_city", "text", "topics", "outlet", "title", "date", "url", "sources")


def item_record(item: Item) -> dict[str, Any]:
    """An item as plain data: what it says, who said it, and where."""
    return {
        "id": item.id,
        "kind": item.kind,
        "speaker": item.speaker,
        "speaker_city": item.speaker_city,
        "text": item.text,
        "topics": list(item.topics),
        "source": item.source.line(),
        "sources": [source.to_json() for source in item.sources or (item.source,)],
    }


def to_csv(items: list[Item]) -> str:
    """A spreadsheet's CSV (UTF-8 with a byte-order mark, so Excel reads the
    Chinese right): the first source in its own columns, every source's
    line in ``sources``."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in items:
        first = (item.sources or (item.source,))[0]
        writer.writerow(
            [
                item.id,
                item.kind,
                item.speaker or "",
                item.speaker_city or "",
                item.text,
                "|".join(item.topics),
                first.paper or "",
                first.title,
                first.date or "",
                first.url or "",
                " | ".join(source.line() + (f" {source.url}" if source.url else "") for source in item.sources or (item.source,)),
            ]
        )
    return out.getvalue()


def dump(items: list[Item], fmt: str) -> str:
    """The items in one of FORMATS."""
    if fmt == "csv":
        return to_csv(items)
    if fmt == "json":
        return json.dumps([item_record(item) for item in items], ensure_ascii=False, indent=1) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(item_record(item), ensure_ascii=False) + "\n" for item in items)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
