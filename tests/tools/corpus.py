"""Deterministic synthetic corpus of 两会 articles, with exact ground truth.

The seed article (a 长江日报 page) shows what ingest has to survive: headline
lines, a vertical page label, a narrow intro column, one box per delegate with
its own column width, blank lines that fall mid-sentence, boxes glued to the
previous one by a one-space indent, and boxes that talk about a company before
they name the delegate.  Hand-collected articles are too few to measure
precision at scale or to benchmark the store, so this module writes ~1,000
articles that reproduce those quirks, together with a manifest that records
every quote, statement and fact *as the generator put it there*.  Tests ingest
the articles and compare against the manifest, so the manifest must be exact:
every unit text is a literal substring of its paragraph, and every delegate's
name occurs in the text exactly as often as the generator wrote it (checked
before an article is accepted, see ``_NameIndex``).

Determinism: all randomness comes from one ``random.Random(seed)``; nothing
iterates over a set or depends on hash order, so a seed gives byte-identical
files.  Only the standard library is imported.

Output (``out_dir``): ``NNNN_newspaper.txt`` / ``NNNN_web.txt``, a sidecar
``NNNN_<layout>.toml`` for about a third of them (the format ``bot/ingest/seeds.py``
reads), and ``manifest.json``::

    {"seed", "counts": {articles, people, quotes, statements, facts},
     "homophone_pairs": [[a, b], ...],
     "people": [{name, city, role, affiliation, articles}],
     "articles": [{file, layout, title, subtitle, source, date, sidecar,
                   people: [{name, city, role, affiliation}],
                   units: [{kind, speaker, text, preamble?}],
                   blocks: [{kind: "intro"|"box", speaker, width, first_line, last_line}]}]}

Unit conventions (what "exact" means):

* quote: the text between “ and ”, nested ‘…’ kept; the final 。 is present
  only if printed inside the marks (“……”X说。 has none).  Always has a speaker.
* statement: from the attribution (name, 他/她, 在X看来, or the appositive
  全国人大代表、…董事长X) to the end of the sentence, plus a run-on sentence
  (此外，……) when there is one.  In “Q”X表示，S。 the statement is X表示，S。;
  in X建议，S，“Q。” the statement includes the closing quotation and Q is also
  a quote unit.  Intro statements (习近平总书记…强调，…; …大家表示，…) have
  speaker null.
* fact: one sentence carrying a figure.  Its speaker is the delegate whose box
  it sits in (null in the intro), even when it names nobody; ``preamble`` is
  true when it comes before that delegate is first named in the box (in the
  web layout nothing in the text tells which delegate such a paragraph is for).

``blocks`` give each box's 0-based inclusive line range in ``text.split("\n")``
and, for newspapers, its column width (None for web).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

# Run as a script (python tests/tools/NAME.py) or imported by the tests: the
# bot package and the test helpers are found from the checkout either way.
TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent.parent
for _path in (ROOT, TOOLS.parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bot.ingest import gazetteer  # noqa: E402
from bot.ingest.gazetteer import DATA as DATA_DIR, City, Topic  # noqa: E402
SOURCE_NOTE = "generated corpus"

LAYOUTS = ("newspaper", "web")
ROLE_NPC = "全国人大代表"
ROLE_CPPCC = "全国政协委员"
ROLE_SHORT = {ROLE_NPC: "代表", ROLE_CPPCC: "委员"}
PAPERS = (
    "长江日报", "湖北日报", "解放日报", "文汇报", "成都日报", "四川日报", "杭州日报",
    "浙江日报", "南方日报", "新华日报", "重庆日报", "经济日报", "科技日报", "光明日报",
)

# --------------------------------------------------------------------------- names
# Surnames with rough frequency weights (most common first).  The compound
# surnames are rare on purpose: they exist in real coverage and break naive
# "first character is the surname" assumptions.
SURNAMES: tuple[tuple[str, float], ...] = tuple(
    (s, w)
    for group, w in (
        ("王李张刘陈", 7.0),
        ("杨黄赵吴周", 4.0),
        ("徐孙马朱胡郭何高林罗", 2.5),
        ("郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈", 1.3),
        ("姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤", 0.7),
    )
    for s in group
) + (("欧阳", 0.12), ("司马", 0.05), ("上官", 0.04), ("诸葛", 0.03))

GIVEN_MALE = (
    "伟强军勇杰涛斌磊刚峰辉明建华国平志文东海林波鹏宇浩凯俊超健亮新光成晨飞龙胜清松坤"
    "荣锋彬宏鸿洪兵利德福生庆云春祥康瑞睿博卫振铭翔昊皓宁泽毅翰江山岩坚哲思远航力永继"
    "卓鑫晓立学元武友良安义兴青森雄豪正中金世兆启锦钧君峻骏浚进晋炜玮威巍维为琦奇祺"
    "涵轩然阳帆旭晖耀宸彦炎焱钢剑喜旺忠诚鹤鸣川洋涌阔朗恺楷锐骁政敬廷培尧舜禹汉璋"
)
GIVEN_FEMALE = (
    "芳娜敏静丽艳娟霞燕玲婷雪琳倩颖慧莉萍红欣琴梅兰凤洁佳莹璐蕾薇媛妍怡悦晶婧雯瑶婉秀"
    "英月馨蓉琪岚露晴菲宜仪莺茜蓓瑾璇珊珍琼淑娅娴婕琰嫣曦虹彩霓芸芷菁文华晓春秋宁新清"
    "嘉思雨玉子梓宇安平凌"
)

# Given-name characters that read identically (pinyin *with* tone), grouped.
# Swapping one character inside a group gives a homophone twin (马新强/马欣强).
HOMOPHONES: tuple[str, ...] = (
    "斌彬", "晨宸", "成诚", "飞菲", "峰锋", "刚钢", "翰汉", "浩昊皓", "宏鸿洪红虹", "辉晖",
    "佳嘉", "建健剑", "杰洁婕", "锦瑾", "进晋", "晶菁", "敬静婧", "军钧君", "俊峻骏浚",
    "凯恺楷", "兰岚", "磊蕾", "利力立丽莉", "林琳", "玲凌", "璐露", "明铭鸣", "平萍",
    "琦奇祺琪", "倩茜", "清青", "荣蓉", "瑞睿锐", "山珊", "廷婷", "威巍薇", "伟炜玮",
    "卫为", "文雯", "祥翔", "新鑫欣馨", "岩炎妍", "彦焱艳燕", "阳洋", "尧瑶", "怡宜仪",
    "毅义", "英莺", "勇永涌", "宇禹雨", "悦月", "云芸", "正政", "中忠",
)
_HOMOPHONE_OF: dict[str, str] = {c: g for g in HOMOPHONES for c in g}

# ------------------------------------------------------------------ organisations
BRAND_CHARS = "华天中长恒鼎瑞远博智光信海宏联创泰安达通源润盛嘉凯航星启云锐腾德兴力正明越晶科景"
INDUSTRIES = (
    "科技", "光电", "生物", "医药", "电子", "智能", "汽车", "新能源", "材料", "重工", "数据",
    "信息", "半导体", "装备", "激光", "农业", "物流", "食品", "化工", "软件",
)
COMPANY_SUFFIXES = ("股份有限公司", "集团有限公司", "有限公司", "集团股份有限公司", "控股集团")
COMPANY_TITLES = ("董事长", "总经理", "总裁", "党委书记、董事长", "首席技术官", "首席科学家", "副总经理")
UNIVERSITY_KINDS = ("", "理工", "科技", "工业", "师范", "农业", "医科", "财经", "交通")
UNIVERSITY_REGIONS = ("华中", "华南", "西南", "东北", "西北", "华东", "中南")
UNIVERSITY_TITLES = ("校长", "党委书记", "副校长", "教授", "研究生院院长")
HOSPITAL_TITLES = ("院长", "党委书记", "副院长", "主任医师", "心血管内科主任", "肿瘤科主任")
INSTITUTE_FIELDS = ("物理", "生物", "材料", "光电技术", "岩土力学", "信息工程", "化学", "能源")
INSTITUTE_TITLES = ("所长", "研究员", "首席科学家")
VILLAGE_NAMES = ("桃源", "丰收", "幸福", "红星", "大坪", "金山", "青山", "柳湾", "石桥", "白沙", "枫林", "竹园")
VILLAGE_TITLES = ("党支部书记", "党总支书记、村委会主任")
LAW_TITLES = ("主任", "高级合伙人")
CHINESE_ORDINALS = "一二三四五六七八九"

# ------------------------------------------------------------------ text banks
# Slots: {city} (usually the delegate's own city, sometimes another city of the
# article) {city2} (a different one) {mycity} (always the delegate's) {topic}
# {topic2} {topicname} {org} (the delegate's organisation, short form) {field}
# {univ} {province} {role} {policy} {buzz} {term}, literal terms {q:店小二}, and
# figures {n} {few} {big} {amt} {pct} {k} {wan} {trillion} {yr} {fyr}.  Terms
# render as “X” in narration and as ‘X’ inside a quotation.

FIELDS = (
    "光电子信息", "生物医药", "人工智能", "集成电路", "新能源汽车", "智能制造", "航空航天", "新材料",
    "高端装备", "低空经济", "数字经济", "现代农业", "商业航天", "量子科技", "医疗器械", "北斗应用",
)
# Short quoted terms that are *not* speech: 2-6 characters, no punctuation.
# {policy}: mechanisms a government or region adopts.
POLICY_TERMS = (
    "揭榜挂帅", "链长制", "赛马制", "一城多园", "科创飞地", "人才飞地", "创新飞地", "联合基金", "首台套",
    "投早投小", "耐心资本", "制度性创新", "四链融合", "双轮驱动", "梯度协同网络", "筑巢引凤",
)
# {buzz}: labels for kinds of companies or phenomena.
BUZZ_TERMS = (
    "六小龙", "独角兽", "小巨人", "瞪羚企业", "专精特新", "硬科技", "国之重器", "新三样", "现象级", "双一流",
)
# {term}: anything else that shows up in quotation marks without being speech.
TERMS = POLICY_TERMS + BUZZ_TERMS + (
    "沿途下蛋", "卡脖子", "链主", "最后一公里", "老字号", "一老一小", "孤岛", "常态化", "中部枢纽",
    "九省通衢", "店小二", "有求必应", "无事不扰", "领跑者", "排头兵",
)

# Reported-speech clauses (third person, no figures, no final punctuation).
REPORTED = (
    "{city}在{topic}领域已经形成了较好的基础",
    "发展{topic}，关键在于人才、资金和应用场景的有效衔接",
    "要把{topic}摆在更加突出的位置",
    "{city}与{city2}在{topic}等领域具有很强的互补性",
    "应加快构建以企业为主体、市场为导向、产学研深度融合的创新体系",
    "推动{tech}与{tech2}深度融合，是培育新质生产力的重要路径",
    "各地要立足自身资源禀赋，走差异化发展之路",
    "应进一步打通科技成果转化的堵点卡点",
    "{city}科教资源丰富，在{topic}方面大有可为",
    "国家层面应加大对{topic}的政策支持力度",
    "要完善{topic}相关的标准体系和评价机制",
    "可以探索建立跨区域的{topic}协作机制",
    "{city}应发挥区位优势，主动融入国家重大战略",
    "政府部门要当好{q:店小二}，做到{q:有求必应}、{q:无事不扰}",
    "企业是创新的主体，只有企业积极参与，{topic}才能真正落地生根",
    "要让更多青年人才留在{city}创新创业",
    "应当以{topic}为牵引，带动上下游产业链协同发展",
    "要破除行政壁垒，推动要素在更大范围内自由流动",
    "要用好{policy}等改革经验，进一步激发市场主体活力",
    "长江经济带各城市应加强协同，形成优势互补的发展格局",
    "{topic}既是机遇也是挑战",
    "要持续优化营商环境，让企业安心发展",
    "应当加大基础研究投入，夯实{tech}的根基",
    "推动{topic}需要政府、企业、高校和科研院所形成合力",
    "要以应用场景为牵引，加快新技术的迭代和推广",
    "可以通过共建实验室、中试平台等方式促进成果就地转化",
    "{city}近年来在{topic}上的探索，为其他城市提供了有益借鉴",
    "{city}和{city2}可以在{topic}上联合攻关，共享平台和数据",
    "要更加注重{topic}的顶层设计，避免一哄而上、同质竞争",
    "{city}有条件在{field}领域打造具有全国影响力的产业集群",
    "要为青年科研人员松绑减负，让他们敢于挑大梁、当主角",
    "应支持龙头企业牵头组建创新联合体，带动中小企业协同创新",
    "{city}要在{topic}上走出一条特色之路",
    "要推动{tech}从实验室走向生产线",
    "应进一步完善科技金融服务，培育更多{buzz}企业",
    "要着力破解{q:卡脖子}难题，把关键核心技术掌握在自己手里",
    "要推动科技成果{q:沿途下蛋}，让更多技术就地转化",
    "要坚持以人民为中心，让{topic}的成果更多惠及群众",
)
# Only after 介绍: description of what a city or organisation has done.
INTRODUCED = (
    "{city}凭借丰富的科教资源，探索了{policy}等机制",
    "近年来{org}持续在{field}领域加大投入，逐步形成了自己的核心技术",
    "{city}聚焦{field}等支柱产业，大力培育{topic}等新兴产业",
    "{org}已与多所高校开展战略合作，联合培养工程硕博士",
    "{city}正在加快建设{tech}相关的公共服务平台",
    "{org}围绕{tech}布局了一批重点项目，部分成果已经实现量产",
)
# Only after 举例.
EXAMPLES = (
    "比如在{field}领域，{city}可以与{city2}的研发优势相结合，共同打造更完整的产业链",
    "{city}推行{policy}，就是把政府服务送到企业门口",
    "像{org}这样的创新主体，正是依靠持续投入{tech}才站稳了脚跟",
)
# Only after 期待 (no comma follows the verb).
HOPES = (
    "{city}与{city2}携手探索更多{q:制度性创新}，为{topic}注入更强动力",
    "更多青年人才投身{topic}，在{city}实现自己的梦想",
    "{topic}相关政策尽快落地见效，让企业有更多获得感",
)
CONTINUATIONS = ("此外，", "同时，", "未来，", "与此同时，", "另一方面，", "在此基础上，")

# Sentences heard as direct speech (first person allowed; {term} renders ‘X’).
SPOKEN = (
    "我们{mycity}在{topic}方面有基础、有优势，也有信心",
    "今年的政府工作报告中，‘{topicname}’是一个高频词",
    "我这次带来的建议，主要聚焦{topic}",
    "{topic}不是选择题，而是必答题",
    "我们要把创新的主导权交给年轻人",
    "过去我们是在追赶，现在在一些领域已经开始并跑甚至领跑",
    "作为一名{role}，我深切感受到{topic}带来的变化",
    "只有把论文写在大地上，科技创新才有生命力",
    "{city}和{city2}同饮一江水，理应在{topic}上携手共进",
    "企业最需要的是稳定、透明、可预期的政策环境",
    "创新不是人云亦云，也不是跟风扎堆",
    "希望国家进一步支持{city}建设{tech}高地",
    "我们要让多样性创新人才在一座城市发生化学反应",
    "我一直在关注{topic}，今年还是围绕这个方向提建议",
    "说到底，{topic}拼的是人才",
    "我们不能满足于做{q:跟跑者}，更要做{q:领跑者}",
    "{mycity}的优势在于科教资源，短板在于转化效率",
    "{buzz}企业的涌现不是偶然的，背后是长期的积累",
    "每一座城市都有自己的个性，创新也要走出特色之路",
    "我们要把{topic}的每一步都走扎实",
)

# Narration that belongs to a delegate's box but names nobody (no figures, no
# speech verb).  CONTEXT fits any box, ORG_CONTEXT[kind] only that kind's.
CONTEXT = (
    "{mycity}丰富的科研资源，也激发了高科技成果的转化效率。",
    "科技创新一靠投入，二靠人才。",
    "最近，{city}{q:六小龙}现象引发广泛关注。",
    "在{tech}应用上，{mycity}拥有丰富的应用场景。",
    "{topic}，是今年全国两会的热门话题之一。",
)
ORG_CONTEXT: dict[str, tuple[str, ...]] = {
    "company": (
        "从一家校办企业成长为行业领军企业，{org}走过了不平凡的发展历程。",
        "作为{field}行业的领军企业，{org}一直把创新摆在突出位置。",
        "据了解，{org}近年来持续加大研发投入。",
        "走进{org}的展厅，一块块屏幕上滚动着最新的研发成果。",
    ),
    "university": (
        "作为{mycity}的重点高校，{org}在{field}领域积累深厚。",
        "近年来，{org}把科技成果转化作为服务地方的重要抓手。",
    ),
    "hospital": (
        "{org}是{mycity}规模最大的医疗机构之一。",
        "近年来，{org}在智慧医疗方面持续发力。",
    ),
    "institute": (
        "{org}长期深耕{field}基础研究。",
        "从基础研究到应用转化，{org}探索出一条特色路径。",
    ),
    "village": (
        "{org}曾是远近闻名的贫困村。",
        "走进{org}，一排排新房整齐排列，产业路通到了家门口。",
    ),
    "law": (
        "{org}长期为{mycity}企业提供法律服务。",
        "近年来，{org}把涉企合规服务作为主攻方向。",
    ),
}
# Direct speech that only fits someone from that kind of organisation.
ORG_SPOKEN: dict[str, tuple[str, ...]] = {
    "company": ("这几年，我们企业在{tech}上投入很大，也尝到了甜头", "企业是创新的主体，我们要敢于投入、敢于试错"),
    "university": ("高校要在{tech}上多出原创成果", "我们培养的学生，要能解决产业里的真问题"),
    "hospital": ("在临床一线，我们每天都能感受到{topic}带来的变化", "让群众看病更方便，是我们一直追求的目标"),
    "institute": ("基础研究要坐得住冷板凳", "科研成果不能只躺在论文里"),
    "village": ("村里的变化，大家都看在眼里", "乡亲们的日子越过越有奔头"),
    "law": ("法治是最好的营商环境", "企业合规经营，才能走得更远"),
}

# Figures.  Keyed by organisation kind; "city" facts fit any box.
FACTS: dict[str, tuple[str, ...]] = {
    "company": (
        "{yr}年，{org}实现营收{amt}亿元、同比增长{pct}%。",
        "{org}每年招聘、留用不少于{n}名优秀硕博士。",
        "近{k}年来，{org}研发投入复合增长率在{pct}%以上。",
        "目前，{org}已建成国家级平台和各类实验室{few}个。",
        "{org}现有员工{big}余人，其中研发人员占比超过{pct}%。",
        "{yr}年，{org}牵头成立了{city}{field}创新联合体，汇聚上下游企业{n}家。",
        "{org}计划到{fyr}年建成{n}条智能化生产线。",
        "{org}累计获得授权专利{big}项，其中发明专利{n}项。",
    ),
    "university": (
        "{org}已建成国家级科研平台{few}个。",
        "{yr}年，{org}科技成果转化合同金额达{amt}亿元。",
        "{org}每年向{city}输送毕业生{big}余名。",
        "{org}现有两院院士{few}人，国家级人才{n}余人。",
    ),
    "hospital": (
        "{org}年门急诊量超过{wan}万人次。",
        "{yr}年，{org}完成手术{big}余台，同比增长{pct}%。",
        "{org}已与{n}家基层医疗机构组建医联体。",
    ),
    "institute": (
        "{yr}年，{org}承担国家级科研项目{n}项，经费总额{amt}亿元。",
        "{org}累计获得授权发明专利{big}项。",
    ),
    "village": (
        "{yr}年，{org}集体经济收入突破{wan}万元。",
        "{org}已发展特色种植{big}余亩，带动{n}户村民增收。",
    ),
    "law": (
        "{org}现有执业律师{n}余名。",
        "{yr}年，{org}办理涉企法律服务案件{big}件。",
    ),
    "city": (
        "{yr}年，{city}{field}产业营收达{amt}亿元、增长{pct}%。",
        "截至{yr}年底，{city}已集聚{tech}相关企业{n}0余家。",
        "{yr}年，{city}技术合同成交额突破{amt}亿元。",
        "{city}拥有{field}领域院士{few}位，已形成{big}余人的科研队伍。",
        "过去{k}年，{city}累计引进各类人才{few}万人。",
    ),
}
# "X方面：…" list paragraphs, as in the seed's 技术/产业/人才 run; each carries a figure.
ASPECTS = (
    "技术方面：拥有{univ}等高校和科研机构，建成国家级平台和各类实验室{few}个。",
    "产业方面：集聚{org}等一批龙头企业，{yr}年{field}产业营收达{amt}亿元、增长{pct}%。",
    "人才方面：拥有{field}领域院士{few}位，已形成{big}余人的高精尖科研队伍。",
    "平台方面：建成各类孵化器和众创空间{n}家，累计孵化科技企业{big}余家。",
)

# Intro: narration, statements nobody in the cast made (speaker null), figures.
INTRO_OPENERS = (
    "{tech}，是发展新质生产力的重要路径。",
    "今年全国两会上，{main}成为代表委员热议的话题。",
    "{main}事关长远，也事关当下。",
)
INTRO_LEADER = "习近平总书记在{province}考察时强调，{clause}。"
INTRO_CITIES = "{cities}，作为各具特色的重要城市，理应在{main}上担当重任。"
INTRO_INVITE = "{date}，{paper}记者邀请来自{cities}的全国人大代表、全国政协委员就此话题展开讨论，大家表示，{clause}。"
INTRO_FACTS = (
    "{yr}年，{cities}地区生产总值合计超过{trillion}万亿元。",
    "{yr}年，{cities}研发投入合计超过{amt}亿元。",
)

KICKERS = (
    "来自{cities}的全国两会代表委员共话{main}",
    "全国两会代表委员热议{main}",
    "聚焦{main}，代表委员建言献策",
    "{cities}代表委员谈{main}",
)
HEADLINES = (
    "同饮一江春水 各领风骚向未来",
    "携手共答{main}时代之问",
    "把{main}的文章做深做实",
    "各展所长 协同发力",
    "向新而行 以质致远",
    "让{main}跑出加速度",
    "凝聚共识 共谋发展",
)
SUBTITLES = (
    "代表委员为{main}建言献策",
    "{cities}代表委员共话{main}",
    "两会声音",
    "两会访谈",
)
WEB_TITLES = (
    "全国两会代表委员共话{main}",
    "{cities}代表委员：{main}大有可为",
    "两会声音｜代表委员热议{main}",
    "代表委员谈{main}：各展所长，协同发力",
)


# Topics (by name in topics.toml) that are not technologies or industries; the
# slot {tech} never picks them, so nobody "pushes 生育 from the lab to the line".
SOCIAL_TOPICS = frozenset((
    "人才", "教育", "养老", "生育", "就业", "住房", "消费", "医疗", "粮食安全", "乡村振兴", "文旅",
    "营商环境", "民营经济", "交通", "城市更新", "生态环境", "长江大保护", "绿色低碳", "金融", "知识产权",
    "体制改革", "对外开放", "区域协同发展", "长江经济带", "成渝地区双城经济圈", "长三角一体化",
    "粤港澳大湾区", "京津冀协同发展", "航运", "自贸区",
))


# --------------------------------------------------------------------------- data types
@dataclass(frozen=True)
class Org:
    """An affiliation: full name for the metadata, short name for facts in the text."""

    full: str
    short: str
    kind: str


@dataclass(frozen=True)
class Person:
    """One delegate.  Names are unique across the whole corpus."""

    name: str
    female: bool
    city: City
    role: str
    org: Org
    title: str

    @property
    def affiliation(self) -> str:
        return self.org.full + self.title

    @property
    def pronoun(self) -> str:
        return "她" if self.female else "他"

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "city": self.city.name, "role": self.role, "affiliation": self.affiliation}


@dataclass
class Unit:
    """One extracted unit as the generator wrote it.

    ``text`` is the quotation without its “” marks (kind quote) or the exact
    sentence(s) (statement/fact).  ``preamble`` marks units in paragraphs that
    open a box before its delegate is named: in the web layout nothing but the
    generator knows which delegate they belong to.
    """

    kind: str
    speaker: str | None
    text: str
    preamble: bool = False

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {"kind": self.kind, "speaker": self.speaker, "text": self.text}
        if self.preamble:
            out["preamble"] = True
        return out


@dataclass
class Paragraph:
    text: str
    units: list[Unit] = field(default_factory=list)


@dataclass
class Draft:
    """An article before layout: paragraphs grouped into the intro and one passage per delegate."""

    title: str
    subtitle: str | None
    intro: list[Paragraph]
    passages: list[tuple[Person, list[Paragraph]]]


@dataclass
class ArticleTruth:
    """Ground truth for one file."""

    file: str
    layout: str
    title: str
    subtitle: str | None
    source: str
    date: str
    sidecar: bool
    people: list[Person]
    units: list[Unit]
    blocks: list[dict[str, object]]

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "layout": self.layout,
            "title": self.title,
            "subtitle": self.subtitle,
            "source": self.source,
            "date": self.date,
            "sidecar": self.sidecar,
            "people": [p.as_json() for p in self.people],
            "units": [u.as_json() for u in self.units],
            "blocks": self.blocks,
        }


@dataclass
class Manifest:
    """Everything a test needs to grade ingest on a generated corpus."""

    seed: int
    articles: list[ArticleTruth]
    people: list[tuple[Person, int]]
    homophone_pairs: list[tuple[str, str]]

    def count(self, kind: str) -> int:
        return sum(1 for a in self.articles for u in a.units if u.kind == kind)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "articles": len(self.articles),
            "people": len(self.people),
            "quotes": self.count("quote"),
            "statements": self.count("statement"),
            "facts": self.count("fact"),
        }

    def as_json(self) -> dict[str, object]:
        return {
            "seed": self.seed,
            "counts": self.counts,
            "homophone_pairs": [list(p) for p in self.homophone_pairs],
            "people": [dict(p.as_json(), articles=n) for p, n in self.people],
            "articles": [a.as_json() for a in self.articles],
        }


# --------------------------------------------------------------------------- vocabulary
_LATIN_OK = ("AI", "AIGC", "DeepSeek", "C919", "eVTOL")
_CJK = re.compile(r"[\u4e00-\u9fff]")


# The data files the generator reads (through load_vocabulary): a change to
# any other, such as the reader's genre.toml, leaves the articles as they are.
VOCABULARY_FILES = ("cities.toml", "topics.toml")


def load_vocabulary(data_dir: Path = DATA_DIR) -> tuple[list[City], list[Topic]]:
    """The gazetteer and topic lexicon the rest of the bot uses (bot.gazetteer),
    so generated text exercises the very strings ingest will look for."""
    cities = [city for city in gazetteer.cities(data_dir) if city.province != "台湾"]  # no delegates are reported from there
    topics = [
        # Latin synonyms such as "humanoid" or "TCM" never appear in Chinese copy.
        replace(topic, synonyms=tuple(s for s in topic.synonyms if _CJK.search(s) or s in _LATIN_OK))
        for topic in gazetteer.topics(data_dir)
    ]
    if not cities or not topics:
        raise ValueError(f"empty vocabulary in {data_dir}")
    return cities, topics


def _city_weight(city: City) -> float:
    """Coverage favours big cities; every prefecture still turns up now and then."""
    if "municipality" in city.kinds:
        return 8.0
    if "sub-provincial" in city.kinds:
        return 5.0
    if "capital" in city.kinds:
        return 3.0
    if "sar" in city.kinds:
        return 0.5
    return 0.6


# --------------------------------------------------------------------------- people
class _PeopleFactory:
    """Mints unique delegates.  A name is rejected when it already exists or occurs
    inside any vocabulary string (a 2-character name like 高新 would otherwise
    "appear" in 高新技术企业)."""

    def __init__(self, rng: random.Random, cities: list[City], vocabulary_blob: str) -> None:
        self.rng = rng
        self.cities = cities
        self.city_weights = [_city_weight(c) for c in cities]
        self.surnames = [s for s, _ in SURNAMES]
        self.surname_weights = [w for _, w in SURNAMES]
        self.blob = vocabulary_blob
        self.taken: set[str] = set()  # membership only, never iterated

    def _acceptable(self, name: str) -> bool:
        return name not in self.taken and name not in self.blob

    def _given(self, female: bool) -> str:
        pool = GIVEN_FEMALE if female else GIVEN_MALE
        if self.rng.random() < 0.22:
            return self.rng.choice(pool)
        first = self.rng.choice(pool)
        second = self.rng.choice(pool)
        while second == first and self.rng.random() < 0.9:  # 晶晶 exists but is rare
            second = self.rng.choice(pool)
        return first + second

    def _org(self, city: City) -> tuple[Org, str]:
        rng = self.rng
        kind = rng.choices(
            ("company", "university", "hospital", "institute", "village", "law"), (45, 18, 15, 8, 8, 6)
        )[0]
        if kind == "company":
            brand = rng.choice(BRAND_CHARS) + rng.choice(BRAND_CHARS)
            short = brand + rng.choice(INDUSTRIES)
            prefix = city.name if rng.random() < 0.3 else ""
            return Org(prefix + short + rng.choice(COMPANY_SUFFIXES), short, kind), rng.choice(COMPANY_TITLES)
        if kind == "university":
            stem = city.name if rng.random() < 0.6 else rng.choice(UNIVERSITY_REGIONS)
            name = stem + rng.choice(UNIVERSITY_KINDS) + "大学"
            return Org(name, name, kind), rng.choice(UNIVERSITY_TITLES)
        if kind == "hospital":
            name = rng.choice(
                (f"{city.name}市第{rng.choice(CHINESE_ORDINALS)}人民医院", f"{city.name}市中心医院", f"{city.name}市中医医院")
            )
            return Org(name, name, kind), rng.choice(HOSPITAL_TITLES)
        if kind == "institute":
            name = f"中国科学院{city.name}{rng.choice(INSTITUTE_FIELDS)}研究所"
            return Org(name, name, kind), rng.choice(INSTITUTE_TITLES)
        if kind == "village":
            village = rng.choice(VILLAGE_NAMES) + "村"
            return Org(f"{city.name}市{rng.choice(VILLAGE_NAMES)}镇{village}", village, kind), rng.choice(VILLAGE_TITLES)
        firm = rng.choice(BRAND_CHARS) + rng.choice(BRAND_CHARS) + "律师事务所"
        return Org(f"{city.name}{firm}", firm, "law"), rng.choice(LAW_TITLES)

    def _attributes(self, name: str, female: bool) -> Person:
        city = self.rng.choices(self.cities, self.city_weights)[0]
        role = ROLE_NPC if self.rng.random() < 0.5 else ROLE_CPPCC
        org, title = self._org(city)
        return Person(name, female, city, role, org, title)

    def new(self, want_homophone: bool = False) -> Person:
        """A fresh person; with want_homophone the given name has a twin-able character."""
        while True:
            female = self.rng.random() < 0.3
            surname = self.rng.choices(self.surnames, self.surname_weights)[0]
            given = self._given(female)
            if want_homophone and not any(c in _HOMOPHONE_OF for c in given):
                continue
            name = surname + given
            if self._acceptable(name):
                self.taken.add(name)
                return self._attributes(name, female)

    def twin(self, person: Person) -> Person | None:
        """Someone else whose name sounds exactly the same (one character swapped)."""
        surname_len = 2 if person.name[:2] in dict(SURNAMES) else 1
        given = person.name[surname_len:]
        spots = [i for i, c in enumerate(given) if c in _HOMOPHONE_OF]
        self.rng.shuffle(spots)
        for i in spots:
            options = [c for c in _HOMOPHONE_OF[given[i]] if c != given[i]]
            self.rng.shuffle(options)
            for c in options:
                name = person.name[:surname_len] + given[:i] + c + given[i + 1 :]
                if self._acceptable(name):
                    self.taken.add(name)
                    return self._attributes(name, person.female)
        return None


def _clash(a: str, b: str) -> bool:
    """Two names in one article must not contain each other (王伟 / 王伟强)."""
    return a in b or b in a


def _plan_casts(rng: random.Random, n_articles: int, factory: _PeopleFactory) -> tuple[list[list[Person]], list[tuple[str, str]]]:
    """Pick every article's delegates up front so the full set of names is known
    before any text is written (the name check needs it).

    About 90 % of slots get a new person, so distinct people ≈ 5 × articles; a
    small set of "stars" (Zipf-weighted) and random earlier people are reused.
    About 1 % of new people get a homophone twin who appears within a few
    articles, sometimes in the same one.
    """
    stars = [factory.new() for _ in range(max(3, n_articles // 50))]
    star_weights = [1.0 / (i + 1) for i in range(len(stars))]
    used: list[Person] = []
    seen: set[str] = set()
    pending: list[tuple[int, Person, Person]] = []  # (due article, twin, original)
    pairs: list[tuple[str, str]] = []
    casts: list[list[Person]] = []

    def fits(p: Person, cast: list[Person]) -> bool:
        return all(not _clash(p.name, q.name) for q in cast)

    def take(p: Person, cast: list[Person]) -> None:
        cast.append(p)
        if p.name not in seen:
            seen.add(p.name)
            used.append(p)

    for a in range(n_articles):
        size = rng.randint(3, 8)
        cast: list[Person] = []
        still: list[tuple[int, Person, Person]] = []
        for due, twin, original in pending:
            if (due <= a or a == n_articles - 1) and len(cast) < size and fits(twin, cast):
                take(twin, cast)
                pairs.append((original.name, twin.name))
            else:
                still.append((due, twin, original))
        pending = still
        while len(cast) < size:
            r = rng.random()
            if r < 0.04:
                candidate = rng.choices(stars, star_weights)[0]
            elif r < 0.10 and used:
                candidate = rng.choice(used)
            else:
                twin_wanted = rng.random() < 0.012
                candidate = factory.new(want_homophone=twin_wanted)
                if twin_wanted and fits(candidate, cast):
                    twin = factory.twin(candidate)
                    if twin is not None:
                        if rng.random() < 0.25 and len(cast) + 2 <= size and fits(twin, cast):
                            take(candidate, cast)
                            take(twin, cast)
                            pairs.append((candidate.name, twin.name))
                            continue
                        pending.append((a + rng.randint(1, 4), twin, candidate))
            if fits(candidate, cast):
                take(candidate, cast)
        casts.append(cast)
    # Twins still pending after the last article never appear: they are simply not
    # in the corpus, and their pair is not listed.
    return casts, pairs


class _NameIndex:
    """Finds every delegate name in a text, longest match first, so an article can
    be rejected when a name turns up where the generator did not put it (张伟 +
    强调 reads as 张伟强; 提高 + 新… reads as 高新)."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = set(names)
        firsts = sorted({n[0] for n in names})
        self.starts = re.compile("[" + "".join(firsts) + "]") if firsts else None
        self.lengths = sorted({len(n) for n in names}, reverse=True)

    def scan(self, text: str) -> dict[str, int]:
        found: dict[str, int] = {}
        if self.starts is None:
            return found
        resume = 0
        for m in self.starts.finditer(text):
            i = m.start()
            if i < resume:
                continue
            for length in self.lengths:
                candidate = text[i : i + length]
                if candidate in self.names:
                    found[candidate] = found.get(candidate, 0) + 1
                    resume = i + length
                    break
        return found


