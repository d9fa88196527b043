"""What a role says about its holder: the level of the congress or
conference (national, provincial, city, county), the region, and sometimes
the city; the session an article reports; the cities the text gives people.

A role is stored as written. Its level comes from its own words (全国, 省,
市, 区/县), else from the article's session (李九武委员 at a provincial
政协 meeting is a provincial member), else it is not stated: a level is
never promoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from ..regexes import compiled
from . import gazetteer
from .genre import GENRE

LEVELS = ("national", "provincial", "city", "county")
CITY_ABBREVIATIONS: dict[str, str] = GENRE["abbreviations"]["cities"]
PROVINCE_ABBREVIATIONS: dict[str, str] = GENRE["abbreviations"]["provinces"]
# The role a bare 代表/委员 stands for at a session of each level.
BARE_TITLES = {
    "national": {"代表": "全国人大代表", "委员": "全国政协委员"},
    "provincial": {"代表": "省人大代表", "委员": "省政协委员"},
    "city": {"代表": "市人大代表", "委员": "市政协委员"},
    "county": {"代表": "区人大代表", "委员": "区政协委员"},
}


@dataclass(frozen=True)
class Session:
    """The session an article reports: its level, and its place when named
    (江西省政协 → 江西, 重庆市两会 → 重庆)."""

    level: str
    region: str | None
    city: str | None
    phrase: str


@dataclass(frozen=True)
class RoleFacts:
    level: str | None
    region: str | None
    city: str | None


@cache
def _places() -> tuple[dict[str, str], dict[str, gazetteer.City]]:
    """Province names (安徽, 安徽省) -> the province; city spellings -> the city."""
    provinces = {name: name.removesuffix("省") for name in gazetteer.provinces()}
    return provinces, gazetteer.city_by_name()


def _longest_first(names: Iterable[str]) -> list[str]:
    """Names for an alternation: a longer name wins over one it starts with.
    Names of one length go in their own order, so that the expression is the
    same in every process, whatever the order of the sets they come from: a
    process finds it compiled in the lookup file (bot/regexes.py)."""
    return sorted(names, key=lambda name: (-len(name), name))


@cache
def _place_pattern() -> re.Pattern[str]:
    provinces, cities = _places()
    names = _longest_first({*provinces, *(name for name in cities if len(name) >= 2), *gazetteer.districts()})
    # A district's delegation to its city's congress (洪山代表团) names the district without 区.
    delegations = _longest_first({name.removesuffix("区") for name in gazetteer.districts()})
    return compiled("|".join([*map(re.escape, names), f"(?:{'|'.join(map(re.escape, delegations))})(?=代表团)"]))


@cache
def _alternations() -> tuple[str, str]:
    """The city names of two characters or more and the province names, each
    as a regular expression's alternation, longest first."""
    provinces, cities = _places()
    city_names = "|".join(map(re.escape, _longest_first(name for name in cities if len(name) >= 2)))
    province_names = "|".join(map(re.escape, _longest_first(provinces)))
    return city_names, province_names


def _places_named(text: str) -> Iterator[tuple[str, str | None]]:
    """Each place a text names, in order, as (province, city or None)."""
    provinces, cities = _places()
    districts = gazetteer.districts()
    for found in _place_pattern().finditer(text):
        name = found.group(0)
        if text.startswith("代表团", found.end()) and name + "区" in districts:
            name += "区"
        if name in districts:
            yield districts[name].province, districts[name].name
        elif text.startswith("区", found.end()):
            continue  # a district named like a city (朝阳区 of 北京 or 长春) is not that city
        elif name in cities and (name not in provinces or cities[name].name == cities[name].province):
            # a city, or a municipality (北京, 重庆), which is both
            yield cities[name].province, cities[name].name
        elif name in provinces:
            yield provinces[name], None


def places_in(text: str, abbreviated: bool = False) -> tuple[str | None, str | None]:
    """The province and the city a phrase names (广州市天河区 → 广东, 广州;
    海淀区 → 北京; 山东省 → 山东; with ``abbreviated``, 住鄂 → 湖北), each None
    when it names none."""
    _, cities = _places()
    region = city = None
    for province, named_city in _places_named(text):
        region = region or province
        city = city or named_city
    if abbreviated and (found := re.match(r"(?:在|住)(.)", text)):
        abbreviation = found.group(1)
        if abbreviation in CITY_ABBREVIATIONS:
            city = city or CITY_ABBREVIATIONS[abbreviation]
            region = region or cities[city].province
        elif abbreviation in PROVINCE_ABBREVIATIONS:
            region = region or PROVINCE_ABBREVIATIONS[abbreviation]
    return region, city


