"""Pins down the city gazetteer (bot/ingest/data/cities.toml) and topic lexicon
(bot/ingest/data/topics.toml).  Plain tomllib only: no project imports."""

import re
import tomllib
from collections import Counter
from pathlib import Path

import opencc
import pytest

DATA = Path(__file__).resolve().parent.parent / "bot" / "ingest" / "data"
CITIES_PATH = DATA / "cities.toml"
TOPICS_PATH = DATA / "topics.toml"

CITY_KEYS = {"name", "province", "kinds", "english", "aliases", "abbreviations", "traditional"}
KINDS = {"municipality", "capital", "sub-provincial", "sar", "prefecture"}
PROVINCES = {
    "北京", "上海", "天津", "重庆",
    "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
    "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "四川", "贵州",
    "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "台湾", "香港", "澳门",
}
TOPIC_KEYS = {"name", "english", "synonyms"}
HAN = re.compile(r"^[\u4e00-\u9fff]+$")


def _load(path):
    with path.open("rb") as f:
        return tomllib.load(f)


CITIES = _load(CITIES_PATH)["city"]
BY_NAME = {c["name"]: c for c in CITIES}
TOPICS = _load(TOPICS_PATH)["topic"]
TOPIC_BY_NAME = {t["name"]: t for t in TOPICS}


def _owner(field, value):
    """Names of the cities whose `field` list contains `value`."""
    return [c["name"] for c in CITIES if value in c[field]]


# ------------------------------------------------------------------ parsing / shape

def test_files_parse():
    assert {"city"} == set(_load(CITIES_PATH))
    assert {"topic"} == set(_load(TOPICS_PATH))


@pytest.mark.parametrize("city", CITIES, ids=lambda c: c["name"])
def test_city_record_shape(city):
    assert CITY_KEYS == set(city)
    assert HAN.match(city["name"]), city["name"]
    assert not city["name"].endswith("市")
    assert city["province"] in PROVINCES
    assert city["kinds"], "kinds must not be empty"
    assert set() == set(city["kinds"]) - KINDS
    assert len(set(city["kinds"])) == len(city["kinds"])
    if "prefecture" in city["kinds"]:
        assert ["prefecture"] == city["kinds"]
    assert city["english"], "english must not be empty"
    for field in ("english", "aliases", "abbreviations", "traditional"):
        assert isinstance(city[field], list)
        assert all(isinstance(v, str) and v == v.strip() and v for v in city[field])
        assert len(set(city[field])) == len(city[field]), field
    for alias in city["aliases"]:
        assert 2 <= len(alias), alias
        assert HAN.match(alias), alias
    for abbr in city["abbreviations"]:
        assert 1 == len(abbr), abbr
        assert HAN.match(abbr), abbr


def test_city_count():
    prefecture = [c for c in CITIES if "prefecture" in c["kinds"]]
    assert 120 <= len(prefecture)
    assert 200 <= len(CITIES)


# ------------------------------------------------------------------ kinds

MUNICIPALITIES = {"北京", "上海", "天津", "重庆"}
SARS = {"香港", "澳门"}
CAPITALS = {
    "石家庄", "太原", "呼和浩特", "沈阳", "长春", "哈尔滨", "南京", "杭州", "合肥", "福州",
    "南昌", "济南", "郑州", "武汉", "长沙", "广州", "南宁", "海口", "成都", "贵阳", "昆明",
    "拉萨", "西安", "兰州", "西宁", "银川", "乌鲁木齐", "台北",
}
SUB_PROVINCIAL = {
    "哈尔滨", "长春", "沈阳", "大连", "济南", "青岛", "南京", "杭州", "宁波", "厦门", "武汉",
    "广州", "深圳", "成都", "西安",
}


@pytest.mark.parametrize("kind, expected", [
    ("municipality", MUNICIPALITIES),
    ("sar", SARS),
    ("capital", CAPITALS),
    ("sub-provincial", SUB_PROVINCIAL),
])
def test_kind_membership_is_exact(kind, expected):
    assert expected == {c["name"] for c in CITIES if kind in c["kinds"]}


