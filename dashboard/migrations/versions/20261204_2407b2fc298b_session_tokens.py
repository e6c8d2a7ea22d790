"""session tokens

Revision ID: 2407b2fc298b
Revises: ed5397ed7ed6
Create Date: 2026-12-04 17:37:00.306520

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "2407b2fc298b"
down_revision = "ed5397ed7ed6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_token", sa.String(length=64), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_token")
