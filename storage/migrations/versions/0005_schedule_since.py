"""schedule since

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 21:05:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """When the channel's schedule last changed (set, resumed): no slot before it is posted."""
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("schedule_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_column("schedule_since")
