"""Engines: what a database file guanai makes looks like on disk."""

from __future__ import annotations

from pathlib import Path

from guanai.core.db import make_engine, upgrade


def test_a_sqlite_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    """It holds the children's records: 0600 from its creation, and an older file tightened."""
    fresh, older = tmp_path / "new" / "guanai.db", tmp_path / "old.db"
    older.write_bytes(b"")
    older.chmod(0o644)
    for path in (fresh, older):
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        engine.dispose()
        assert path.stat().st_mode & 0o777 == 0o600
    assert fresh.parent.stat().st_mode & 0o077 == 0
