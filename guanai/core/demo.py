"""Synthetic schools with invented names: the ``guanai demo`` school and benchmark cities.

Every school has the same shape: grades 1-6 with two classes each (``三年级2班``), a head teacher
per class, one coordinator, and enough subject teachers that each pairs with at most six
children. Each left-behind child gets a guardian and a current pairing (结对帮扶) with a
subject teacher and a classmate as buddy. Names and phone numbers are invented; ID numbers are
never generated (they are sensitive), and teacher e-mail uses the reserved ``.example`` domain.

Rows are built in Python a few schools at a time and inserted with Core ``insert()``
executemany, so a city of 1,000 schools never sits in memory. Primary keys are assigned
explicitly, counting up from each table's ``max(id)`` read at the start; on PostgreSQL the
``id`` sequences are then moved past the new rows with ``setval``. This assumes no concurrent
writer to these tables while the generator runs (a demo or benchmark database). The functions
never commit: the caller owns the transaction.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text
from sqlalchemy.orm import Session

from guanai.core.models import Base, Child, Guardian, Pairing, School, SchoolClass, Teacher

SCHOOL_YEAR = 2026
STARTED_ON = date(SCHOOL_YEAR, 9, 1)
GRADES = range(1, 7)
CLASSES_PER_GRADE = 2
CHILDREN_PER_TEACHER = 6
CHUNK_SCHOOLS = 20  # schools built in Python before one executemany per table

_MODELS = (School, Teacher, SchoolClass, Child, Guardian, Pairing)  # parents first
_TABLES: list[Table] = [Base.metadata.tables[m.__tablename__] for m in _MODELS]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _pick(rng: random.Random, population: Sequence[str], cum_weights: Sequence[float]) -> str:
    """``rng.choices(population, cum_weights=cum_weights)[0]`` (same draw), without its overhead."""
    return population[bisect(cum_weights, rng.random() * cum_weights[-1])]


_CN_DIGITS = "〇一二三四五六七八九"
# Common surnames, most frequent first, weighted along a Zipf-like curve.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
)
_SURNAME_CUM = list(accumulate(1 / (rank + 4) for rank in range(len(_SURNAMES))))
# Given names of children: (first characters, last characters); a fifth are single-character.
_BOY = ("子浩宇俊博文泽晨梓一嘉皓思天明志睿家建鹏宏彦", "轩然航阳杰豪宇辰涛睿凯鑫铭磊斌翔宁远哲瑞")
_GIRL = ("欣雨梓诗紫思佳可语雅梦若一心晓书艺静婉芷", "怡涵桐萱琪彤瑶妍琳悦然诺婷雯蕊菲颖洁欣")
_OLD_MEN = _words("建国 建华 国强 德明 志强 永福 长春 文华 玉林 振华 红旗 金生 富贵 春生 保国")
_OLD_WOMEN = _words("秀英 桂英 秀兰 玉兰 桂兰 凤英 淑珍 玉珍 翠花 秀珍 丽华 春梅 金凤 素芬 月娥")
_ADULTS = _words(
    "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 丹 萍 鑫 华 慧 "
    "晓燕 海燕 文静 志刚 春燕 红梅 建军 晓东 丽娟 海波 雪梅"
)
_PLACE = ("青柳桃松白龙新永长东红金凤双清大马石黄杨", "山河源林沙泉安丰乐溪水坪桥湾岭口塘坝")
_SCHOOL_KIND = _words("镇中心小学 乡中心小学 镇第一小学 镇第二小学 镇小学 乡小学 村完全小学")
_LEFT_BEHIND = (("both", "father", "mother"), (60, 85, 100))
_RELATIONS = (
    ("grandmother", "grandfather", "maternal_grandmother", "maternal_grandfather", "relative"),
    (40, 65, 82, 92, 100),
)
_MOBILE = (*range(130, 140), 150, 151, 152, 153, 155, 156, 157, 158, 159, *range(180, 190))


def create_demo_school(
    session: Session | Connection,
    *,
    code: str = "DEMO",
    name: str = "关爱示范小学",
    children: int = 300,
    seed: int = 2026,
    classes_per_grade: int | None = None,
) -> int:
    """Insert one demo school with ``children`` left-behind children; return its id."""
    builder = _Builder(session, random.Random(seed), classes_per_grade=classes_per_grade)
    return builder.run([(code, name, children)])[0]


def create_synthetic_schools(
    connection_or_session: Session | Connection,
    *,
    schools: int,
    children_per_school: int,
    seed: int = 2026,
    code_prefix: str = "SYN",
    classes_per_grade: int | None = None,
) -> list[int]:
    """Insert ``schools`` schools of ``children_per_school`` children each; return their ids.

    School codes are ``<code_prefix><school id>``, so repeated calls never collide.
    ``classes_per_grade`` defaults to the module's ``CLASSES_PER_GRADE``, read at call time.
    """
    builder = _Builder(connection_or_session, random.Random(seed), code_prefix, classes_per_grade)
    taken: set[str] = set()
    specs = ((None, builder.school_name(taken), children_per_school) for _ in range(schools))
    return builder.run(specs)


class _Builder:
    """Builds rows with explicit ids a chunk of schools at a time and inserts them."""

    def __init__(
        self,
        target: Session | Connection,
        rng: random.Random,
        prefix: str = "",
        classes_per_grade: int | None = None,
    ) -> None:
        self.conn = target.connection() if isinstance(target, Session) else target
        self.rng = rng
        self.prefix = prefix
        self.classes_per_grade = classes_per_grade or CLASSES_PER_GRADE
        self.rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in _TABLES}
        self.last_id = {
            t.name: self.conn.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar_one()
            for t in _TABLES
        }

    def run(self, specs: Iterable[tuple[str | None, str, int]]) -> list[int]:
        school_ids = []
        for count, (code, name, children) in enumerate(specs, start=1):
            school_ids.append(self.school(code, name, children))
            if count % CHUNK_SCHOOLS == 0:
                self.flush()
        self.flush()
        if self.conn.dialect.name == "postgresql":
            for t in _TABLES:  # setval is strict: an empty table leaves its sequence alone
                sequence = f"pg_get_serial_sequence('{t.name}', 'id')"
                self.conn.execute(text(f"SELECT setval({sequence}, MAX(id)) FROM {t.name}"))
        return school_ids

    def flush(self) -> None:
        for table in _TABLES:  # parents before children, for the foreign keys
            if rows := self.rows[table.name]:
                self.conn.execute(insert(table), rows)
                rows.clear()

    def add(self, table: str, **values: Any) -> int:
        self.last_id[table] += 1
        self.rows[table].append({"id": self.last_id[table], **values})
        return self.last_id[table]

    def school(self, code: str | None, name: str, children: int) -> int:
        rng = self.rng
        school_id = self.last_id["school"] + 1
        self.add("school", code=code or f"{self.prefix}{school_id:06d}", name=name)
        teachers = 0

        def teacher(is_coordinator: bool = False) -> int:
            nonlocal teachers
            teachers += 1
            teacher_id = self.last_id["teacher"] + 1
            return self.add(
                "teacher",
                school_id=school_id,
                code=f"T{teachers:03d}",
                name=self.surname() + rng.choice(_ADULTS),
                phone=None,
                email=f"t{teacher_id}@school{school_id}.example",
                is_coordinator=is_coordinator,
            )

        teacher(is_coordinator=True)
        classes = []
        for grade in GRADES:
            for number in range(1, self.classes_per_grade + 1):
                name = f"{_CN_DIGITS[grade]}年级{number}班"
                class_id = self.add(
                    "school_class",
                    school_id=school_id,
                    grade=grade,
                    name=name,
                    head_teacher_id=teacher(),
                )
                classes.append((class_id, grade, number))
        pairers = [teacher() for _ in range(math.ceil(children / CHILDREN_PER_TEACHER))]

        # Children are spread evenly over the classes, and in class order over the pairing
        # teachers in contiguous blocks, so a teacher's children share one or two classes.
        index = 0
        for position, (class_id, grade, number) in enumerate(classes):
            size = (position + 1) * children // len(classes) - position * children // len(classes)
            entry_year = SCHOOL_YEAR - grade + 1
            born_from = date(entry_year - 7, 9, 1)  # six years old by 31 August of entry year
            first_id = self.last_id["child"] + 1
            for seq in range(size):
                surname = self.surname()
                boy = rng.random() < 0.52
                pools = _BOY if boy else _GIRL
                given = rng.choice(pools[1])
                if rng.random() >= 0.2:
                    given = rng.choice(pools[0]) + given
                child_id = self.add(
                    "child",
                    school_id=school_id,
                    class_id=class_id,
                    student_no=f"{entry_year}{number:02d}{seq + 1:03d}",
                    name=surname + given,
                    gender="男" if boy else "女",
                    birth_date=born_from + timedelta(days=rng.randrange(365)),
                    id_number=None,
                    enrolment_status="enrolled",
                    left_behind_type=_pick(rng, *_LEFT_BEHIND),
                    home_address=None,
                )
                self.guardian(child_id, surname)
                buddy = None
                if size > 1:
                    buddy = rng.randrange(size - 1)
                    buddy = first_id + buddy + (buddy >= seq)  # any classmate but the child
                self.add(
                    "pairing",
                    child_id=child_id,
                    teacher_id=pairers[index * len(pairers) // children],
                    buddy_child_id=buddy,
                    started_on=STARTED_ON,
                    ended_on=None,
                )
                index += 1
        return school_id

    def guardian(self, child_id: int, child_surname: str) -> None:
        rng = self.rng
        relation = _pick(rng, *_RELATIONS)
        # The paternal grandfather shares the child's surname; Chinese wives keep their own.
        surname = child_surname if relation == "grandfather" else self.surname()
        male = relation in ("grandfather", "maternal_grandfather") or (
            relation == "relative" and rng.random() < 0.5
        )
        self.add(
            "guardian",
            child_id=child_id,
            name=surname + rng.choice(_OLD_MEN if male else _OLD_WOMEN),
            relation=relation,
            phone=f"{rng.choice(_MOBILE)}{rng.randrange(10**8):08d}",
        )

    def surname(self) -> str:
        return _pick(self.rng, _SURNAMES, _SURNAME_CUM)

    def school_name(self, taken: set[str]) -> str:
        for _ in range(20):
            place = self.rng.choice(_PLACE[0]) + self.rng.choice(_PLACE[1])
            name = place + self.rng.choice(_SCHOOL_KIND)
            if name not in taken:
                break
        else:  # a big city runs out of combinations: number the schools of a town
            name = f"{place}镇第{len(taken) + 1}小学"
        taken.add(name)
        return name
