"""reveal retries

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 21:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """A reveal that failed gives its claim back and is retried later, with a count and the last error."""
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reveal_failures", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("reveal_retry_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reveal_error", sa.String(length=200), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("reveal_error")
        batch_op.drop_column("reveal_retry_at")
        batch_op.drop_column("reveal_failures")
