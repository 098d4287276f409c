#!/usr/bin/env python
"""Search quality ablation: BM25 only, neural only, naive RRF, fused, fused + re-scoring.

Benchmarks:
  * DataFinder dev half (../shared/benchmarks/datafinder, Papers with Code corpus), with the
    full-sentence ``query`` and the ``keyphrase_query`` of each query;
  * our judged data.gov.sg query set (tests/data/sg_search_queries.jsonl, graded 0/1/2) over the
    data.gov.sg records (../shared/data/datagovsg), and a second judged set written blind
    (bench/data/sg_queries_blind.jsonl: its writer saw neither the ranking nor our queries), and a third
    written the same way by another writer (bench/data/sg_queries_blind2.jsonl).

Standalone by default: it builds the lexical index and embeddings from the files with the same
functions the service uses (search.lexical, search.embeddings) and ranks with the service's own
pipeline, ``search.ranking.pipeline.rank``, with components switched off for the ablation rows; no
database needed (Django settings are read, e.g. ``SEARCH_MIN_SIMILARITY``). Corpus embeddings are
cached under var/cache/embeddings/ keyed by model and text (bench/search_quality_data.py). With
``--via-service`` the queries also go through ``search.services.search`` with
``source=paperswithcode`` / ``datagovsg`` (needs a database with that catalog imported and indexed).

Metrics come from ../shared/benchmarks/rank_eval.py (NDCG@10, NDCG@3, P@5, R@5, R@10, MRR@10, MAP@100).
Rows: "bm25", "neural" and "rrf" rank the pipeline's candidate lists (no feedback pass); "fused" is
the pipeline with fusion only, "fused+rescore" adds re-scoring, "+feedback" is the full pipeline the
service runs (fusion, re-scoring with the catalog popularity prior, feedback pass); "-popularity" is
the same without the popularity prior, "-research" without the research-description adjustments
(``RescoreParams.research_popularity`` / ``research_label``), "-mentioned" without raising the candidates
the best hits mention by name (``RescoreParams.mentioned_by_hits``). ``--cv`` adds the 2-fold
cross-validation of the popularity prior's weight and cap, ``--cv-research`` that of the two research
weights. Prints tables, then one JSON line.

    .venv/bin/python bench/search_quality.py [--only datafinder|sg] [--via-service] [--cv] [--cv-research]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "research_assistant.settings")

import django  # noqa: E402

django.setup()  # settings and apps only: the standalone rows never touch the database

from django.conf import settings  # noqa: E402

from bench.search_quality_data import (  # noqa: E402
    SHARED,
    Corpus,
    EmbeddingCache,
    load_datafinder,
    load_datafinder_queries,
    load_datagovsg,
    load_everyday_queries,
    load_rank_eval,
    load_sg_queries,
)
from bench.search_quality_families import (  # noqa: E402
    collapse_order,  # noqa: E402
    family_qrels,
    family_ranking,
    repeated_pairs,
)
from search.embeddings import get_embedder  # noqa: E402
from search.lexical import LexicalIndex  # noqa: E402
from search.ranking import (  # noqa: E402
    FULL_PIPELINE,
    Components,
    RescoreParams,
    document_text,
    embedding_query,
    popularity_from_mentions,
    rank,
    rrf,
    top_k,
)
from search.services import search  # noqa: E402

METHODS = (
    "bm25", "neural", "rrf", "fused", "fused+rescore", "+feedback", "-popularity", "-research", "-mentioned",
    "-synonyms", "no families",
)  # fmt: skip
CANDIDATE_LISTS = ("bm25", "neural", "rrf")  # rank the pipeline's candidates, not its output
COMPONENTS = {
    "bm25": Components(feedback=False, rescoring=False),
    "neural": Components(feedback=False, rescoring=False),
    "rrf": Components(feedback=False, rescoring=False),
    "fused": Components(feedback=False, rescoring=False),
    "fused+rescore": Components(feedback=False),
    "+feedback": FULL_PIPELINE,
    "-popularity": Components(rescore_params=RescoreParams(popularity=0.0, research_popularity=0.0)),
    # The full pipeline without the research-description adjustments (popularity counting more for a
    # research query, a bonus for a record whose task/modality label the query names).
    "-research": Components(rescore_params=RescoreParams(research_popularity=0.0, research_label=0.0)),
    # Without raising the candidates that the best hits mention by name (search.ranking.popularity.mentioned_by_hits).
    "-mentioned": Components(rescore_params=RescoreParams(mentioned_by_hits=0.0)),
    # Without the catalog's terms for the query's everyday words (search.ranking.synonyms), for BM25 and the embedding.
    "-synonyms": Components(synonyms=False),
    "no families": FULL_PIPELINE,  # the service's pipeline without collapsing by dataset family (as before)
}
UNCOLLAPSED = ("no families",)
RANK_DEPTH = 100


# ---------------------------------------------------------------------------------------------
# Ranking: the service's pipeline over one corpus, every document allowed (no filters)
# ---------------------------------------------------------------------------------------------


class Ranker:
    def __init__(self, corpus: Corpus, cache: EmbeddingCache, *, text_fn=document_text):
        self.corpus = corpus
        self.cache = cache
        self.lexical = LexicalIndex.build(corpus.docs)
        self.doc_vecs = cache.encode([text_fn(d) for d in corpus.docs])
        self.mask = np.ones(len(corpus.ids), dtype=bool)

    def rank(
        self, query: str, method: str, *, rescore_params: RescoreParams | None = None, families: bool = True
    ) -> list[str]:
        components = COMPONENTS[method]
        if rescore_params is not None:
            components = Components(feedback=components.feedback, rescore_params=rescore_params)
        # The query vector as Embedder.encode_query makes it (boilerplate dropped), from the disk cache.
        ranking = rank(
            query=query,
            vector=self.cache.encode([embedding_query(query, synonyms=components.synonyms)])[0],
            embeddings=self.doc_vecs,
            lexical_index=self.lexical,
            signals=self.corpus.signals,
            mask=self.mask,
            min_similarity=float(settings.SEARCH_MIN_SIMILARITY),
            components=components,
        )
        if method == "bm25":
            scores = ranking.lexical
        elif method == "neural":
            scores = ranking.neural
        elif method == "rrf":
            scores = rrf([ranking.lexical, ranking.neural])
        else:
            scores = ranking.order
        if families and method not in UNCOLLAPSED and self.corpus.families is not None:
            # One result per dataset family, as the service does (search.ranking.families.collapse).
            scores = collapse_order(scores, self.corpus.families, query_years=ranking.intent.years, query=query)
        return [self.corpus.ids[i] for i in top_k(scores, RANK_DEPTH)]


def evaluate(rank_eval, qrels, rankings, corpus: Corpus | None = None) -> dict:
    """rank_eval's metrics, a dataset family counted once (bench/search_quality_families.py) when
    ``corpus`` is given, plus the repeated-dataset pairs in the top 10s."""
    if corpus is None or corpus.families is None:
        out, _ = rank_eval.evaluate(qrels, rankings)
        return dict(out)
    fq = family_qrels(qrels, corpus.ids, corpus.families)
    mapped = {qid: family_ranking(r, fq.get(qid, {}), corpus.position, corpus.families) for qid, r in rankings.items()}
    out, _ = rank_eval.evaluate(fq, mapped)
    out = dict(out)
    out["repeated_pairs"] = sum(repeated_pairs(r, corpus.position, corpus.families) for r in rankings.values())
    return out


def run_set(rank_eval, ranker: Ranker, queries, qrels, field: str, methods=METHODS) -> dict[str, dict]:
    results = {}
    texts = [embedding_query(q[field], synonyms=s) for q in queries for s in (True, False)]
    ranker.cache.encode(list(dict.fromkeys(texts)))  # one batch, cached on disk
    for m in methods:
        rankings = {q["qid"]: ranker.rank(q[field], m) for q in queries}
        results[m] = evaluate(rank_eval, qrels, rankings, ranker.corpus)
        if m == "no families":
            # The same run scored per dataset, as this bench scored before families (for continuity).
            results["no families, per dataset"] = evaluate(rank_eval, qrels, rankings) | {
                "repeated_pairs": results[m]["repeated_pairs"]
            }
    return results


def run_everyday(ranker: Ranker, queries: list[str]) -> dict[str, dict]:
    """Repeated-dataset pairs in the top 10 of unjudged everyday queries, with and without families."""
    ranker.cache.encode([embedding_query(q) for q in queries])
    out = {}
    for m in ("+feedback", "no families"):
        rankings = [ranker.rank(q, m) for q in queries]
        per_query = [repeated_pairs(r, ranker.corpus.position, ranker.corpus.families) for r in rankings]
        out[m] = {
            "repeated_pairs": sum(per_query),
            "queries_with_repeats": sum(1 for p in per_query if p),
            "n": len(queries),
        }
    return out


def run_via_service(
    rank_eval, queries, qrels, field: str, *, source: str = "paperswithcode", corpus: Corpus | None = None
) -> dict:
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
    return evaluate(rank_eval, qrels, rankings, corpus)


COLUMNS = (
    ("ndcg@10", "NDCG@10"),
    ("ndcg@3", "NDCG@3"),
    ("p@5", "P@5"),
    ("recall@5", "R@5"),
    ("recall@10", "R@10"),
    ("mrr@10", "MRR@10"),
    ("map@100", "MAP@100"),
)
PAIRS = ("repeated_pairs", "pairs@10")


def print_table(title: str, results: dict[str, dict]) -> None:
    print(f"\n{title}")
    head = f"{'method':<25}" + "".join(f"{label:>9}" for _, label in COLUMNS) + f"{PAIRS[1]:>9}{'n':>6}"
    print(head)
    print("-" * len(head))
    for m, r in results.items():
        pairs = f"{r[PAIRS[0]]:>9}" if PAIRS[0] in r else f"{'':>9}"
        print(f"{m:<25}" + "".join(f"{r[k]:>9.3f}" for k, _ in COLUMNS) + pairs + f"{r['num_queries']:>6}")


CV_CAPS = (3, 5, 10, 20)
CV_WEIGHTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3)


def _fold(qid: str) -> int:
    return int(re.sub(r"\D", "", qid) or 0) % 2


def _cv_sets(df_ranker, df_queries, df_qrels, sg_ranker, sg_queries, sg_qrels) -> tuple:
    """The query sets a cross-validation scores: DataFinder full sentences and keyphrases, and data.gov.sg."""
    return (
        ("full", df_ranker, df_queries, df_qrels, "query"),
        ("key", df_ranker, df_queries, df_qrels, "keyphrase_query"),
        ("sg", sg_ranker, sg_queries, sg_qrels, "query"),
    )


def _per_query_ndcg(rank_eval, sets: tuple, params: RescoreParams) -> dict[str, dict[str, float]]:
    """NDCG@10 of every query of every set (name -> qid -> NDCG@10) with these re-scoring weights."""
    out: dict[str, dict[str, float]] = {}
    for name, ranker, queries, qrels, field in sets:
        runs = {q["qid"]: ranker.rank(q[field], "+feedback", rescore_params=params) for q in queries}
        _, pq = rank_eval.evaluate(qrels, runs)
        out[name] = {qid: r["ndcg@10"] for qid, r in pq.items()}
    return out


def _fold_mean(per: dict, key: tuple, name: str, fold: int | None = None) -> float:
    """Mean NDCG@10 of one setting on one set, over one fold's queries (all with ``fold`` None)."""
    vals = [v for qid, v in per[key][name].items() if fold is None or _fold(qid) == fold]
    return float(np.mean(vals)) if vals else 0.0


