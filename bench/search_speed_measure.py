"""Search speed measurements on the demo and the synthetic catalog (bench/search_speed.py runs them).

Django, numpy and the search modules are imported inside the functions: search_speed.py sets the
database, index directory and thread counts in the environment before any of them loads.
"""

from __future__ import annotations

import random
import re
import statistics
import time


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _latencies(queries: list[str], *, cached: bool) -> tuple[list[float], int]:
    from search import services

    # No cache.clear(): that would flush a shared Redis database. The queries are distinct and the
    # index version is new, so the first pass misses by construction (counted in "misses").
    times: list[float] = []
    misses = 0
    for q in queries:
        started = time.perf_counter()
        response = services.search(query=q, top_k=10)
        times.append((time.perf_counter() - started) * 1000)
        misses += not response.cached
    return times, misses


def _latency_row(name: str, times: list[float]) -> dict:
    return {
        "name": name,
        "n": len(times),
        "p50_ms": round(_percentile(times, 0.5), 2),
        "p95_ms": round(_percentile(times, 0.95), 2),
        "mean_ms": round(statistics.fmean(times), 2) if times else None,
    }


def demo_catalog_measure(queries: list[str], *, embed_sample: int) -> dict:
    from catalog.demo import catalog_bootstrap
    from catalog.models import Dataset
    from search import indexing
    from search.embeddings import get_embedder
    from search.index import document_text, index_doc_from_dataset

    started = time.perf_counter()
    loaded = catalog_bootstrap()
    load_s = time.perf_counter() - started

    # Model throughput on real catalog text (the shipped demo vectors are not used here).
    embedder = get_embedder()
    sample = list(
        Dataset.objects.select_related("source", "publisher").prefetch_related("tags").order_by("?")[:embed_sample]
    )
    texts = [document_text(index_doc_from_dataset(d)) for d in sample]
    embedder.encode_documents(texts[:32])
    started = time.perf_counter()
    embedder.encode_documents(texts)
    embed_s = time.perf_counter() - started

    started = time.perf_counter()
    written = indexing.embeddings_update()
    store_s = time.perf_counter() - started
    started = time.perf_counter()
    indexing.index_rebuild()
    build_s = time.perf_counter() - started

    from search import services

    for q in queries[:5]:  # warm the model and the index pages
        services.search(query=q + " warm-up")
    uncached, misses = _latencies(queries, cached=False)
    cached, _ = _latencies(queries, cached=True)
    families = family_overhead_measure(queries[:60], name="demo")
    return {
        "families": families,
        "datasets": loaded,
        "fixture_load_s": round(load_s, 1),
        "embed_per_s": round(len(texts) / embed_s, 1),
        "embed_device": embedder.device,
        "embeddings_update_s": round(store_s, 1),
        "embeddings_written": written,
        "index_build_s": round(build_s, 2),
        "uncached": _latency_row("demo uncached", uncached),
        "uncached_misses": misses,
        "cached": _latency_row("demo cached", cached),
    }


