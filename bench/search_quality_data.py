"""Corpora, query sets and the embedding cache of bench/search_quality.py.

The corpora are built from the shared files as the catalog importers store them, with the catalog's
quality formula and the search index's freshness and popularity signals; no database needed.
"""

from __future__ import annotations

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

from bench.search_quality_families import CorpusFamilies, corpus_families
from catalog import quality
from catalog.families import FamilyInput
from catalog.importers.datagovsg import junk_reason
from catalog.research import research_labels
from search.ranking import DocFields, DocSignals, freshness_from_age, popularity_from_mentions
from search.ranking.popularity import MentionLinks, mention_links

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared"))
CACHE_DIR = ROOT / "var" / "cache" / "embeddings"


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
    links: MentionLinks | None = None  # mention_links(docs): who mentions whom
    family_inputs: list[FamilyInput] | None = None  # what the catalog's family rules read, per doc
    families: CorpusFamilies | None = None

    def __post_init__(self):
        if self.families is None:
            inputs = self.family_inputs or [
                FamilyInput(id=i, title=d.title) for i, d in zip(self.ids, self.docs, strict=True)
            ]
            self.families = corpus_families(inputs)
        if self.links is None:
            self.links = mention_links(self.docs, family=self.families.family)
        self.signals.mentions = self.links
        self.signals.popularity = popularity_from_mentions(self.mentions)
        self.position = {d: i for i, d in enumerate(self.ids)}

    @property
    def mentions(self) -> np.ndarray:
        """How many other records mention each one (``catalog_mentions``), for the popularity prior."""
        return self.links.counts()


_SOURCE_LINE = re.compile(r"\s*Source:\s*\[(?P<title>[^\]]*)\]\((?P<link>[^)]*)\)\s*$")


def catalog_quality(**kw) -> float:
    """The catalog's documented quality formula (catalog/quality.py, a pure function)."""
    kw.setdefault("today", date.today())
    return quality.score(**kw)


def load_datafinder(directory: Path) -> Corpus:
    """The Papers with Code records as the catalog importer stores them (Source line split off), with the
    task and modality labels the importer gives research records (``catalog.research.research_labels``;
    the index carries them and re-scoring reads them)."""
    ids, docs, qual, inputs, tasks, modalities = [], [], [], [], [], []
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
            inputs.append(FamilyInput(id=r["id"], title=r["name"], source="paperswithcode", research=True))
            doc_tasks, doc_modalities = research_labels(title=r["name"], description=desc)
            tasks.append(doc_tasks)
            modalities.append(doc_modalities)
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
    signals.tasks, signals.modalities = tasks, modalities
    return Corpus(ids, docs, signals, family_inputs=inputs)


def _parse_dt(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def load_datagovsg(directory: Path) -> Corpus:
    """data.gov.sg records as the catalog importer keeps them active (junk/test records left out)."""
    datasets = json.loads((directory / "datasets.json").read_text(encoding="utf-8"))
    collections = json.loads((directory / "collections.json").read_text(encoding="utf-8"))
    parent: dict[str, dict] = {}
    for c in collections:
        for child in c.get("childDatasets") or []:
            parent.setdefault(child, c)
    now = datetime.now(UTC)
    ids, docs, fresh, qual, publishers, inputs = [], [], [], [], [], []
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
        inputs.append(
            FamilyInput(
                id=d["datasetId"],
                title=d["name"],
                source="datagovsg",
                publisher=publisher,
                collection=str((c or {}).get("collectionId") or ""),
                collection_name=(c or {}).get("name") or "",
                start=start.date() if start else None,
                end=end.date() if end else None,
            )
        )
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
        titles=[d.title for d in docs],  # portal titles summarise their data (a research record's is a name)
    )
    return Corpus(ids, docs, signals, family_inputs=inputs)


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


def load_everyday_queries(path: Path) -> list[str]:
    """Unjudged everyday queries (bench/data/everyday_queries.jsonl, one {"query": ...} a line)."""
    return [json.loads(line)["query"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