def cross_validate(rank_eval, df_ranker, df_queries, df_qrels, sg_ranker, sg_queries, sg_qrels) -> dict:
    """2-fold cross-validation (odd/even query ids) of the popularity prior's weight and cap.

    For each fold: pick the (cap, weight) with the best mean NDCG@10 over both DataFinder query types
    on the *other* fold, among settings that leave the whole data.gov.sg set at least as good as
    without the prior, then report the held-out fold's NDCG@10 for it and for no prior.
    """
    per: dict[tuple, dict[str, dict[str, float]]] = {}
    sets = _cv_sets(df_ranker, df_queries, df_qrels, sg_ranker, sg_queries, sg_qrels)
    for cap in CV_CAPS:
        for w in CV_WEIGHTS:
            if w == 0.0 and cap != CV_CAPS[0]:
                per[(cap, w)] = per[(CV_CAPS[0], w)]
                continue
            for ranker in (df_ranker, sg_ranker):
                ranker.corpus.signals.popularity = popularity_from_mentions(ranker.corpus.mentions, cap=cap)
            per[(cap, w)] = _per_query_ndcg(rank_eval, sets, RescoreParams(popularity=w))
    for ranker in (df_ranker, sg_ranker):
        ranker.corpus.signals.popularity = popularity_from_mentions(ranker.corpus.mentions)

    def mean(key, name, fold=None):
        return _fold_mean(per, key, name, fold)

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