def synthetic_catalog_measure(target: int, queries: list[str], *, workdir, seed: int = 7) -> dict:
    import numpy as np
    from django.db import transaction

    from catalog.models import Dataset, DatasetFamily
    from search.index import IndexDoc, current_index, index_doc_from_dataset, index_publish
    from search.index.documents import family_fields_fill

    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    index = current_index(force_check=True)
    real = list(Dataset.objects.select_related("source", "publisher").prefetch_related("tags").order_by("pk"))
    real_docs = [index_doc_from_dataset(d) for d in real]
    # The demo records' dataset families (computed at bootstrap) go into the index as in production.
    family_fields_fill(
        real_docs, series_ids=set(DatasetFamily.objects.filter(kind="series").values_list("pk", flat=True))
    )
    real_vecs = np.stack([np.asarray(index.embeddings[index.position[d.pk]]) for d in real])
    sentences = [re.split(r"(?<=[.!?])\s+", d.description or "") for d in real]
    extra = max(0, target - len(real))

    started = time.perf_counter()
    rows: list[Dataset] = []
    parents: list[tuple[int, int]] = []
    for i in range(extra):
        a, b = rng.randrange(len(real)), rng.randrange(len(real))
        base, other = real[a], real[b]
        words = other.title.split()
        suffix = " ".join(words[: rng.randint(1, min(3, len(words)))]) if words else ""
        desc = " ".join(sentences[a][:2] + sentences[b][:1])
        start_year = rng.randint(1960, 2022)
        rows.append(
            Dataset(
                source_id=base.source_id,
                publisher_id=base.publisher_id,
                external_id=f"synthetic-{i}",
                title=f"{base.title} – {suffix}"[:500],
                description=desc,
                formats=base.formats,
                themes=base.themes,
                geographic_coverage=base.geographic_coverage,
                temporal_start=f"{start_year}-01-01",
                temporal_end=f"{min(2024, start_year + rng.randint(0, 20))}-12-31",
                status=Dataset.Status.ACTIVE if rng.random() > 0.03 else Dataset.Status.INACTIVE,
                quality_score=round(rng.random(), 3),
                link_status=base.link_status,
                source_modified_at=base.source_modified_at,
                content_hash=f"synthetic-{i}",
            )
        )
        parents.append((a, b))
    with transaction.atomic():
        created = Dataset.objects.bulk_create(rows, batch_size=2000)
    from django.db import connection

    if connection.vendor == "postgresql":
        # Planner statistics for the new rows, as autovacuum would gather them within a minute of a bulk load
        # (without them a page's "id IN (...)" lookup bitmap-scans the whole status index: 45 ms instead of 0.2).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalog_dataset")
    rows_s = time.perf_counter() - started

    started = time.perf_counter()
    docs: list[IndexDoc] = list(real_docs)
    pa = np.array([p[0] for p in parents], dtype=np.int64)
    pb = np.array([p[1] for p in parents], dtype=np.int64)
    syn = 0.75 * real_vecs[pa] + 0.25 * real_vecs[pb] + nrng.normal(0, 0.02, (extra, real_vecs.shape[1]))
    syn /= np.linalg.norm(syn, axis=1, keepdims=True)
    vectors = np.concatenate([real_vecs, syn.astype(np.float32)])
    for row, (a, _b) in zip(created, parents, strict=True):
        base = real_docs[a]
        docs.append(
            IndexDoc(
                id=row.pk,
                source_slug=base.source_slug,
                source_name=base.source_name,
                source_country=base.source_country,
                publisher_slug=base.publisher_slug,
                publisher_name=base.publisher_name,
                title=row.title,
                description=row.description,
                tags=base.tags,
                formats=base.formats,
                themes=base.themes,
                geography=base.geography,
                year_start=int(row.temporal_start[:4]),
                year_end=int(row.temporal_end[:4]),
                active=row.status == Dataset.Status.ACTIVE,
                quality=row.quality_score,
                link_broken=base.link_broken,
                modified=base.modified,
            )
        )
    version = index_publish(docs=docs, vectors=vectors, model_name=index.model_name)
    build_s = time.perf_counter() - started
    index = current_index(force_check=True)
    assert index.version == version and len(index) == len(docs)

    from search import services

    for q in queries[:5]:
        services.search(query=q + " warm-up")
    uncached, misses = _latencies(queries, cached=False)
    cached, _ = _latencies(queries, cached=True)
    filtered_times = []
    for q in queries[:40]:
        t = time.perf_counter()
        services.search(query=q, filters={"format": ["CSV"], "year_from": 2010})
        filtered_times.append((time.perf_counter() - t) * 1000)
    # Browsing: facet filters and no query, every matching document counted for the facets; a new page
    # per call so none is a cache hit.
    browse_times = []
    browse_filters = ({"format": ["CSV"]}, {"source": ["datagovsg"], "updated": ["year", "older"]})
    for page in range(1, 41):
        t = time.perf_counter()
        services.search(query="", filters=browse_filters[page % 2], page=page)
        browse_times.append((time.perf_counter() - t) * 1000)
    index_bytes = sum(f.stat().st_size for f in index.directory.rglob("*") if f.is_file())
    label = size_label(len(docs))
    families = family_overhead_measure(queries[:60], name=label)
    references = references_measure(docs, queries, workdir=workdir)
    edits = edit_to_searchable_measure()
    return {
        "families": families,
        "edits": edits,
        "references": references,
        "datasets": len(docs),
        "rows_insert_s": round(rows_s, 1),
        "index_build_s": round(build_s, 1),
        "index_build_docs_per_s": round(len(docs) / build_s, 0),
        "index_mb_on_disk": round(index_bytes / 1e6, 1),
        "uncached": _latency_row(f"{label} uncached", uncached),
        "uncached_misses": misses,
        "cached": _latency_row(f"{label} cached", cached),
        "filtered": _latency_row(f"{label} uncached + filters", filtered_times),
        "browse": _latency_row(f"{label} browse (filters, no query)", browse_times),
    }


