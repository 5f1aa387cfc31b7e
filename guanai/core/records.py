"""The one write path for children's records: the roster import and manual edits both use it.

Rows are parsed roster rows (column key -> value, as :meth:`Column.parse` returns them). A row
whose student number is new to the school creates a child with its guardian, the parents the
row names and its pairing; a row whose student number exists updates that child in place.
Writes are set-based: each batch of rows costs a few SELECTs to load the stored cards, one
INSERT ... RETURNING for the new children, bulk inserts for their guardians and parents, and one
executemany UPDATE by primary key per shape of change. Every changed field is kept in the
history (:func:`guanai.core.history.record_changes`) with the actor and the source; an unchanged
row writes nothing at all.

What a row says about a field:

* a column the file does not have leaves the field untouched;
* a column the file has is authoritative: an empty cell clears the field (to the default where
  the field cannot be empty: not a key target, enrolled);
* the pairing columns are the exception: they only ever set a pairing. A new teacher or buddy
  ends the current pairing (``ended_on`` = today) and starts a new one; an empty cell keeps the
  current one. Ending a pairing is the pairing command's job, not the roster's.

Functions take the session first and never commit: the caller owns the transaction.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from guanai.core.bulk import insert_rows
from guanai.core.errors import NotFoundError
from guanai.core.history import Change, record_changes
from guanai.core.i18n import Label
from guanai.core.models import Child, Guardian, Pairing, Parent
from guanai.core.roster.columns import Kind
from guanai.core.roster.edits import RecordEditError, edit_problems, joined, parse_edit
from guanai.core.roster.stored import (
    COLUMNS_BY_KEY,
    EMPTY_VALUES,
    PARENTS,
    RECORD_COLUMNS,
    StoredCard,
    batches,
    canonical,
    load_cards,
    table_column,
)
from guanai.core.roster.validation import SchoolFacts
from guanai.core.timezone import SCHOOL_TIMEZONE

CREATED = "record"  # the history field of a record's creation: new value "created"
PAIRING_BATCH = 5_000  # pairing requests written per batch by finish()
STATISTICS_MIN_ROWS = 2_000  # new children before PostgreSQL's statistics are first refreshed
_CHILD = Child.__table__
_GUARDIAN = Guardian.__table__
_PARENT = Parent.__table__
_PAIRING = Pairing.__table__


@dataclass
class WriteSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: int = 0  # fields changed, as kept in the history (a creation counts once)


@dataclass(frozen=True, slots=True)
class _PairingRequest:
    student_no: str
    teacher: str | None  # teacher code
    buddy: str | None  # buddy's student no.
    buddy_name: str | None  # or a classmate not on the roster, by name


class _CurrentPairing(NamedTuple):
    pairing_id: int | None
    teacher_id: int | None
    buddy_id: int | None
    buddy_name: str | None


_NOT_PAIRED = _CurrentPairing(None, None, None, None)


@dataclass
class _Batch:
    """What one batch of rows writes."""

    new: list[dict[str, Any]] = field(default_factory=list)
    updates: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    guardians: list[dict[str, Any]] = field(default_factory=list)
    parents: list[dict[str, Any]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)


class RosterWriter:
    """Writes rows of one school in batches, each batch's pairings after its children; a
    pairing whose buddy is a child further down the file waits for :meth:`finish`.

    ``written_students``: the student numbers of every row the import writes, in any batch
    (see :meth:`_release_id_numbers`)."""

    def __init__(
        self,
        session: Session,
        facts: SchoolFacts,
        keys: Iterable[str],
        *,
        actor: str,
        source: str,
        now: datetime,
        written_students: Collection[str] = (),
    ) -> None:
        self.session = session
        self.written_students = written_students
        self.facts = facts
        self.keys = frozenset(keys)
        self.actor = actor
        self.source = source
        self.now = now
        self.summary = WriteSummary()
        self._record_keys = [c.key for c in RECORD_COLUMNS if c.key in self.keys]
        self._choices_keys = {c.key for c in RECORD_COLUMNS if c.kind is Kind.CHOICES}
        self._created: set[int] = set()
        self._updated: set[int] = set()
        self._pairings: list[_PairingRequest] = []
        self._class_names = facts.class_names
        self._analyzed_at = 0  # children created when the statistics were last refreshed

    # --- children, guardians, parents --------------------------------------------------------

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Create or update the children of ``rows`` (one batch; a few thousand rows)."""
        rows = list(rows)
        stored = load_cards(
            self.session, self.facts.school_id, [r["child.student_no"] for r in rows]
        )
        batch = _Batch()
        requests: list[_PairingRequest] = []
        for raw in rows:
            values = self._canonical(raw)
            card = stored.get(values["child.student_no"])
            if card is None:
                batch.new.append(values)
            else:
                self._diff(card, values, batch)
            request = self._pairing_request(values)
            if request is not None:
                requests.append(request)
        self._release_id_numbers(batch)
        self._insert(batch)
        self._update(batch)
        self.summary.changes += record_changes(
            self.session, batch.changes, actor=self.actor, source=self.source, now=self.now
        )
        self.summary.created += len(batch.new)
        self.summary.updated += len(batch.touched)
        self.summary.unchanged += len(rows) - len(batch.new) - len(batch.touched)
        self._updated |= batch.touched
        self._refresh_statistics()
        if requests:
            self._write_pairings(requests, final=False)

    def _refresh_statistics(self) -> None:
        """On PostgreSQL, ANALYZE the tables once the rows this import created have doubled.

        The later batches look children up by student number; with statistics from before the
        import (an empty school, say) the planner filters every child of the school against the
        list instead of using the unique index: minutes instead of milliseconds at 260,000
        rows. ANALYZE inside the transaction counts its own new rows; doubling keeps it to
        a handful of runs, each a sample of at most 30,000 rows.
        """
        created = self.summary.created
        if created < max(STATISTICS_MIN_ROWS, 2 * self._analyzed_at):
            return
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            for table in (_CHILD, _GUARDIAN, _PARENT, _PAIRING):
                connection.exec_driver_sql(f"ANALYZE {table.name}")
        self._analyzed_at = created

    def _canonical(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """A parsed row as the card stores it: defaults for empty cells, a class by its id,
        several choices in vocabulary order."""
        values: dict[str, Any] = {"child.student_no": raw["child.student_no"]}
        for key in self._record_keys:
            value = raw.get(key)
            if value is None:
                value = EMPTY_VALUES.get(key)
            elif key in self._choices_keys:
                value = canonical(COLUMNS_BY_KEY[key], value)
            values[key] = value
        if "child.class" in values:
            values["child.class"] = self.facts.classes[values["child.class"]]
        for key in ("pairing.teacher", "pairing.buddy", "pairing.buddy_name"):
            if raw.get(key):
                values[key] = raw[key]
        return values

    def _pairing_request(self, values: dict[str, Any]) -> _PairingRequest | None:
        teacher, buddy = values.get("pairing.teacher"), values.get("pairing.buddy")
        buddy_name = values.get("pairing.buddy_name")
        if not teacher and not buddy and not buddy_name:
            return None
        return _PairingRequest(values["child.student_no"], teacher, buddy, buddy_name)

    def _diff(self, card: StoredCard, values: dict[str, Any], batch: _Batch) -> None:
        child_id = card.child_id
        child_set: dict[str, Any] = {}
        guardian_set: dict[str, Any] = {}
        parent_set: dict[str, dict[str, Any]] = defaultdict(dict)
        for key in self._record_keys:
            old, new = card.values.get(key), values[key]
            if old == new:
                continue
            batch.changes.append(
                Change(child_id, key, self._shown(key, old), self._shown(key, new))
            )
            entity = key.split(".", 1)[0]
            if entity == "child":
                child_set[table_column(key)] = new
            elif entity == "guardian":
                guardian_set[table_column(key)] = new
            else:
                parent_set[entity][table_column(key)] = new
        if child_set:
            child_set.update(updated_at=self.now, updated_by=self.actor)
            self._queue_update(batch, "child", child_id, child_set)
        if guardian_set:
            if card.guardian_id is None:
                batch.guardians.append(self._guardian_row(child_id, values))
            else:
                self._queue_update(batch, "guardian", card.guardian_id, guardian_set)
        for relation, changed in parent_set.items():
            if relation in card.parent_ids:
                self._queue_update(batch, "parent", card.parent_ids[relation], changed)
            else:
                batch.parents.append(self._parent_row(child_id, relation, values))
        if child_set or guardian_set or parent_set:
            batch.touched.add(child_id)
            if not child_set:
                self._queue_update(
                    batch, "child", child_id, {"updated_at": self.now, "updated_by": self.actor}
                )

    def _release_id_numbers(self, batch: _Batch) -> None:
        """Free the ID numbers this batch gives to children who do not hold them yet.

        The database holds an ID number once per school, so a file that corrects two swapped
        numbers cannot give the first child the second's number while the second still holds
        it. The validation let the move through only if the holder's row is written too, which
        gives the holder its own new number (in this batch or a later one); until then the
        holder has none, and the history keeps both steps. A holder whose row is not written
        keeps its number, and the database refuses the duplicate (another import stored it
        after this one's check).
        """
        wanted = {values.get("child.id_number"): None for values in batch.new}
        for (table, columns), params in batch.updates.items():
            if table == "child" and "id_number" in columns:
                wanted.update({row["id_number"]: row["_id"] for row in params})
        wanted.pop(None, None)
        if not wanted:
            return
        for numbers in batches(wanted):
            holders = self.session.execute(
                select(_CHILD.c.id, _CHILD.c.id_number, _CHILD.c.student_no).where(
                    _CHILD.c.school_id == self.facts.school_id,
                    _CHILD.c.id_number.in_(numbers),
                )
            ).all()
            released = [
                (child_id, n)
                for child_id, n, student_no in holders
                if wanted[n] != child_id and student_no in self.written_students
            ]
            if released:
                self.session.execute(
                    update(_CHILD)
                    .where(_CHILD.c.id.in_([child_id for child_id, _ in released]))
                    .values(id_number=None)
                )
                batch.changes += [Change(c, "child.id_number", n, None) for c, n in released]

    def _shown(self, key: str, value: Any) -> Any:
        """A value as the history keeps it: a class by its name."""
        if key == "child.class" and value is not None:
            return self._class_names.get(value, value)
        return value

    @staticmethod
    def _queue_update(batch: _Batch, table: str, row_id: int, values: dict[str, Any]) -> None:
        batch.updates[(table, tuple(sorted(values)))].append({"_id": row_id, **values})

    def _guardian_row(self, child_id: int, values: dict[str, Any]) -> dict[str, Any]:
        return {"child_id": child_id} | {
            table_column(key): values[key]
            for key in self._record_keys
            if key.startswith("guardian.")
        }

    def _parent_row(self, child_id: int, relation: str, values: dict[str, Any]) -> dict[str, Any]:
        return {"child_id": child_id, "relation": relation} | {
            table_column(key): values[key]
            for key in self._record_keys
            if key.startswith(f"{relation}.")
        }

    def _insert(self, batch: _Batch) -> None:
        if batch.new:
            ids = self._insert_children([self._child_row(values) for values in batch.new])
            for values in batch.new:
                child_id = ids[values["child.student_no"]]
                self._created.add(child_id)
                batch.changes.append(Change(child_id, CREATED, None, "created"))
                batch.guardians.append(self._guardian_row(child_id, values))
                for relation in PARENTS:
                    row = self._parent_row(child_id, relation, values)
                    if any(
                        row[name] is not None
                        for name in row
                        if name not in ("child_id", "relation")
                    ):
                        batch.parents.append(row)
        for table, rows in ((_GUARDIAN, batch.guardians), (_PARENT, batch.parents)):
            by_shape: dict[tuple[str, ...], list[tuple[Any, ...]]] = defaultdict(list)
            for row in rows:
                by_shape[tuple(row)].append(tuple(row.values()))
            for columns, tuples in by_shape.items():
                insert_rows(self.session, table, columns, tuples)

    def _insert_children(self, rows: list[dict[str, Any]]) -> dict[str, int]:
        """Insert new children; return their ids by student number.

        On PostgreSQL (psycopg) the ids are drawn from the table's sequence first and the rows
        go in by COPY: INSERT ... RETURNING of thousands of rows cost more than everything
        else an import does there. Elsewhere, one executemany INSERT ... RETURNING.
        """
        connection = self.session.connection()
        if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
            ids = (
                connection.execute(
                    text(
                        "SELECT nextval(pg_get_serial_sequence('child', 'id')) FROM generate_series(1, :n)"
                    ),
                    {"n": len(rows)},
                )
                .scalars()
                .all()
            )
            columns = ("id", *rows[0])
            insert_rows(
                self.session,
                _CHILD,
                columns,
                (
                    (child_id, *map(_copy_value, row.values()))
                    for child_id, row in zip(ids, rows, strict=True)
                ),
            )
            return {row["student_no"]: child_id for child_id, row in zip(ids, rows, strict=True)}
        inserted = connection.execute(
            insert(_CHILD).returning(_CHILD.c.id, _CHILD.c.student_no), rows
        )
        return {student_no: child_id for child_id, student_no in inserted}

    def _child_row(self, values: dict[str, Any]) -> dict[str, Any]:
        row: dict[str, Any] = {
            "school_id": self.facts.school_id,
            "student_no": values["child.student_no"],
            "enrolment_status": "enrolled",
            "care_categories": [],
            "five_clears": [],
            "key_target": False,
            # The day the child came onto the roster: planning leaves out duties closed before.
            "joined_on": self.now.astimezone(SCHOOL_TIMEZONE).date(),
            "updated_at": self.now,
            "updated_by": self.actor,
        }
        for column in RECORD_COLUMNS:
            if column.entity == "child":
                key = column.key
                if key in values:
                    row[table_column(key)] = values[key]
                else:
                    row.setdefault(table_column(key), None)
        return row

    def _update(self, batch: _Batch) -> None:
        tables = {"child": _CHILD, "guardian": _GUARDIAN, "parent": _PARENT}
        for (name, columns), params in batch.updates.items():
            table = tables[name]
            statement = (
                update(table)
                .where(table.c.id == bindparam("_id"))
                .values({column: bindparam(column) for column in columns})
            )
            self.session.connection().execute(statement, params)

    # --- pairings ----------------------------------------------------------------------------

    def finish(self) -> WriteSummary:
        """Write the pairings left waiting for a buddy created later; return what was written."""
        waiting, self._pairings = self._pairings, []
        for start in range(0, len(waiting), PAIRING_BATCH):
            self._write_pairings(waiting[start : start + PAIRING_BATCH], final=True)
        return self.summary

    def _write_pairings(self, requests: list[_PairingRequest], *, final: bool) -> None:
        """One batch of pairing requests: end the pairings that change, start the new ones.

        A request whose buddy does not exist yet (a child further down the file) waits for
        :meth:`finish` unless ``final``; so only those are kept across batches.
        """
        today: date = self.now.date()
        names = {r.student_no for r in requests} | {r.buddy for r in requests if r.buddy}
        ids = self._child_ids(names)
        current = self._current_pairings(ids[r.student_no] for r in requests)
        old_buddies = {p.buddy_id for p in current.values() if p.buddy_id is not None}
        numbers = {child_id: no for no, child_id in ids.items()} | self._student_nos(
            old_buddies - set(ids.values())
        )
        codes = self.facts.teacher_codes
        ends: list[dict[str, Any]] = []
        starts: list[dict[str, Any]] = []
        changes: list[Change] = []
        for request in requests:
            if request.buddy and request.buddy not in ids and not final:
                self._pairings.append(request)
                continue
            child_id = ids[request.student_no]
            pairing_id, teacher_id, buddy_id, buddy_name = current.get(child_id, _NOT_PAIRED)
            new_teacher = self.facts.teachers[request.teacher] if request.teacher else teacher_id
            new_buddy, new_name = buddy_id, buddy_name
            if request.buddy:
                new_buddy, new_name = ids.get(request.buddy), None
            elif request.buddy_name:
                new_buddy, new_name = None, request.buddy_name
            old = (teacher_id, buddy_id, buddy_name)
            if new_teacher is None or (new_teacher, new_buddy, new_name) == old:
                continue
            if pairing_id is not None:
                ends.append({"_id": pairing_id, "ended_on": today})
            starts.append(
                {
                    "child_id": child_id,
                    "teacher_id": new_teacher,
                    "buddy_child_id": new_buddy,
                    "buddy_name": new_name,
                    "started_on": today,
                    "ended_on": None,
                }
            )
            if child_id in self._created:
                continue  # a new record's history is its creation: no entry per pairing field
            if new_teacher != teacher_id:
                changes.append(
                    Change(child_id, "pairing.teacher", codes.get(teacher_id), codes[new_teacher])
                )
            if new_buddy != buddy_id:
                changes.append(
                    Change(child_id, "pairing.buddy", numbers.get(buddy_id), numbers.get(new_buddy))
                )
            if new_name != buddy_name:
                changes.append(Change(child_id, "pairing.buddy_name", buddy_name, new_name))
        if not starts:
            return
        connection = self.session.connection()
        if ends:  # first: at most one current pairing per child (a partial unique index)
            connection.execute(
                update(_PAIRING)
                .where(_PAIRING.c.id == bindparam("_id"))
                .values(ended_on=bindparam("ended_on")),
                ends,
            )
        insert_rows(self.session, _PAIRING, tuple(starts[0]), (tuple(s.values()) for s in starts))
        changed = {change.child_id for change in changes}
        if changed:
            connection.execute(
                update(_CHILD)
                .where(_CHILD.c.id == bindparam("_id"))
                .values(updated_at=bindparam("updated_at"), updated_by=bindparam("updated_by")),
                [{"_id": i, "updated_at": self.now, "updated_by": self.actor} for i in changed],
            )
        self.summary.changes += record_changes(
            self.session, changes, actor=self.actor, source=self.source, now=self.now
        )
        newly_updated = changed - self._updated
        self.summary.updated += len(newly_updated)
        self.summary.unchanged -= len(newly_updated)
        self._updated |= newly_updated

    def _child_ids(self, student_nos: Iterable[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for batch in batches(student_nos):
            rows = self.session.execute(
                select(_CHILD.c.student_no, _CHILD.c.id).where(
                    _CHILD.c.school_id == self.facts.school_id, _CHILD.c.student_no.in_(batch)
                )
            )
            found.update(rows.all())
        return found

    def _student_nos(self, child_ids: Iterable[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for batch in batches(child_ids):
            rows = self.session.execute(
                select(_CHILD.c.id, _CHILD.c.student_no).where(_CHILD.c.id.in_(batch))
            )
            found.update(rows.all())
        return found

    def _current_pairings(self, child_ids: Iterable[int]) -> dict[int, _CurrentPairing]:
        """Child id -> the current pairing."""
        found: dict[int, _CurrentPairing] = {}
        for batch in batches(child_ids):
            rows = self.session.execute(
                select(
                    _PAIRING.c.child_id,
                    _PAIRING.c.id,
                    _PAIRING.c.teacher_id,
                    _PAIRING.c.buddy_child_id,
                    _PAIRING.c.buddy_name,
                ).where(_PAIRING.c.child_id.in_(batch), _PAIRING.c.ended_on.is_(None))
            )
            found.update({row[0]: _CurrentPairing(*row[1:]) for row in rows})
        return found


def _copy_value(value: Any) -> Any:
    """A value as COPY takes it: a list (care categories, five clears) as its JSON text."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value


def write_records(
    session: Session,
    facts: SchoolFacts,
    rows: Iterable[Mapping[str, Any]],
    keys: Iterable[str],
    *,
    actor: str,
    source: str,
    now: datetime,
) -> WriteSummary:
    """Create or update the children of ``rows`` (all of one school) in one go.

    ``keys`` are the columns the rows come from (a file's columns): the other fields are left
    as they are. The rows must have passed validation (:mod:`guanai.core.roster.validation`).
    """
    writer = RosterWriter(session, facts, keys, actor=actor, source=source, now=now)
    writer.write(rows)
    return writer.finish()


def update_child(
    session: Session,
    school_id: int,
    student_no: str,
    values: Mapping[str, str],
    *,
    actor: str,
    source: str,
    now: datetime,
) -> WriteSummary:
    """Edit one child's record by hand: ``values`` maps a field (its Chinese or English header,
    or its key) to the text typed, parsed exactly as a roster cell.

    An empty text clears the field, as an empty cell in a roster does; the pairing fields can be
    set here but not cleared (``guanai pair`` ends pairings). Raises :class:`RecordEditError`
    naming each bad field, or :class:`NotFoundError` when the child does not exist.
    """
    parsed = parse_edit(values)
    card = load_cards(session, school_id, [student_no]).get(student_no)
    if card is None:
        raise NotFoundError(
            Label(
                f"本校没有学号为 {student_no} 的学生", f"no student no. {student_no} at this school"
            )
        )
    facts = SchoolFacts.load(session, school_id)
    problems = edit_problems(session, facts, card, student_no, parsed)
    if problems:
        raise RecordEditError(joined(problems))
    keys = {key for key, _, _ in parsed.values()}
    row = {"child.student_no": student_no} | {key: value for key, value, _ in parsed.values()}
    return write_records(session, facts, [row], keys, actor=actor, source=source, now=now)
