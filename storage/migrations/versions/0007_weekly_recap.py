"""weekly recap: the channel's opt-in and one claim row per channel and week

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 23:05:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("recap_weekly", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "recaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_recaps_channel_id_channels"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recaps")),
        sa.UniqueConstraint("channel_id", "week", name="uq_recaps_channel_week"),
    )


def downgrade() -> None:
    op.drop_table("recaps")
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_column("recap_weekly")
