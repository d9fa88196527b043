"""Files and fetched pages made into seeds (bot.ingest.incoming): the text
one paragraph per line, the title, the sidecar with the URL and fetch time,
and one line for whatever cannot be an article."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.ingest.fetch import Fetched
from bot.ingest.incoming import ArticleRefused, from_fetched, from_upload, stem_for
from bot.ingest.seeds import read_seed

PAGE = """<html><head><meta charset="gbk"><title>网站 - 标题</title><meta property="og:title" content="代表谈创新"></head>
<body><nav>首页 | 要闻</nav><script>var x = "<p>no</p>";</script>
<article><h1>代表谈创新</h1><p>第一段，<b>柯云舟</b>表示，要提速。</p><div>第二段&nbsp;在此。<br>第三段</div></article>
<footer>版权所有</footer></body></html>"""


def test_a_page_keeps_its_paragraphs_title_url_and_fetch_time(tmp_path: Path):
    page = Fetched("https://news.example.cn/a?id=1", "https://news.example.cn/a?id=1", "text/html", None, PAGE.encode("gbk"), "2026-03-09T08:00:00Z")
    article = from_fetched(page)
    path = article.stage(tmp_path)
    seed = read_seed(path)
    assert "代表谈创新\n第一段，柯云舟表示，要提速。\n第二段 在此。\n第三段\n" == seed.text
    assert ("代表谈创新", "https://news.example.cn/a?id=1", "2026-03-09T08:00:00Z") == (seed.meta.title, seed.meta.url, seed.meta.fetched)
    assert path.stem.startswith("web-news-example-cn-")
    assert tomllib.loads(path.with_suffix(".toml").read_text(encoding="utf-8"))["article"]["url"] == page.url


def test_markdown_loses_its_markup_and_gives_its_title():
    article = from_upload("notes 2025.md", "# 标题\n\n> 柯云舟**表示**，[见此](https://x.org)。\n- 一条\n".encode("utf-8"))
    assert ("notes-2025", "标题") == (article.stem, article.title)
    assert "标题\n\n柯云舟表示，见此。\n一条\n" == article.text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("a.pdf", b"%PDF", "not an article: send a .txt, .html or .md file, not .pdf"),
        ("a.txt", "中文".encode("gbk"), "unreadable encoding: the text is not UTF-8"),
        ("a.txt", b"abc\x00def", "not an article: the file is not text"),
        ("a.txt", b" \n \n", "not an article: there is no text in it"),
        ("a.txt", b"x" * 5_000_001, "too large: an article is at most 5 MB"),
    ],
)
def test_what_cannot_be_an_article_is_one_line(name: str, data: bytes, reason: str):
    with pytest.raises(ArticleRefused) as refused:
        from_upload(name, data)
    assert reason == str(refused.value)


def test_file_names_become_safe_stems():
    assert "代表-谈创新" == stem_for("../代表 谈创新.txt")
    assert "article" == stem_for("....txt")
