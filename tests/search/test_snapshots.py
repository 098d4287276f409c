"""Index snapshots (search.index.snapshots): a node whose INDEX_DIR lacks the current version restores the
copy the build saved (in the database, or on a shared volume) instead of building the index itself."""

from __future__ import annotations

import pytest

from search import services
from search.index import current_index, forget_current_index, version_dir
from search.models import IndexSnapshotFile, IndexState
from tests.search.conftest import make_catalog

pytestmark = pytest.mark.slow


def _files(directory) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in directory.rglob("*") if p.is_file()}


@pytest.mark.parametrize("store", ["database", "shared volume"])
def test_a_node_without_the_version_restores_the_builds_own_files(db, settings, tmp_path, store):
    if store == "shared volume":
        settings.SEARCH_SNAPSHOT_DIR = str(tmp_path / "shared")
        (tmp_path / "shared").mkdir()
    settings.INDEX_DIR = tmp_path / "worker"
    catalog = make_catalog()
    services.index_ensure()
    state = IndexState.objects.get(pk=1)
    built = _files(version_dir(state.version))
    assert IndexSnapshotFile.objects.filter(build_id=state.build_id).exists() is (store == "database")

    settings.INDEX_DIR = tmp_path / "web-node"  # another host: an empty index directory
    forget_current_index()
    index = current_index(force_check=True)
    assert index is not None and index.version == state.version
    # The very files the build wrote (a build on this node would differ: its vocab.json has its own time).
    assert _files(version_dir(state.version)) == built
    assert services.search(query="monthly rainfall").results[0].id == catalog["rain"].pk


def test_old_snapshots_are_pruned_with_their_versions(db, settings, tmp_path):
    from search.index.versions import KEEP_VERSIONS, index_build_from_db

    settings.INDEX_DIR = tmp_path / "index"
    make_catalog()
    services.index_ensure()
    for _ in range(KEEP_VERSIONS + 1):
        index_build_from_db()
    latest = IndexState.objects.get(pk=1).version
    kept = set(IndexSnapshotFile.objects.values_list("version", flat=True))
    assert kept == set(range(latest - KEEP_VERSIONS + 1, latest + 1))
    assert IndexSnapshotFile.objects.values("build_id").distinct().count() == KEEP_VERSIONS
