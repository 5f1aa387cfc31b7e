"""Fixtures for the roster tests: a school with classes and teachers, on each backend."""

from __future__ import annotations

import pytest
from roster_samples import add_school


@pytest.fixture
def school(session) -> int:
    """School S1 (classes 一年级1班, 一年级2班, 三年级1班; teachers T001-T003), committed."""
    school_id = add_school(session)
    session.commit()
    return school_id


@pytest.fixture
def other_school(session, school) -> int:
    school_id = add_school(session, code="S2", name="另一所小学")
    session.commit()
    return school_id
