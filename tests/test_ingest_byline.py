"""The paper and date of an article without them in a sidecar, from the
introduction's byline (bot/ingest.py ParsedArticle.source and .date).

Most generated articles have no sidecar, and their answers cited only
《title》. Their introductions say 3月7日，湖北日报记者邀请……: the paper is
taken from there, and the date too when the file name gives the year.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import store_of_seeds

from bot.ingest.build import ParsedArticle
from bot.ingest.layout import rebuild
from bot.ingest.seeds import ArticleMeta, Seed

INTRO = "今年全国两会上，科技创新成为热词。{byline}来自武汉的全国人大代表、全国政协委员就此话题展开讨论，大家表示，要加快建设科技创新中心。"
SPEAKER = "柯明远表示，武汉要加快建设科技创新中心，推动成果转化。"


@pytest.mark.parametrize(
    ("file", "byline", "meta", "source", "date"),
    [
        ("0001_web.txt", "3月7日，湖北日报记者邀请", None, "湖北日报", None),
        ("2025-03-web.txt", "3月7日，湖北日报记者邀请", None, "湖北日报", "2025-03-07"),
        ("2024-ccrb.txt", "3月12日，文汇报记者邀请", None, "文汇报", "2024-03-12"),
        ("0002_web.txt", "3月6日，本报记者邀请", None, None, None),
        ("0003_web.txt", "本报记者邀请", None, None, None),
        ("0004_web.txt", "3月7日，湖北日报记者邀请", ArticleMeta(source="长江日报", date="2025-03"), "长江日报", "2025-03"),
        ("2025-03-web.txt", "3月7日，湖北日报记者邀请", ArticleMeta(source="长江日报"), "长江日报", "2025-03-07"),
    ],
    ids=["paper", "paper and date", "文汇报", "本报", "no date", "sidecar wins", "sidecar paper, byline date"],
)
def test_source_and_date(file: str, byline: str, meta: ArticleMeta | None, source: str | None, date: str | None) -> None:
    text = f"标题\n{INTRO.format(byline=byline)}\n{SPEAKER}\n"
    article = ParsedArticle(Seed(Path(file), text, meta, None), rebuild(text))
    assert (source, date) == (article.source, article.date)


def test_a_byline_after_the_introduction_is_no_byline() -> None:
    later = "\n".join(f"柯明远第{n}次表示，武汉要加快建设科技创新中心，推动成果转化。" for n in range(4))
    text = f"标题\n{INTRO.format(byline='')}\n{later}\n3月7日，湖北日报记者在现场看到，展馆里人头攒动。\n"
    article = ParsedArticle(Seed(Path("2025-web.txt"), text, None, None), rebuild(text))
    assert (None, None) == (article.source, article.date)


def test_the_store_and_citations_carry_the_bylines_paper(tmp_path: Path) -> None:
    article = f"标题\n{INTRO.format(byline='3月7日，湖北日报记者邀请')}\n来自武汉的全国人大代表柯明远表示，武汉要加快建设科技创新中心。\n"
    db = store_of_seeds(tmp_path, {"0001_web.txt": article})
    connection = sqlite3.connect(db)
    assert ("湖北日报", None) == connection.execute("select source, date from articles").fetchone()
    city_source = connection.execute("select source from fact_sources where field = 'city'").fetchone()[0]
    assert city_source.startswith("标题（湖北日报）")
