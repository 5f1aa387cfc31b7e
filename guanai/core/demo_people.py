"""Invented people and places for the demo school and synthetic cities.

Everything here is made up: names drawn from common surnames and given names, villages of a
fictional county, parents' workplaces named only by kind (某电子厂, "an electronics factory"),
phone numbers in real formats, and resident ID numbers of a region code no county has (4399xx)
with a valid check digit. Each function takes the generator's ``random.Random`` so a seed
always gives the same school.
"""

from __future__ import annotations

import json
import random
from bisect import bisect
from collections.abc import Sequence
from datetime import date
from functools import cache
from itertools import accumulate
from typing import TypeVar

from guanai.core.roster.checks import id_check_digit
from guanai.core.vocabulary import CARE_CATEGORIES, FIVE_CLEARS


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


T = TypeVar("T")

# Draws from ``rng.random()`` alone: ``choice``/``randrange`` run Python-level bit fiddling per
# call, and a city of 260,000 children makes millions of draws. Deterministic all the same.


def one(rng: random.Random, population: Sequence[T]) -> T:
    return population[int(rng.random() * len(population))]


def below(rng: random.Random, n: int) -> int:
    """An integer in ``range(n)``."""
    return int(rng.random() * n)


def between(rng: random.Random, low: int, high: int) -> int:
    """An integer from ``low`` to ``high``, both included."""
    return low + int(rng.random() * (high - low + 1))


def pick_index(rng: random.Random, cum_weights: Sequence[float]) -> int:
    """The index ``rng.choices(range(n), cum_weights=cum_weights)`` draws, without its overhead."""
    return bisect(cum_weights, rng.random() * cum_weights[-1])


def pick(rng: random.Random, population: Sequence[str], cum_weights: Sequence[float]) -> str:
    """``rng.choices(population, cum_weights=cum_weights)[0]`` (same draw), without its overhead."""
    return population[bisect(cum_weights, rng.random() * cum_weights[-1])]


CN_DIGITS = "〇一二三四五六七八九"
# Common surnames, most frequent first, weighted along a Zipf-like curve.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
)
SURNAME_CUM = list(accumulate(1 / (rank + 4) for rank in range(len(SURNAMES))))
# Given names of children: (first characters, last characters); a fifth are single-character.
BOY = ("子浩宇俊博文泽晨梓一嘉皓思天明志睿家建鹏宏彦", "轩然航阳杰豪宇辰涛睿凯鑫铭磊斌翔宁远哲瑞")
GIRL = ("欣雨梓诗紫思佳可语雅梦若一心晓书艺静婉芷", "怡涵桐萱琪彤瑶妍琳悦然诺婷雯蕊菲颖洁欣")
OLD_MEN = _words("建国 建华 国强 德明 志强 永福 长春 文华 玉林 振华 红旗 金生 富贵 春生 保国")
OLD_WOMEN = _words("秀英 桂英 秀兰 玉兰 桂兰 凤英 淑珍 玉珍 翠花 秀珍 丽华 春梅 金凤 素芬 月娥")
MEN = _words("伟 强 磊 军 洋 勇 杰 涛 明 超 刚 鑫 志刚 建军 晓东 海波 文斌 国庆 红军 小兵")
WOMEN = _words("芳 娜 敏 静 丽 艳 娟 霞 平 丹 萍 慧 晓燕 海燕 文静 春燕 红梅 丽娟 雪梅 小红")
ADULTS = MEN + WOMEN
PLACE = ("青柳桃松白龙新永长东红金凤双清大马石黄杨", "山河源林沙泉安丰乐溪水坪桥湾岭口塘坝")
SCHOOL_KIND = _words("镇中心小学 乡中心小学 镇第一小学 镇第二小学 镇小学 乡小学 村完全小学")
MOBILE_PREFIXES = (*range(130, 140), 150, 151, 152, 153, 155, 156, 157, 158, 159, *range(180, 190))

# A fictional prefecture (43 99: no such city) and its counties; a school lies in one of them.
REGION_PREFIX = "4399"
COUNTIES = _words("柳溪县 云岭县 青禾县 丰源县 石桥县 白沙县 凤川县 龙湾县")

# Where parents work: (city, area code, districts or towns), weighted to the Pearl and Yangtze
# River deltas as in the source plans' counties.
CITIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("东莞", "0769", _words("长安镇 虎门镇 厚街镇 塘厦镇")),
    ("深圳", "0755", _words("宝安区 龙岗区 龙华区 光明区")),
    ("广州", "020", _words("白云区 番禺区 花都区 增城区")),
    ("佛山", "0757", _words("顺德区 南海区")),
    ("杭州", "0571", _words("萧山区 余杭区 临平区")),
    ("宁波", "0574", _words("北仑区 鄞州区 慈溪市")),
    ("温州", "0577", _words("瓯海区 乐清市")),
    ("苏州", "0512", _words("昆山市 吴江区 工业园区")),
    ("上海", "021", _words("松江区 嘉定区 闵行区")),
    ("北京", "010", _words("大兴区 朝阳区 通州区")),
    ("武汉", "027", _words("东西湖区 江夏区 汉南区")),
    ("厦门", "0592", _words("集美区 同安区 海沧区")),
)
CITY_CUM = list(accumulate((16, 14, 12, 6, 8, 6, 5, 8, 8, 5, 7, 5)))
UNITS = _words(
    "电子厂 建筑公司 服装厂 鞋厂 玩具厂 家具厂 物流公司 餐饮店 装修公司 汽车配件厂 塑料厂 "
    "快递公司 纺织厂 五金厂 保洁公司"
)
UNIT_SITES = _words("工业园 工业区 科技园 开发区")