# --------------------------------------------------------------------------- writing
_SLOT = re.compile(r"\{(\w+)(?::([^{}]+))?\}")


class _ArticleWriter:
    """Writes one article's paragraphs and units for a fixed cast.

    Every mention of a delegate's name goes through ``name()`` so the article can
    be checked against ``_NameIndex`` afterwards.
    """

    def __init__(
        self,
        rng: random.Random,
        cities: list[City],
        topics: list[Topic],
        cast: list[Person],
        year: int,
        date_words: str,
        paper: str,
        spaced_numbers: bool,
    ) -> None:
        self.rng = rng
        self.all_cities = cities
        self.topics = topics
        self.cast = cast
        self.year = year
        self.date_words = date_words
        self.paper = paper
        self.spaced_numbers = spaced_numbers
        # One main topic and two side topics per article; each passage leans on one
        # of them, so a box reads as being about something.
        self.article_topics = rng.sample(topics, min(3, len(topics)))
        self.topic = self.article_topics[0]
        self.focus = self.topic
        self.tech_topics = [t for t in topics if t.name not in SOCIAL_TOPICS] or list(topics)
        self.used_templates: set[str] = set()  # per passage, membership only
        self.cast_cities: list[City] = []
        for p in cast:
            if p.city not in self.cast_cities:
                self.cast_cities.append(p.city)
        self.mentions: dict[str, int] = {}

    # ---- slots
    def _topic_text(self, topic: Topic) -> str:
        if topic.synonyms and self.rng.random() < 0.25:
            return self.rng.choice(topic.synonyms)
        return topic.name

    def _city_text(self, city: City) -> str:
        if city.aliases and self.rng.random() < 0.15:
            return self.rng.choice(city.aliases)
        return city.name

    def _pick_city(self, person: Person | None, avoid: list[City]) -> City:
        r = self.rng.random()
        if person is not None and r < 0.65 and person.city not in avoid:
            return person.city
        options = [c for c in self.cast_cities if c not in avoid]
        if options and r < 0.95:
            return self.rng.choice(options)
        while True:
            city = self.rng.choice(self.all_cities)
            if city not in avoid:
                return city

    def _pick_topic(self, avoid: list[Topic]) -> Topic:
        r = self.rng.random()
        if r < 0.55 and self.focus not in avoid:
            return self.focus
        options = [t for t in self.article_topics if t not in avoid]
        if options and r < 0.9:
            return self.rng.choice(options)
        while True:
            topic = self.rng.choice(self.topics)
            if topic not in avoid:
                return topic

    def choose(self, bank: Sequence[str]) -> str:
        """A template from bank, avoiding ones already used in this passage."""
        for _ in range(6):
            template = self.rng.choice(bank)
            if template not in self.used_templates:
                break
        self.used_templates.add(template)
        return template

    def _number(self, slot: str) -> str:
        rng = self.rng
        if slot == "n":
            return str(rng.randint(3, 300))
        if slot == "big":
            return str(rng.randint(200, 20000))
        if slot == "amt":
            return f"{rng.uniform(10, 9000):.1f}"
        if slot == "pct":
            return f"{rng.uniform(2, 45):.1f}"
        if slot == "few":
            return str(rng.randint(2, 40))
        if slot == "k":
            return str(rng.randint(3, 10))
        if slot == "wan":
            return str(rng.randint(10, 900))
        if slot == "trillion":
            return str(rng.randint(2, 12))
        if slot == "yr":
            return str(self.year - 1)
        if slot == "fyr":
            return str(self.year + rng.randint(1, 5))
        raise KeyError(slot)

    def fill(self, template: str, person: Person | None = None, quoted: bool = False) -> str:
        """Fill a template; {city2}/{topic2} differ from {city}/{topic} of the same call."""
        cities: list[City] = []
        topics: list[Topic] = []

        def slot(m: re.Match[str]) -> str:
            key, literal = m.group(1), m.group(2)
            if key == "q":
                return f"‘{literal}’" if quoted else f"“{literal}”"
            if key == "mycity" and person is not None:
                return self._city_text(person.city)
            if key in ("city", "city2", "mycity"):
                city = self._pick_city(person if key == "city" else None, cities)
                cities.append(city)
                return self._city_text(city)
            if key == "main":
                return self.topic.name
            if key in ("tech", "tech2"):
                own = [t for t in self.article_topics if t.name not in SOCIAL_TOPICS and t not in topics]
                if self.focus in own and self.rng.random() < 0.6:
                    topic = self.focus
                elif own and self.rng.random() < 0.8:
                    topic = self.rng.choice(own)
                else:
                    topic = self.rng.choice([t for t in self.tech_topics if t not in topics] or self.tech_topics)
                topics.append(topic)
                return self._topic_text(topic)
            if key in ("topic", "topic2", "topicname"):
                topic = self._pick_topic(topics)
                topics.append(topic)
                return topic.name if key == "topicname" else self._topic_text(topic)
            if key in ("term", "policy", "buzz"):
                term = self.rng.choice({"term": TERMS, "policy": POLICY_TERMS, "buzz": BUZZ_TERMS}[key])
                return f"‘{term}’" if quoted else f"“{term}”"
            if key == "org":
                return person.org.short if person is not None else self._random_org()
            if key == "field":
                return self.rng.choice(FIELDS)
            if key == "univ":
                return self.rng.choice(self.cast_cities).name + self.rng.choice(UNIVERSITY_KINDS) + "大学"
            if key == "role":
                return person.role if person is not None else ROLE_NPC
            if key == "province":
                return self.rng.choice(self.cast_cities).province
            return self._number(key)

        return _SLOT.sub(slot, template)

    def _random_org(self) -> str:
        return self.rng.choice(BRAND_CHARS) + self.rng.choice(BRAND_CHARS) + self.rng.choice(INDUSTRIES)

    def _cities_phrase(self) -> str:
        names = [c.name for c in self.cast_cities[:4]]
        if len(names) == 1:
            return names[0]
        return ("" if self.rng.random() < 0.4 else "、").join(names)

    # ---- sentence material
    def clauses(self, person: Person | None, bank: Sequence[str], lo: int = 1, hi: int = 2, quoted: bool = False) -> str:
        return "，".join(self.fill(self.choose(bank), person, quoted) for _ in range(self.rng.randint(lo, hi)))

    def reported(self, person: Person, bank: Sequence[str] = REPORTED, end: str = "。") -> str:
        """Content of a reported statement, possibly running on for a second sentence."""
        body = self.clauses(person, bank) + end
        if end == "。" and self.rng.random() < 0.35:
            body += self.rng.choice(CONTINUATIONS) + self.clauses(person, REPORTED, 1, 1) + "。"
        return body

    def spoken(self, person: Person, final: bool = True) -> str:
        """A quotation's content: 1-3 sentences; the last keeps its 。 only if final."""
        sentences = []
        own = ORG_SPOKEN[person.org.kind]
        for _ in range(self.rng.choices((1, 2, 3), (4, 4, 2))[0]):
            r = self.rng.random()
            bank = own if r < 0.15 else SPOKEN if r < 0.6 else REPORTED
            first = self.fill(self.choose(bank), person, quoted=True)
            if "，" not in first or self.rng.random() < 0.3:
                first += "，" + self.fill(self.choose(REPORTED), person, quoted=True)
            sentences.append(first + ("！" if self.rng.random() < 0.04 else "。"))
        text = "".join(sentences)
        if not final and text.endswith("。"):
            text = text[:-1]
        return text

    def fact(self, person: Person | None) -> str:
        bank = FACTS["city"] if person is None or self.rng.random() < 0.35 else FACTS[person.org.kind]
        return self._space_numbers(self.fill(self.choose(bank), person))

    def context(self, person: Person) -> str:
        """A narration sentence for this delegate's box (no unit)."""
        bank = ORG_CONTEXT[person.org.kind] if self.rng.random() < 0.6 else CONTEXT
        return self.fill(self.choose(bank), person)

    def _space_numbers(self, text: str) -> str:
        """Some pages set figures off with spaces (2024 年, 达 7441.7 亿元)."""
        if not self.spaced_numbers:
            return text

        def pad(m: re.Match[str]) -> str:
            if self.rng.random() < 0.5:
                return m.group(0)
            before = " " if m.start() > 0 and _CJK.match(text[m.start() - 1]) else ""
            after = " " if m.end() < len(text) and _CJK.match(text[m.end()]) else ""
            return before + m.group(0) + after

        return re.sub(r"(?<![A-Za-z0-9.])\d+(?:\.\d+)?%?(?![A-Za-z])", pad, text)

    # ---- naming
    def name(self, person: Person, suffix_role: bool = False) -> str:
        self.mentions[person.name] = self.mentions.get(person.name, 0) + 1
        return person.name + (ROLE_SHORT[person.role] if suffix_role else "")

    def subject(self, person: Person, named: bool) -> str:
        """Who does the talking: the name (sometimes + 代表/委员), or a pronoun once named."""
        if named and self.rng.random() < 0.3:
            return person.pronoun
        return self.name(person, suffix_role=self.rng.random() < 0.2)

    # ---- headline and intro
    def headline(self) -> tuple[str, str | None]:
        kicker = self.fill(self.rng.choice(KICKERS).replace("{cities}", self._cities_phrase()))
        main = self.fill(self.rng.choice(HEADLINES))
        return kicker, main

    def web_headline(self) -> tuple[str, str | None]:
        title = self.fill(self.rng.choice(WEB_TITLES).replace("{cities}", self._cities_phrase()))
        subtitle = None
        if self.rng.random() < 0.4:
            subtitle = self.fill(self.rng.choice(SUBTITLES).replace("{cities}", self._cities_phrase()))
        return title, subtitle

    def intro(self) -> list[Paragraph]:
        """1-2 paragraphs, nobody from the cast speaks; units get speaker None."""
        first = Paragraph(self.fill(self.rng.choice(INTRO_OPENERS)))
        if self.rng.random() < 0.6:
            sentence = INTRO_LEADER.replace("{clause}", self.clauses(None, REPORTED, 1, 2))
            sentence = self.fill(sentence)
            first.text += sentence
            first.units.append(Unit("statement", None, sentence))
        paragraphs = [first]
        second = Paragraph("")
        if self.rng.random() < 0.5:
            second.text += self.fill(INTRO_CITIES.replace("{cities}", self._cities_phrase()))
        if self.rng.random() < 0.4:
            sentence = self.fill(self.rng.choice(INTRO_FACTS).replace("{cities}", self._cities_phrase()))
            sentence = self._space_numbers(sentence)
            second.text += sentence
            second.units.append(Unit("fact", None, sentence))
        sentence = (
            INTRO_INVITE.replace("{cities}", self._cities_phrase())
            .replace("{date}", self.date_words)
            .replace("{paper}", self.paper)
            .replace("{clause}", self.clauses(None, REPORTED, 1, 2))
        )
        sentence = self.fill(sentence)
        second.text += sentence
        second.units.append(Unit("statement", None, sentence))
        if self.rng.random() < 0.4:
            paragraphs.append(second)
        else:
            first.text += second.text
            first.units.extend(second.units)
        return paragraphs

    # ---- passages
    def passage(self, person: Person) -> list[Paragraph]:
        """2-6 paragraphs for one delegate; sometimes the box opens before the name."""
        size = self.rng.randint(2, 6)
        self.used_templates = set()
        self.focus = self.topic if self.rng.random() < 0.5 else self.rng.choice(self.article_topics)
        paragraphs: list[Paragraph] = []
        if self.rng.random() < 0.25:
            paragraphs.append(self.preamble(person))
        paragraphs.append(self.opening(person))
        aspect_run = False
        while len(paragraphs) < size:
            if not aspect_run and self.rng.random() < 0.06 and size - len(paragraphs) >= 3:
                aspect_run = True
                paragraphs.extend(self.aspects(person))
                continue
            paragraphs.append(self.follow(person))
        return paragraphs

    def preamble(self, person: Person) -> Paragraph:
        """Company or city narration before the delegate is named; figures inside
        belong to this delegate's box."""
        para = Paragraph(self.context(person))
        for _ in range(self.rng.randint(1, 2)):
            sentence = self.fact(person)
            para.text += sentence
            para.units.append(Unit("fact", person.name, sentence, preamble=True))
        return para

    def aspects(self, person: Person) -> list[Paragraph]:
        """The seed's 技术方面/产业方面/人才方面 run, introduced by a statement."""
        lead = self.name(person) + self.rng.choice(("认为", "表示")) + "，在" + self.rng.choice(FIELDS) + "领域，"
        lead += self._city_text(person.city) + "优势明显。"
        out = [Paragraph(lead, [Unit("statement", person.name, lead)])]
        for i in self.rng.sample(range(len(ASPECTS)), 3):
            sentence = self._space_numbers(self.fill(ASPECTS[i], person))
            out.append(Paragraph(sentence, [Unit("fact", person.name, sentence)]))
        return out

    def _quote_after(self, person: Person, named: bool) -> Paragraph:
        """“……。”X表示。 / “……”X说。 / “……。”X表示，…… (quote, then maybe a statement)."""
        final = self.rng.random() < 0.7
        quote = self.spoken(person, final=final)
        who = self.subject(person, named)
        verb = self.rng.choice(("表示", "说", "强调", "指出", "坦言", "直言", "介绍"))
        para = Paragraph(f"“{quote}”", [Unit("quote", person.name, quote)])
        if self.rng.random() < 0.35:
            verb = self.rng.choice(("表示", "认为", "建议", "说"))
            statement = f"{who}{verb}，{self.reported(person)}"
            para.text += statement
            para.units.append(Unit("statement", person.name, statement))
        else:
            para.text += f"{who}{verb}。"
        return para

    def _quote_before(self, person: Person, named: bool) -> Paragraph:
        """王五说：“……”"""
        quote = self.spoken(person, final=self.rng.random() < 0.85)
        who = self.subject(person, named)
        verb = self.rng.choice(("说", "表示", "坦言", "直言"))
        return Paragraph(f"{who}{verb}：“{quote}”", [Unit("quote", person.name, quote)])

    def _mixed(self, person: Person, named: bool) -> Paragraph:
        """赵六建议，……，“……。” — the statement text includes the closing quotation."""
        quote = self.spoken(person)
        who = self.subject(person, named)
        verb = self.rng.choice(("建议", "表示", "认为", "强调"))
        statement = f"{who}{verb}，{self.clauses(person, REPORTED, 1, 2)}，“{quote}”"
        return Paragraph(statement, [Unit("statement", person.name, statement), Unit("quote", person.name, quote)])

    def _statement(self, person: Person, named: bool) -> Paragraph:
        """X表示/认为/指出/介绍/…，…… ; 在X看来，…… ; X期待……"""
        form = self.rng.choices(
            ("verb", "view", "intro", "example", "hope", "summary"), (10, 3, 2, 1, 1, 1)
        )[0]
        if form == "view":
            who = person.pronoun if named and self.rng.random() < 0.4 else self.name(person, self.rng.random() < 0.2)
            sentence = f"在{who}看来，{self.reported(person)}"
        elif form == "intro":
            sentence = f"{self.subject(person, named)}介绍，{self.reported(person, INTRODUCED)}"
        elif form == "example":
            sentence = f"{self.subject(person, named)}举例，{self.reported(person, EXAMPLES)}"
        elif form == "hope":
            sentence = f"{self.subject(person, named)}期待{self.clauses(person, HOPES, 1, 1)}。"
        elif form == "summary":
            sentence = f"{self.subject(person, named)}总结，{self.reported(person)}"
        else:
            verb = self.rng.choice(("表示", "认为", "指出", "强调", "建议", "坦言", "提到", "说", "进一步解释道"))
            sentence = f"{self.subject(person, named)}{verb}，{self.reported(person)}"
        return Paragraph(sentence, [Unit("statement", person.name, sentence)])

    def opening(self, person: Person) -> Paragraph:
        """The paragraph that first names the delegate (always by full name)."""
        form = self.rng.choices(
            ("quote_after", "quote_before", "statement", "appositive", "context_view", "mixed", "talking_point"),
            (8, 3, 5, 3, 2, 2, 1),
        )[0]
        if form == "quote_after":
            return self._quote_after(person, named=False)
        if form == "quote_before":
            return self._quote_before(person, named=False)
        if form == "mixed":
            return self._mixed(person, named=False)
        if form == "appositive":
            verb = self.rng.choice(("表示", "认为", "建议", "指出"))
            sentence = f"{person.role}、{person.affiliation}{self.name(person)}{verb}，{self.reported(person)}"
            return Paragraph(sentence, [Unit("statement", person.name, sentence)])
        if form == "context_view":
            context = self.context(person)
            sentence = f"在{self.name(person)}看来，{self.reported(person)}"
            return Paragraph(context + sentence, [Unit("statement", person.name, sentence)])
        if form == "talking_point":
            quote = self.spoken(person)
            topic = self._topic_text(self._pick_topic([]))
            tail = f"谈及{topic}，{self.name(person)}首先强调了{self.rng.choice(FIELDS)}发展的重要性。"
            return Paragraph(f"“{quote}”{tail}", [Unit("quote", person.name, quote)])
        return self._statement(person, named=False)

    def follow(self, person: Person) -> Paragraph:
        """Any paragraph after the delegate has been named in this box."""
        form = self.rng.choices(
            ("statement", "quote_after", "quote_before", "bare_quote", "statement_quote", "mixed", "facts", "context_summary"),
            (8, 6, 2, 2, 2, 2, 3, 1),
        )[0]
        if form == "statement":
            return self._statement(person, named=True)
        if form == "quote_after":
            return self._quote_after(person, named=True)
        if form == "quote_before":
            return self._quote_before(person, named=True)
        if form == "mixed":
            return self._mixed(person, named=True)
        if form == "bare_quote":
            quote = self.spoken(person)
            return Paragraph(f"“{quote}”", [Unit("quote", person.name, quote)])
        if form == "statement_quote":
            para = self._statement(person, named=True)
            quote = self.spoken(person)
            para.text += f"“{quote}”"
            para.units.append(Unit("quote", person.name, quote))
            return para
        if form == "context_summary":
            context = self.context(person)
            sentence = f"{self.subject(person, named=True)}总结，{self.reported(person)}"
            return Paragraph(context + sentence, [Unit("statement", person.name, sentence)])
        para = Paragraph("")
        if self.rng.random() < 0.4:
            para.text = self.context(person)
        for _ in range(self.rng.randint(1, 2)):
            sentence = self.fact(person)
            para.text += sentence
            para.units.append(Unit("fact", person.name, sentence))
        return para

    def draft(self, layout: str) -> Draft:
        title, subtitle = self.headline() if layout == "newspaper" else self.web_headline()
        if layout == "newspaper" and self.rng.random() < 0.25:
            subtitle = None
        return Draft(title, subtitle, self.intro(), [(p, self.passage(p)) for p in self.cast])


