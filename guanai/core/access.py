"""Who may see what. Roles: coordinator, head teacher, teacher, bureau viewer.

- the coordinator sees every record of their school in full;
- a head teacher sees in full the children of their own class and those paired with them;
- a teacher sees in full only the children paired with them;
- a bureau viewer sees aggregates and masked records, never contact details.

An install with no accounts at all is a single-user install (the demo, a coordinator's own
laptop): its one user is the coordinator. Once accounts exist, the acting user (``--as`` or
the config's ``actor``) must be one of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, false, func, or_, select, true
from sqlalchemy.orm import Session

from guanai.core.errors import GuanaiError
from guanai.core.i18n import Label
from guanai.core.models import Account, Activity, Child, Pairing, SchoolClass, Task


class AccessError(GuanaiError):
    """The acting user may not do or see this."""


@dataclass(frozen=True)
class Viewer:
    name: str
    role: str
    teacher_id: int | None = None
    school_id: int | None = None

    @property
    def is_bureau(self) -> bool:
        return self.role == "bureau"


def viewer_for(session: Session, actor: str) -> Viewer:
    """The acting user's role; the coordinator when the install has no accounts yet."""
    account = session.scalars(select(Account).where(Account.name == actor)).one_or_none()
    if account is not None:
        return Viewer(account.name, account.role, account.teacher_id, account.school_id)
    if not session.scalar(select(func.count()).select_from(Account)):
        return Viewer(actor, "coordinator")
    raise AccessError(
        Label(
            f"用户 {actor} 没有账号：请以账号身份运行（guanai --as 账号名 …，或环境变量"
            " GUANAI_ACTOR，或配置文件中的 actor），或由关爱办添加（guanai accounts add）",
            f"user {actor} has no account: act as one (guanai --as NAME ..., or GUANAI_ACTOR, or"
            " actor in the config file), or have the coordinator add it (guanai accounts add)",
        )
    )


def sees_in_full(viewer: Viewer) -> ColumnElement[bool]:
    """A condition on :class:`Child` rows: true where this viewer may see contact details."""
    in_school = Child.school_id == viewer.school_id if viewer.school_id is not None else true()
    if viewer.role == "coordinator":
        return in_school
    if viewer.role == "bureau" or viewer.teacher_id is None:
        return false()
    # correlate(Child) only: a query that itself joins Pairing or SchoolClass (an export
    # joins the current pairing) must not swallow the subquery's own FROM.
    paired = (
        exists()
        .where(
            Pairing.child_id == Child.id,
            Pairing.ended_on.is_(None),
            Pairing.teacher_id == viewer.teacher_id,
        )
        .correlate(Child)
    )
    if viewer.role == "head_teacher":
        heads = (
            exists()
            .where(
                SchoolClass.id == Child.class_id, SchoolClass.head_teacher_id == viewer.teacher_id
            )
            .correlate(Child)
        )
        return in_school & or_(paired, heads)
    return in_school & paired


COORDINATOR = "coordinator"
HEAD_TEACHER = "head_teacher"
TEACHER = "teacher"
BUREAU = "bureau"
ROLES = (COORDINATOR, HEAD_TEACHER, TEACHER, BUREAU)

ACTIONS: dict[str, tuple[str, ...]] = {
    # writes: the role that owns the work
    "plan": (COORDINATOR,),
    "tick": (COORDINATOR,),
    "simulate": (COORDINATOR,),
    "demo": (COORDINATOR,),
    "init": (COORDINATOR,),
    "import_roster": (COORDINATOR,),
    "pair": (COORDINATOR,),
    "manage_accounts": (COORDINATOR,),
    "set_up_school": (COORDINATOR,),
    "manage_feeds": (COORDINATOR,),
    "manage_links": (COORDINATOR,),
    "manage_outbox": (COORDINATOR,),
    "export_roster": (COORDINATOR,),
    "edit_child": (COORDINATOR, HEAD_TEACHER),
    "record": (COORDINATOR, HEAD_TEACHER, TEACHER),
    "repair": (COORDINATOR,),
    "manage_case_plans": (COORDINATOR,),
    # reads
    "dashboard": (COORDINATOR,),
    "read_outbox": (COORDINATOR,),
    "ledger": (COORDINATOR, BUREAU),
    "read_child": ROLES,
    "read_pairings": ROLES,
    "agenda": ROLES,
    "read_tasks": ROLES,
    "read_case_plans": (COORDINATOR, HEAD_TEACHER, TEACHER),  # a teacher: the plans naming them
    "inbox": ROLES,
}
"""Every user action and the roles that may take it: the one table the service asks
(:func:`require`) before it reads or writes anything. Narrowing within a role (a school, a
teacher's own tasks, masked names) is applied by the query the action runs."""


def may(viewer: Viewer, action: str) -> bool:
    """Whether ``viewer``'s role may take ``action`` (a key of :data:`ACTIONS`)."""
    return viewer.role in ACTIONS[action]


def require(viewer: Viewer, action: str) -> None:
    """Refuse ``viewer`` an ``action`` their role does not own, naming both."""
    if not may(viewer, action):
        require_role(viewer, *ACTIONS[action])


def require_role(viewer: Viewer, *roles: str) -> None:
    if viewer.role not in roles:
        raise AccessError(
            Label(
                f"用户 {viewer.name}（{viewer.role}）无权执行此操作",
                f"user {viewer.name} ({viewer.role}) may not do this",
            )
        )


def require_school(viewer: Viewer, school_id: int) -> None:
    """Refuse a viewer bound to one school (``Account.school_id``) any other school."""
    if viewer.school_id is not None and viewer.school_id != school_id:
        raise AccessError(
            Label(
                f"用户 {viewer.name} 只能处理本校的记录",
                f"user {viewer.name} may only act on their own school's records",
            )
        )


def require_may_record(session: Session, viewer: Viewer, task_id: int) -> None:
    """Refuse ``viewer`` recording the task ``task_id``: a coordinator records any task of
    their school (of any school, when not bound to one); a teacher or head teacher only the
    tasks assigned to them; the bureau none. A task that does not exist is left to the engine,
    which names it."""
    row = session.execute(
        select(Task.assignee_id, Activity.school_id)
        .join(Activity, Activity.id == Task.activity_id)
        .where(Task.id == task_id)
    ).one_or_none()
    require_role(viewer, "coordinator", "head_teacher", "teacher")
    if row is None:
        return
    assignee, school = row
    if viewer.role == "coordinator":
        require_school(viewer, school)
        return
    if assignee == viewer.teacher_id:
        return
    raise AccessError(
        Label(
            f"用户 {viewer.name}（{viewer.role}）只能记录分配给自己的任务，任务 {task_id} 不是",
            f"user {viewer.name} ({viewer.role}) may record only their own tasks; task"
            f" {task_id} is not one",
        )
    )
