from __future__ import annotations

from django.conf import settings
from django.db import models


class DatasetEmbedding(models.Model):
    """A dataset's sentence embedding, computed once per content hash and model."""

    dataset = models.OneToOneField(
        "catalog.Dataset", on_delete=models.CASCADE, primary_key=True, related_name="embedding"
    )
    content_hash = models.CharField(max_length=64)
    # Hash of the exact text embedded (and the model): a change to how the text is composed
    # re-embeds the dataset even though its content hash stayed the same.
    text_hash = models.CharField(max_length=64, blank=True)
    model_name = models.CharField(max_length=200)
    dim = models.PositiveSmallIntegerField()
    vector = models.BinaryField(help_text="float32 little-endian, L2-normalised")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"embedding of dataset {self.dataset_id}"


class IndexState(models.Model):
    """The one row (pk=1) that tells every process which index version is current."""

    version = models.PositiveBigIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)
    # When the build read the catalog: a rebuild requested before this moment is already covered.
    snapshot_at = models.DateTimeField(null=True, blank=True)
    dataset_count = models.PositiveIntegerField(default=0)
    model_name = models.CharField(max_length=200, blank=True)
    path = models.CharField(max_length=500, blank=True)
    # Written into the version's vocab.json too: tells a stale directory with the same number apart.
    build_id = models.CharField(max_length=32, blank=True)
    # The change log (``IndexChange``): the newest change it holds, and the newest one the published
    # version's build had already read (its documents are in the files). Processes lay the changes in
    # between over the version as a small delta (``search.index.delta``) until the next build.
    change_seq = models.PositiveBigIntegerField(default=0)
    base_seq = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"index v{self.version}"


class IndexChange(models.Model):
    """One dataset created, edited, withdrawn or deleted since an index build read the catalog: the log
    every process reads to lay the change over its index version (``search.index.delta``). Rows older than
    the published version's build are pruned by the next build."""

    id = models.BigAutoField(primary_key=True)
    dataset_id = models.BigIntegerField()  # no foreign key: a deleted dataset's change is logged too
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"change {self.id}: dataset {self.dataset_id}"


class QueryStat(models.Model):
    """How often a normalised query (with filters) was asked: feeds cache re-warming."""

    key = models.CharField(max_length=64, unique=True)
    query = models.CharField(max_length=500)
    filters = models.JSONField(default=dict, blank=True)
    count = models.PositiveIntegerField(default=0)
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.query


class SavedSearch(models.Model):
    """A signed-in user's saved query and filters, re-run after catalog changes ("new for you").

    ``checked_at`` is the catalog moment the last matching run covered (the index snapshot it
    searched): datasets changed after it are the next run's candidates. None until the first run,
    which records the matches as they are (a baseline, not news).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=200, blank=True)
    query = models.CharField(max_length=500)
    filters = models.JSONField(default=dict, blank=True)
    # sha256 of the normalised query and canonical filters: one saved copy of a search per user.
    key = models.CharField(max_length=64)
    email_digest = models.BooleanField(default=False, help_text="Send new matches in the e-mail digest.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="savedsearch_unique_user_key")]
        indexes = [models.Index(fields=["checked_at"], name="savedsearch_checked")]

    def __str__(self) -> str:
        return self.name or self.query


class SavedSearchMatch(models.Model):
    """A dataset a saved search has matched: recorded once, so "new" means matched now and not before."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="matches")
    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.CASCADE, related_name="+")
    first_seen = models.DateTimeField()
    seen = models.BooleanField(default=False, help_text="The user has seen it (or it was there when saved).")
    notified_at = models.DateTimeField(null=True, blank=True, help_text="Sent in an e-mail digest.")

    class Meta:
        ordering = ["-first_seen", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["saved_search", "dataset"], name="savedsearchmatch_unique_dataset")
        ]
        indexes = [models.Index(fields=["saved_search", "seen"], name="savedsearchmatch_seen")]

    def __str__(self) -> str:
        return f"{self.saved_search_id} -> {self.dataset_id}"


class IndexSnapshotFile(models.Model):
    """A chunk of one file of a published index version, in the database: how a web node on another host
    (no shared disk) gets the version a worker built, without building it itself (``search.index.snapshots``;
    ``SEARCH_SNAPSHOT_DIR`` keeps them on a shared volume instead)."""

    build_id = models.CharField(max_length=32)
    version = models.PositiveBigIntegerField()
    path = models.CharField(max_length=200)  # relative to the version's directory
    chunk = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["build_id", "path", "chunk"], name="indexsnapshotfile_unique_chunk")
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.path}[{self.chunk}]"
