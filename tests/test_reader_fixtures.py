"""The reader on articles of every format the genre prints (issue 11).

tests/fixtures/articles holds invented articles (people, companies and
content made up; real outlets only in header and dateline forms) with their
truth list. The scorer (tests/tools/score.py) builds a real store from them
and each measure must reach what the reader reaches today; the rules are
then checked one by one, table-driven.
"""

from __future__ import annotations

import json
import pickle
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.ingest import roles
from bot.ingest.extract import Extractor, discover_people
from bot.ingest.layout import full_width_punctuation, rebuild
from bot.ingest.records import ParsedArticle, session_year
from bot.ingest.seeds import Seed
from tools import score

FIXTURES = Path(__file__).parent / "fixtures" / "articles"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return score.build(FIXTURES, tmp_path_factory.mktemp("fixture-store"))


@pytest.fixture(scope="module")
def scored(store_path: Path) -> score.Score:
    store = score.Store(store_path)
    try:
        return score.score(store, json.loads((FIXTURES / "truth.json").read_text(encoding="utf-8")))
    finally:
        store.db.close()


@pytest.fixture
def db(store_path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(store_path)
    yield connection
    connection.close()


def test_no_false_people_and_no_level_wrong(scored: score.Score) -> None:
    assert [] == scored.false_people
    assert [] == scored.levels_wrong


@pytest.mark.parametrize(
    ("measure", "at_least"),
    [
        ("people_found", 97.0),
        ("attribution_precision", 99.0),
        ("statement_recall", 95.0),
        ("city", 100.0),
        ("source_date", 100.0),
        ("title", 100.0),
    ],
)
def test_each_measure_reaches_its_floor(scored: score.Score, measure: str, at_least: float) -> None:
    assert scored.measures()[measure] >= at_least, "\n".join(scored.lines)


def test_the_scorer_names_a_seeds_folder_it_cannot_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One line and exit status 2, not a traceback from inside ingest."""
    with pytest.raises(SystemExit) as exit_:
        score.main([str(tmp_path / "absent"), str(FIXTURES / "truth.json")])
    assert 2 == exit_.value.code
    assert f"score.py: {tmp_path / 'absent'}: the seeds directory does not exist\n" == capsys.readouterr().err


def test_two_people_of_one_name_stay_apart_by_city(db: sqlite3.Connection) -> None:
    """王勇 of 潍坊's municipal congress and 王勇 of the national CPPCC from 上海:
    two people, each with their own level, shown as 王勇（潍坊） and 王勇（上海）."""
    rows = db.execute("select p.name, p.city, f.value from people p join person_facts f on f.person_id = p.id and f.field = 'level' where p.name = '王勇'")
    assert {("王勇", "潍坊", "city"), ("王勇", "上海", "national")} == set(rows)


def _speakers_of(db: sqlite3.Connection, file: str, words: str) -> list[tuple[str, str | None]]:
    """(kind, speaker) of the items of an article that hold these words."""
    return db.execute(
        """select i.kind, p.name from items i join item_texts t on t.id = i.id join articles a on a.id = i.article_id
           left join people p on p.id = i.speaker_id where a.file = ? and t.text like ? order by i.position""",
        (file, f"%{words}%"),
    ).fetchall()


def test_a_paragraph_naming_an_unknown_titled_speaker_is_not_the_previous_speakers(db: sqlite3.Connection) -> None:
    """茶艺师柳青禾说：“……” right after 甘雨桐's paragraph: 茶艺师 is no title the
    reader knows, so the quote is no one's rather than 甘雨桐's."""
    assert [("quote", None)] == _speakers_of(db, "stranger.txt", "茶艺课程")
    assert [("statement", "柯远黛")] == _speakers_of(db, "stranger.txt", "小型美术馆")  # 画家 is a title


def test_each_member_of_a_semicolon_list_speaks_their_own_clause(db: sqlite3.Connection) -> None:
    assert [("statement", "巫静怡")] == _speakers_of(db, "list-clauses.txt", "留得住、干得好")
    assert [("statement", "冼志恒")] == _speakers_of(db, "list-clauses.txt", "皖港科技合作")
    assert [("quote", "庞嘉宁")] == _speakers_of(db, "list-clauses.txt", "守住耕地红线")
    speakers = {name for (name,) in db.execute("select p.name from items i join people p on p.id = i.speaker_id join articles a on a.id = i.article_id where a.file = 'list-clauses.txt'")}
    assert not speakers & {"尚文博", "祁振东", "聂远航"}  # leaders listed as present, not speaking


def test_what_everyone_listed_said_is_theirs_jointly(db: sqlite3.Connection) -> None:
    rows = db.execute(
        """select p.name, ip.joint from items i join item_texts t on t.id = i.id join item_people ip on ip.item_id = i.id
           join people p on p.id = ip.person_id where t.text like '大家一致认为%'"""
    ).fetchall()
    assert {("伍思远", 0), ("甘露", 1), ("韦庆丰", 1)} <= set(rows)
    assert [("statement", "伍思远")] == _speakers_of(db, "delegation.txt", "提气鼓劲")


def test_narrative_between_captions_and_figures_under_a_heading_are_reporting(db: sqlite3.Connection) -> None:
    assert [("fact", "戚晓峰")] == _speakers_of(db, "heading-narrative.txt", "主攻方向")
    assert [("fact", "姬东来")] == _speakers_of(db, "heading-narrative.txt", "连续4年")


def test_a_reprinted_quote_is_one_item_with_every_source_earliest_first(db: sqlite3.Connection) -> None:
    rows = db.execute(
        """select a.file, s.position from item_texts t join item_sources s on s.item_id = t.id join articles a on a.id = s.article_id
           where t.text like '十年来，京津冀三地%' order by s.position"""
    ).fetchall()
    assert [("reprint-a.txt", 0), ("reprint-b.txt", 1)] == rows
    assert 1 == db.execute("select count(*) from item_texts where text like '十年来，京津冀三地%'").fetchone()[0]


def test_joint_speakers_are_both_credited(db: sqlite3.Connection) -> None:
    rows = db.execute(
        """select p.name, ip.joint, i.speaker_id = p.id from items i join item_texts t on t.id = i.id join item_people ip on ip.item_id = i.id
           join people p on p.id = ip.person_id where t.text like '%纳入沿江各地公益性岗位优先安置范围%' and i.kind = 'statement'"""
    ).fetchall()
    assert {("朱明辉", 0, 1), ("秦雪梅", 1, 0)} == set(rows)


def article(text: str, name: str = "article") -> ParsedArticle:
    return ParsedArticle(Seed(Path(f"{name}.txt"), text, None, None), rebuild(text))


@pytest.mark.parametrize(
    ("text", "source", "date"),
    [
        ("标题\n2024-03-07 08:01:03 来源：湖北日报 作者：某某\n正文第一段。\n", "湖北日报", "2024-03-07"),
        ("时间：2024-03-04 来源：广州日报\n标题\n正文第一段。\n", "广州日报", "2024-03-04"),
        ("标题\n2024年03月09日06:12 | 来源：人民网－人民日报\n正文第一段。\n", "人民日报", "2024-03-09"),
        ("《 人民政协报 》（ 2023年03月05日 第 03 版）\n标题\n正文第一段。\n", "人民政协报", "2023-03-05"),
        ("标题\n新华社北京3月2日电（记者 某某）十四届全国政协二次会议将于3月4日开幕。\n", "新华社", "2024-03-02"),
        ("标题\n中新网北京3月12日电（记者 某某）十四届全国人大一次会议期间，记者走访。\n", "中新网", "2023-03-12"),
        ("标题\n新华网北京3月3日电（记者 某某）在资深的全国政协委员眼中，政协会议已发生巨大变化。\n", "新华网", None),
        ("标题\n某评社北京3月4日电（记者 某某）十四届全国政协二次会议开幕。\n", "某评社", "2024-03-04"),
        ("标题\n本报北京3月10日讯（记者 某某）代表们热议。\n", None, None),
        ("标题\n3月5日，十四届全国人大二次会议开幕。\n", None, "2024-03-05"),
        ("标题\n3月5日，十二届全国人大二次会议开幕。\n", None, "2014-03-05"),
        ("标题\n3月5日，潍坊市十八届人大三次会议开幕。\n", None, None),
        ("标题\n来源:河北日报 2024-03-06\n正文第一段。\n", "河北日报", "2024-03-06"),
        ("标题\n2017-03-02\n【文汇网讯】今天下午，全国政协十二届五次会议新闻发布会将在人民大会堂举行。\n", "文汇网", "2017-03-02"),
        ("标题\n【文汇网讯】据河南日报报道，一年一度的全国两会开幕在即。\n", "河南日报", None),
        ("标题\n【环球网报道】记者某某从会上获悉。\n", "环球网", None),
        ("标题\n据央视新闻报道，代表们陆续抵京。\n", "央视新闻", None),
        ("标题\n据报道，代表们陆续抵京。\n", None, None),
        ("央视网\n\n标题\n\n2018-03-05 13:07:00来源:央视网\n\n正文第一段。\n", "央视网", "2018-03-05"),
        ("标题\n某视新闻综合频道3月5日报道：十四届全国人大二次会议今天开幕。\n", "某视新闻综合频道", "2024-03-05"),
        # The day a session will open is not the article's: 今日(4日) gives no month.
        ("标题\n【某新闻报道】十四届全国人大四次会议将于3月5日开幕，今日(4日)上午举行预备会议。\n", "某新闻", None),
        ("标题\n十四届全国人大四次会议定于2026年3月5日在北京召开。\n", None, None),
        ("标题\n某北网北京3月5日讯(记者某某)十四届全国人大二次会议隆重开幕。\n", "某北网", "2024-03-05"),
    ],
    ids=["湖北日报", "广州日报", "人民网－人民日报", "人民政协报", "新华社", "中新网", "新华网", "通讯社", "本报", "届次", "十二届", "地方届次", "ASCII", "日期行", "转载", "网讯", "据报道", "无名", "网站名在标题上", "频道报道", "将于开幕", "定于召开", "网站和地点"],
)
def test_source_and_date_from_the_text(text: str, source: str | None, date: str | None) -> None:
    parsed = article(text)
    assert (source, date) == (parsed.source, parsed.date)
    assert "标题" == parsed.title


@pytest.mark.parametrize("byline", ["□记者 某某", "记者 某某 某甲", "本报记者 某某", "□河南台记者某某 某甲乙 新乡站台", "特邀委员记者 某某"])
def test_a_byline_line_is_no_title(byline: str) -> None:
    parsed = article(f"{byline}\n本报讯 2月2日，出席某市五届人大二次会议的人大代表陆续来到代表驻地，向大会报到。\n")
    assert parsed.title is None


@pytest.mark.parametrize("label", ["访谈动机", "编者按"])
def test_a_section_label_above_the_text_is_no_title(label: str) -> None:
    """访谈动机 on the first line, above the lead: a section's label, neither
    headline nor paragraph."""
    parsed = article(f"{label}\n把行业里要解决的问题做深做透，提有可操作性的建议和议案。本报记者随机采访了六位人大代表。\n")
    assert parsed.title is None
    assert [label] == parsed.layout.header
    assert all(label != paragraph.text for paragraph in parsed.layout.paragraphs)


def test_a_pages_navigation_above_its_headline_is_not_the_article() -> None:
    """A saved page's menu words and breadcrumb above the headline, and a
    source line that runs long (the site's address, the print edition)."""
    parsed = article(
        "注册\n\n某某网 > 新闻中心 > 国内新闻 > 正文\n\n委员们带来了哪些提案\n\n"
        "来源：新华网 2015-03-02 11:45 http://www.example.cn/ 某某都市报电子版\n\n"
        "1日，京外的全国政协委员陆续抵京报到，准备出席3日开幕的全国政协十二届三次会议。\n"
    )
    assert ("委员们带来了哪些提案", "新华网", "2015-03-02") == (parsed.title, parsed.source, parsed.date)
    assert not any("注册" in paragraph.text or "正文" in paragraph.text for paragraph in parsed.layout.paragraphs)


def test_a_channel_word_above_a_breadcrumb_is_not_the_headline() -> None:
    """A saved page that opens with its channel's name, then the breadcrumb,
    then the headline, and no source line (a city paper's site): the channel
    is the page's, and the headline is the one below the breadcrumb."""
    parsed = article(
        "某州\n\n首页>地方频道>某州>要闻\n\n履职尽责再出发 建言献策开新局\n\n"
        "3月3日上午，甲一、乙二等全国人大代表赴京出席大会。\n"
        "“我今年带来了五条建议，最关心的是职业教育。”全国人大代表、某州职业学院院长乙二表示。\n"
    )
    assert "履职尽责再出发 建言献策开新局" == parsed.title
    assert ["首页>地方频道>某州>要闻", "某州"] == parsed.layout.header
    assert not any(paragraph.text in ("某州", "履职尽责再出发 建言献策开新局") for paragraph in parsed.layout.paragraphs)


def test_an_article_that_opens_with_a_paragraph_has_no_title() -> None:
    parsed = article("全国政协委员某某今年带来了一份提案。3月6日，他向记者介绍了提案的来龙去脉。\n他说，社区食堂要办得下去。\n")
    assert parsed.title is None
    assert 2 == len(parsed.layout.paragraphs)


@pytest.mark.parametrize(
    ("ordinal", "year"), [("十四届全国人大一次会议", 2023), ("全国政协十四届二次会议", 2024), ("十三届全国人大五次会议", 2022), ("市十五届人大五次会议", None)]
)
def test_the_year_of_a_session_ordinal(ordinal: str, year: int | None) -> None:
    assert year == session_year(f"记者从{ordinal}获悉")


def test_ascii_punctuation_beside_han_reads_as_full_width() -> None:
    assert "来源：湖北日报 08:01:03，他说：“好。”" == full_width_punctuation("来源:湖北日报 08:01:03,他说:“好。”")


@pytest.mark.parametrize(
    ("text", "name", "role"),
    [
        ("市人大代表赵一鸣说，建议由街道统筹。", "赵一鸣", "市人大代表"),
        ("广东省人大代表 孙立三：“不少乡镇卫生院只有一名医生。”", "孙立三", "广东省人大代表"),
        ("住鄂全国政协委员蒋文涛表示，公办养老床位空置率偏高。", "蒋文涛", "住鄂全国政协委员"),
        ("广州市天河区人大代表韩嘉禾说，每月仅人工成本就要十多万元。", "韩嘉禾", "广州市天河区人大代表"),
        ("全国政协委员，某集团党委书记、董事长尤三说，要加快转型。", "尤三", "全国政协委员"),
    ],
)
def test_every_level_of_title_is_stored_as_written(text: str, name: str, role: str) -> None:
    people = discover_people([text], rejects=lambda candidate: False)
    assert [name] == list(people)
    assert [role] == list(people[name].roles)


@pytest.mark.parametrize(
    ("role", "session", "expected"),
    [
        ("全国政协委员", None, ("national", None, None)),
        ("住鄂全国政协委员", None, ("national", "湖北", None)),
        ("山东省人大代表", None, ("provincial", "山东", None)),
        ("广州市人大代表", None, ("city", "广东", "广州")),
        # A district names its city through the gazetteer's districts; one of two cities names none.
        ("越秀区政协委员", None, ("county", "广东", "广州")),
        ("海淀区人大代表", None, ("county", "北京", "北京")),
        ("朝阳区人大代表", None, ("county", None, None)),
        ("广州市天河区人大代表", None, ("county", "广东", "广州")),
        ("在穗全国政协委员", None, ("national", "广东", None)),
        ("省政协委员", "江西省政协十三届二次会议", ("provincial", "江西", None)),
        ("市人大代表", "重庆市两会", ("city", "重庆", "重庆")),
        ("人大代表", None, (None, None, None)),
    ],
)
def test_the_level_a_role_gives_is_never_promoted(role: str, session: str | None, expected: tuple) -> None:
    facts = roles.role_facts(role, roles.session_of([session]) if session else None)
    assert expected == (facts.level, facts.region, facts.city)


@pytest.mark.parametrize(
    ("session", "bare", "role"),
    [
        ("江西省政协十三届二次会议开幕。", "委员", "省政协委员"),
        ("十四届全国人大二次会议开幕。", "代表", "全国人大代表"),
        ("会议开幕。", "委员", None),
        # A session by its ordinal alone is of the place the article calls home.
        ("参加政协九届一次会议的委员们陆续报到，为我县发展建言献策。", "委员", "区政协委员"),
        ("出席六届人大二次会议的代表肩负着本市人民的重托。", "代表", "市人大代表"),
        ("参加政协九届一次会议的委员们陆续报到。", "委员", None),
        ("参加政协九届一次会议的委员们热议资本市场。", "委员", None),
    ],
)
def test_a_bare_title_takes_the_level_of_the_article_session(session: str, bare: str, role: str | None) -> None:
    found = roles.session_of([session])
    titles = roles.BARE_TITLES[found.level] if found else {}
    people = discover_people([session, f"孔繁星{bare}建议，省里可以分类指导县域园区。"], rejects=lambda candidate: False, bare_titles=titles)
    assert ([role] if role else []) == list(people["孔繁星"].roles)


@pytest.mark.parametrize(
    ("texts", "name", "city"),
    [
        (["来自佛山的施雅婷代表说，家电产业要补链。"], "施雅婷", "佛山"),
        (["来自广西南宁第四人民医院的杜某委员说，要办好基层医院。"], "杜某", "南宁"),
        (["在穗全国政协委员欧阳振华说，要发展先进制造。"], "欧阳振华", "广州"),
        (["住鄂全国政协委员金若兰说，要协同发展。"], "金若兰", None),
        (["闵若川目前主要居住在湖北武汉市，他介绍说，武汉的社区运动场多了。"], "闵若川", "武汉"),
        (["闵若川说，他的学生家住武汉。"], "闵若川", None),
    ],
)
def test_cities_stated_in_the_text(texts: list[str], name: str, city: str | None) -> None:
    stated = roles.cities_stated(texts, name)
    assert city == (stated[0] if stated else None)
    if stated:
        assert name in stated[1]


@pytest.mark.parametrize(("affiliation", "city"), [("淄博某精密机械公司董事长", "淄博"), ("潍坊学院教授", "潍坊"), ("湖北某公司总经理", None)])
def test_an_affiliation_that_names_a_city(affiliation: str, city: str | None) -> None:
    assert city == roles.city_of_affiliation(affiliation)


@pytest.mark.parametrize(
    ("text", "speaker", "items"),
    [
        (
            "标题\n■ 全国政协委员、南湖博物馆馆长卫明远：\n这几年，我们馆的年轻观众越来越多。\n我今年的提案是推动中小博物馆的数字化展陈。\n",
            "卫明远",
            ["这几年，我们馆的年轻观众越来越多。", "我今年的提案是推动中小博物馆的数字化展陈。"],
        ),
        (
            "标题\n主持人：我们来看记者的采访。\n代表 沈晓岚：\n我今年主要带来的是\n关于高标准农田后期管护的建议。\n记者：那您觉得应该怎么解决？\n",
            "沈晓岚",
            ["我今年主要带来的是", "关于高标准农田后期管护的建议。"],
        ),
    ],
    ids=["heading", "caption"],
)
def test_paragraphs_under_a_heading_are_its_speakers(text: str, speaker: str, items: list[str]) -> None:
    layout = rebuild(text)
    people = discover_people([paragraph.text for paragraph in layout.paragraphs], rejects=lambda candidate: False)
    assert [speaker] == list(people)
    found, _ = Extractor(people).extract(layout)
    assert [(text, speaker, "heading") for text in items] == [(item.text, item.speaker, item.attribution) for item in found]


def test_the_scorer_prints_every_measure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "one.txt").write_text((FIXTURES / "quote-first.txt").read_text(encoding="utf-8"), encoding="utf-8")
    truth = json.loads((FIXTURES / "truth.json").read_text(encoding="utf-8"))
    (tmp_path / "truth.json").write_text(
        json.dumps({"articles": [dict(entry, file="one.txt") for entry in truth["articles"] if entry["file"] == "quote-first.txt"]}, ensure_ascii=False),
        encoding="utf-8",
    )
    assert 0 == score.main([str(seeds), str(tmp_path / "truth.json"), "-v"])
    printed = capsys.readouterr().out
    for label in ("quoted people found", "false people", "attribution precision", "statement recall", "city where stated", "role level wrong", "source and date"):
        assert label in printed
    assert "one.txt: people 5/5, statements 13/13" in printed


def test_the_scorer_counts_a_member_mentioned_but_silent_as_no_false_person(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "one.txt").write_text(
        "标题\n全国政协委员、某研究院首席工程师赵一卫在“委员通道”接受媒体采访。\n全国政协委员柯云舟表示，委员通道对记者非常有帮助。\n", encoding="utf-8"
    )
    entry = {"file": "one.txt", "outlet": None, "date": None, "title": "标题", "people": [
        {"name": "柯云舟", "role": "全国政协委员", "level": "national", "region": None, "city": None, "affiliation": None}],
        "statements": [{"speaker": "柯云舟", "text": "委员通道对记者非常有帮助", "kind": "statement"}]}
    for mentioned, false_people in (([], "1 (赵一卫)"), (["赵一卫"], "0")):
        (tmp_path / "truth.json").write_text(json.dumps({"articles": [dict(entry, mentioned=mentioned)]}, ensure_ascii=False), encoding="utf-8")
        assert 0 == score.main([str(seeds), str(tmp_path / "truth.json")])
        assert f"false people             {false_people}\n" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("file", "words", "expected"),
    [
        # A paragraph that is one quote, its speaker named first in the next (罗晓晴代表的发言，……).
        ("tongdao-replies.txt", "群众的事再小也是大事", [("quote", "罗晓晴")]),
        # An adverb and a verb of insight: 邵建川代表深刻体会到，……
        ("tongdao-replies.txt", "核心部件必须掌握", [("statement", "邵建川")]),
        # Two delegates answering on listed topics: ……也就A、B等话题回答了记者提问.
        ("tongdao-replies.txt", "社区托育补贴", [("statement", "钟立言")]),
        # The field they will speak on, between the name and the verb: 邱晨阳代表这次将重点围绕……领域提出.
        ("tongdao-replies.txt", "智能制造领域", [("statement", "邱晨阳")]),
        # An interview answer under a bare name is the interviewee's, around what it quotes.
        ("interview-qa.txt", "报告实打实", [("quote", "柏青禾")]),
        ("interview-qa.txt", "我心里更踏实了", [("quote", "柏青禾")]),
        ("interview-qa.txt", "向丘陵山区倾斜", [("quote", "柏青禾")]),
        # The government work report quoted inside an answer is no one's words.
        ("interview-qa.txt", "健全农产品价格形成机制", [("quote", None)]),
        # The reporter's questions are no one's item.
        ("interview-qa.txt", "哪些建议", []),
    ],
)
def test_speakers_found_by_the_genre_forms_of_issue_11(db: sqlite3.Connection, file: str, words: str, expected: list) -> None:
    assert expected == _speakers_of(db, file, words)


