"""Find who said what in an article's paragraphs.

Three kinds of item come out of a paragraph:

* ``quote``: a direct quote, “……” that is speech. A short quoted term such as
  “六小龙” has no punctuation inside and is not a quote.
* ``statement``: reported speech, from the sentence that names its speaker
  (丁光宏表示，…… / 在马新强看来，…… / 他建议，……) to the next quote.
* ``fact``: what the article itself states, outside quotes and statements:
  a clause that carries figures (营收达7441.7亿元、增长11.8% / 不少于200名),
  or, inside a delegate's box or section, the reporting sentences that carry
  no cue of their own (``has_figures`` false). A fact sits in the section of
  the person it is stored under; it is the reporter's words, not theirs.

Attribution, in order: the speaker named next to the quote or in the
statement's sentence; the person named in the paragraph; the speaker of the
surrounding passage (the delegate's box on a newspaper page).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain

from ..regexes import compiled
from .genre import GENRE
from .layout import Layout, Paragraph, is_speech


class _Pattern:
    """A regular expression compiled when it is first used, then the compiled
    one. Compiling the reader's thirty-odd expressions took 0.14 s of every
    process that imports this module, and an added article uses only some of
    them; removing one (which reads who an article names) fewer still. Each
    is now read from the lookup file of compiled code (bot/regexes.py), a
    query each, which a process that uses few still skips."""

    def __init__(self, source: str, needs: tuple[tuple[str, ...], ...] = ()) -> None:
        self._source = source
        # Words a match cannot do without: one of each group. A text that
        # lacks one is answered without running the expression, which fails
        # slowly on text where many places might start a match.
        self._needs = needs

    def __getattr__(self, name: str):
        # Reached only for what this object lacks: the first use compiles, and
        # the compiled expression's methods become its own attributes. Special
        # names (what copy and pickle look for) are not the expression's.
        if name.startswith("__"):
            raise AttributeError(name)
        pattern = compiled(self._source)
        for method in ("search", "match", "fullmatch", "finditer", "findall", "sub", "split"):
            setattr(self, method, getattr(pattern, method))
        if self._needs:
            for method, nothing in (("search", None), ("match", None), ("fullmatch", None), ("finditer", ())):
                setattr(self, method, self._needed(getattr(pattern, method), nothing))
        self.pattern = pattern.pattern
        return self.__dict__[name] if name in self.__dict__ else getattr(pattern, name)

    def _needed(self, method, nothing: tuple | None):
        """method, or its answer for no match (None, or no matches) when the text lacks a word of needs."""
        needs = self._needs

        def checked(text: str, *where):
            # Loops, not all() of any(): asked of every paragraph, two generators each cost more than the words' tests.
            for group in needs:
                for word in group:
                    if word in text:
                        break
                else:
                    return None if nothing is None else iter(nothing)
            return method(text, *where)

        return checked


# Common single-character surnames (the 百家姓 families that cover nearly all
# of the population) and compound surnames. A discovered name must start with one.
SINGLE_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
    "官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
    "傅赖洪萧阎拜"
)
COMPOUND_SURNAMES = (
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "轩辕", "令狐", "钟离", "端木", "独孤", "南宫", "西门",
)

# Verbs that report speech, and adverbs that may stand between the speaker
# and the verb (耿福能首先强调 / 宋朝学进一步解释): data/genre.toml. The
# regexes are built longest first.
SPEECH_VERBS = tuple(GENRE["cues"]["verbs"])
SPEECH_ADVERBS = tuple(GENRE["cues"]["adverbs"])
LIST_CLAUSE_WORDS = tuple(GENRE["cues"]["list_clause_words"])
# What a bare title after a name (耿福能代表, 李九武委员) stands for: the
# article's session decides (build.py passes it); a single paragraph with no
# article around it is read as national 两会 coverage.
ROLE_BY_TITLE = {"代表": "全国人大代表", "委员": "全国政协委员"}
PRONOUNS = ("他", "她")
# Subjects that report speech but are not one delegate: the item belongs to no one.
GROUP_SUBJECTS = ("代表委员们", "与会代表", "代表们", "委员们", "大家", "专家们", "专家", "业内人士", "村民们", "乡亲们", "居民们", "市民们", "群众")
LEADER_TITLES = ("总书记", "总理", "国家主席")

_alternation = "|".join
_VERB = _alternation(sorted(SPEECH_VERBS, key=len, reverse=True))
_ADVERB = _alternation(sorted(SPEECH_ADVERBS, key=len, reverse=True))
_NAME = "(?:{}|[{}])[\u4e00-\u9fff]{{1,2}}".format(_alternation(COMPOUND_SURNAMES), SINGLE_SURNAMES)
_BARE_NAME = _Pattern(_NAME)
# A name starts here: the cheap test a pattern opening with _BEFORE and a name
# makes first, so the many look-behinds of _BEFORE run only where a surname stands.
_NAME_AHEAD = "(?=[{}])".format("".join(sorted(set(SINGLE_SURNAMES) | {surname[0] for surname in COMPOUND_SURNAMES})))
# Job titles that end right before a name: 全国人大代表、华工科技董事长马新强表示.
JOB_TITLES = tuple(GENRE["titles"]["jobs"])
_JOB = _alternation(sorted(JOB_TITLES, key=len, reverse=True))
TITLE_ENDINGS = GENRE["titles"]["title_endings"]
# What may stand right before a discovered name: the start, punctuation, or a title.
# A title is looked back for only after its last character: each of the 87
# look-behinds was tried at every surname-shaped character of every paragraph
# (NAMED_CUE over the paragraphs of 2,000 articles: 0.21 s, not 0.48).
_TITLES_BEFORE = ("人大代表", "政协委员", "代表", "委员", *sorted(set(JOB_TITLES)))
_TITLE_BEFORE = "|".join(f"(?<={title})" for title in _TITLES_BEFORE)
_TITLE_ENDS = "".join(sorted({title[-1] for title in _TITLES_BEFORE}))
_BEFORE = rf"(?:^|(?<=[，。！？；：、”’」』）)■\s,.!?;:])|(?<=[{_TITLE_ENDS}])(?:{_TITLE_BEFORE}))"
# 说 is not reporting speech in 说明/说服/说法 (but 关注法治建设 is).
_VERB_END = "(?!(?<=说)[明服法])(?!(?<=关注)度)"
# Bounded material between a speaker and the verb: when or where they spoke
# (在接受记者采访时 / 在发言中 / 在小组讨论时), how (笑着 / 动情地). It holds no
# punctuation, is short, and each form opens with a fixed word, so a
# surname-shaped name cannot stretch into it (王行环笑着说 is not 王行 + 环笑着).
_NO_PUNCTUATION = "[^，。！？；：“”‘’、,.!?;:\\s]"
SPEECH_CIRCUMSTANCES = (
    rf"在{_NO_PUNCTUATION}{{1,12}}?(?:时|中|上|期间|之际)",
    rf"接受{_NO_PUNCTUATION}{{0,10}}?(?:采访|专访)时?",
    # 高敬德对中评社表示 / 苏华对记者说: whom they spoke to (对此表示 too).
    rf"对{_NO_PUNCTUATION}{{1,8}}?(?=表示|说)",
    # 万一川委员代表某党派省委发言 / 代表某党派市委提出: whom they speak for.
    rf"代表{_NO_PUNCTUATION}{{2,12}}?(?=发言|提出|指出|建议|呼吁)",
    # 张三、李四也就推进……、提升……等话题回答了记者提问: the topics may be a list.
    r"就[^，。！？；：“”‘’,.!?;:\s]{2,30}?(?:话题|问题)",
    # 某某代表这次将重点围绕科技领域提出 / 某某针对民生领域也准备提出: the field they speak on.
    rf"(?:这次|此次|今年)?将?重点?(?:针对|围绕){_NO_PUNCTUATION}{{1,15}}?(?:领域|方面)",
    "笑着", "微笑着", "动情地", "自豪地", "坚定地", "激动地", "感慨地", "诚恳地", "笑称",
)
_CIRCUMSTANCE = _alternation(SPEECH_CIRCUMSTANCES)
# What follows a speaker's name in a cue: a title, the circumstances (an adverb may
# come first: 张三也就……话题回答了记者提问), an adverb, the verb.
_SPEAKS = rf"(?P<title>代表|委员)?(?:(?:{_ADVERB})?(?:{_CIRCUMSTANCE}))?(?:{_ADVERB}){{0,2}}(?P<verb>{_VERB}){_VERB_END}"

# Discovery: a surname-shaped name before a speech verb, or before a colon
# that opens a quote (司马青云：“……”, as web pages print interviews). Two
# characters are tried first, so 张伟也表示 is 张伟 + 也; a three-character
# name is found where two leave no cue (王行环说).
NAMED_CUE = _Pattern(rf"{_NAME_AHEAD}{_BEFORE}(?P<name>{_NAME}?)(?:{_SPEAKS}|(?P<colon>：)(?=“))")
# After a known name: its title, the circumstances, an adverb, a speech verb; or a colon before a quote.
# 来自佛山的施七代表 / 同为医生的俞八委员: after 的, a name counts only with its title.
TITLED_AFTER_OF = _Pattern(rf"(?<=的)(?P<name>{_NAME}?)(?P<title>代表|委员)(?!们|团|会|证|之)", needs=(("的",), ("代表", "委员")))
# ；黄三珍委员代表某党派省委，围绕……: a name and its title opening a clause.
TITLED_AFTER_CLAUSE = _Pattern(rf"(?<=[；。])(?P<name>{_NAME}?)(?P<title>代表|委员)(?!们|团|会|证|之|处|室)", needs=(("代表", "委员"),))
# “老委员”章四明，他更关注……: a name the next clause's pronoun takes up.
APPOSITIVE = _Pattern(rf"(?<=[”」』])(?P<name>{_NAME}?)(?=，(?:他|她)(?!们))", needs=(("”", "」", "』"), ("，他", "，她")))
# 万敏是一位老代表，她告诉记者：……: a person introduced by a clause of
# their own, whom the next clause's pronoun takes up.
# 某医院副院长甲是连任两届的老代表。当被问及连任感受时，她说：…… too: a
# title may stand before the name, and one clause between.
INTRODUCED = _Pattern(
    rf"(?:^|(?<=[，。；])|{_JOB})(?P<name>{_NAME}?)是(?:一名|一位|[^，。；“”]{{1,12}}?的)[^，。；“”]{{0,20}}?(?P<title>代表|委员)[，。]"
    rf"(?:[^，。；！？“”]{{1,16}}，)?(?:他|她)(?!们)",
    needs=(("是",), ("代表", "委员"), ("他", "她")),
)
# 全国人大代表赵一，讲述了……: a few verbs report speech across a comma too.
_COMMA_VERB = _alternation(sorted(GENRE["cues"]["comma_verbs"], key=len, reverse=True))
LIST_VERBS = tuple(GENRE["cues"]["list_verbs"])
_LIST_VERB = _alternation(sorted(LIST_VERBS, key=len, reverse=True))
AFTER_NAME = _Pattern(rf"{_SPEAKS}|：(?=“)|，(?:{_ADVERB})?(?:{_COMMA_VERB})|(?:{_LIST_VERB})")
# 市人大代表赵一、钱二、孙三等先后发言: everyone listed spoke.
LISTED_SPEAKERS = _Pattern(rf"{_NAME_AHEAD}{_BEFORE}(?P<names>(?:{_NAME}?、)+{_NAME}?)(?:{_LIST_VERB})")
SEEN_BY_CUE = _Pattern(rf"在(?P<name>{_NAME}?|他|她)(?:代表|委员)?看来")
AFTER_NAME_SEEN = _Pattern(r"(?:代表|委员)?看来")
# 他建议，…… / 她期待…… / 他以杭州的西湖和武汉的东湖举例，……
PRONOUN_CUE = _Pattern(
    rf"(?<!其)(?P<name>他|她)(?!们)(?:代表|委员)?(?:(?:{_CIRCUMSTANCE})?(?:{_ADVERB}){{0,2}}(?P<verb>{_VERB}){_VERB_END}"
    rf"|[^，。！？；“”：]{{1,14}}?(?P<verb2>{_VERB}){_VERB_END}道?(?=[，：,:“]))",
    needs=(("他", "她"), SPEECH_VERBS),
)
GROUP_CUE = _Pattern(
    rf"(?P<name>{_alternation(GROUP_SUBJECTS)})(?:{_ADVERB}){{0,2}}(?P<verb>{_VERB}){_VERB_END}(?=[，：,:“])"
)
LEADER_CUE = _Pattern(rf"(?P<name>{_alternation(LEADER_TITLES)})[^。！？；]{{0,30}}?(?P<verb>强调|指出|表示)(?=[，：,:])")
# A role as written, at any level: 全国政协委员, 住鄂全国政协委员, 广东省人大代表,
# 市人大代表, 广州市天河区人大代表, 区政协委员. It opens after punctuation or
# 的/是/为, so it never swallows the words before it.
_ROLE = (
    # After 在 too: 在全国政协委员、某大学副校长张三的房间 names his role.
    r"(?:(?<=[，。！？；：、”“（\s■…—的是为在了])|^)(?:(?:在|住)[\u4e00-\u9fff])?"
    # A place never holds 的, nor a pronoun or a verb's particle: in 来自基层的区人大代表
    # the role is 区人大代表, in 我采访到了市政协委员 市政协委员. 港区/澳区 members are national.
    r"(?:(?:港区|澳区)?全国|(?:(?![的了我你他她们到着过是和与对把被向])[\u4e00-\u9fff]){1,8}?(?:省|自治区|市|区|县)|省|市|区|县)?"
    r"(?:人大代表|政协委员)"
)
# Every role ends in one of these.
_ROLE_NEEDS = (("人大代表", "政协委员"),)
_AFFILIATION = rf"[^，。；：“”、]{{0,40}}?(?:{_JOB})"
# 全国人大代表、长沙工业大学校长肖为元 / 全国政协委员张三: the role, and the affiliation between.
_AFFILIATIONS = rf"{_AFFILIATION}(?:、[^，。；：“”、]{{0,20}}?(?:{_JOB}))*"
# 全国人大代表、长沙工业大学校长肖为元 / 全国政协委员，某集团党委书记、董事长尤三 /
# 省人大代表某投资集团技术员张三 / 广东省人大代表 孙三: the role, and the affiliation between.
_ROLE_AND_AFFILIATIONS = rf"(?P<role>{_ROLE})(?:[、，]?(?P<affiliation>{_AFFILIATIONS}))?[ \u3000]?"
ROLE_AND_AFFILIATION = _Pattern(
    rf"{_ROLE_AND_AFFILIATIONS}(?P<name>{_NAME}?)"
    rf"(?=代表|委员|(?:{_CIRCUMSTANCE})?(?:{_ADVERB}){{0,2}}(?:{_VERB})|[，。、：])",
    needs=_ROLE_NEEDS,
)
# A role (and affiliation) right before a name that no cue follows:
# 全国人大代表褚雅琴今年是第二次参加全国两会。她说…… The name's length is
# then not fixed by the text around it; ``discover_people``'s ``name_at``
# reads it (ingest uses jieba's part of speech).
ROLE_BEFORE_NAME = _Pattern(
    rf"{_ROLE_AND_AFFILIATIONS}(?=(?:{_alternation(COMPOUND_SURNAMES)}|[{SINGLE_SURNAMES}]))", needs=_ROLE_NEEDS
)
# A paragraph that is one quote and nothing else, whose speaker the next
# paragraph names first: ……党工委书记刘小蓉代表的发言，让很多人产生了共鸣。
SPEAKER_OF_QUOTE_ABOVE = _Pattern(rf"{_NAME_AHEAD}{_BEFORE}(?P<name>{_NAME}?)(?P<title>代表|委员)?的(?:{_alternation(GENRE['cues']['quote_above'])})")
# A role right before a cue, with a name between of any shape:
# 全国人大代表圣辉说 (圣辉 is a monk's name, no surname). It never makes a
# speaker; it only says the words are not the previous speaker's.
ROLE_THEN_CUE = _Pattern(rf"{_ROLE}(?P<name>[\u4e00-\u9fff]{{2,4}}?){_SPEAKS}")
# 全国人大代表、某公司董事长甲，全国人大代表、某村党委书记乙也纷纷发言: names each
# after their own role, listed before one cue, all speak in it.
_DESCRIBED = rf"(?:{_ROLE})(?:[、，](?:{_AFFILIATIONS}))?[ \u3000]?"
DESCRIBED_BEFORE = _Pattern(rf"{_DESCRIBED}$")
DESCRIBED_BETWEEN = _Pattern(rf"，{_DESCRIBED}")
# A speaker the reader may not know: a title, or a word that ends like one,
# right before a surname-shaped name and a cue (画家何水法说 / 书画家某某表示).
# Its title may end at any Han character, so it is tried at each: two in three
# of the paragraphs it is asked about have no speech verb and no colon, and
# are answered without it.
TITLED_CUE = _Pattern(
    rf"(?:{_JOB}|[\u4e00-\u9fff]{{1,3}}[{TITLE_ENDINGS}])(?P<name>{_NAME}?)(?:{_SPEAKS}|(?P<colon>：)(?=“))",
    needs=((*SPEECH_VERBS, "："),),
)
# Right after a quote, a clause that ends in a speech verb says whose it is
# (……。”呼和浩特市某中学的教师冬云说): when the reader cannot name them, it is
# still not the passage's speaker's.
_SAYS = "说道|说|表示|介绍|指出|坦言|告诉记者"
UNNAMED_SAYER = _Pattern(rf"[，,]?(?P<subject>[^，,。！？；“”：]{{1,40}}?)(?:{_SAYS})(?=[。，,：！]|$)")
# Before a quote in its sentence (某卫视记者馨玥说，……“……”): a sayer no cue named.
UNNAMED_SAYER_BEFORE = _Pattern(rf"(?:{_SAYS})[，,：:]")
# A title and a name heading a list of people (市政协主席蒋以任等到会听取……):
# the reporter's sentence about them, not a speaker's words.
TITLED_GROUP = _Pattern(rf"(?:{_JOB})(?P<name>{_NAME}?)等(?=[\u4e00-\u9fff])", needs=(("等",),))
# 我采访到了市委书记、市人大常委会主任某某。: a title and a name ending a clause.
TITLED_NAME = _Pattern(rf"(?:{_JOB})(?P<name>{_NAME}?)(?=[，。；！？]|$)")
# He or she, not they: someone spoken about.
THIRD_PERSON = _Pattern("[他她](?!们)")
# 吴刚、陈贵云、王济光等委员围绕……发言: members listed with 等 and a title,
# after someone else's clause: what follows is theirs, not the earlier speaker's.
LISTED_GROUP = _Pattern(rf"(?:^|(?<=[，。；：]))(?:{_NAME}?、)+{_NAME}?等(?:代表|委员)")
# 代表黄苏权对报告中提到的……: a bare title opening a clause, then a name.
BARE_TITLE_THEN_NAME = _Pattern(rf"(?:^|(?<=[，。；：]))(?:代表|委员)(?P<name>{_NAME}?)")
# A bare title that ends right before a name and says their role: “90后”委员某某 /
# 最年轻的委员某某 / 最年长的委员是62年的某某. Only a quoted label or 的 may stand
# before it: 人大常委会委员 is no 政协 member, and 企业的代表 speaks for a company.
BARE_TITLE_BEFORE = _Pattern(
    r"(?:(?<=[”’」』])(?P<quoted>代表|委员)|(?<=的)(?P<member>委员)|(?<=[”’」』的])(?P<introduced>代表|委员)是[^，。；：“”]{0,12}?的)$"
)
# A heading line that names who speaks in the paragraphs below it:
# ■ 全国政协委员、某馆馆长卫十一： / 代表 沈十三： / 蒋十二委员——让非遗走进课堂 /
# 全国政协委员 乔十红：（the speech on the same line）.
HEADING = _Pattern(
    rf"^(?:■+\s*)?(?:(?P<role>{_ROLE}|代表|委员)(?:[、，](?P<affiliation>{_AFFILIATIONS}))?[ \u3000]*)?"
    rf"(?P<name>{_NAME}?)(?:(?P<title>代表|委员)?——(?!—).+|：(?P<rest>.*))$",
    needs=(("——", "："),),
)
# 蔡五宁 市人大代表，民革中央委员……: the name, then the role, on a line of its own.
NAME_THEN_ROLE = _Pattern(rf"^(?P<name>{_NAME}?)[ \u3000]+(?P<role>{_ROLE}|代表|委员)(?:[，、]|$)")
# A speaker's label that is nobody's heading: 记者：…… / 主持人：…… ends the heading's part.
LABEL = _Pattern(r"^(?:■+\s*)?[^，。！？“”：]{1,20}：")
# 某某：我在现场聆听了……: an interview answer under its speaker's bare name.
ANSWER_LABEL = _Pattern(rf"^(?P<name>{_NAME}?)：(?![“‘「『])(?=.*[我咱])")
ROLE_LINE = _Pattern(rf"^(?:{_ROLE})$", needs=_ROLE_NEEDS)
ROLE_AT_END = _Pattern(rf"(?:{_ROLE})$")


# Who a speaker is, written before the name in the cue's own sentence
# (“……”全国政协委员王行环说。 / 来自南京的全国人大代表、华工科技董事长马新强说): it
# names the speaker and is not something they said.
SPEAKER_DESCRIPTION = _Pattern(
    rf"(?:来自{_NO_PUNCTUATION}{{1,10}}?的)?(?:(?:{_ROLE})(?:、{_AFFILIATIONS})?|{_AFFILIATIONS}|(?:{_ROLE}))"
)
# Figures: a number with a unit of measure. Years, months and days are dates, not figures.
_ARABIC = r"\d+(?:[.,]\d+)*"
_DIGIT = "零〇一二两三四五六七八九"
# 二十 / 十几 / 几十 / 十 / 上万 / 数十 / 近千: a number of two characters or more,
# or a single 十百千, or an approximate 万 or 亿.
_CHINESE_NUMBER = rf"[{_DIGIT}十百千万亿几]{{2,}}|[十百千]|(?:上|数|近|逾|超)[十百千万亿]"
_UNIT = (
    r"亿美元|亿元|万元|千元|元|亿|万|个百分点|%|％|‰|倍|个|家|名|位|人次|人|岁|项|所|座|台|件|套|辆|架|艘|条|户|款|批|万吨|吨|"
    r"平方公里|平方米|公里|千米|米|亩|公顷|小时|千瓦|兆瓦|吉瓦|GW|MW|TB|PB"
)
_FIGURE = (
    rf"(?:{_ARABIC}|{_CHINESE_NUMBER})\s*(?:余|多)?\s*(?:{_UNIT})"
    # 三分之一 / 百分之三十 / 两成 (not 成员, 成立, 成熟...)
    rf"|(?:[{_DIGIT}十百千万]+|{_ARABIC})分之[{_DIGIT}十百千万]+|(?:[两二三四五六七八九]|十)成(?![员立功熟本果长])"
    # A measured value without a unit: 强度达3.5 (not 进入2.0时代, 为2024年).
    rf"|(?:达到|达|增至|降至|升至|提高到|提升至|突破|超过|逾|约)\s*{_ARABIC}(?![\d.,]|\s*(?:年|月|日|号|届|版|时代))"
)
FIGURE = _Pattern(_FIGURE)
# Whether a text holds a figure at all, as FIGURE finds one. re tries an
# expression at every character of a text unless it starts with one set of
# characters, and FIGURE starts with three alternatives. Led by the
# characters a figure can start with, and looking back from there to read
# FIGURE over the character just read, it is tried only where one stands:
# 0.07 s against 0.32 over the items of 2,000 articles.
_FIGURE_STARTS = rf"\d{_DIGIT}十百千万亿几上数近逾超达增降升提突约"
HOLDS_FIGURE = _Pattern(rf"[{_FIGURE_STARTS}](?<=(?=(?:{_FIGURE})).)")
# Idioms made of numbers and units, which count nothing: 千家万户, 百家争鸣.
NUMBER_IDIOMS = _Pattern("千家万户|百家争鸣|千方百计|千军万马|千变万化|千差万别|万家灯火|百花齐放|一成不变|十全十美|三番五次|九牛一毛")

# Speaking in the first person: a paragraph under a heading that does is its speaker's.
FIRST_PERSON = _Pattern("[我咱]")

OPEN_QUOTES = {"“": "”", "‘": "’", "「": "」", "『": "』"}
CLOSE_QUOTES = {close: open_ for open_, close in OPEN_QUOTES.items()}
# A quoted term of three or four Han characters, which ingest teaches jieba.
QUOTED_TERM = _Pattern("([“‘「『])([\u4e00-\u9fff]{3,4})([”’」』])")
SENTENCE_END = "。！？!?"
CLAUSE_END = SENTENCE_END + "；;"
# A statement must say something beyond "X表示": this many characters at least.
MIN_STATEMENT_CONTENT = 6

# Words that look like surname + given name before a speech verb but name no one:
# common words, organisations, titles and regions (provinces and cities come from the gazetteer).
NOT_NAMES = frozenset(
    "公司 企业 政府 国家 全国 大家 专家 记者 双方 两地 两城 四城 各地 各方 该市 该省 我们 他们 她们 同时 此外 其中 华工 高校 市场 社会 行业 业内 部门 学校 医院 团队 单位 群众 市民 "
    "代表 委员 报告 文件 规划 方案 会议 总书记 总理 主席 有关 相关 负责人 党委 政协 人大 严格 明确 宁愿 时间 和谐 安全 方面 通过 要求 强化 "
    "华为 阿里 阿里巴 海尔 海信 海康 万科 吉利 华日 武钢 国网 南网 高通 谷歌 宁德 国资 国企 金融 石油 海关 "
    "常委 常务 司长 党组 班子 董事 董事会 高管 高层 "
    "华东 华南 华北 华中 华西 关中 江南 江北 苏南 苏北 海峡 海外".split()
)
# Last characters of place and organisation names, not of a person's: 高新区, 安徽省, 市委, 研究院.
NOT_NAME_ENDINGS = frozenset("区省市县镇乡村委局厅办署院所校司企厂社馆店网处我你您是")
HONORIFICS = frozenset("老总")


@dataclass(frozen=True)
class Cue:
    """A phrase that names who is speaking: 丁光宏表示 / 在他看来 / 大家表示."""

    start: int
    end: int
    kind: str  # "named", "pronoun", "group" or "listed" (members the reader does not know)
    name: str | None  # the person's name for "named"
    joint: tuple[str, ...] = ()  # who speaks with them: 朱一、秦二委员建议


@dataclass(frozen=True)
class QuoteSpan:
    open: int  # index of the opening mark
    close: int  # index of the closing mark, or len(text) when the paragraph ends first
    speech: bool

    @property
    def inner(self) -> tuple[int, int]:
        return self.open + 1, self.close


@dataclass
class Item:
    kind: str  # quote, statement or fact
    paragraph: int  # index into the layout's paragraphs
    start: int  # offsets of text in the paragraph
    end: int
    text: str
    speaker: str | None
    attribution: str  # how the speaker was found: "cue", "paragraph", "passage", "pronoun", "heading" or "none"
    has_figures: bool = False
    joint: tuple[str, ...] = ()  # speakers named with the speaker in one cue


@dataclass
class PersonEvidence:
    """What the text itself says about a person."""

    name: str
    mentions: int = 0
    roles: dict[str, str] = field(default_factory=dict)  # role -> the phrase that says so
    affiliations: dict[str, str] = field(default_factory=dict)  # affiliation -> the phrase that says so


def surname_length_of(name: str) -> int:
    """How many characters of a name are its surname: two for a compound one (欧阳)."""
    return 2 if name[:2] in COMPOUND_SURNAMES else 1


def plausible_name(candidate: str) -> bool:
    """A personal name's shape: a known surname, single or compound, and one
    or two given-name characters; not a word that only starts like one
    (华为, 常委, 高新区)."""
    surname = surname_length_of(candidate)
    given = candidate[surname:]
    return (
        (surname == 2 or candidate[:1] in SINGLE_SURNAMES)
        and 1 <= len(given) <= 2
        and all("\u4e00" <= char <= "\u9fff" for char in given)
        and candidate not in NOT_NAMES
        and candidate[-1] not in NOT_NAME_ENDINGS
        and given not in ("人大", "政协")
        # 叶老, 王总: a surname and an honorific, for someone named in full elsewhere.
        and not (len(candidate) == 2 and given in HONORIFICS)
    )


_HAN = _Pattern("[\u4e00-\u9fff]")
_NOT_HAN = _Pattern("[^\u4e00-\u9fff]+")


def han_count(text: str) -> int:
    """How many Han characters text holds (a statement must say enough):
    its length without the runs of other characters, a string or two made
    in C, not a list of each Han character (half the time)."""
    return len(_NOT_HAN.sub("", text))


def has_figures(text: str) -> bool:
    return HOLDS_FIGURE.search(NUMBER_IDIOMS.sub("，", text)) is not None


_QUOTE_MARKS = _Pattern("[{}]".format("".join(OPEN_QUOTES) + "".join(CLOSE_QUOTES)))


def scan_quotes(text: str) -> list[QuoteSpan]:
    """Top-level quoted spans. Nested ‘’ stay inside their “”. A quote still open
    at the end of the paragraph ends there (a multi-paragraph quote)."""
    spans: list[QuoteSpan] = []
    stack: list[str] = []
    opened_at = 0
    for mark in _QUOTE_MARKS.finditer(text):
        index, char = mark.start(), mark.group()
        if char in OPEN_QUOTES:
            if not stack:
                opened_at = index
            stack.append(char)
        elif stack:
            if stack[-1] == CLOSE_QUOTES[char]:
                stack.pop()
            elif CLOSE_QUOTES[char] in stack:
                # Mismatched nesting: close back to the matching opener.
                while stack and stack[-1] != CLOSE_QUOTES[char]:
                    stack.pop()
                stack.pop()
            if not stack:
                spans.append(QuoteSpan(opened_at, index, is_speech(text[opened_at + 1 : index])))
    if stack:
        spans.append(QuoteSpan(opened_at, len(text), is_speech(text[opened_at + 1 :])))
    return spans


def quoted_terms(text: str) -> list[str]:
    """Short quoted terms, nested in a quote or not: “六小龙”, ‘九省通衢’.
    Longer ones are left to jieba: taught whole, they would hide their
    four-character words (协同创新 in “校院地企协同创新”) from search, which
    indexes only the two- and three-character words inside a word."""
    return [match.group(2) for match in QUOTED_TERM.finditer(text) if OPEN_QUOTES[match.group(1)] == match.group(3)]


# The characters sentence_bounds stops at, for each set of final marks: a
# regex search jumps over the rest of the text instead of a step of Python
# per character.
_BOUND_MARKS: dict[str, re.Pattern[str]] = {}


def sentence_bounds(text: str, start: int, end: int, stops: str = SENTENCE_END) -> list[tuple[int, int]]:
    """Split text[start:end] into sentences at final punctuation outside quotes.
    Closing quotes and repeated marks (？！, ……) stay with their sentence."""
    marks = _BOUND_MARKS.get(stops)
    if marks is None:
        marks = _BOUND_MARKS[stops] = re.compile("[{}]".format(re.escape("".join(OPEN_QUOTES) + "".join(CLOSE_QUOTES) + stops + "…")))
    bounds: list[tuple[int, int]] = []
    depth = 0
    sentence_start = start
    index = start
    while (found := marks.search(text, index, end)) is not None:
        index = found.start()
        char = text[index]
        if char in OPEN_QUOTES:
            depth += 1
        elif char in CLOSE_QUOTES and depth:
            depth -= 1
        elif depth == 0 and (char in stops or char == "…"):
            index += 1
            while index < end and (text[index] in stops or text[index] in "…”’」』）)"):
                index += 1
            bounds.append((sentence_start, index))
            sentence_start = index
            continue
        index += 1
    if sentence_start < end:
        bounds.append((sentence_start, end))
    return bounds


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span past surrounding whitespace and dangling commas; a sentence
    keeps its final punctuation."""
    while start < end and (text[start].isspace() or text[start] in "，。、；：,.;:！？!?”’）)"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in "，、：,:“‘（("):
        end -= 1
    return start, end