@pytest.mark.parametrize("name, province, kinds", [
    ("北京", "北京", ["municipality"]),
    ("上海", "上海", ["municipality"]),
    ("天津", "天津", ["municipality"]),
    ("重庆", "重庆", ["municipality"]),
    ("香港", "香港", ["sar"]),
    ("澳门", "澳门", ["sar"]),
    ("台北", "台湾", ["capital"]),
    ("武汉", "湖北", ["capital", "sub-provincial"]),
    ("成都", "四川", ["capital", "sub-provincial"]),
    ("杭州", "浙江", ["capital", "sub-provincial"]),
    ("哈尔滨", "黑龙江", ["capital", "sub-provincial"]),
    ("呼和浩特", "内蒙古", ["capital"]),
    ("南宁", "广西", ["capital"]),
    ("拉萨", "西藏", ["capital"]),
    ("乌鲁木齐", "新疆", ["capital"]),
    ("银川", "宁夏", ["capital"]),
    ("西宁", "青海", ["capital"]),
    ("大连", "辽宁", ["sub-provincial"]),
    ("青岛", "山东", ["sub-provincial"]),
    ("宁波", "浙江", ["sub-provincial"]),
    ("厦门", "福建", ["sub-provincial"]),
    ("深圳", "广东", ["sub-provincial"]),
    ("苏州", "江苏", ["prefecture"]),
    ("宿州", "安徽", ["prefecture"]),
    ("泰州", "江苏", ["prefecture"]),
    ("台州", "浙江", ["prefecture"]),
    ("常州", "江苏", ["prefecture"]),
    ("沧州", "河北", ["prefecture"]),
    ("荆州", "湖北", ["prefecture"]),
    ("锦州", "辽宁", ["prefecture"]),
    ("抚州", "江西", ["prefecture"]),
    ("福州", "福建", ["capital"]),
    ("宜春", "江西", ["prefecture"]),
    ("伊春", "黑龙江", ["prefecture"]),
    ("通化", "吉林", ["prefecture"]),
    ("铜陵", "安徽", ["prefecture"]),
    ("衡阳", "湖南", ["prefecture"]),
    ("玉林", "广西", ["prefecture"]),
    ("榆林", "陕西", ["prefecture"]),
    ("吉林", "吉林", ["prefecture"]),
    ("朝阳", "辽宁", ["prefecture"]),
])
def test_city_province_and_kinds(name, province, kinds):
    assert name in BY_NAME
    assert province == BY_NAME[name]["province"]
    assert kinds == BY_NAME[name]["kinds"]


def test_nonexistent_city_absent():
    # 恒阳 is not a city; 莱芜 was merged into 济南 in 2019.
    assert set() == {"恒阳", "莱芜"} & set(BY_NAME)


# ------------------------------------------------------------------ aliases / abbreviations / english

@pytest.mark.parametrize("city, alias", [
    ("武汉", "江城"), ("武汉", "大武汉"), ("成都", "蓉城"), ("上海", "申城"), ("上海", "魔都"),
    ("杭州", "杭城"), ("重庆", "山城"), ("重庆", "雾都"), ("广州", "羊城"), ("广州", "花城"),
    ("深圳", "鹏城"), ("济南", "泉城"), ("昆明", "春城"), ("长沙", "星城"), ("福州", "榕城"),
    ("哈尔滨", "冰城"), ("厦门", "鹭岛"), ("南京", "金陵"), ("北京", "帝都"),
])
def test_required_alias(city, alias):
    assert [city] == _owner("aliases", alias)


@pytest.mark.parametrize("city, abbr", [
    ("上海", "沪"), ("重庆", "渝"), ("北京", "京"), ("天津", "津"), ("成都", "蓉"),
    ("广州", "穗"), ("宁波", "甬"),
])
def test_required_abbreviation(city, abbr):
    assert [city] == _owner("abbreviations", abbr)