CV_RESEARCH_POPULARITY = (0.0, 0.05, 0.1, 0.15, 0.2)
CV_RESEARCH_LABEL = (0.0, 0.02, 0.05, 0.1)


def cross_validate_research(rank_eval, df_ranker, df_queries, df_qrels, sg_ranker, sg_queries, sg_qrels) -> dict:
    """2-fold cross-validation (odd/even query ids) of the research weights: how much more the popularity
    prior counts for a research description, and the bonus for a record whose label the query names.

    As ``cross_validate``: each fold picks the pair with the best mean NDCG@10 over both DataFinder query
    types on the other fold, among pairs that leave the data.gov.sg set at least as good as without them
    (ties: the smaller weights), and reports the held-out fold.
    """
    sets = _cv_sets(df_ranker, df_queries, df_qrels, sg_ranker, sg_queries, sg_qrels)
    per: dict[tuple, dict[str, dict[str, float]]] = {}
    for wp in CV_RESEARCH_POPULARITY:
        for wl in CV_RESEARCH_LABEL:
            params = RescoreParams(research_popularity=wp, research_label=wl)
            per[(wp, wl)] = _per_query_ndcg(rank_eval, sets, params)

    def mean(key, name, fold=None):
        return _fold_mean(per, key, name, fold)

    print("\nResearch weights, 2-fold cross-validation (NDCG@10; folds = odd/even query ids)")
    print(f"{'popularity+':>12}{'label':>7}{'full f0':>9}{'full f1':>9}{'key f0':>9}{'key f1':>9}{'sg all':>9}")
    for wp, wl in per:
        row = [mean((wp, wl), n, f) for n in ("full", "key") for f in (0, 1)] + [mean((wp, wl), "sg")]
        print(f"{wp:>12.2f}{wl:>7.2f}" + "".join(f"{x:>9.3f}" for x in row))
    none = (0.0, 0.0)
    base_sg = round(mean(none, "sg"), 3)
    allowed = [k for k in per if round(mean(k, "sg"), 3) >= base_sg]
    out: dict = {"folds": []}
    for train in (0, 1):
        test = 1 - train
        pick = max(allowed, key=lambda k: (mean(k, "full", train) + mean(k, "key", train), -k[0] - k[1]))
        fold = {
            "train_fold": train,
            "pick": {"research_popularity": pick[0], "research_label": pick[1]},
            "test_full": round(mean(pick, "full", test), 4),
            "test_key": round(mean(pick, "key", test), 4),
            "test_full_without": round(mean(none, "full", test), 4),
            "test_key_without": round(mean(none, "key", test), 4),
        }
        out["folds"].append(fold)
        print(
            f"train on fold {train}: pick popularity+={pick[0]} label={pick[1]} -> fold {test}: "
            f"full {fold['test_full']:.3f} (without {fold['test_full_without']:.3f}), "
            f"key {fold['test_key']:.3f} (without {fold['test_key_without']:.3f})"
        )
    whole = max(allowed, key=lambda k: (mean(k, "full") + mean(k, "key"), -k[0] - k[1]))
    out["whole_dev_pick"] = {"research_popularity": whole[0], "research_label": whole[1]}
    print(f"whole dev half: pick popularity+={whole[0]} label={whole[1]}")
    return out