# Texts whose cues an Extractor keeps: more than the paragraphs of one article.
CUES_KEPT = 512


class Extractor:
    """Finds cues, quotes, statements and facts, given the people known so far.

    ``is_name`` decides whether a surname-shaped string before a speech verb is
    a person (ingest builds it from the people discovered in the whole corpus
    and the metadata).
    """

    def __init__(self, known_people: Iterable[str]):
        self.known = frozenset(known_people)
        # The lengths of the names beginning with each character, longest
        # first: a scan finds 于宏祺 before 于宏, and looks up one slice per
        # length instead of trying every name that starts with 王.
        lengths: dict[str, set[int]] = {}
        for name in self.known:
            lengths.setdefault(name[0], set()).add(len(name))
        self._lengths_by_first = {first: sorted(found, reverse=True) for first, found in lengths.items()}
        # Where a known name may start: the regex engine skips the other characters,
        # most of any text, without a step of Python each.
        self._name_starts = re.compile("[{}]".format("".join(map(re.escape, sorted(lengths))))) if lengths else None
        # The cues of the texts read last: a paragraph's are asked for again when its items are read.
        self._cues_of: dict[str, list[Cue]] = {}

    # Cues ---------------------------------------------------------------

    def cues(self, text: str) -> list[Cue]:
        """Every phrase in text that says who speaks, in order."""
        if (cached := self._cues_of.get(text)) is not None:
            return cached
        if len(self._cues_of) >= CUES_KEPT:
            self._cues_of.clear()
        found = self._cues_of[text] = self._read_cues(text)
        return found

    def _read_cues(self, text: str) -> list[Cue]:
        found: list[Cue] = []
        names = self.names_in(text)
        for number, (position, name) in enumerate(names):
            after = position + len(name)
            if match := AFTER_NAME.match(text, after):
                # 朱一、秦二委员建议: the names listed before the cue's speak with them.
                listed = [name]
                for earlier, other in reversed(names[:number]):
                    if (earlier + len(other) + 1 == position and text[earlier + len(other)] == "、") or (
                        DESCRIBED_BETWEEN.fullmatch(text, earlier + len(other), position) and DESCRIBED_BEFORE.search(text, 0, earlier)
                    ):
                        listed.insert(0, other)
                        position = earlier
                    else:
                        break
                found.append(Cue(position, match.end(), "named", listed[0], tuple(listed[1:])))
            elif position > 0 and text[position - 1] == "在" and (match := AFTER_NAME_SEEN.match(text, after)):
                found.append(Cue(position - 1, match.end(), "named", name))
            elif self._opens_list_clause(text, position, after):
                found.append(Cue(position, after + 2, "named", name))
        for match in SEEN_BY_CUE.finditer(text):
            if match.group("name") in PRONOUNS:
                found.append(Cue(match.start(), match.end(), "pronoun", None))
        for match in PRONOUN_CUE.finditer(text):
            found.append(Cue(match.start(), match.end(), "pronoun", None))
        for pattern in (GROUP_CUE, LEADER_CUE):
            for match in pattern.finditer(text):
                found.append(Cue(match.start(), match.end(), "group", None))
        for match in LISTED_GROUP.finditer(text) if "等" in text else ():
            # Listed members who speak by a cue of their own (赵一、钱二等委员先后发言) are named.
            if not any(cue.kind == "named" and cue.start < match.end() and match.start() < cue.end for cue in found):
                found.append(Cue(match.start(), match.end(), "listed", None))
        found.sort(key=lambda cue: (cue.start, -cue.end))
        # Keep the first of overlapping cues (在他看来 also matches the pronoun pattern).
        result: list[Cue] = []
        for cue in found:
            if not result or cue.start >= result[-1].end:
                result.append(cue)
        for number, cue in enumerate(result[1:], 1):
            before = result[number - 1]
            if cue.kind == "group" and text.startswith("大家", cue.start) and before.joint and _says_nothing(text, before.end, cue.start):
                # 赵一、钱二等先后发言。大家一致认为……: 大家 are the people just listed.
                result[number] = Cue(cue.start, cue.end, "named", before.name, before.joint)
        return result

    @staticmethod
    def _opens_list_clause(text: str, position: int, after: int) -> bool:
        """True for a name and its title opening a clause of a list of
        speakers, with no verb right after them: ；黄一委员代表某党派省委，围绕……
        建言献策. The clause, up to the next ； or 。, must say they spoke."""
        if position == 0 or text[position - 1] != "；" or text[after : after + 2] not in ("代表", "委员"):
            return False
        if text[after + 2 : after + 3] in ("们", "团", "会", "证", "之", "处", "室"):
            return False
        clause = re.split("[；。]", text[after:], maxsplit=1)[0]
        return any(word in clause for word in LIST_CLAUSE_WORDS)

    def _known_at(self, text: str, position: int) -> str | None:
        """The longest known name that text holds at position, if any."""
        for length in self._lengths_by_first.get(text[position : position + 1], ()):
            if (name := text[position : position + length]) in self.known:
                return name
        return None

    def names_in(self, text: str) -> list[tuple[int, str]]:
        """Known people named anywhere in text, by position; the longest name
        wins where two start at the same place (于宏祺, not 于宏)."""
        hits: list[tuple[int, str]] = []
        if self._name_starts is None:
            return hits
        known, lengths_by_first = self.known, self._lengths_by_first
        free = 0  # where the last name found ends: names do not overlap
        for start in self._name_starts.finditer(text):
            position = start.start()
            if position < free:
                continue
            for length in lengths_by_first[text[position]]:
                name = text[position : position + length]
                if name in known:
                    hits.append((position, name))
                    free = position + length
                    break
        return hits

    # Items --------------------------------------------------------------

    def names_stranger(self, text: str) -> bool:
        """True when text names someone this reader does not know as a
        speaker: a role right before a name that is no known person's
        (全国政协委员、某大学教授欧阳一伟在……) or a bare title opening a
        clause before one (代表黄苏权对……), or a title and a name before a
        cue (画家何水法说), heading a list (市政协主席蒋以任等) or ending a
        clause (采访到了市人大常委会主任郭文海。), or a name introduced before
        a pronoun (万敏是一位老代表，她……). Such a paragraph is not the
        previous speaker's."""
        if "人大代表" in text or "政协委员" in text:
            for found in ROLE_BEFORE_NAME.finditer(text):
                if self._known_at(text, found.end()) is None:
                    return True
            for found in ROLE_THEN_CUE.finditer(text):
                if self._known_at(text, found.start("name")) is None:
                    return True
        for found in BARE_TITLE_THEN_NAME.finditer(text) if "代表" in text or "委员" in text else ():
            if plausible_name(found.group("name")) and self._known_at(text, found.start("name")) is None:
                return True
        for found in chain(TITLED_CUE.finditer(text), TITLED_GROUP.finditer(text), TITLED_NAME.finditer(text), INTRODUCED.finditer(text)):
            name = found.group("name")
            if plausible_name(name) and self._known_at(name, 0) is None:
                return True
        return False

    def paragraph_speaker(self, text: str) -> str | None:
        """The person a paragraph is about: its first named cue, else the first
        known person it names (作为……，耿福能代表深知……)."""
        for cue in self.cues(text):
            if cue.kind == "named":
                return cue.name
        names = self.names_in(text)
        return names[0][1] if names else None

    def extract(self, layout: Layout) -> tuple[list[Item], list[str | None]]:
        """The article's items, and the passage speaker of each paragraph."""
        own = [self.paragraph_speaker(p.text) for p in layout.paragraphs]
        for index in range(len(own) - 1):
            # “……”¶某某代表的发言，……: the quote above is theirs.
            if own[index] is None and (found := _speaker_of_quote_above(layout.paragraphs[index].text, layout.paragraphs[index + 1].text)):
                if found.group("name") in self.known:
                    own[index] = found.group("name")
        passage = passage_speakers(layout, own)
        texts = [paragraph.text for paragraph in layout.paragraphs]
        headings = [_headings(texts, number) for number in range(len(texts))]
        headed = self.heading_speakers(layout, headings)
        items: list[Item] = []
        for index, paragraph in enumerate(layout.paragraphs):
            if headed[index]:
                passage[index] = headed[index]
            elif not own[index] and passage[index] and self.names_stranger(paragraph.text):
                # Someone the reader does not know speaks here: not the previous speaker.
                passage[index] = None
            # A heading line names its speaker and reports nothing.
            section = None if headings[index] else headed[index] or self.section_speaker(layout, index, own[index], passage[index])
            if headed[index] and _answer_label(paragraph.text) == headed[index]:
                items.extend(self._answer_items(index, paragraph, headed[index]))
                continue
            found = self._paragraph_items(index, paragraph, own[index], passage[index], section)
            if headed[index] and not any(item.kind != "fact" for item in found) and not self._reports_figures(paragraph.text, found):
                found = self._heading_items(index, paragraph, headed[index])
            items.extend(found)
        return items, passage

    def section_speaker(self, layout: Layout, index: int, own: str | None, passage: str | None) -> str | None:
        """Whose section a paragraph is in, when the page says so: a
        delegate's box on a newspaper page (not the reporter's introduction),
        or a paragraph that names one person and no one else. Web text has
        no boxes, so a paragraph that names no one is in no one's section."""
        if layout.boxes_detected and layout.paragraphs[index].box > 0:
            return own or passage
        if own and {name for _, name in self.names_in(layout.paragraphs[index].text)} == {own}:
            return own
        return None

    def heading_speakers(self, layout: Layout, headings: Sequence[list] | None = None) -> list[str | None]:
        """For each paragraph, the speaker of the heading it stands under
        (■ 全国政协委员、某馆馆长卫十一： / 代表 沈十三：), up to the next
        heading or speaker's label (记者：); None outside headings."""
        texts = [paragraph.text for paragraph in layout.paragraphs]
        result: list[str | None] = []
        current: str | None = None
        for number, text in enumerate(texts):
            found = headings[number] if headings is not None else _headings(texts, number)
            named = [name for _, name, _, _ in found if name in self.known]
            if named:
                current = named[0]
                rest = HEADING.match(text.strip())
                # 全国政协委员 乔十红：speech on the same line: the line is speech too.
                result.append(current if rest and rest["rest"] else None)
                if _answer_label(text) is not None:
                    # 某某：我…… answers one question; the next line may be the reporter's.
                    current = None
                continue
            if LABEL.match(text) or ROLE_LINE.match(text.strip()):
                current = None
            elif current and (
                any(name != current for _, name in self.names_in(text))
                or THIRD_PERSON.search(text)
                or any(cue.kind in ("group", "listed") for cue in self.cues(text))
            ):
                # The reporter's narrative about someone else (黄二军代表通过走访调研……, 今年，他又
                # 提出……) or about everyone (代表们纷纷表示……), between two captions: the
                # heading's part is over.
                current = None
            result.append(current)
        return result

    @staticmethod
    def _reports_figures(text: str, found: list[Item]) -> bool:
        """True for a paragraph under a heading that is the reporter's figures
        (2023年，某市汽车产量连续5年居全国第一位): it has figures and never
        speaks in the first person, so it is reporting, not the heading's speech."""
        return any(item.has_figures for item in found) and FIRST_PERSON.search(text) is None

    @staticmethod
    def _answer_items(index: int, paragraph: Paragraph, speaker: str) -> list[Item]:
        """An interview answer (某某：我在现场聆听了……当我听到“……”时，……):
        the words around the quotes are the speaker's; what the answer quotes
        (a phrase of the government work report) is cited, and no one's."""
        text = paragraph.text
        start = text.index("：") + 1
        items: list[Item] = []
        edges = [start]
        for span in scan_quotes(text):
            if span.open < start:
                continue
            edges.extend((span.open, span.close + 1))
            inner_start, inner_end = span.inner
            quoted = text[inner_start:inner_end]
            if span.speech:
                items.append(Item("quote", index, inner_start, inner_end, quoted, None, "none", has_figures(quoted)))
        edges.append(len(text))
        for piece_start, piece_end in zip(edges[0::2], edges[1::2]):
            piece_start, piece_end = _trim(text, piece_start, piece_end)
            body = text[piece_start:piece_end]
            if han_count(body) >= MIN_STATEMENT_CONTENT:
                items.append(Item("quote", index, piece_start, piece_end, body, speaker, "heading", has_figures(body)))
        items.sort(key=lambda item: item.start)
        return items

    def _heading_items(self, index: int, paragraph: Paragraph, speaker: str) -> list[Item]:
        """A paragraph under a heading with no cue of its own: the heading's
        speaker speaking in the first person (TV captions break it over lines)."""
        text = paragraph.text
        start = 0
        if (heading := HEADING.match(text.strip())) and heading["rest"]:
            start = text.index("：") + 1
        start, stop = _trim(text, start, len(text))
        body = text[start:stop]
        if han_count(body) < MIN_STATEMENT_CONTENT // 2 or speaker in body:
            # A speaker does not name themselves: 就像某某在通道上讲述的那样…… is the reporter's.
            return []
        return [Item("quote", index, start, stop, body, speaker, "heading", has_figures(body))]

    def _paragraph_items(
        self, index: int, paragraph: Paragraph, own: str | None, passage: str | None, section: str | None = None
    ) -> list[Item]:
        text = paragraph.text
        cues = self.cues(text)
        fallback, fallback_how = (own, "paragraph") if own else (passage, "passage" if passage else "none")

        def resolve(cue: Cue) -> tuple[str | None, str]:
            if cue.kind == "named":
                return cue.name, "joint" if cue.joint else "cue"
            if cue.kind == "pronoun":
                return self._antecedent(text, cue.start, fallback, passage), "pronoun"
            return None, "none"

        items: list[Item] = []
        quotes = [span for span in scan_quotes(text) if span.speech]
        sentences = sentence_bounds(text, 0, len(text))

        def sentence_of(position: int) -> tuple[int, int]:
            for bounds in sentences:
                if bounds[0] <= position < bounds[1]:
                    return bounds
            return (0, len(text))

        for span in quotes:
            inner_start, inner_end = span.inner
            sentence_start, sentence_end = sentence_of(span.open)
            after = [c for c in cues if span.close < c.start < sentence_end and not _quote_between(quotes, span.close, c.start)]
            before = [c for c in cues if sentence_start <= c.start and c.end <= span.open]
            beside = after and _describes_speaker(text[span.close + 1 : after[0].start])
            cue = after[0] if beside else (before[-1] if before else (after[0] if after else None))
            speaker, how = resolve(cue) if cue else (fallback, fallback_how)
            if cue is None and (sayer := UNNAMED_SAYER.match(text, span.close + 1)) and not sayer["subject"].startswith(PRONOUNS):
                # The one person its subject names, else no one (某县林业站站长尚光明今天在接受采访时说).
                named = {name for _, name in self.names_in(sayer["subject"])}
                speaker, how = (named.pop(), "cue") if len(named) == 1 else (None, "none")
            elif cue is None and UNNAMED_SAYER_BEFORE.search(text, sentence_start, span.open):
                # Said by someone the reader does not know, in the quote's own sentence
                # (中阿卫视记者馨玥说，……，“……”): not the paragraph's speaker's.
                speaker, how = None, "none"
            elif cue is None and (earlier := [c for c in cues if c.end <= span.open]) and earlier[-1].kind in ("group", "listed"):
                # A quote of no cue of its own after a group's words (村民们说，……。“……”): the
                # group may still be speaking; it is not the paragraph's speaker's.
                speaker, how = None, "none"
            quote_text = text[inner_start:inner_end]
            joint = cue.joint if cue and how == "joint" else ()
            items.append(Item("quote", index, inner_start, inner_end, quote_text, speaker, how, has_figures(quote_text), joint))

        # Narrative segments: the text between speech quotes. One between two
        # quotes of the same speaker carries on their point (……”。在科技创新领域，
        # 每个城市要找到自己的定位和特点，“……): it is theirs.
        speakers = [None] + [item.speaker for item in items] + [None]
        edges = [0] + [edge for span in quotes for edge in (span.open, min(span.close + 1, len(text)))] + [len(text)]
        for number, (seg_start, seg_end) in enumerate(zip(edges[0::2], edges[1::2])):
            between = speakers[number] if speakers[number] == speakers[number + 1] else None
            items.extend(self._segment_items(index, text, seg_start, seg_end, cues, resolve, fallback, fallback_how, between, section))
        items.sort(key=lambda item: item.start)
        return items

    def _segment_items(
        self,
        index: int,
        text: str,
        seg_start: int,
        seg_end: int,
        cues: list[Cue],
        resolve: Callable[[Cue], tuple[str | None, str]],
        fallback: str | None,
        fallback_how: str,
        between: str | None,
        section: str | None = None,
    ) -> list[Item]:
        items: list[Item] = []
        segment_cues = [c for c in cues if seg_start <= c.start and c.end <= seg_end]
        sentences = sentence_bounds(text, seg_start, seg_end)

        def sentence_of(cue: Cue) -> tuple[int, int]:
            return next(((s, e) for s, e in sentences if s <= cue.start < e), (seg_start, seg_end))

        # A segment that ends where a quote opens may end on the quote's cue
        # (他以……举例，“……): that sentence introduces the quote and is no
        # part of a statement before it.
        introduces_quote = seg_end
        if seg_end < len(text) and sentences:
            last_start, _ = sentences[-1]
            if any(last_start <= c.start and _says_nothing(text, c.end, seg_end) for c in segment_cues):
                introduces_quote = last_start

        # Each cue with something to say starts a statement running to the next cue or the segment's end.
        starts: list[tuple[int, Cue]] = []
        for cue in segment_cues:
            sentence_start = sentence_of(cue)[0]
            if cue.kind == "named" and cue.start > sentence_start and text[cue.start - 1] in "；;":
                # 10位委员作大会发言：……提出建议；武二伟委员建议……: each member's clause is theirs.
                sentence_start = cue.start
            elif cue.kind in ("named", "listed") and starts and starts[-1][0] >= sentence_start and text[: cue.start].rstrip()[-1:] in ("，", ","):
                # 李一代表关注法治建设，高二代表关注……: a clause that names someone
                # else after the last one said something is theirs (张三说，李四代表提出的…… is 张三's),
                # and one that lists members the reader does not know is no one's.
                previous = starts[-1][1]
                said = sum(1 for char in text[previous.end : cue.start] if "\u4e00" <= char <= "\u9fff")
                if said >= 2 and resolve(cue)[0] != resolve(previous)[0]:
                    sentence_start = cue.start
            if starts and starts[-1][0] >= sentence_start:
                continue
            speaker = resolve(cue)[0]
            if starts and speaker is not None and speaker == resolve(starts[-1][1])[0]:
                continue  # the same speaker goes on: 他以……举例 (大家 after 总书记 is someone else)
            starts.append((sentence_start, cue))
        covered: list[tuple[int, int]] = []
        for position, (sentence_start, cue) in enumerate(starts):
            end = min(starts[position + 1][0] if position + 1 < len(starts) else seg_end, max(introduces_quote, sentence_start))
            speaker, how = resolve(cue)
            end = self._before_someone_else(text, sentence_of(cue)[1], end, speaker)
            listed = any(other is not cue and sentence_of(other) == sentence_of(cue) for _, other in starts)
            proposal = cue.kind == "named" and text.endswith("建议", 0, cue.end) and _HAN.match(text, cue.end) is not None
            if speaker is None or listed or proposal:
                # A group or a leader is quoted for one sentence: the reporter's narrative follows.
                # So is each of several speakers listed in one sentence (甲委员建议……，乙委员建议……。
                # 件件提案事关……): the next sentence sums the list up; and a proposal the reporter
                # sums up with no pause (某某委员建议加强……。): what follows is the reporter's again.
                end = min(end, sentence_of(cue)[1])
            if cue.kind == "group" and text.startswith(GROUP_SUBJECTS, cue.start) and text[sentence_start : cue.start].endswith("，"):
                # 3月6日，记者邀请……，大家表示，……: what the group said starts at the group.
                sentence_start = cue.start
            cue_sentence_end = sentence_of(cue)[1]
            if _describes_speaker(text[sentence_start : cue.start].strip()) and _says_nothing(text, cue.end, cue_sentence_end):
                # “……”王行环说。在……: the cue's sentence only attributes the quote; what follows starts after it.
                sentence_start = cue_sentence_end
            start, stop = _trim(text, sentence_start, end)
            body = text[start:stop]
            if start <= cue.start and _describes_speaker(text[start : cue.start]):
                content = text[cue.end : stop]
            else:
                content = body.replace(text[cue.start : cue.end], "", 1)
            if han_count(content) < MIN_STATEMENT_CONTENT:
                continue
            covered.append((start, stop))
            joint = cue.joint if how == "joint" else ()
            items.append(Item("statement", index, start, stop, body, speaker, how, has_figures(body), joint))
        if between and not segment_cues:
            start, stop = _trim(text, seg_start, seg_end)
            body = text[start:stop]
            if han_count(body) >= MIN_STATEMENT_CONTENT and not has_figures(body):
                covered.append((start, stop))
                items.append(Item("statement", index, start, stop, body, between, "paragraph", False))
        # Figures outside statements are facts, clause by clause. In someone's
        # section, the sentences between them that no cue attributes are
        # reporting: facts without figures, each run of them one item.
        gaps, cursor = [], seg_start
        for start, stop in covered:
            gaps.append((cursor, start))
            cursor = max(cursor, stop)
        gaps.append((cursor, seg_end))
        for gap_start, gap_end in gaps:
            run: list[tuple[int, int]] = []
            for sentence_start, sentence_end in sentence_bounds(text, gap_start, gap_end):
                if any(sentence_start <= cue.start < sentence_end for cue in segment_cues):
                    # A cue's own sentence (“……”丁光宏表示。 / 他以……举例，“……) only attributes.
                    items.extend(self._reporting(index, text, run, section, fallback_how))
                    run = []
                    continue
                for clause_start, clause_end in sentence_bounds(text, sentence_start, sentence_end, CLAUSE_END):
                    start, stop = _trim(text, clause_start, clause_end)
                    clause = text[start:stop]
                    if clause and has_figures(clause):
                        items.extend(self._reporting(index, text, run, section, fallback_how))
                        run = []
                        items.append(Item("fact", index, start, stop, clause, fallback, fallback_how, True))
                    elif clause:
                        run.append((start, stop))
            items.extend(self._reporting(index, text, run, section, fallback_how))
        return items

    def _antecedent(self, text: str, position: int, fallback: str | None, passage: str | None) -> str | None:
        """Whom a pronoun cue at position (他建议) takes up: the paragraph's or
        passage's speaker, unless the paragraph names someone else before it.
        The last sentence before it that names anyone decides: one person
        there is the antecedent when it is the speaker; anyone else, or a
        stranger, or two people, leave the words unattributed
        (市人大代表邱守先是……理事长。他建议，…… is not the paragraph's later
        speaker's). A pronoun before any name takes up the passage's speaker
        (在他看来，…… after a paragraph of 罗卫东's): a speaker the paragraph
        first names after it is its antecedent only when it is that one."""
        for sentence_start, sentence_end in reversed(sentence_bounds(text, 0, position)):
            sentence = text[sentence_start:sentence_end]
            named = {name for _, name in self.names_in(sentence)}
            if self.names_stranger(sentence) or len(named) > 1:
                return None
            if named:
                return fallback if named == {fallback} else None
        if fallback != passage and any(name == fallback for _, name in self.names_in(text[position:])):
            return None
        return fallback

    def _before_someone_else(self, text: str, start: int, end: int, speaker: str | None) -> int:
        """Where a statement that goes on past its cue's sentence stops: at the
        first sentence after it that names another known person or a
        stranger (发言中，葛剑雄委员代表民革市委提出，……。余源培委员对……提出了具体的
        建议。): that sentence is the reporter's, about someone else."""
        for sentence_start, sentence_end in sentence_bounds(text, start, end):
            sentence = text[sentence_start:sentence_end]
            if any(name != speaker for _, name in self.names_in(sentence)) or self.names_stranger(sentence):
                return sentence_start
        return end

    @staticmethod
    def _reporting(index: int, text: str, run: list[tuple[int, int]], section: str | None, how: str) -> list[Item]:
        """One run of reporting clauses as a fact of the section's person;
        nothing outside a section, or when the run says too little."""
        if section is None or not run:
            return []
        start, stop = run[0][0], run[-1][1]
        body = text[start:stop]
        if han_count(body) < MIN_STATEMENT_CONTENT:
            return []
        return [Item("fact", index, start, stop, body, section, how if how != "none" else "passage", False)]


