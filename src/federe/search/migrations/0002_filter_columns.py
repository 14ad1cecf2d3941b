"""The message's channel, author and date copied onto its search document (see ``search/models.py``), filled in
for the documents already written, with the indexes the filtered searches walk."""

import django.db.models.deletion
from django.db import migrations, models

FILL = (
    "UPDATE search_document SET connection_id = m.connection_id, author_id = m.author_id, posted_at = m.posted_at"
    " FROM inbox_message m WHERE m.id = search_document.message_id"
)


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0002_sync_run_interrupted"),
        ("inbox", "0012_conversation_priority"),
        ("people", "0002_scoring_merges_notes"),
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="author",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="people.identity"
            ),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="connection",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="connections.connection",
            ),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="posted_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(fields=["connection", "posted_at"], name="search_doc_channel_date"),
        ),
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(fields=["workspace", "posted_at"], name="search_doc_workspace_date"),
        ),
    ]
