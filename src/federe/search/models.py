"""One search document per message: its words folded and stemmed (``search/analysis.py``), space-separated.

The database indexes this column with its own full-text engine, set up by the migration for the database in use:
PostgreSQL gets a stored ``tsv`` column (``to_tsvector('simple', document)``, generated) with a GIN index;
SQLite gets an FTS5 table ``search_fts`` over this one (external content), kept in step by triggers. Neither
is a Django field: ``search/backends.py`` reads them in SQL. Rows are written by ``search/indexing.py`` only.

The message's channel, author and date are copied here (they never change once stored) so that a search filtered
on them reads this table alone, through its own indexes, instead of joining every candidate to its message.
"""

from __future__ import annotations

from django.db import models


class SearchDocument(models.Model):
    message = models.OneToOneField("inbox.Message", primary_key=True, on_delete=models.CASCADE, related_name="+")
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    document = models.TextField()
    connection = models.ForeignKey(
        "connections.Connection", null=True, db_index=False, on_delete=models.CASCADE, related_name="+"
    )
    author = models.ForeignKey("people.Identity", null=True, on_delete=models.SET_NULL, related_name="+")
    posted_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "search_document"
        indexes = [
            models.Index(fields=["connection", "posted_at"], name="search_doc_channel_date"),
            models.Index(fields=["workspace", "posted_at"], name="search_doc_workspace_date"),
        ]

    def __str__(self) -> str:
        return self.document[:60]