def role_facts(role: str, session: Session | None) -> RoleFacts:
    """The level, region and city a role as written gives; a role without a
    level word of its own takes the session's level and place."""
    body = role.removesuffix("人大代表").removesuffix("政协委员")
    region, city = places_in(body, abbreviated=True)
    if "全国" in body:
        return RoleFacts("national", region, None)
    scope = re.sub(r"^(?:在|住).", "", body)
    if scope.endswith(("区", "县")):
        level = "county"
    elif scope.endswith("市"):
        level = "city"
    elif scope.endswith(("省", "自治区")):
        level = "provincial"
    else:
        level = None
    if session is not None and (level is None or scope in ("省", "市", "区", "县")):
        # 省人大代表 at 江西省两会 is 江西's; a bare title takes the session's level.
        level = level or session.level
        if level == session.level:
            region = region or session.region
            city = city or session.city
    if level in ("provincial", "national"):
        city = None
    return RoleFacts(level, region, city)


@cache
def _session_pattern() -> re.Pattern[str]:
    words = {word: level for level in LEVELS for word in GENRE["sessions"][level]}
    alternation = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    return compiled(rf"(?P<place>[\u4e00-\u9fff]{{0,4}}?)(?P<word>{alternation})")


# A session by its ordinal alone, with no level word: 政协九届一次会议 / 十一届人大三次会议.
_ORDINAL_SESSION = compiled(
    "(?:人大|政协)[一二三四五六七八九十]{1,3}届[一二三四五六七八九十]{1,2}次会议|[一二三四五六七八九十]{1,3}届(?:人大|政协)[一二三四五六七八九十]{1,2}次会议"
)
# 我县 / 本市, not the 本市 of 资本市场.
_OWN_PLACE = compiled("(?:{})(?!场)".format("|".join(GENRE["sessions"]["own_place"])))


def session_of(texts: list[str]) -> Session | None:
    """The session an article reports: the first one it names. A local
    session that names no place (市政协六届三次会议开幕) is the place the
    headline or the lead names (重庆进入“两会”时间); one named by its
    ordinal alone (政协九届一次会议) is of the level the article calls home
    (我县)."""
    words = {word: level for level in LEVELS for word in GENRE["sessions"][level]}
    for text in texts:
        for found in _session_pattern().finditer(text):
            level = words[found["word"]]
            phrase = found.group(0)
            region, city = places_in(phrase) if level != "national" else (None, None)
            if level != "national" and region is None:
                region, city = places_in(" ".join(texts[:3]))
            if level in ("city", "county") and city is None:
                region, city = _only_city(texts) or (region, city)
            if level == "provincial":
                city = None
            return Session(level, region, city, phrase)
    return _session_at_home(texts)


def _session_at_home(texts: list[str]) -> Session | None:
    """A session named by its ordinal alone, at the level of the place the
    article calls its own (政协九届一次会议 … 为我县经济社会发展建言献策)."""
    ordinal = next((found for text in texts if (found := _ORDINAL_SESSION.search(text))), None)
    home = next((found for text in texts if (found := _OWN_PLACE.search(text))), None)
    if ordinal is None or home is None:
        return None
    level = GENRE["sessions"]["own_place"][home.group(0)]
    region, city = places_in(" ".join(texts[:3]))
    if level in ("city", "county") and city is None:
        region, city = _only_city(texts) or (region, city)
    if level == "provincial":
        city = None
    return Session(level, region, city, ordinal.group(0))


def _only_city(texts: list[str]) -> tuple[str, str] | None:
    """The province and city of the one city an article names anywhere: a
    city's session that names no place (市八届人大三次会议) is held there,
    where a report names its own city only in passing (《镇江市……条例》)."""
    named = {(province, city) for text in texts for province, city in _places_named(text) if city}
    return named.pop() if len(named) == 1 else None


# 在穗全国政协委员 / 部分在穗全国人大代表 in the headline or the lead: the
# article is about the members living in that city.
_LEAD_RESIDENTS = compiled(r"(?:在|住)(?P<abbreviation>.)(?:全国|省|市)?(?:人大代表|政协委员|代表|委员)")


