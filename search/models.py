from __future__ import annotations

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

    def __str__(self) -> str:
        return f"index v{self.version}"


class QueryStat(models.Model):
    """How often a normalised query (with filters) was asked: feeds cache re-warming."""

    key = models.CharField(max_length=64, unique=True)
    query = models.CharField(max_length=500)
    filters = models.JSONField(default=dict, blank=True)
    count = models.PositiveIntegerField(default=0)
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.query
