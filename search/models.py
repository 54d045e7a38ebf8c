"""The tables of the embedded database search backend (``search.backends.database``).

``SearchEntry`` holds one ``Entry``: its display fields, its filter and facet fields, and its
analysed terms (``search.text``) as space-separated strings, which the full-text index reads.
The full-text index itself is not a Django field, as it differs by database (created by the
migrations through ``search.backends.database.install_full_text``):

- SQLite: an FTS5 table ``search_fts`` over the term columns and ``principal_terms`` as
  external content (rowid = entry id), kept in step by triggers on this table;
- PostgreSQL: a generated ``search_vector`` tsvector column over the same with a GIN index.

On SQLite, a migration that *remakes* ``search_searchentry`` (most ``AlterField``s do) drops the
triggers with the old table: such a migration must call ``install_full_text`` again.

The small columns come first: SQLite stores a row's columns in this order, and the filters and
facets should not have to step over a long body to reach theirs.
"""

from django.db import models


class SearchEntry(models.Model):
    key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=30)
    doc_kind = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=50, blank=True)
    office_id = models.BigIntegerField(null=True, blank=True)
    department_id = models.BigIntegerField(null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    closed = models.BooleanField(default=False)
    # The rebuild that wrote this row last (``SearchState``): older rows go when one ends.
    generation = models.BigIntegerField(default=0)
    number = models.CharField(max_length=100, blank=True)
    number_key = models.CharField(max_length=100, blank=True, db_index=True)
    url = models.CharField(max_length=500, blank=True)
    title = models.TextField()
    people = models.TextField(blank=True)
    number_terms = models.TextField(blank=True)
    title_terms = models.TextField(blank=True)
    people_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    # Opaque tokens of the principals (``principal_token``), in the full-text index beside the
    # terms, so that it finds only what the searcher may see before any row is read;
    # ``SearchPrincipal`` stays the rule (the permission EXISTS).
    principal_terms = models.TextField(blank=True)
    body = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.key


class SearchPrincipal(models.Model):
    """Who may see an entry: one row per principal ("office:3", "staff", "public"...)."""

    entry = models.ForeignKey(
        SearchEntry, on_delete=models.CASCADE, related_name="principals", db_index=False
    )
    principal = models.CharField(max_length=100)

    class Meta:
        constraints = [
            # Also the index of an entry's principals (the permission EXISTS probes it).
            models.UniqueConstraint(fields=["entry", "principal"], name="search_principal_unique")
        ]
        # The entries a principal may see, for plans that start from the principals.
        indexes = [models.Index(fields=["principal", "entry"], name="search_principal_entries")]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.principal}"


class SearchTerm(models.Model):
    """Every term ever indexed (stale ones are harmless): the vocabulary typos are matched to."""

    term = models.CharField(max_length=200, primary_key=True)

    def __str__(self) -> str:
        return self.term


class SearchTermVariant(models.Model):
    """A vocabulary term with one letter deleted (``one_edit_variants``), for terms long enough
    to be matched with a typo: two words within one edit share a variant or one is the other's,
    so a typo is looked up by key instead of by scanning the vocabulary."""

    pk = models.CompositePrimaryKey("variant", "term")
    variant = models.CharField(max_length=200)
    term = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.variant} -> {self.term}"


class SearchState(models.Model):
    """One row: the generation that ``index`` writes and the current rebuild started."""

    generation = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.generation)