# --------------------------------------------------------------------------- layout
_OPEN = "“‘（《【"
_CLOSE = "，。、；：？！”’）》】…—·"
_TOKEN = re.compile(r"[A-Za-z0-9.%+\-/]+| +|.", re.S)


# Quotation marks the page compresses to half width (标点挤压), as on the first seed.
_COMPRESSED = frozenset("“”‘’")


def char_width(text: str) -> float:
    """Column width as the page sets it: ASCII and quotation marks are half width."""
    return sum(0.5 if ord(c) < 128 or c in _COMPRESSED else 1.0 for c in text)


def _groups(text: str) -> list[str]:
    """Unbreakable pieces: ASCII runs stay whole, closing punctuation never starts a
    line, opening punctuation never ends one, and spaces never sit at a line edge."""
    groups: list[str] = []
    glue_next = False
    for token in _TOKEN.findall(text):
        if groups and (glue_next or token[0] in _CLOSE or token[0] == " "):
            groups[-1] += token
        else:
            groups.append(token)
        glue_next = token[-1] in _OPEN or token[-1] == " "
    return groups


def wrap(text: str, width: int, first_width: float | None = None) -> list[str]:
    """Greedy column wrap; no line is wider than its width."""
    lines: list[str] = []
    current = ""
    used = 0.0
    limit = width if first_width is None else first_width
    for group in _groups(text):
        w = char_width(group)
        if current and used + w > limit:
            lines.append(current)
            current, used, limit = "", 0.0, width
        current += group
        used += w
    if current:
        lines.append(current)
    return lines


