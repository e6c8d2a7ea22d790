"""audit entries

Revision ID: ed5397ed7ed6
Revises: 1b37e8ff9062
Create Date: 2026-12-04 16:50:17.786334

"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "ed5397ed7ed6"
down_revision = "1b37e8ff9062"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("integration_id", sa.String(length=36), nullable=False),
        sa.Column("integration_name", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("actor", sa.String(length=400), nullable=False),
        sa.Column("via", sa.String(length=20), nullable=False),
        sa.Column(
            "changes",
            sa.JSON().with_variant(
                postgresql.JSONB(astext_type=sa.Text()), "postgresql"
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_audit_entries_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_entries_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_entries_integration_id"),
            ["integration_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_audit_entries_owner_id"), ["owner_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_owner_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_integration_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_created_at"))

    op.drop_table("audit_entries")