@pytest.mark.parametrize("word", ["古都", "鹿城", "杭", "汉"])
def test_ambiguous_words_not_assigned(word):
    assert [] == _owner("aliases", word) + _owner("abbreviations", word)


@pytest.mark.parametrize("city, english", [
    ("西安", "Xi'an"), ("哈尔滨", "Harbin"), ("呼和浩特", "Hohhot"), ("乌鲁木齐", "Urumqi"),
    ("拉萨", "Lhasa"), ("香港", "Hong Kong"), ("澳门", "Macau"), ("澳门", "Macao"),
    ("台北", "Taipei"), ("重庆", "Chongqing"), ("厦门", "Xiamen"), ("北京", "Beijing"),
    ("上海", "Shanghai"), ("武汉", "Wuhan"), ("成都", "Chengdu"), ("杭州", "Hangzhou"),
    ("广州", "Guangzhou"), ("深圳", "Shenzhen"), ("长沙", "Changsha"), ("蚌埠", "Bengbu"),
    ("六安", "Lu'an"), ("漯河", "Luohe"), ("鄂尔多斯", "Ordos"),
])
def test_required_english(city, english):
    assert city in _owner("english", english)


@pytest.mark.parametrize("city, display", [
    ("西安", "Xi'an"), ("香港", "Hong Kong"), ("澳门", "Macau"), ("台北", "Taipei"),
    ("武汉", "Wuhan"), ("乌鲁木齐", "Urumqi"),
])
def test_english_display_name_first(city, display):
    assert display == BY_NAME[city]["english"][0]


def test_amoy_not_needed():
    assert [] == _owner("english", "Amoy")


def test_shared_english_names_are_only_known_homophones():
    counts = Counter(e.lower() for c in CITIES for e in c["english"])
    shared = {e for e, n in counts.items() if n > 1}
    assert {"suzhou", "taizhou", "fuzhou", "yichun", "yulin"} == shared


# ------------------------------------------------------------------ uniqueness / collisions

def test_city_names_unique():
    dupes = [n for n, k in Counter(c["name"] for c in CITIES).items() if k > 1]
    assert [] == dupes


def test_no_surface_form_shared_between_cities():
    owners = {}
    for c in CITIES:
        for form in {c["name"], *c["aliases"], *c["abbreviations"], *c["traditional"]}:
            owners.setdefault(form, set()).add(c["name"])
    shared = {form: sorted(cs) for form, cs in owners.items() if len(cs) > 1}
    assert {} == shared


@pytest.mark.parametrize("city", CITIES, ids=lambda c: c["name"])
def test_aliases_never_another_city_name(city):
    others = set(BY_NAME) - {city["name"]}
    assert set() == others & set(city["aliases"] + city["abbreviations"] + city["traditional"])


@pytest.mark.parametrize("city", CITIES, ids=lambda c: c["name"])
def test_no_form_repeated_within_city(city):
    forms = [city["name"], *city["aliases"], *city["abbreviations"], *city["traditional"]]
    assert len(forms) == len(set(forms))


# ------------------------------------------------------------------ traditional spellings

T2S = opencc.OpenCC("t2s")


@pytest.mark.parametrize(
    "city, trad",
    [(c["name"], t) for c in CITIES for t in c["traditional"]],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_traditional_converts_back(city, trad):
    assert city != trad
    assert city == T2S.convert(trad)


@pytest.mark.parametrize("city, trad", [
    ("武汉", "武漢"), ("沈阳", "瀋陽"), ("乌鲁木齐", "烏魯木齊"), ("厦门", "廈門"),
    ("澳门", "澳門"), ("重庆", "重慶"), ("台北", "臺北"), ("咸阳", "咸陽"), ("广州", "廣州"),
])
def test_known_traditional(city, trad):
    assert city in _owner("traditional", trad)


@pytest.mark.parametrize("city", ["北京", "上海", "香港", "杭州", "台州", "成都"])
def test_no_traditional_when_identical(city):
    assert [] == BY_NAME[city]["traditional"]


# ------------------------------------------------------------------ topics

@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t["name"])
def test_topic_record_shape(topic):
    assert TOPIC_KEYS == set(topic)
    assert HAN.match(topic["name"]), topic["name"]
    assert topic["english"], "english must not be empty"
    assert isinstance(topic["synonyms"], list)
    for value in topic["english"] + topic["synonyms"]:
        assert isinstance(value, str) and value and value == value.strip()
    assert len(set(topic["synonyms"])) == len(topic["synonyms"])
    assert topic["name"] not in topic["synonyms"]


