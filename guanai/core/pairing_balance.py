"""Sharing out unpaired children among a school's teachers, and choosing their buddies.

Pure functions over plain values, so the rules can be read (and tested) apart from the
database; :mod:`guanai.core.pairing` loads the school, calls these, and writes the result.

Teachers: balanced first, then close to the child
-------------------------------------------------
1. **Level.** Existing pairings stay and count. With ``U`` children to place, the level ``L`` is
   the largest load such that lifting every eligible teacher below ``L`` up to ``L`` needs at
   most ``U`` children (water filling). Each teacher may take children up to ``L``; the
   ``U - (that many)`` left over go one each to some teachers at ``L``, who end at ``L + 1``.
   Starting from a school without pairings every teacher ends at ``L`` or ``L + 1``: loads
   differ by at most one. A teacher already above the level takes nobody.
2. **Closeness, in three passes.** Children are taken in (grade, class, id) order. In the first
   pass a child may only go to a teacher who teaches in their class (its head teacher, or a
   teacher already paired with a child of that class); in the second, to one who teaches in
   their grade (a head teacher of a class of that grade, or a teacher paired with a child of
   that grade); in the third, to anyone. Within a pass the child goes to the closest teacher
   with room, then the least loaded, then the lowest id. A teacher who takes a child thereby
   teaches in that class and grade, so a class's children cluster with few teachers.
3. **The coordinator last.** The coordinator (关爱办) is not among the eligible teachers; only
   children no one else has room for (no other teacher, or all at ``max_per_teacher``) go to
   the coordinator, by the same rules. Children left after that stay unpaired and are reported.

``max_per_teacher`` caps the level (the caller passes ``[pairing] max_children_per_teacher``);
without it (``--over-cap``) nobody is refused, and the caller reports the teachers above the
cap instead. Everything is ordered by ids, so a run is deterministic.

Buddies: a classmate, each helping one or two at most
-----------------------------------------------------
A buddy (学习帮手) is any classmate other than the child. Auto-pairing can only choose among the
children it knows, the roster's, so it picks a child of the roster's class (a coordinator may
name a classmate not on the roster instead, by name: the roster's 学习帮手姓名 or
``guanai pair --buddy-name``): the one helping fewest children so far (existing pairings count),
then the next one after the child in the class's id order, wrapping round. Nobody helps more
than :data:`MAX_HELPED` children; a child alone in their class (or whose classmates all help
that many already) gets no buddy, and the caller reports them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

MAX_HELPED = 2


@dataclass(frozen=True)
class Pupil:
    """What the balancing needs of a child: who, in which class and grade."""

    id: int
    class_id: int
    grade: int


@dataclass
class Closeness:
    """Which teachers teach in each class and grade; grows as children are placed."""

    by_class: dict[int, set[int]]
    by_grade: dict[int, set[int]]

    def tier(self, teacher: int, pupil: Pupil) -> int:
        if teacher in self.by_class.get(pupil.class_id, ()):
            return 0
        if teacher in self.by_grade.get(pupil.grade, ()):
            return 1
        return 2

    def add(self, teacher: int, class_id: int, grade: int) -> None:
        """``teacher`` now teaches in (is paired in, or heads) this class and grade."""
        self.by_class.setdefault(class_id, set()).add(teacher)
        self.by_grade.setdefault(grade, set()).add(teacher)


class _Rooms:
    """How many more children each teacher of one group may take (step 1 of the rules)."""

    def __init__(
        self, teachers: Sequence[int], loads: Mapping[int, int], count: int, cap: int | None
    ) -> None:
        level = _level([loads[t] for t in teachers], count, cap)
        self.room = {t: max(0, level - loads[t]) for t in teachers}
        left = count - sum(self.room.values())
        may_add_one = cap is None or level + 1 <= cap
        self.extra = left if may_add_one else 0
        self.at_level = {t for t in teachers if loads[t] <= level} if may_add_one else set()

    def has_room(self, teacher: int) -> bool:
        return self.room[teacher] > 0 or (self.extra > 0 and teacher in self.at_level)

    def take(self, teacher: int) -> None:
        if self.room[teacher] > 0:
            self.room[teacher] -= 1
        else:
            self.extra -= 1
            self.at_level.discard(teacher)


def _level(loads: Sequence[int], count: int, cap: int | None) -> int:
    """The largest level L (at most ``cap``) with sum(max(0, L - load)) <= ``count``."""
    low, high = 0, max(loads, default=0) + count
    if cap is not None:
        high = min(high, cap)
    while low < high:
        middle = (low + high + 1) // 2
        if sum(max(0, middle - load) for load in loads) <= count:
            low = middle
        else:
            high = middle - 1
    return low


def share_out(
    pupils: Sequence[Pupil],
    teachers: Sequence[int],
    coordinators: Sequence[int],
    loads: Mapping[int, int],
    closeness: Closeness,
    max_per_teacher: int | None = None,
) -> dict[int, int]:
    """Child id -> teacher id for as many of ``pupils`` as there is room for.

    ``loads`` holds every teacher's current pairings; ``closeness`` is updated in place.
    """
    load = dict(loads)
    placed: dict[int, int] = {}
    waiting = sorted(pupils, key=lambda p: (p.grade, p.class_id, p.id))
    for group in (sorted(teachers), sorted(coordinators)):
        if not waiting or not group:
            continue
        rooms = _Rooms(group, load, len(waiting), max_per_teacher)
        for widest in (0, 1, 2):
            left = []
            for pupil in waiting:
                teacher = _closest(pupil, widest, group, rooms, load, closeness)
                if teacher is None:
                    left.append(pupil)
                    continue
                rooms.take(teacher)
                load[teacher] += 1
                closeness.add(teacher, pupil.class_id, pupil.grade)
                placed[pupil.id] = teacher
            waiting = left
    return placed


def _closest(
    pupil: Pupil,
    widest: int,
    group: Sequence[int],
    rooms: _Rooms,
    load: Mapping[int, int],
    closeness: Closeness,
) -> int | None:
    """The teacher with room closest to ``pupil`` (within tier ``widest``), then least loaded.

    The class's and grade's teachers are few; the whole group is scanned only when none of
    them has room.
    """
    tiers: tuple[Iterable[int], ...] = (
        closeness.by_class.get(pupil.class_id, ()),
        closeness.by_grade.get(pupil.grade, ()),
        group,
    )
    for members in tiers[: widest + 1]:
        free = [t for t in members if t in rooms.room and rooms.has_room(t)]
        if free:
            return min(free, key=lambda t: (load[t], t))
    return None


def choose_buddies(
    pupils: Sequence[Pupil],
    classmates: Mapping[int, Sequence[int]],
    helped: Counter[int],
) -> dict[int, int | None]:
    """Child id -> buddy's child id (or None) for each of ``pupils``.

    ``classmates`` lists each class's enrolled children in id order; ``helped`` counts how
    many children each child is already buddy to, and is updated in place.
    """
    chosen: dict[int, int | None] = {}
    for pupil in sorted(pupils, key=lambda p: (p.class_id, p.id)):
        members = classmates.get(pupil.class_id, ())
        size = len(members)
        start = members.index(pupil.id) if pupil.id in members else 0
        best: tuple[int, int, int] | None = None
        for step in range(1, size + 1):
            other = members[(start + step) % size]
            if other == pupil.id or helped[other] >= MAX_HELPED:
                continue
            if best is None or (helped[other], step) < best[:2]:
                best = (helped[other], step, other)
        if best is None:
            chosen[pupil.id] = None
            continue
        helped[best[2]] += 1
        chosen[pupil.id] = best[2]
    return chosen
