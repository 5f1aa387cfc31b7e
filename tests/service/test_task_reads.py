"""TaskReads.tasks: what a command or panel plugin lists, narrowed and masked for the reader."""

from __future__ import annotations

import pytest
from city import World

from guanai import TaskView
from guanai.core.access import AccessError
from guanai.core.masking import mask_name


def test_a_teacher_reads_only_their_own_tasks(world: World):
    mine = world.as_("teacher").tasks()
    assert mine and {task.assignee_code for task in mine} == {world.teacher_code}
    assert world.as_("teacher").tasks(teacher_code=world.teacher_code) == mine
    with pytest.raises(AccessError, match="只能"):
        world.as_("teacher").tasks(teacher_code=world.head_teacher_code)


def test_the_coordinator_reads_the_school_in_full_filtered_by_type_step_and_state(world: World):
    every = world.as_("coordinator").tasks(school_code="DEMO")
    assert all(isinstance(task, TaskView) for task in every)
    assert len({task.assignee_code for task in every}) > 2
    talks = world.as_("coordinator").tasks("talk", school_code="DEMO")
    assert talks and {task.activity_type for task in talks} == {"talk"}
    assert all(task.child_name and "*" not in task.child_name for task in talks)
    step = talks[0].step
    assert {t.step for t in world.as_("coordinator").tasks("talk", step, school_code="DEMO")} == {
        step
    }
    assert world.as_("coordinator").tasks(state="done", school_code="DEMO") == []


def test_the_bureau_reads_children_masked(world: World):
    full = {t.id: t.child_name for t in world.as_("coordinator").tasks("talk", school_code="DEMO")}
    masked = world.as_("bureau").tasks("talk", school_code="DEMO")
    assert masked and all(task.child_name == mask_name(full[task.id]) for task in masked)


def test_another_schools_coordinator_and_an_unknown_account_are_refused(world: World):
    with pytest.raises(AccessError, match="只能"):
        world.as_("other_coordinator").tasks(school_code="DEMO")
    with pytest.raises(AccessError, match="没有账号"):
        world.as_("nobody").tasks(school_code="DEMO")
