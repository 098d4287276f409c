"""Index snapshots: how a version built on one host reaches the web nodes of every other host.

A build (on a Celery worker, or ``manage.py bootstrap``) writes the version's files into its own
``INDEX_DIR`` and saves a copy here before it publishes the version in ``IndexState``. A process that finds
the current version missing from its ``INDEX_DIR`` (a node on another host, a new node, a copy found
corrupt) restores it from the snapshot; it never builds the full index itself. The changes since the
build come from the change log in PostgreSQL (``search.index.delta``). Nothing here is a replication
protocol: PostgreSQL is the source of truth and the version counter.

Where the copies live: in the database (``IndexSnapshotFile``, files cut in ``CHUNK_BYTES`` chunks: no
other store to run), or, with ``SEARCH_SNAPSHOT_DIR`` set, in that directory on a volume every node mounts
(object storage mounted as a file system does too), which suits catalogs of millions of datasets whose
versions weigh gigabytes.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction

from search.models import IndexSnapshotFile

logger = logging.getLogger(__name__)

CHUNK_BYTES = 16 * 2**20


def _shared_dir() -> Path | None:
    value = getattr(settings, "SEARCH_SNAPSHOT_DIR", "")
    return Path(value) if value else None


def snapshot_save(*, version: int, build_id: str, directory: Path) -> None:
    """Keep a copy of the version's files (``directory``) where every node can restore it from."""
    shared = _shared_dir()
    if shared is not None:
        tmp = shared / f".tmp-{uuid.uuid4().hex}"
        shutil.copytree(directory, tmp)
        tmp.rename(shared / f"v{version}-{build_id}")
        return
    with transaction.atomic():
        IndexSnapshotFile.objects.filter(build_id=build_id).delete()
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            relative = path.relative_to(directory).as_posix()
            with open(path, "rb") as fh:
                chunk = 0
                while True:
                    data = fh.read(CHUNK_BYTES)
                    if not data and chunk:
                        break
                    IndexSnapshotFile.objects.create(build_id=build_id, version=version, path=relative, chunk=chunk,
                                                     data=data)  # fmt: skip
                    chunk += 1
                    if len(data) < CHUNK_BYTES:
                        break


def snapshot_restore(*, build_id: str, target: Path) -> bool:
    """Write the snapshot of build ``build_id`` to ``target`` (which must not exist); False when there is none."""
    tmp = target.with_name(f"tmp-{uuid.uuid4().hex}")
    try:
        shared = _shared_dir()
        if shared is not None:
            found = next(shared.glob(f"v*-{build_id}"), None) if shared.is_dir() else None
            if found is None:
                return False
            shutil.copytree(found, tmp)
        else:
            rows = IndexSnapshotFile.objects.filter(build_id=build_id).order_by("path", "chunk")
            if not rows.exists():
                return False
            handle, current = None, None
            # One chunk in memory at a time: a version can weigh gigabytes.
            for relative, data in rows.values_list("path", "data").iterator(chunk_size=2):
                if relative != current:
                    if handle is not None:
                        handle.close()
                    path = tmp / relative
                    path.parent.mkdir(parents=True, exist_ok=True)
                    handle, current = open(path, "wb"), relative  # noqa: SIM115 - closed when the next file starts
                handle.write(bytes(data))
            if handle is not None:
                handle.close()
        try:
            tmp.rename(target)
        except OSError:  # another process of this host restored it first
            return target.is_dir()
        return True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def snapshots_prune(*, keep_from: int) -> None:
    """Drop the snapshots of versions older than ``keep_from`` (processes no longer load them)."""
    shared = _shared_dir()
    if shared is not None:
        for child in shared.glob("v*-*") if shared.is_dir() else []:
            number = child.name[1:].split("-", 1)[0]
            if number.isdigit() and int(number) < keep_from:
                shutil.rmtree(child, ignore_errors=True)
        return
    IndexSnapshotFile.objects.filter(version__lt=keep_from).delete()


def snapshot_version_set(*, build_id: str, version: int) -> None:
    """Number a snapshot saved before its version was known (the number is given as it is published)."""
    shared = _shared_dir()
    if shared is not None:
        found = next(shared.glob(f"v*-{build_id}"), None) if shared.is_dir() else None
        if found is not None and found.name != f"v{version}-{build_id}":
            found.rename(shared / f"v{version}-{build_id}")
        return
    IndexSnapshotFile.objects.filter(build_id=build_id).update(version=version)