def _says_nothing(text: str, start: int, end: int) -> bool:
    """True when text[start:end] is only punctuation and space."""
    trimmed_start, trimmed_end = _trim(text, start, end)
    return trimmed_start == trimmed_end


def _describes_speaker(text: str) -> bool:
    """True when text, standing right before a cue, only says who the speaker
    is: nothing, a comma, or a role and affiliation (全国政协委员)."""
    return len(text) <= 1 or SPEAKER_DESCRIPTION.fullmatch(text) is not None


def _speaker_of_quote_above(above: str, text: str) -> re.Match[str] | None:
    """The speaker text names in its first sentence, when the paragraph above
    is one quote and nothing else: ……刘小蓉代表的发言，让很多人产生了共鸣。"""
    above = above.strip()
    if above[:1] not in OPEN_QUOTES:
        return None  # not a quote from its first character (most paragraphs): no need to scan it
    quotes = scan_quotes(above)
    if len(quotes) != 1 or quotes[0].open != 0 or not quotes[0].speech or _trim(above, quotes[0].close, len(above))[0] != len(above):
        return None
    first_sentence = sentence_bounds(text, 0, len(text))[0] if text else (0, 0)
    return SPEAKER_OF_QUOTE_ABOVE.search(text, 0, first_sentence[1])