def _all_paragraphs(draft: Draft) -> list[Paragraph]:
    return draft.intro + [para for _, paras in draft.passages for para in paras]


def _layout_newspaper(rng: random.Random, draft: Draft, label: str | None) -> tuple[str, list[dict[str, object]]]:
    """The seed's page: headline lines, vertical label, narrow intro column, one
    box per delegate with its own width, mid-sentence blank lines, indented boxes."""
    lines: list[str] = [(" " if rng.random() < 0.2 else "") + draft.title, ""]
    if draft.subtitle:
        lines += [draft.subtitle, ""]
    if label:
        lines += list(label) + [""]
    blocks: list[dict[str, object]] = []

    def box(paragraphs: list[Paragraph], width: int, kind: str, speaker: str | None, indent: bool) -> None:
        first = len(lines)
        skip_blank = False
        for i, para in enumerate(paragraphs):
            if i > 0 and not skip_blank:
                lines.append("")
            skip_blank = False
            indented = indent and i == 0
            # Printed paragraphs start with a two-character indent that the text
            # extraction drops, so every first line is about two characters short.
            wrapped = wrap(para.text, width, width - 2)
            if indented:
                wrapped[0] = " " + wrapped[0]
            # A blank line at a wrap point inside a sentence, as in the seed; the
            # paragraph break after it then often loses its own blank line.
            if len(wrapped) >= 3 and rng.random() < 0.12:
                spots = [j for j in range(1, len(wrapped)) if wrapped[j - 1][-1] not in "。！？”"]
                quoted = [j for j in spots if wrapped[j][0] == "“"]
                if spots:
                    j = rng.choice(quoted) if quoted and rng.random() < 0.6 else rng.choice(spots)
                    wrapped.insert(j, "")
                    skip_blank = rng.random() < 0.5
            lines.extend(wrapped)
        blocks.append({"kind": kind, "speaker": speaker, "width": width, "first_line": first, "last_line": len(lines) - 1})

    box(draft.intro, rng.randint(9, 13), "intro", None, indent=False)
    for n, (person, paragraphs) in enumerate(draft.passages):
        # Only delegate boxes are glued to the box before them, as in the seed.
        indent = n > 0 and rng.random() < 0.15
        if not indent:
            lines.append("")
        box(paragraphs, rng.randint(12, 22), "box", person.name, indent)
    return "\n".join(lines) + ("\n " if rng.random() < 0.2 else "\n"), blocks


