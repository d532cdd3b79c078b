"""reminders

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:39:26.948480

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminder_minutes", sa.Integer(), nullable=True))

    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("reminded_at")

    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_column("reminder_minutes")