def _answer_label(text: str) -> str | None:
    """The name of an interview answer's label: 某某：我…… (the answer not
    opening with a quote mark, which is a quote's cue, 某某：“……”)."""
    found = ANSWER_LABEL.match(text.strip())
    return found.group("name") if found else None


def _interview_answer(texts: Sequence[str], number: int, name: str) -> bool:
    """True when texts[number] answers a question as name, in the first
    person, and the article names them elsewhere too (记者连线采访了某某):
    a label alone, with no title, is not enough to make a person."""
    text = texts[number].strip()
    if _answer_label(text) != name or not FIRST_PERSON.search(text[text.index("：") :]):
        return False
    return any(name in other for other_number, other in enumerate(texts) if other_number != number and _answer_label(other) != name)


def _quote_between(quotes: list[QuoteSpan], start: int, end: int) -> bool:
    return any(start < span.open < end for span in quotes)


def passage_speakers(layout: Layout, own: list[str | None]) -> list[str | None]:
    """The speaker of the passage around each paragraph that names no one.

    On a newspaper page each delegate has a box, and a box can open before its
    delegate is named: a paragraph takes the previous speaker in its box, else
    the next one. The first box is the reporter's introduction and never looks
    forward, so it is never given to a delegate. Web text has no boxes: a
    paragraph takes the previous speaker.

    Boxes of equal width cannot be told apart: a paragraph opening the second
    of two such boxes goes to the first box's delegate. On the generated
    corpus this is the main source of misattributed facts (see README).
    """
    paragraphs = layout.paragraphs

    def scope(index: int) -> int:
        return paragraphs[index].box if layout.boxes_detected else 0

    # One pass each way, remembering the nearest speaker per scope: linear in
    # the paragraphs, where a scan of the scope for each paragraph was quadratic.
    previous: list[str | None] = []
    last_in_scope: dict[int, str] = {}
    for index in range(len(paragraphs)):
        previous.append(last_in_scope.get(scope(index)))
        if own[index]:
            last_in_scope[scope(index)] = own[index]
    following: list[str | None] = [None] * len(paragraphs)
    next_in_scope: dict[int, str] = {}
    for index in reversed(range(len(paragraphs))):
        following[index] = next_in_scope.get(scope(index))
        if own[index]:
            next_in_scope[scope(index)] = own[index]

    result: list[str | None] = []
    for index, paragraph in enumerate(paragraphs):
        if own[index]:
            result.append(own[index])
        elif previous[index]:
            result.append(previous[index])
        elif layout.boxes_detected and paragraph.box > 0 and following[index]:
            result.append(following[index])
        else:
            result.append(None)
    return result