GUARDIAN_WORK = (
    _words("务农 务农 务农 打零工 个体经营 退休"),
    _words("务农 个体经营 附近工厂务工 家务"),
)
GUARDIAN_HEALTH = (
    _words("良好 良好 良好 良好 一般 一般 高血压 慢性病 腿脚不便 视力较差"),
    _words("良好 良好 良好 良好 良好 良好 良好 良好 良好 一般"),
)

_CARE_CODES = tuple(CARE_CATEGORIES)
_CARE_CUM = list(accumulate((12, 30, 20, 10, 8)))  # poverty, study, psychological, health, safety
_FIVE_CODES = tuple(FIVE_CLEARS)
PLAN_STEPS = {
    "poverty": "协调申请助学补助，学校减免课本以外的费用，帮扶教师每学期家访两次",
    "study": "每周两次课后辅导（语文、数学），学习帮手每天检查作业，月底与帮扶教师一起看进步",
    "psychological": "心理老师每两周谈心一次，班主任留意情绪变化，每月安排一次亲情电话",
    "health": "与监护人约定按时复诊和服药，校医每月了解一次身体情况",
    "safety": "放学结伴回家，周末和假期由监护人签字确认去向，开展防溺水安全教育",
}
PLAN_DEFAULT = "帮扶教师每周谈心一次，每月与父母通一次亲情电话，学期末评估进步"


def surname(rng: random.Random) -> str:
    return pick(rng, SURNAMES, SURNAME_CUM)


def mobile(rng: random.Random) -> str:
    """A mobile number from one draw: the prefix and the eight digits after it."""
    number = below(rng, len(MOBILE_PREFIXES) * 10**8)
    return f"{MOBILE_PREFIXES[number // 10**8]}{number % 10**8:08d}"


def place_name(rng: random.Random) -> str:
    return one(rng, PLACE[0]) + one(rng, PLACE[1])


def care_categories(rng: random.Random) -> tuple[str, ...]:
    """Most children need nothing beyond the general care; a few need one or two kinds."""
    draw = rng.random()
    if draw < 0.6:
        return ()
    first = pick(rng, _CARE_CODES, _CARE_CUM)
    if draw > 0.9:
        other = pick(rng, _CARE_CODES, _CARE_CUM)
        if other != first:
            return (first, other)
    return (first,)


@cache
def as_json(codes: tuple[str, ...]) -> str:
    """A list of codes as a JSON column stores it (bulk inserts bypass SQLAlchemy's JSON type)."""
    return json.dumps(list(codes))


def five_clears(rng: random.Random) -> tuple[str, ...]:
    """The "five clears" checked: all five for most children, one or two missing for some."""
    if rng.random() < 0.82:
        return _FIVE_CODES
    missing = {one(rng, _FIVE_CODES) for _ in range(1 if rng.random() < 0.7 else 2)}
    return tuple(code for code in _FIVE_CODES if code not in missing)


def individual_plan(categories: Sequence[str]) -> str:
    """An individual education plan (个别教育管理方案) built from the child's needs."""
    steps = [PLAN_STEPS[code] for code in categories] or [PLAN_DEFAULT]
    return "；".join(steps) + "。"


def unit_phone(rng: random.Random, area_code: str) -> str:
    digits = 8 if len(area_code) == 3 or rng.random() < 0.7 else 7
    low = 2 * 10 ** (digits - 1)
    return f"{area_code}{low + below(rng, 10**digits - low)}"


class IdNumbers:
    """Synthetic resident ID numbers: a fictional region, the birth date, a sequence, check digit.

    The sequence's last digit is odd for boys and even for girls, as on real cards. Numbers
    already in the database (``taken``) are skipped, so repeated runs never issue one twice.

    The check digit is :func:`id_check_digit`'s, memoised: it is a function of the weighted sum
    mod 11, so it depends on the first fourteen characters only through the check digit they
    give with sequence 000. One call per region and birth date, instead of one per child.
    """

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self.next: dict[tuple[str, bool], int] = {}
        self.base: dict[str, str] = {}
        self.checks: dict[tuple[str, str], str] = {}
        self.heads: dict[tuple[int, date], str] = {}

    def issue(self, county: int, birth: date, male: bool) -> str:
        for attempt in range(len(COUNTIES)):
            region = (county + attempt) % len(COUNTIES)
            head = self.heads.get((region, birth))
            if head is None:
                head = self.heads[region, birth] = f"{REGION_PREFIX}{region + 1:02d}{birth:%Y%m%d}"
            k = self.next.get((head, male), 0)
            while k < 500:
                sequence = f"{2 * k + male:03d}"
                k += 1
                number = head + sequence + self.check(head, sequence)
                if number not in self.taken:
                    self.next[head, male] = k
                    return number
            self.next[head, male] = k
        raise ValueError(f"no synthetic ID numbers left for {birth}")

    def check(self, head: str, sequence: str) -> str:
        base = self.base.get(head)
        if base is None:
            base = self.base[head] = id_check_digit(head + "000")
        found = self.checks.get((base, sequence))
        if found is None:
            found = self.checks[base, sequence] = id_check_digit(head + sequence)
        return found