def size_label(n: int) -> str:
    """A catalog size as the tables print it (7.3k, 100k, 1M)."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.3g}M"
    return f"{n / 1000:.3g}k" if n >= 1000 else str(n)


def family_overhead_measure(queries: list[str], *, name: str) -> dict:
    """What dataset families add to one uncached search, timed on their own (robust to a busy machine,
    unlike comparing two whole runs): collapsing the ranking by family, and loading the visible members
    (with their distributions) of the grouped hits of a 10-result page."""
    from catalog.models import Dataset
    from search.index import current_index
    from search.services.results import family_members_for
    from search.services.retrieval import family_collapse, filter_mask, index_ranking

    index = current_index()
    collapse_ms, members_ms, grouped = [], [], 0
    for q in queries:
        mask = filter_mask(index, {})
        ranking = index_ranking(index, query=q, mask=mask, similar_to=None)
        started = time.perf_counter()
        final = family_collapse(index, ranking, query=q, mask=mask, clean={})
        collapse_ms.append((time.perf_counter() - started) * 1000)
        top = sorted(final, key=final.__getitem__, reverse=True)[:10]
        rows = list(Dataset.objects.filter(pk__in=[int(index.ids[p]) for p in top], family__isnull=False))
        started = time.perf_counter()
        family_members_for(rows, user=None)
        members_ms.append((time.perf_counter() - started) * 1000)
        grouped += len(rows)
    return {
        "collapse": _latency_row(f"{name} family collapse", collapse_ms),
        "members": _latency_row(f"{name} family members of a page", members_ms),
        "grouped_hits_per_page": round(grouped / max(1, len(queries)), 2),
    }


def edit_to_searchable_measure(*, edits: int = 20, seed: int = 11) -> dict:
    """A curator's edit, timed from its commit until a search finds it: a new word added to a dataset's
    description must return that dataset first, then its removal must make it vanish. The re-indexing chain
    runs eagerly in this process (embed, log the change, lay the delta over the index), as in the embedded
    default; a web process on the production stack adds up to SEARCH_INDEX_CHECK_SECONDS to notice it."""
    import string

    from django.db import transaction

    from catalog.models import Dataset
    from catalog.services import dataset_refresh_derived
    from research_assistant.celery import app
    from search import services
    from search.models import IndexState

    rng = random.Random(seed)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    ids = list(Dataset.objects.filter(status=Dataset.Status.ACTIVE).values_list("pk", flat=True))
    version = IndexState.objects.get(pk=1).version
    found_ms, gone_ms = [], []

    def timed(dataset, description: str, *, word: str, present: bool) -> float:
        with transaction.atomic():
            Dataset.objects.filter(pk=dataset.pk).update(description=description)
            dataset_refresh_derived(dataset_ids=[dataset.pk])
            started = time.perf_counter()  # the commit runs the chain (on_commit): timed from here
        deadline = started + 30
        while time.perf_counter() < deadline:
            hits = services.search(query=word, top_k=10, record=False).results
            # A family member is found as its family's result (the lead, with the members nested).
            top = [[h.id, *(m.get("id") for m in h.members or [])] for h in hits]
            first = top[0] if top else []
            if (dataset.pk in first) if present else all(dataset.pk not in ids for ids in top):
                return (time.perf_counter() - started) * 1000
            time.sleep(0.02)
        return float("inf")

    try:
        for _ in range(edits):
            dataset = Dataset.objects.get(pk=rng.choice(ids))
            word = "".join(rng.choice(string.ascii_lowercase) for _ in range(11))
            original = dataset.description or ""
            found_ms.append(timed(dataset, f"{original} Curator note {word}", word=word, present=True))
            gone_ms.append(timed(dataset, original, word=word, present=False))
    finally:
        app.conf.task_always_eager = eager
    state = IndexState.objects.get(pk=1)
    return {
        "found": _latency_row("edit to searchable", found_ms),
        "gone": _latency_row("removal to gone", gone_ms),
        "builds": state.version - version,  # full builds the edits caused (compaction only)
        "changes_logged": state.change_seq - state.base_seq,
    }


def references_measure(docs: list, queries: list[str], *, workdir) -> dict:
    """The same corpus and queries through the reference implementations, so the ratios show: the dense
    side's exact scan against the approximate index (latency and recall@10 of the graph's top 10), and the
    lexical side (BM25 over the fields, the top 200 the ranking takes) against tantivy's BM25."""
    import numpy as np
    import tantivy

    from search.embeddings import get_embedder
    from search.index import current_index
    from search.index.ann import AnnVectors, similarities
    from search.index.documents import doc_fields
    from search.lexical import field_texts
    from search.ranking.pipeline import LEXICAL_CANDIDATES

    index = current_index()
    embedder = get_embedder()
    vectors = [np.asarray(embedder.encode_query(q), dtype=np.float32) for q in queries]
    matrix = index.embeddings.vectors if isinstance(index.embeddings, AnnVectors) else index.embeddings
    ann = index.embeddings.ann if isinstance(index.embeddings, AnnVectors) else None
    everything = np.ones(len(index), dtype=bool)
    exact_ms, ann_ms, recall = [], [], []
    for v in vectors:
        t = time.perf_counter()
        sims = np.asarray(matrix @ v)
        exact_top = np.argpartition(-sims, 10)[:10]
        exact_ms.append((time.perf_counter() - t) * 1000)
        if ann is not None:
            t = time.perf_counter()
            approx = similarities(index.embeddings, v, everything, ann=ann)  # candidates read as a search does
            approx_top = np.argpartition(-approx, 10)[:10]
            ann_ms.append((time.perf_counter() - t) * 1000)
            recall.append(len(set(exact_top.tolist()) & set(approx_top.tolist())) / 10)

    ours_ms = []
    for q in queries:
        t = time.perf_counter()
        scores = index.lexical.scores(q)
        np.argpartition(-scores, LEXICAL_CANDIDATES)[:LEXICAL_CANDIDATES]
        ours_ms.append((time.perf_counter() - t) * 1000)
    builder = tantivy.SchemaBuilder()
    for name in ("names", "description", "tags", "publisher", "formats", "columns"):
        builder.add_text_field(name, stored=False, tokenizer_name="en_stem")
    schema = builder.build()
    path = workdir / "tantivy"
    path.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    tindex = tantivy.Index(schema, path=str(path))
    writer = tindex.writer(heap_size=500_000_000, num_threads=2)
    for d in docs:
        writer.add_document(tantivy.Document(**field_texts(doc_fields(d))))
    writer.commit()
    writer.wait_merging_threads()
    tantivy_build_s = time.perf_counter() - started
    tindex.reload()
    searcher = tindex.searcher()
    tantivy_ms = []
    fields = ["names", "description", "tags", "publisher", "formats", "columns"]
    for q in queries:
        t = time.perf_counter()
        parsed, _ = tindex.parse_query_lenient(q, fields)
        searcher.search(parsed, LEXICAL_CANDIDATES)
        tantivy_ms.append((time.perf_counter() - t) * 1000)
    out = {
        "exact_scan": _latency_row("dense exact scan, top 10", exact_ms),
        "lexical": _latency_row("lexical BM25 (ours), top 200", ours_ms),
        "tantivy": _latency_row("lexical BM25 (tantivy), top 200", tantivy_ms),
        "tantivy_build_s": round(tantivy_build_s, 1),
    }
    if ann is not None:
        out["ann"] = _latency_row("dense approximate, top 10", ann_ms)
        out["ann_recall_at_10"] = round(float(np.mean(recall)), 4)
    return out