# A heading (the words before its colon, or a whole title line) is at most this long.
MAX_HEADING_LENGTH = 80


def _headings(texts: Sequence[str], number: int) -> list[tuple[str, str, str | None, str | None]]:
    """The heading texts[number] is, as (heading, name, role, affiliation):
    one line that names the speaker, or a role line followed by a name line
    (区人大代表 / 黄六娟)."""
    text = texts[number].strip()
    found = HEADING.match(text[:MAX_HEADING_LENGTH] if "：" in text[:MAX_HEADING_LENGTH] else text)
    if found and found["rest"] is not None and found.start("rest") > MAX_HEADING_LENGTH:
        found = None
    if len(text) > MAX_HEADING_LENGTH and not (found and found["rest"] is not None):
        return []
    if found and (found["title"] or found["rest"] is not None):
        role = found["role"] or found["title"]
        return [(text, found["name"], role, found["affiliation"])]
    if found := NAME_THEN_ROLE.match(text):
        return [(text, found["name"], found["role"], None)]
    if number > 0 and ROLE_LINE.match(texts[number - 1].strip()) and _BARE_NAME.fullmatch(text):
        return [(text, text, texts[number - 1].strip(), None)]
    if _in_roundup(texts, number):
        return [(text, text, None, None)]
    return []