def _summary(res: dict[str, dict]) -> dict:
    return {
        m: {k: round(r[k], 4) for k, _ in COLUMNS} | ({"repeated_pairs": r[PAIRS[0]]} if PAIRS[0] in r else {})
        for m, r in res.items()
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datafinder", type=Path, default=SHARED / "benchmarks" / "datafinder")
    ap.add_argument("--datagovsg", type=Path, default=SHARED / "data" / "datagovsg")
    ap.add_argument("--sg-queries", type=Path, default=ROOT / "tests" / "data" / "sg_search_queries.jsonl")
    ap.add_argument("--sg-blind", type=Path, default=ROOT / "bench" / "data" / "sg_queries_blind.jsonl")
    ap.add_argument("--sg-blind2", type=Path, default=ROOT / "bench" / "data" / "sg_queries_blind2.jsonl")
    ap.add_argument("--everyday", type=Path, default=ROOT / "bench" / "data" / "everyday_queries.jsonl")
    ap.add_argument("--only", choices=("datafinder", "sg"), default=None)
    ap.add_argument(
        "--cv",
        action="store_true",
        help="also cross-validate the popularity prior's weight and cap (2 folds of the DataFinder dev "
        "half, constrained by the data.gov.sg set)",
    )
    ap.add_argument(
        "--cv-research",
        action="store_true",
        help="also cross-validate the research weights (popularity for research descriptions, label bonus)",
    )
    ap.add_argument(
        "--via-service",
        action="store_true",
        help="also run the queries through search.services.search (source=paperswithcode / datagovsg); "
        "needs a database with those catalogs imported and indexed",
    )
    args = ap.parse_args(argv)

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
                res["service"] = run_via_service(rank_eval, queries, qrels, field, corpus=corpus)
            print_table(f"DataFinder dev, {label} queries ({field}), corpus {len(corpus.ids)}", res)
            summary[f"datafinder_{label}"] = _summary(res)

    if args.only in (None, "sg") and args.sg_queries.exists():
        corpus = load_datagovsg(args.datagovsg)
        ranker = Ranker(corpus, cache)
        queries, qrels = load_sg_queries(args.sg_queries)
        res = run_set(rank_eval, ranker, queries, qrels, "query")
        if args.via_service:
            res["service"] = run_via_service(rank_eval, queries, qrels, "query", source="datagovsg", corpus=corpus)
        print_table(f"data.gov.sg judged queries ({len(queries)}), corpus {len(corpus.ids)}", res)
        summary["datagovsg"] = _summary(res)
        # Written blind by writers who saw neither the ranking nor our queries (bench/data/README.md).
        for key, path, first_sight in (
            ("datagovsg_blind", args.sg_blind, 0.702),
            ("datagovsg_blind2", args.sg_blind2, 0.716),
        ):
            if not path.exists():
                continue
            blind, blind_qrels = load_sg_queries(path)
            res = run_set(rank_eval, ranker, blind, blind_qrels, "query", methods=("neural", "fused", "+feedback"))
            print_table(
                f"data.gov.sg judged queries written blind, {path.name} ({len(blind)}; {first_sight} on first sight)",
                res,
            )
            summary[key] = _summary(res)
        if args.everyday.exists():
            everyday = load_everyday_queries(args.everyday)
            ev = run_everyday(ranker, everyday)
            print(f"\nEveryday queries ({len(everyday)}, {args.everyday.name}): repeated-dataset pairs in the top 10")
            for m, r in ev.items():
                print(f"{m:<25}{r['repeated_pairs']:>9} pairs, {r['queries_with_repeats']} queries with a repeat")
            summary["everyday"] = ev
        fam = corpus.families
        summary["datagovsg_families"] = {"families": fam.count, "series": len({int(f) for f in fam.family[fam.series]})}

    if args.cv or args.cv_research:
        # One load of both corpora serves both cross-validations (each leaves the rankers' priors as it found them).
        df_ranker = Ranker(load_datafinder(args.datafinder), cache)
        df_queries, df_qrels = load_datafinder_queries(args.datafinder)
        sg_ranker = Ranker(load_datagovsg(args.datagovsg), cache)
        sg_queries, sg_qrels = load_sg_queries(args.sg_queries)
        cv_args = (rank_eval, df_ranker, df_queries, df_qrels, sg_ranker, sg_queries, sg_qrels)
        if args.cv:
            summary["cv_popularity"] = cross_validate(*cv_args)
        if args.cv_research:
            summary["cv_research"] = cross_validate_research(*cv_args)

    summary["seconds"] = round(time.time() - t0, 1)
    print()
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
