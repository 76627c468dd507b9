"""reviews, comply-or-explain explanations, portfolio fields on portal

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("portal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nuts", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("lau", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("languages", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("also_hosts", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("extra_start_urls", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("max_pages", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("schedule", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["finding_id"], ["finding.id"], name=op.f("fk_review_finding_id_finding"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["run_id"], ["run.id"], name=op.f("fk_review_run_id_run"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
    )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_finding_id"), ["finding_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_run_id"), ["run_id"], unique=False)
    op.create_table(
        "explanation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portal_id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["portal_id"], ["portal.id"], name=op.f("fk_explanation_portal_id_portal"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_explanation")),
    )
    with op.batch_alter_table("explanation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_explanation_portal_id"), ["portal_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("explanation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_explanation_portal_id"))
    op.drop_table("explanation")
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_run_id"))
        batch_op.drop_index(batch_op.f("ix_review_finding_id"))
    op.drop_table("review")
    with op.batch_alter_table("portal", schema=None) as batch_op:
        for col in ("scheduled_at", "schedule", "max_pages", "extra_start_urls", "also_hosts", "languages", "lau", "nuts"):
            batch_op.drop_column(col)