def test_both_delegates_answering_on_a_topic_are_credited(db: sqlite3.Connection) -> None:
    rows = db.execute(
        """select p.name, ip.joint from items i join item_texts t on t.id = i.id join item_people ip on ip.item_id = i.id
           join people p on p.id = ip.person_id where t.text like '%社区托育补贴%'"""
    ).fetchall()
    assert {("钟立言", 0), ("祁海波", 1)} == set(rows)


def test_a_bare_name_label_makes_a_person_only_when_introduced_and_in_the_first_person() -> None:
    answer = "柏青禾：我带来的建议主要和农机有关。"
    assert ["柏青禾"] == list(discover_people(["记者连线采访了柏青禾。", answer], rejects=lambda candidate: False))
    assert [] == list(discover_people([answer], rejects=lambda candidate: False))
    assert [] == list(discover_people(["记者连线采访了柏青禾。", "柏青禾：建议主要和农机有关。"], rejects=lambda candidate: False))


def test_a_wires_first_line_holds_its_dateline_and_headline() -> None:
    """中新社北京3月15日电 题：…… : the headline after 题：, the agency and day from the dateline."""
    text = "中新社北京3月15日电 题：“代表通道”联通大会堂内外\n十三届全国人大二次会议期间，3场“代表通道”回应社会关切。\n"
    parsed = article(text)
    assert ("“代表通道”联通大会堂内外", "中新社", "2019-03-15") == (parsed.title, parsed.source, parsed.date)
    # The article, headline read, is spilled by ingest (pickled) and stored with it.
    assert parsed.title == pickle.loads(pickle.dumps(parsed)).title
