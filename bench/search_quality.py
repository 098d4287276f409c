#!/usr/bin/env python
"""Search quality ablation: BM25 only, neural only, naive RRF, fused, fused + re-scoring.

Benchmarks:
  * DataFinder dev half (../shared/benchmarks/datafinder, Papers with Code corpus), with the
    full-sentence ``query`` and the ``keyphrase_query`` of each query;
  * our judged data.gov.sg query set (tests/data/sg_search_queries.jsonl, graded 0/1/2) over the
    data.gov.sg records (../shared/data/datagovsg).

Standalone by default: it builds the lexical index and embeddings from the files with the same
functions the service uses (search.lexical, search.embeddings, search.ranking), no database needed.
Corpus embeddings are cached under var/cache/embeddings/ keyed by model and text. With
``--via-service`` the DataFinder queries also go through ``search.services.search`` with
``source=paperswithcode`` (needs a database with that catalog imported and indexed).

Metrics come from ../shared/benchmarks/rank_eval.py (NDCG@10, NDCG@3, P@5, R@5, R@10, MRR@10, MAP@100).
Rows: "+feedback" is the full pipeline the service runs (fusion, re-scoring with the catalog
popularity prior, feedback pass); "-popularity" is the same without the popularity prior. ``--cv``
adds the 2-fold cross-validation of the popularity prior's weight and cap. Prints tables, then one
JSON line.

    .venv/bin/python bench/search_quality.py [--only datafinder|sg] [--via-service] [--cv]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.lexical import LexicalIndex  # noqa: E402
from search.ranking import (  # noqa: E402
    FEEDBACK_DOCS,
    POPULARITY_CAP,
    DocFields,
    DocSignals,
    RescoreParams,
    catalog_mentions,
    document_text,
    feedback_query_vector,
    freshness_from_age,
    fuse,
    preprocess_query,
    query_intent,
    rescore,
    rrf,
    top_k,
)

SHARED = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))
CACHE_DIR = ROOT / "var" / "cache" / "embeddings"
METHODS = ("bm25", "neural", "rrf", "fused", "fused+rescore", "+feedback", "-popularity")
CANDIDATES = 200  # candidates taken from each list, as the service does
RANK_DEPTH = 100


def load_rank_eval():
    path = SHARED / "benchmarks" / "rank_eval.py"
    spec = importlib.util.spec_from_file_location("rank_eval", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ---------------------------------------------------------------------------------------------
# Corpora
# ---------------------------------------------------------------------------------------------


@dataclass
class Corpus:
    ids: list[str]
    docs: list[DocFields]
    signals: DocSignals
    mentions: np.ndarray | None = None  # catalog_mentions(docs), for the popularity prior

    def __post_init__(self):
        if self.mentions is None:
            self.mentions = catalog_mentions(self.docs)
        self.signals.popularity = popularity(self.mentions)


def popularity(mentions: np.ndarray, cap: int = POPULARITY_CAP) -> np.ndarray:
    """search.ranking.catalog_popularity from precomputed mention counts (cap varied by --cv)."""
    return np.minimum(1.0, np.log1p(mentions.astype(np.float32)) / np.log1p(cap)).astype(np.float32)


_SOURCE_LINE = re.compile(r"\s*Source:\s*\[(?P<title>[^\]]*)\]\((?P<link>[^)]*)\)\s*$")


def catalog_quality(**kw) -> float:
    """The catalog's documented quality formula (catalog/quality.py, a pure function)."""
    from catalog import quality

    kw.setdefault("today", date.today())
    return quality.score(**kw)


