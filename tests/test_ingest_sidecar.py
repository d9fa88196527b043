"""What a sidecar's [article] table puts on the article row (bot/ingest.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import store_of_seeds

ARTICLE = "页面主标题\n页面副标题\n今年全国两会上，科技创新成为热词。\n柯明远表示，武汉要加快建设科技创新中心，推动成果转化。\n"


@pytest.mark.parametrize(
    ("sidecar", "title", "subtitle", "url"),
    [
        ("", "页面主标题", "页面副标题", None),
        ('title = "侧栏标题"', "侧栏标题", None, None),
        ('subtitle = "侧栏副标题"', "页面主标题", "侧栏副标题", None),
        ('title = "侧栏标题"\nsubtitle = "侧栏副标题"', "侧栏标题", "侧栏副标题", None),
        ('url = "https://example.org/2025/0305.html"', "页面主标题", "页面副标题", "https://example.org/2025/0305.html"),
    ],
    ids=["none", "title", "subtitle alone", "both", "url"],
)
def test_article_fields_from_the_sidecar(tmp_path: Path, sidecar: str, title: str, subtitle: str | None, url: str | None) -> None:
    seeds = {"article.txt": ARTICLE} | ({"article.toml": f"[article]\n{sidecar}\n"} if sidecar else {})
    db = store_of_seeds(tmp_path, seeds)
    row = sqlite3.connect(db).execute("select title, subtitle, url from articles").fetchone()
    assert (title, subtitle, url) == row