# A round-up of interviews prints each member's bare name on a line and their
# words below it; this many such pairs in a row make one.
MIN_ROUNDUP = 3


def _roundup_pair(texts: Sequence[str], number: int) -> bool:
    """True when texts[number] is a bare name and the next paragraph reads as
    that person's own words: whole sentences that neither name them nor speak
    of him or her (a biography, 他是……, is the reporter's)."""
    if number + 1 >= len(texts):
        return False
    name = texts[number].strip()
    if not _BARE_NAME.fullmatch(name) or not plausible_name(name):
        return False
    said = texts[number + 1].strip()
    return said[-1:] in SENTENCE_END and name not in said and not THIRD_PERSON.search(said) and not _BARE_NAME.fullmatch(said)


def _in_roundup(texts: Sequence[str], number: int) -> bool:
    """True when texts[number] heads one of at least MIN_ROUNDUP bare-name
    lines in a row, each followed by that person's words, at least one of
    them in the first person (本报记者采访了六位人大代表 / 某某 / 我……):
    with no role, cue or colon, only the run says the words are theirs."""
    if not _roundup_pair(texts, number):
        return False
    first = number
    while first >= 2 and _roundup_pair(texts, first - 2):
        first -= 2
    last = number
    while _roundup_pair(texts, last + 2):
        last += 2
    pairs = range(first, last + 1, 2)
    return len(pairs) >= MIN_ROUNDUP and any(FIRST_PERSON.search(texts[pair + 1]) for pair in pairs)