def _layout_web(rng: random.Random, draft: Draft) -> tuple[str, list[dict[str, object]]]:
    """Title, optional subtitle, then one paragraph per line."""
    lines = [draft.title]
    if draft.subtitle:
        lines.append(draft.subtitle)
    spaced = rng.random() < 0.5
    blocks: list[dict[str, object]] = []

    def block(paragraphs: list[Paragraph], kind: str, speaker: str | None) -> None:
        first = -1
        for para in paragraphs:
            if spaced:
                lines.append("")
            if first < 0:
                first = len(lines)
            lines.append(para.text)
        blocks.append({"kind": kind, "speaker": speaker, "width": None, "first_line": first, "last_line": len(lines) - 1})

    block(draft.intro, "intro", None)
    for person, paragraphs in draft.passages:
        block(paragraphs, "box", person.name)
    return "\n".join(lines) + "\n", blocks


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sidecar_text(truth: ArticleTruth) -> str:
    """The metadata file format the ingest side reads (every person fact has a source)."""
    out = ["[article]", f"title = {_toml_string(truth.title)}"]
    if truth.subtitle:
        out.append(f"subtitle = {_toml_string(truth.subtitle)}")
    out += [f"source = {_toml_string(truth.source)}", f"date = {_toml_string(truth.date)}", ""]
    src = _toml_string(SOURCE_NOTE)
    for p in truth.people:
        out += [
            "[[people]]",
            f"name = {_toml_string(p.name)}",
            "aliases = []",
            f"city = {{ value = {_toml_string(p.city.name)}, source = {src} }}",
            f"role = {{ value = {_toml_string(p.role)}, source = {src} }}",
            f"affiliation = {{ value = {_toml_string(p.affiliation)}, source = {src} }}",
            "",
        ]
    return "\n".join(out)


