"""The search documents, and the database's own full-text index over them (PostgreSQL or SQLite FTS5).

If a later migration ever rebuilds ``search_document`` on SQLite (Django copies the table to alter it), the FTS5
triggers go with it: that migration must run ``SQLITE`` again, then ``federe search reindex``.
"""

import django.db.models.deletion
from django.db import migrations, models

POSTGRESQL = [
    "ALTER TABLE search_document ADD COLUMN tsv tsvector"
    " GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, document)) STORED",
    "CREATE INDEX search_document_tsv ON search_document USING gin (tsv)",
]
SQLITE = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(document, content='search_document', content_rowid='message_id',"
    " tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN"
    " INSERT INTO search_fts(rowid, document) VALUES (new.message_id, new.document); END",
    "CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, document) VALUES ('delete', old.message_id, old.document); END",
    "CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, document) VALUES ('delete', old.message_id, old.document);"
    " INSERT INTO search_fts(rowid, document) VALUES (new.message_id, new.document); END",
]
UNDO = {
    "postgresql": ["DROP INDEX IF EXISTS search_document_tsv", "ALTER TABLE search_document DROP COLUMN tsv"],
    "sqlite": [
        "DROP TRIGGER IF EXISTS search_document_ai",
        "DROP TRIGGER IF EXISTS search_document_ad",
        "DROP TRIGGER IF EXISTS search_document_au",
        "DROP TABLE IF EXISTS search_fts",
    ],
}


def full_text_index(apps, schema_editor):
    for statement in {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def drop_full_text_index(apps, schema_editor):
    for statement in UNDO.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("inbox", "0011_label"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "message",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="inbox.message",
                    ),
                ),
                ("document", models.TextField()),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="accounts.workspace"
                    ),
                ),
            ],
            options={"db_table": "search_document"},
        ),
        migrations.RunPython(full_text_index, drop_full_text_index),
    ]
