"""manage.py build_demo_embeddings: precompute the shipped demo-catalog embeddings.

Run on a database holding exactly the demo catalog (``manage.py bootstrap --skip-index``). Writes
search/data/demo_embeddings.npz: float16 vectors keyed by a hash of the embedded text and model,
which ``embeddings_update`` uses instead of running the model when the text matches. Re-run it
whenever the demo fixture or ``search.ranking.document_text`` changes.
"""

from __future__ import annotations

import time

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand

from catalog.models import Dataset
from search.embeddings import get_embedder
from search.index import document_text, index_doc_from_dataset
from search.indexing import DEMO_EMBEDDINGS, demo_embeddings, demo_embeddings_write, text_hash


class Command(BaseCommand):
    help = "Embed every dataset in the database and write search/data/demo_embeddings.npz."

    def handle(self, *args, **options):
        embedder = get_embedder()
        texts: dict[str, str] = {}
        qs = Dataset.objects.select_related("source", "publisher").prefetch_related("tags").order_by("pk")
        for dataset in qs.iterator(chunk_size=2000):
            text = document_text(index_doc_from_dataset(dataset))
            texts.setdefault(text_hash(text, settings.EMBEDDING_MODEL), text)
        keys = list(texts)
        # Reuse the vectors already shipped for texts that did not change.
        known = demo_embeddings()
        todo = [k for k in keys if k not in known]
        started = time.perf_counter()
        fresh = dict(zip(todo, embedder.encode_documents([texts[k] for k in todo]), strict=True)) if todo else {}
        seconds = time.perf_counter() - started
        vectors = np.stack([fresh[k] if k in fresh else known[k] for k in keys]).astype(np.float32)
        demo_embeddings_write(path=DEMO_EMBEDDINGS, keys=keys, vectors=vectors, model_name=settings.EMBEDDING_MODEL)
        size = DEMO_EMBEDDINGS.stat().st_size / 1e6
        self.stdout.write(
            f"{len(keys)} embeddings ({len(todo)} computed in {seconds:.0f} s on {embedder.device}, "
            f"{len(keys) - len(todo)} reused); wrote {DEMO_EMBEDDINGS} ({size:.1f} MB)"
        )