# --------------------------------------------------------------------------- driver
_OUR_FILES = re.compile(r"^\d{4,}_(newspaper|web)\.(txt|toml)$")


def _vocabulary_blob(cities: list[City], topics: list[Topic]) -> str:
    """Every string the templates can emit, so names hidden in them are never minted."""
    parts: list[str] = []
    for bank in (REPORTED, INTRODUCED, EXAMPLES, HOPES, CONTINUATIONS, SPOKEN, CONTEXT, ASPECTS, INTRO_OPENERS,
                 INTRO_FACTS, KICKERS, HEADLINES, SUBTITLES, WEB_TITLES, TERMS, FIELDS, INDUSTRIES,
                 COMPANY_SUFFIXES, COMPANY_TITLES, UNIVERSITY_TITLES, HOSPITAL_TITLES, INSTITUTE_FIELDS,
                 INSTITUTE_TITLES, VILLAGE_NAMES, VILLAGE_TITLES, LAW_TITLES, PAPERS, *FACTS.values(),
                 *ORG_CONTEXT.values(), *ORG_SPOKEN.values()):
        parts.extend(bank)
    parts += [INTRO_LEADER, INTRO_CITIES, INTRO_INVITE, "全国人大代表", "全国政协委员", "习近平总书记"]
    for c in cities:
        parts += [c.name, c.province, *c.aliases]
    for t in topics:
        parts += [t.name, *t.synonyms]
    return "|".join(parts)