# Names listed before the one a cue follows: 张七波、陈八瀚委员建议.
_LISTED_BEFORE = _Pattern("((?:[\u4e00-\u9fff]{2,4}、)+)$")


def discover_people(
    texts: Sequence[str],
    rejects: Callable[[str], bool],
    bare_titles: dict[str, str] = ROLE_BY_TITLE,
    name_at: Callable[[str], str | None] | None = None,
) -> dict[str, PersonEvidence]:
    """People named as speakers: a surname and given name before a speech verb,
    or 在X看来. ``rejects`` filters words that only look like names (cities,
    common nouns). ``bare_titles`` says what 代表 and 委员 after a name stand
    for in this article (its session's roles; empty when it names none: the
    level is then not stated, never guessed). ``name_at`` reads the person's
    name at the start of a text, for a role that no cue follows; without it
    such a person is found only through a cue."""
    people: dict[str, PersonEvidence] = {}
    tagged: set[str] = set()  # names only the tagger read

    def note(name: str) -> PersonEvidence | None:
        if not name or not plausible_name(name) or rejects(name):
            return None
        return people.setdefault(name, PersonEvidence(name))

    for number, text in enumerate(texts):
        for heading, name, role, affiliation in _headings(texts, number):
            if (role or heading.startswith("■") or _interview_answer(texts, number, name) or _in_roundup(texts, number)) and (
                evidence := note(name)
            ):
                evidence.mentions += 1
                if role:
                    evidence.roles.setdefault(bare_titles.get(role, role) if role in ("代表", "委员") else role, heading)
                if affiliation:
                    evidence.affiliations.setdefault(affiliation, heading)
            if role in ("代表", "委员") and role not in bare_titles and name in people:
                people[name].roles.pop(role, None)
        for match in NAMED_CUE.finditer(text):
            evidence = note(match.group("name"))
            if evidence is None:
                continue
            evidence.mentions += 1
            # 张七波、陈八瀚委员建议: each listed name speaks too, with the same title.
            listed = _LISTED_BEFORE.search(text[: match.start("name")])
            for other in listed.group(1).rstrip("、").split("、") if listed else ():
                if other_evidence := note(other):
                    other_evidence.mentions += 1
                    if match.group("title") in bare_titles:
                        other_evidence.roles.setdefault(bare_titles[match.group("title")], match.group(0))
            if match.group("title") in bare_titles:
                evidence.roles.setdefault(bare_titles[match.group("title")], match.group(0))
        for match in SEEN_BY_CUE.finditer(text):
            if match.group("name") not in PRONOUNS and (evidence := note(match.group("name"))):
                evidence.mentions += 1
        for match in LISTED_SPEAKERS.finditer(text) if any(verb in text for verb in LIST_VERBS) else ():
            # 市人大代表赵一、钱二等先后发言: the role before the list is each one's.
            role = ROLE_AT_END.search(text[: match.start()])
            for name in match.group("names").split("、"):
                if evidence := note(name):
                    evidence.mentions += 1
                    if role:
                        evidence.roles.setdefault(role.group(0), role.group(0) + match.group(0))
        if number > 0 and (match := _speaker_of_quote_above(texts[number - 1], text)):
            if evidence := note(match.group("name")):
                evidence.mentions += 1
                if match.group("title") in bare_titles:
                    evidence.roles.setdefault(bare_titles[match.group("title")], match.group(0))
        for match in APPOSITIVE.finditer(text):
            if evidence := note(match.group("name")):
                evidence.mentions += 1
        for match in INTRODUCED.finditer(text):
            if evidence := note(match.group("name")):
                evidence.mentions += 1
                if match.group("title") in bare_titles:
                    evidence.roles.setdefault(bare_titles[match.group("title")], match.group(0))
        for match in TITLED_AFTER_CLAUSE.finditer(text):
            if evidence := note(match.group("name")):
                evidence.mentions += 1
                if match.group("title") in bare_titles:
                    evidence.roles.setdefault(bare_titles[match.group("title")], match.group(0))
        for match in TITLED_AFTER_OF.finditer(text):
            if evidence := note(match.group("name")):
                evidence.mentions += 1
                if match.group("title") in bare_titles:
                    evidence.roles.setdefault(bare_titles[match.group("title")], match.group(0))
        for match in ROLE_AND_AFFILIATION.finditer(text):
            if evidence := note(match.group("name")):
                evidence.roles.setdefault(match.group("role"), match.group(0))
                if match.group("affiliation"):
                    evidence.affiliations.setdefault(match.group("affiliation"), match.group(0))
        for match in ROLE_BEFORE_NAME.finditer(text) if name_at and ("人大代表" in text or "政协委员" in text) else ():
            name = name_at(text[match.end() : match.end() + 6])
            if name and name not in people:
                tagged.add(name)
            if name and (evidence := note(name)):
                evidence.mentions += 1
                evidence.roles.setdefault(match.group("role"), match.group(0) + name)
                if match.group("affiliation"):
                    evidence.affiliations.setdefault(match.group("affiliation"), match.group(0) + name)
    # The tagger cuts a name short where a cue reads it whole (周敏 of 周敏之分享了),
    # or runs it into the next word where a cue reads it shorter (刘毅刚走进 of 刘毅表示).
    for name in tagged:
        if any(other != name and (other.startswith(name) or (other not in tagged and name.startswith(other))) for other in people):
            people.pop(name, None)
    # A title after a known name also says the role: 耿福能代表深知……; so
    # does a role right before it: 市人大代表邓晓川长期在……
    for text in texts:
        for name, evidence in people.items():
            if name not in text:
                continue  # neither a title after the name nor one before it: most texts name few of the article's people
            for title, role in bare_titles.items():
                phrase = name + title
                if phrase in text:
                    evidence.roles.setdefault(role, phrase)
            position = text.find(name) if bare_titles and ("代表" in text or "委员" in text) else -1
            while position >= 0:
                if before := BARE_TITLE_BEFORE.search(text, max(0, position - 20), position):
                    title = before["quoted"] or before["member"] or before["introduced"]
                    evidence.roles.setdefault(bare_titles[title], before.group(0) + name)
                position = text.find(name, position + 1)
        if "人大代表" not in text and "政协委员" not in text:
            continue
        for found in ROLE_BEFORE_NAME.finditer(text):
            for name, evidence in people.items():
                if text.startswith(name, found.end()):
                    evidence.roles.setdefault(found["role"], found.group(0) + name)
                    if found["affiliation"]:
                        evidence.affiliations.setdefault(found["affiliation"], found.group(0) + name)
    return people