def test_topic_count():
    assert 40 <= len(TOPICS)


def test_topic_names_unique():
    assert [] == [n for n, k in Counter(t["name"] for t in TOPICS).items() if k > 1]


def test_topic_synonyms_unique_and_not_another_topic_name():
    owners = {}
    for t in TOPICS:
        for form in {t["name"], *t["synonyms"]}:
            owners.setdefault(form.casefold(), set()).add(t["name"])
    shared = {form: sorted(ts) for form, ts in owners.items() if len(ts) > 1}
    assert {} == shared


@pytest.mark.parametrize("name, english", [
    ("人工智能", "AI"),
    ("光电子信息", "optoelectronics"),
    ("生物医药", "biomedicine"),
    ("健康医疗大数据", "health and medical big data"),
    ("人才", "talent"),
    ("航运", "shipping"),
    ("自贸区", "free trade zone"),
    ("中医药", "traditional Chinese medicine"),
    ("低空经济", "low-altitude economy"),
    ("人形机器人", "humanoid robots"),
    ("氢能", "hydrogen energy"),
    ("半导体", "semiconductors"),
    ("新能源汽车", "new energy vehicles"),
    ("智能制造", "smart manufacturing"),
    ("长江大保护", "Yangtze River protection"),
    ("成果转化", "technology transfer"),
    ("中试平台", "pilot-scale platform"),
])
def test_required_topic_display_name(name, english):
    assert name in TOPIC_BY_NAME
    assert english == TOPIC_BY_NAME[name]["english"][0]


@pytest.mark.parametrize("name, english", [
    ("人工智能", "artificial intelligence"),
    ("中医药", "TCM"),
    ("新能源汽车", "NEV"),
])
def test_required_topic_extra_english(name, english):
    assert english in TOPIC_BY_NAME[name]["english"]


@pytest.mark.parametrize("name, synonym", [
    ("人工智能", "AI"),
    ("人工智能", "大模型"),
    ("光电子信息", "光电子"),
    ("健康医疗大数据", "医疗大数据"),
    ("自贸区", "自由贸易试验区"),
    ("半导体", "芯片"),
    ("半导体", "集成电路"),
    ("成果转化", "科技成果转化"),
    ("成果转化", "技术转化"),
    ("成果转化", "成果转移转化"),
])
def test_required_topic_synonym(name, synonym):
    assert synonym in TOPIC_BY_NAME[name]["synonyms"]


@pytest.mark.parametrize("name", [
    "新质生产力", "科技创新", "产业创新", "数字经济", "大数据", "算力", "量子科技", "商业航天",
    "生物制造", "医疗", "教育", "乡村振兴", "营商环境", "民营经济", "对外开放", "消费", "养老",
    "就业", "绿色低碳", "区域协同发展", "长江经济带", "成渝地区双城经济圈", "长三角一体化",
    "粤港澳大湾区", "文旅", "电子信息", "高端装备", "汽车", "体制改革",
])
def test_further_topics_present(name):
    assert name in TOPIC_BY_NAME


@pytest.mark.parametrize("name, vague", [
    ("人工智能", "智能"),
    ("人工智能", "智能化"),
    ("新能源汽车", "电池"),
    # substrings of 其中试点 / 其中医保 / 降低空气 would misfire
    ("中试平台", "中试"),
    ("中医药", "中医"),
    ("中医药", "中药"),
    ("低空经济", "低空"),
])
def test_vague_synonyms_excluded(name, vague):
    assert vague not in TOPIC_BY_NAME[name]["synonyms"]