def load_datafinder(directory: Path) -> Corpus:
    """The Papers with Code records as the catalog importer stores them (Source line split off)."""
    ids, docs, qual = [], [], []
    with open(directory / "corpus.jsonl", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            desc = (r.get("description") or "").strip()
            m = _SOURCE_LINE.search(desc)
            if m:
                desc = desc[: m.start()].rstrip()
            ids.append(r["id"])
            paper = (r.get("source_paper_title") or "").strip() or (m.group("title").strip() if m else "")
            docs.append(DocFields(title=r["name"], description=desc, source_titles=[paper] if paper else []))
            qual.append(
                catalog_quality(
                    description=desc,
                    description_source="dataset" if desc else "",
                    has_publisher=False,
                    temporal_start=None,
                    temporal_end=None,
                    geographic_coverage="",
                    formats=[],
                    source_modified_at=None,
                    link_status="unknown",
                )
            )
    signals = DocSignals.neutral(len(docs))
    signals.quality = np.array(qual, dtype=np.float32)
    return Corpus(ids, docs, signals)


def _parse_dt(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def load_datagovsg(directory: Path) -> Corpus:
    """data.gov.sg records as the catalog importer keeps them active (junk/test records left out)."""
    from catalog.importers.datagovsg import junk_reason

    datasets = json.loads((directory / "datasets.json").read_text(encoding="utf-8"))
    collections = json.loads((directory / "collections.json").read_text(encoding="utf-8"))
    parent: dict[str, dict] = {}
    for c in collections:
        for child in c.get("childDatasets") or []:
            parent.setdefault(child, c)
    now = datetime.now(UTC)
    ids, docs, fresh, qual, publishers = [], [], [], [], []
    for d in datasets:
        c = parent.get(d["datasetId"])
        own = (d.get("description") or "").strip()
        desc = own or ((c or {}).get("description") or "").strip()
        publisher = d.get("managedByAgencyName") or (c or {}).get("managedByAgencyName") or ""
        if d.get("status", "active") != "active" or junk_reason(
            name=d["name"], description=desc, publisher=publisher, in_collection=c is not None
        ):
            continue
        tags = [c["name"]] if c and c.get("name") and c["name"] != d["name"] else []
        fmt = [d["format"].upper()] if d.get("format") else []
        modified = _parse_dt(d.get("lastUpdatedAt"))
        start, end = _parse_dt(d.get("coverageStart")), _parse_dt(d.get("coverageEnd"))
        ids.append(d["datasetId"])
        docs.append(DocFields(title=d["name"], description=desc, tags=tags, publisher=publisher, formats=fmt))
        publishers.append(publisher)
        fresh.append(freshness_from_age((now - modified).days if modified else None))
        qual.append(
            catalog_quality(
                description=desc,
                description_source="dataset" if own else ("collection" if desc else ""),
                has_publisher=bool(publisher),
                temporal_start=start.date() if start else None,
                temporal_end=end.date() if end else None,
                geographic_coverage="Singapore",
                formats=fmt,
                source_modified_at=modified,
                link_status="unknown",
            )
        )
    n = len(docs)
    signals = DocSignals(
        quality=np.array(qual, dtype=np.float32),
        link_broken=np.zeros(n, dtype=bool),
        freshness=np.array(fresh, dtype=np.float32),
        is_singapore=np.ones(n, dtype=bool),
        publisher=publishers,
    )
    return Corpus(ids, docs, signals)


# ---------------------------------------------------------------------------------------------
# Embeddings with an on-disk cache (var/cache/embeddings, gitignored)
# ---------------------------------------------------------------------------------------------


class EmbeddingCache:
    """Text -> vector cache on disk, one .npz per batch of new texts."""

    def __init__(self, embedder, directory: Path = CACHE_DIR):
        self.embedder = embedder
        self.dir = directory / embedder.model_name.replace("/", "_")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.vectors: dict[str, np.ndarray] = {}
        for path in sorted(self.dir.glob("*.npz")):
            with np.load(path) as z:
                for key, vec in zip(z["keys"], z["vectors"], strict=True):
                    self.vectors[str(key)] = vec

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def encode(self, texts: list[str]) -> np.ndarray:
        keys = [self.key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self.vectors))
        if missing:
            by_key = dict(zip(keys, texts, strict=True))
            t0 = time.time()
            vecs = self.embedder.encode_documents([by_key[k] for k in missing])
            if len(missing) > 20:
                print(f"  embedded {len(missing)} texts in {time.time() - t0:.1f}s", file=sys.stderr)
            name = hashlib.sha1("".join(missing).encode()).hexdigest()[:16]
            np.savez(self.dir / f"{name}.npz", keys=np.array(missing), vectors=vecs)
            self.vectors.update(zip(missing, vecs, strict=True))
        return np.stack([self.vectors[k] for k in keys]).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# Ranking (the same steps as search.services, minus filters)
# ---------------------------------------------------------------------------------------------


class Ranker:
    def __init__(self, corpus: Corpus, cache: EmbeddingCache, *, text_fn=document_text):
        self.corpus = corpus
        self.cache = cache
        self.lexical = LexicalIndex.build(corpus.docs)
        self.doc_vecs = cache.encode([text_fn(d) for d in corpus.docs])

    def neural_scores(self, query: str) -> np.ndarray:
        q = self.cache.encode([preprocess_query(query)])[0]
        return self.doc_vecs @ q

    def candidates(self, query: str, *, feedback: bool = False) -> tuple[dict[int, float], dict[int, float]]:
        lex = self.lexical.scores(query)
        neu = self.neural_scores(query)
        if feedback:  # second neural pass from the query moved towards its best hits
            q = self.cache.encode([preprocess_query(query)])[0]
            top = np.argsort(-neu, kind="stable")[:FEEDBACK_DOCS]
            neu = self.doc_vecs @ feedback_query_vector(q, self.doc_vecs[top])
        li = np.argsort(-lex, kind="stable")[:CANDIDATES]
        ni = np.argsort(-neu, kind="stable")[:CANDIDATES]
        return {int(i): float(lex[i]) for i in li if lex[i] > 0}, {int(i): float(neu[i]) for i in ni}

    def rank(self, query: str, method: str, *, rescore_params: RescoreParams | None = None, **kw) -> list[str]:
        lex, neu = self.candidates(query, feedback=method in ("+feedback", "-popularity"))
        params = rescore_params or RescoreParams()
        if method == "-popularity":  # the full pipeline without the catalog popularity prior
            method, params = "+feedback", RescoreParams(**{**params.__dict__, "popularity": 0.0})
        if method == "bm25":
            scores = lex
        elif method == "neural":
            scores = neu
        elif method == "rrf":
            scores = rrf([lex, neu])
        elif method == "fused":
            scores = fuse(lex, neu, query=query, **kw)
        elif method in ("fused+rescore", "+feedback"):
            scores = rescore(fuse(lex, neu, query=query, **kw), self.corpus.signals, query_intent(query), params=params)
        else:
            raise ValueError(method)
        return [self.corpus.ids[i] for i in top_k(scores, RANK_DEPTH)]


# ---------------------------------------------------------------------------------------------
# Query sets
# ---------------------------------------------------------------------------------------------


def load_datafinder_queries(directory: Path) -> tuple[list[dict], dict[str, dict[str, float]]]:
    text = (directory / "queries_dev.jsonl").read_text(encoding="utf-8")
    queries = [json.loads(line) for line in text.splitlines() if line.strip()]
    qrels: dict[str, dict[str, float]] = {}
    for line in (directory / "qrels_dev.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip():
            qid, doc, grade = line.rstrip("\n").split("\t")
            qrels.setdefault(qid, {})[doc] = float(grade)
    return queries, qrels


def load_sg_queries(path: Path) -> tuple[list[dict], dict[str, dict[str, float]]]:
    queries, qrels = [], {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        q = json.loads(line)
        queries.append(q)
        qrels[q["qid"]] = {d: float(g) for d, g in q["judgments"].items()}
    return queries, qrels


def evaluate(rank_eval, qrels, rankings) -> dict:
    out, _ = rank_eval.evaluate(qrels, rankings)
    return dict(out)


def run_set(rank_eval, ranker: Ranker, queries, qrels, field: str, methods=METHODS) -> dict[str, dict]:
    results = {}
    ranker.cache.encode([preprocess_query(q[field]) for q in queries])  # one batch, cached on disk
    for m in methods:
        rankings = {q["qid"]: ranker.rank(q[field], m) for q in queries}
        results[m] = evaluate(rank_eval, qrels, rankings)
    return results


def run_via_service(rank_eval, queries, qrels, field: str, *, source: str = "paperswithcode") -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "research_assistant.settings")
    import django

    django.setup()
    from search.services import search

    rankings = {}
    for q in queries:
        ids: list[str] = []
        page = 1
        while len(ids) < RANK_DEPTH:
            resp = search(query=q[field][:500], filters={"source": [source]}, top_k=50, page=page)
            ids.extend(h.external_id for h in resp.results)
            if len(resp.results) < 50:
                break
            page += 1
        rankings[q["qid"]] = ids
    return evaluate(rank_eval, qrels, rankings)


COLUMNS = (
    ("ndcg@10", "NDCG@10"),
    ("ndcg@3", "NDCG@3"),
    ("p@5", "P@5"),
    ("recall@5", "R@5"),
    ("recall@10", "R@10"),
    ("mrr@10", "MRR@10"),
    ("map@100", "MAP@100"),
)


def print_table(title: str, results: dict[str, dict]) -> None:
    print(f"\n{title}")
    head = f"{'method':<16}" + "".join(f"{label:>9}" for _, label in COLUMNS) + f"{'n':>6}"
    print(head)
    print("-" * len(head))
    for m, r in results.items():
        print(f"{m:<16}" + "".join(f"{r[k]:>9.3f}" for k, _ in COLUMNS) + f"{r['num_queries']:>6}")


CV_CAPS = (3, 5, 10, 20)
CV_WEIGHTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3)


def _fold(qid: str) -> int:
    return int(re.sub(r"\D", "", qid) or 0) % 2


def cross_validate(rank_eval, df_ranker, df_queries, df_qrels, sg_ranker, sg_queries, sg_qrels) -> dict:
    """2-fold cross-validation (odd/even query ids) of the popularity prior's weight and cap.

    For each fold: pick the (cap, weight) with the best mean NDCG@10 over both DataFinder query types
    on the *other* fold, among settings that leave the whole data.gov.sg set at least as good as
    without the prior, then report the held-out fold's NDCG@10 for it and for no prior.
    """
    per: dict[tuple, dict[str, dict[str, float]]] = {}
    sets = (
        ("full", df_ranker, df_queries, df_qrels, "query"),
        ("key", df_ranker, df_queries, df_qrels, "keyphrase_query"),
        ("sg", sg_ranker, sg_queries, sg_qrels, "query"),
    )
    for cap in CV_CAPS:
        for w in CV_WEIGHTS:
            if w == 0.0 and cap != CV_CAPS[0]:
                per[(cap, w)] = per[(CV_CAPS[0], w)]
                continue
            per[(cap, w)] = {}
            for name, ranker, queries, qrels, field in sets:
                ranker.corpus.signals.popularity = popularity(ranker.corpus.mentions, cap)
                params = RescoreParams(popularity=w)
                runs = {q["qid"]: ranker.rank(q[field], "+feedback", rescore_params=params) for q in queries}
                _, pq = rank_eval.evaluate(qrels, runs)
                per[(cap, w)][name] = {qid: r["ndcg@10"] for qid, r in pq.items()}
    for ranker in (df_ranker, sg_ranker):
        ranker.corpus.signals.popularity = popularity(ranker.corpus.mentions)

    def mean(key, name, fold=None):
        vals = [v for qid, v in per[key][name].items() if fold is None or _fold(qid) == fold]
        return float(np.mean(vals)) if vals else 0.0

    print("\nPopularity prior, 2-fold cross-validation (NDCG@10; folds = odd/even query ids)")
    print(f"{'cap':>4}{'weight':>8}{'full f0':>9}{'full f1':>9}{'key f0':>9}{'key f1':>9}{'sg all':>9}")
    for cap, w in per:
        if w == 0.0 and cap != CV_CAPS[0]:
            continue
        row = [mean((cap, w), n, f) for n in ("full", "key") for f in (0, 1)] + [mean((cap, w), "sg")]
        print(f"{cap:>4}{w:>8.2f}" + "".join(f"{x:>9.3f}" for x in row))
    base_sg = round(mean((CV_CAPS[0], 0.0), "sg"), 3)
    allowed = [k for k in per if round(mean(k, "sg"), 3) >= base_sg]
    out = {"folds": []}
    for train in (0, 1):
        test = 1 - train
        pick = max(allowed, key=lambda k: (mean(k, "full", train) + mean(k, "key", train), -k[1]))
        fold = {
            "train_fold": train,
            "pick": {"cap": pick[0], "weight": pick[1]},
            "test_full": round(mean(pick, "full", test), 4),
            "test_key": round(mean(pick, "key", test), 4),
            "test_full_no_prior": round(mean((CV_CAPS[0], 0.0), "full", test), 4),
            "test_key_no_prior": round(mean((CV_CAPS[0], 0.0), "key", test), 4),
        }
        out["folds"].append(fold)
        print(
            f"train on fold {train}: pick cap={pick[0]} weight={pick[1]} -> fold {test}: "
            f"full {fold['test_full']:.3f} (no prior {fold['test_full_no_prior']:.3f}), "
            f"key {fold['test_key']:.3f} (no prior {fold['test_key_no_prior']:.3f})"
        )
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datafinder", type=Path, default=SHARED / "benchmarks" / "datafinder")
    ap.add_argument("--datagovsg", type=Path, default=SHARED / "data" / "datagovsg")
    ap.add_argument("--sg-queries", type=Path, default=ROOT / "tests" / "data" / "sg_search_queries.jsonl")
    ap.add_argument("--only", choices=("datafinder", "sg"), default=None)
    ap.add_argument(
        "--cv",
        action="store_true",
        help="also cross-validate the popularity prior's weight and cap (2 folds of the DataFinder dev "
        "half, constrained by the data.gov.sg set)",
    )
    ap.add_argument(
        "--via-service",
        action="store_true",
        help="also run the queries through search.services.search (source=paperswithcode / datagovsg); "
        "needs a database with those catalogs imported and indexed",
    )
    args = ap.parse_args(argv)

    from search.embeddings import get_embedder

    rank_eval = load_rank_eval()
    t0 = time.time()
    embedder = get_embedder()
    cache = EmbeddingCache(embedder)
    summary: dict = {"model": embedder.model_name, "device": embedder.device}

    if args.only in (None, "datafinder"):
        corpus = load_datafinder(args.datafinder)
        ranker = Ranker(corpus, cache)
        queries, qrels = load_datafinder_queries(args.datafinder)
        for field, label in (("query", "full-sentence"), ("keyphrase_query", "keyphrase")):
            res = run_set(rank_eval, ranker, queries, qrels, field)
            if args.via_service:
                res["service"] = run_via_service(rank_eval, queries, qrels, field)
            print_table(f"DataFinder dev, {label} queries ({field}), corpus {len(corpus.ids)}", res)
            summary[f"datafinder_{label}"] = {m: {k: round(r[k], 4) for k, _ in COLUMNS} for m, r in res.items()}

    if args.only in (None, "sg") and args.sg_queries.exists():
        corpus = load_datagovsg(args.datagovsg)
        ranker = Ranker(corpus, cache)
        queries, qrels = load_sg_queries(args.sg_queries)
        res = run_set(rank_eval, ranker, queries, qrels, "query")
        if args.via_service:
            res["service"] = run_via_service(rank_eval, queries, qrels, "query", source="datagovsg")
        print_table(f"data.gov.sg judged queries ({len(queries)}), corpus {len(corpus.ids)}", res)
        summary["datagovsg"] = {m: {k: round(r[k], 4) for k, _ in COLUMNS} for m, r in res.items()}

    if args.cv:
        df_ranker = Ranker(load_datafinder(args.datafinder), cache)
        df_queries, df_qrels = load_datafinder_queries(args.datafinder)
        sg_ranker = Ranker(load_datagovsg(args.datagovsg), cache)
        sg_queries, sg_qrels = load_sg_queries(args.sg_queries)
        summary["cv_popularity"] = cross_validate(
            rank_eval, df_ranker, df_queries, df_qrels, sg_ranker, sg_queries, sg_qrels
        )

    summary["seconds"] = round(time.time() - t0, 1)
    print()
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