@cache
def _lead_delegation() -> re.Pattern[str]:
    """阳江市参加十三届全国人大二次会议的5名全国人大代表 / 阳江市的全国人大代表:
    a city's members, with 的 between (阳江市人大代表 is a role, its level city).
    The city opens a clause: in 来自沈阳青岛马鞍山韶关的全国人大代表 the
    members are of four cities, not of the last."""
    names, _ = _alternations()
    return compiled(
        rf"(?:^|(?<=[，。；：！？]))(?P<city>{names})市?(?:参加[^，。；！？“”]{{0,24}}?)?的(?:\d+|[两二三四五六七八九十]+)?[名位]?(?:全国|省)?(?:人大代表|政协委员)"
    )


def lead_city(texts: list[str]) -> tuple[str, str] | None:
    """The city whose members the headline or lead is about, with its phrase."""
    _, cities = _places()
    for text in texts:
        for found in _LEAD_RESIDENTS.finditer(text):
            if found["abbreviation"] in CITY_ABBREVIATIONS:
                return CITY_ABBREVIATIONS[found["abbreviation"]], found.group(0)
        if found := _lead_delegation().search(text):
            return cities[found["city"]].name, found.group(0)
    return None


@cache
def _city_beside_name() -> re.Pattern[str]:
    """来自(广西)南宁 after a name, or 惠州的 before one."""
    city_names, province_names = _alternations()
    return compiled(rf"(?P<from>来自(?:{province_names})?)?(?P<city>{city_names})(?P<of>的)?")


@cache
def _from_city() -> re.Pattern[str]:
    names, provinces = _alternations()
    return compiled(rf"来自(?:{provinces})?(?P<city>{names})[^，。；！？：“”的]{{0,16}}的")


_RESIDENT = compiled(r"(?:在|住)(?P<abbreviation>.)")


@cache
def _lives_in() -> re.Pattern[str]:
    """目前主要居住在浙江杭州市 right after a name: the city the person lives in."""
    city_names, province_names = _alternations()
    between = "|".join(map(re.escape, GENRE["residence"]["between"]))
    verbs = "|".join(map(re.escape, GENRE["residence"]["verbs"]))
    return compiled(rf"(?:{between})*(?:{verbs})(?:{province_names})?(?P<city>{city_names})")


def cities_stated(texts: list[str], name: str) -> tuple[str, str] | None:
    """The city the text gives a person, with the phrase that says so:
    来自佛山的施七代表, 在穗全国政协委员X (not 住鄂: a province)."""
    _, cities = _places()
    for text in texts:
        if name not in text:
            continue
        for found in _from_city().finditer(text) if "来自" in text else ():
            clause_end = re.search("[，。；！？：]", text[found.end() :])
            clause = text[found.end() : found.end() + (clause_end.start() if clause_end else len(text))]
            if name in clause[: 24 + len(name)]:
                city = cities[found["city"]]
                return city.name, text[found.start() : found.end() + clause.index(name) + len(name)]
        # 辛二镛来自汕头 / 惠州的邓一青代表
        if name + "来自" in text or "的" + name in text:
            for found in _city_beside_name().finditer(text):
                if found["from"] and text[: found.start()].endswith(name):
                    return cities[found["city"]].name, name + found.group(0)
                if found["of"] and text.startswith(name, found.end()):
                    return cities[found["city"]].name, found.group(0) + name
        if "在" not in text and "住" not in text:
            continue
        # 欧阳宏伟目前主要居住在浙江杭州市
        for found in _lives_in().finditer(text):
            if text[: found.start()].endswith(name):
                return cities[found["city"]].name, name + found.group(0)
        position = text.find(name)
        while position >= 0:
            # 在穗全国政协委员X: the abbreviation in the clause before the name.
            before = re.split("[，。；！？：“”]", text[max(0, position - 22) : position])[-1]
            for found in _RESIDENT.finditer(before):
                if found["abbreviation"] in CITY_ABBREVIATIONS:
                    return CITY_ABBREVIATIONS[found["abbreviation"]], before[found.start() :] + name
            position = text.find(name, position + 1)
    return None


def city_of_affiliation(affiliation: str) -> str | None:
    """The city an affiliation names: 淄博某公司, 潍坊学院 (a province names none)."""
    region, city = places_in(affiliation)
    return city