def _units_distinct(draft: Draft) -> bool:
    """Tests match manifest units to extracted ones by text, so within an article
    no quotation may contain another and no statement or fact may repeat."""
    units = [u for para in _all_paragraphs(draft) for u in para.units]
    quotes = [u.text for u in units if u.kind == "quote"]
    if any(a in b for i, a in enumerate(quotes) for j, b in enumerate(quotes) if i != j):
        return False
    others = [(u.kind, u.text) for u in units if u.kind != "quote"]
    return len(others) == len(dict.fromkeys(others))


def _date(rng: random.Random) -> tuple[int, str, str]:
    """(year, metadata date, the date as the intro writes it)."""
    year = rng.choice((2023, 2024, 2025, 2025))
    day = rng.randint(3, 12)
    meta = f"{year}-03-{day:02d}" if rng.random() < 0.85 else f"{year}-03"
    return year, meta, f"3月{day}日"


def generate(
    out_dir: Path, articles: int = 1000, seed: int = 20250305, *, data_dir: Path | None = None
) -> Manifest:
    """Write ``articles`` articles (+ sidecars, + manifest.json) into ``out_dir``.

    Earlier generated files (NNNN_layout.txt/.toml, manifest.json) in out_dir are
    removed first so a smaller run never leaves stale articles behind.
    """
    rng = random.Random(seed)
    cities, topics = load_vocabulary(data_dir or DATA_DIR)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in sorted(out_dir.iterdir()):
        if _OUR_FILES.match(old.name) or old.name == "manifest.json":
            old.unlink()

    factory = _PeopleFactory(rng, cities, _vocabulary_blob(cities, topics))
    casts, pairs = _plan_casts(rng, articles, factory)
    appearances: dict[str, int] = {}
    everyone: list[Person] = []
    for cast in casts:
        for p in cast:
            if p.name not in appearances:
                everyone.append(p)
            appearances[p.name] = appearances.get(p.name, 0) + 1
    index = _NameIndex([p.name for p in everyone])
    two_char_cities = [c.name for c in cities if len(c.name) == 2]

    digits = max(4, len(str(articles)))
    truths: list[ArticleTruth] = []
    for number, cast in enumerate(casts, start=1):
        layout = LAYOUTS[0] if rng.random() < 0.5 else LAYOUTS[1]
        year, meta_date, date_words = _date(rng)
        paper = rng.choice(PAPERS)
        spaced = layout == "newspaper" and rng.random() < 0.3
        # Redraw until no name turns up where it was not written and unit texts
        # are unambiguous (about one article in four needs a second draw).
        for _attempt in range(50):
            writer = _ArticleWriter(rng, cities, topics, cast, year, date_words, paper, spaced)
            draft = writer.draft(layout)
            plain = "\n".join([draft.title, draft.subtitle or ""] + [p.text for p in _all_paragraphs(draft)])
            if index.scan(plain) == writer.mentions and _units_distinct(draft):
                break
        else:
            raise RuntimeError(f"article {number}: could not place names unambiguously")
        if layout == "newspaper":
            label = None
            if rng.random() < 0.4:
                own = [c.name for c in writer.cast_cities if len(c.name) == 2]
                label = rng.choice(own) if own else rng.choice(two_char_cities)
            # Names may break across column lines (the seed has 王/行环说), but each
            # delegate must also occur unbroken somewhere, as in the seed: sidecar
            # readers look a listed name up in the raw text.
            for _attempt in range(50):
                text, blocks = _layout_newspaper(rng, draft, label)
                if all(p.name in text for p in cast):
                    break
            else:
                raise RuntimeError(f"article {number}: every layout split a delegate's only mention")
        else:
            text, blocks = _layout_web(rng, draft)
        stem = f"{number:0{digits}d}_{layout}"
        truth = ArticleTruth(
            file=f"{stem}.txt",
            layout=layout,
            title=draft.title,
            subtitle=draft.subtitle,
            source=paper,
            date=meta_date,
            sidecar=rng.random() < 1 / 3,
            people=list(cast),
            units=[u for para in _all_paragraphs(draft) for u in para.units],
            blocks=blocks,
        )
        (out_dir / truth.file).write_text(text, encoding="utf-8")
        if truth.sidecar:
            (out_dir / f"{stem}.toml").write_text(sidecar_text(truth), encoding="utf-8")
        truths.append(truth)

    manifest = Manifest(seed, truths, [(p, appearances[p.name]) for p in everyone], pairs)
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest.as_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return manifest


def main(argv: list[str] | None = None) -> int:
    """CLI: python tests/tools/corpus.py --out corpus/ --articles 1000 --seed 20250305"""
    parser = argparse.ArgumentParser(description="Generate a synthetic 两会 corpus with ground truth.")
    parser.add_argument("--out", type=Path, default=Path("corpus"), help="output directory (default: corpus/)")
    parser.add_argument("--articles", type=int, default=1000, help="number of articles (default: 1000)")
    parser.add_argument("--seed", type=int, default=20250305, help="random seed (default: 20250305)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    manifest = generate(args.out, args.articles, args.seed)
    c = manifest.counts
    print(
        f"articles={c['articles']} people={c['people']} quotes={c['quotes']} statements={c['statements']} "
        f"facts={c['facts']} seconds={time.perf_counter() - started:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
