"""A clock keeps its thread's channel (filled here from the threads), and the response figures' window is read
from indexes that include what they count (PostgreSQL; a plain index on SQLite)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_workspace_currency"),
        ("inbox", "0013_read_state_saved_filter"),
        ("sla", "0002_policy_client_key"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="threadclock",
            name="sla_threadc_workspa_dfbf00_idx",
        ),
        migrations.AddField(
            model_name="threadclock",
            name="channel",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.RunSQL(
            "UPDATE sla_threadclock SET channel = (SELECT c.connection_id FROM inbox_conversation c"
            " WHERE c.id = sla_threadclock.conversation_id)",
            migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name="threadclock",
            index=models.Index(
                fields=["workspace", "started_at"],
                include=(
                    "policy",
                    "closed_at",
                    "first_response_due",
                    "first_response_at",
                    "next_response_due",
                    "next_response_at",
                    "resolution_due",
                    "resolution_at",
                ),
                name="sla_clock_window",
            ),
        ),
        migrations.AddIndex(
            model_name="threadclock",
            index=models.Index(
                fields=["workspace", "channel", "started_at"],
                include=(
                    "policy",
                    "closed_at",
                    "first_response_due",
                    "first_response_at",
                    "next_response_due",
                    "next_response_at",
                    "resolution_due",
                    "resolution_at",
                ),
                name="sla_clock_channel",
            ),
        ),
    ]
