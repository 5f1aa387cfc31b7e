"""Child records: the full contact card, parents, guardian details, history, accounts.

Also turns the Chinese labels that earlier versions stored for gender, the left-behind type
and the guardian's relation into the codes of guanai.core.vocabulary.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 07:54:56.543680
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the labels as they were: a migration must not change with the vocabulary.
LEFT_BEHIND_CODES = {"父母均外出": "both", "父亲外出": "father", "母亲外出": "mother"}
GENDER_CODES = {"男": "male", "女": "female"}
RELATION_CODES = {
    "祖父": "grandfather",
    "祖母": "grandmother",
    "外祖父": "maternal_grandfather",
    "外祖母": "maternal_grandmother",
    "其他亲属": "relative",
}


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=True),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_account_school_id_school")
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"], ["teacher.id"], name=op.f("fk_account_teacher_id_teacher")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("name", name=op.f("uq_account_name")),
    )
    op.create_table(
        "parent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("work_city", sa.String(length=100), nullable=True),
        sa.Column("work_unit", sa.String(length=200), nullable=True),
        sa.Column("unit_address", sa.String(length=300), nullable=True),
        sa.Column("unit_phone", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"], name=op.f("fk_parent_child_id_child")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parent")),
        sa.UniqueConstraint("child_id", "relation", name=op.f("uq_parent_child_id_relation")),
    )
    op.create_table(
        "record_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"], ["child.id"], name=op.f("fk_record_change_child_id_child")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_change")),
    )
    with op.batch_alter_table("record_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_change_child_id"), ["child_id"], unique=False)

    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.add_column(sa.Column("left_behind_since", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("care_categories", sa.JSON(), server_default="[]", nullable=False)
        )
        batch_op.add_column(
            sa.Column("key_target", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("individual_plan", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("five_clears", sa.JSON(), server_default="[]", nullable=False)
        )
        batch_op.add_column(sa.Column("notes", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("updated_by", sa.String(length=100), nullable=True))
        batch_op.create_index("ix_child_id_number", ["id_number"], unique=False)

    with op.batch_alter_table("guardian", schema=None) as batch_op:
        batch_op.add_column(sa.Column("occupation", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("address", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("health", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("age", sa.Integer(), nullable=True))
        batch_op.drop_index(batch_op.f("ix_guardian_child_id"))
        batch_op.create_unique_constraint(batch_op.f("uq_guardian_child_id"), ["child_id"])

    for table, column, mapping in (
        ("child", "left_behind_type", LEFT_BEHIND_CODES),
        ("child", "gender", GENDER_CODES),
        ("guardian", "relation", RELATION_CODES),
    ):
        for label, code in mapping.items():
            op.execute(
                sa.text(f"UPDATE {table} SET {column} = :code WHERE {column} = :label").bindparams(
                    code=code, label=label
                )
            )


def downgrade() -> None:
    with op.batch_alter_table("guardian", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_guardian_child_id"), type_="unique")
        batch_op.create_index(batch_op.f("ix_guardian_child_id"), ["child_id"], unique=False)
        batch_op.drop_column("age")
        batch_op.drop_column("health")
        batch_op.drop_column("address")
        batch_op.drop_column("occupation")

    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.drop_index("ix_child_id_number")
        batch_op.drop_column("updated_by")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("notes")
        batch_op.drop_column("five_clears")
        batch_op.drop_column("individual_plan")
        batch_op.drop_column("key_target")
        batch_op.drop_column("care_categories")
        batch_op.drop_column("left_behind_since")

    with op.batch_alter_table("record_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_change_child_id"))

    op.drop_table("record_change")
    op.drop_table("parent")
    op.drop_table("account")
