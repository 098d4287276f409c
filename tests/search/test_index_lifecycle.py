"""Index lifecycle: first build, the rebuild command, and re-indexing through a real Celery worker."""

from __future__ import annotations

import json
import shutil
import time

import numpy as np
import pytest
from django.core.management import call_command

from catalog.models import Dataset
from search import indexing, services
from search.index import current_index, forget_current_index
from search.models import DatasetEmbedding, IndexState
from tests.factories import DatasetFactory
from tests.search.conftest import make_catalog

pytestmark = pytest.mark.slow


def test_no_index_yet_then_ensure(db, client):
    make_catalog()
    assert services.index_health()["ready"] is False
    assert services.search(query="rain").results == []
    assert client.get("/api/health/ready").status_code == 503
    report = services.index_ensure()
    assert report["rebuilt"] and report["embedded"] == Dataset.objects.count()
    assert services.index_health()["ready"] is True
    assert services.search(query="monthly rainfall").results[0].title == "Rainfall - Monthly Total"
    # Nothing changed: ensure neither embeds nor rebuilds.
    again = services.index_ensure()
    assert (again["embedded"], again["rebuilt"], again["version"]) == (0, False, report["version"])


def test_warm_up_loads_the_index_and_never_raises(db):
    from search.index import current_index, forget_current_index

    make_catalog()
    assert services.search_warm_up() is False  # no index yet: reported, not raised
    services.index_ensure()
    forget_current_index()
    assert services.search_warm_up() is True
    assert current_index() is not None and len(current_index()) == Dataset.objects.count()


def test_index_files_are_versioned_and_memory_mapped(db, settings):
    make_catalog()
    services.index_ensure()
    index = current_index()
    assert index.version == IndexState.objects.get(pk=1).version
    assert (settings.INDEX_DIR / f"v{index.version}" / "embeddings.npy").is_file()
    assert type(index.embeddings).__name__ == "memmap" and not index.embeddings.flags.writeable
    assert len(index) == Dataset.objects.count() and index.embeddings.shape[1] == 384


def test_rebuild_index_command(db, capsys):
    make_catalog()
    call_command("rebuild_index")
    out = capsys.readouterr().out
    state = IndexState.objects.get(pk=1)
    assert f"Index v{state.version}" in out and state.dataset_count == Dataset.objects.count()
    call_command("rebuild_index", "--reembed")
    assert IndexState.objects.get(pk=1).version == state.version + 1
    assert DatasetEmbedding.objects.count() == Dataset.objects.count()


def _wait_for(predicate, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    return predicate()


@pytest.mark.worker
def test_curator_edit_reindexed_by_the_worker(celery_worker):
    from catalog.services import dataset_refresh_derived

    data = make_catalog()
    services.index_ensure()
    before = IndexState.objects.get(pk=1).version
    school = data["school"]
    school.title = "Durian harvest volumes by orchard"
    school.description = "Tonnes of durian fruit harvested per orchard each season."
    school.save()
    dataset_refresh_derived(dataset_ids=[school.pk])  # autocommit: queued to the worker right away

    assert _wait_for(lambda: IndexState.objects.get(pk=1).change_seq > 0), "the worker did not log the change"
    assert IndexState.objects.get(pk=1).version == before  # a delta, not a new build
    embedding = DatasetEmbedding.objects.get(dataset=school)
    school.refresh_from_db()
    assert embedding.content_hash == school.content_hash
    # This process lays the change over its index by itself (no restart, no explicit reload).
    # Wait for the right answer, not any answer: the worker logs the change within this process's
    # SEARCH_INDEX_CHECK_SECONDS, so the first searches may still see the index without it.
    response = _wait_for(
        lambda: [hit for hit in services.search(query="durian fruit harvest").results[:1] if hit.id == school.pk]
    )
    assert response and response[0].id == school.pk
    assert services.index_health()["ready"] is True


def test_the_catch_up_rebuilds_an_index_that_fell_behind_and_waits_for_a_live_build(db):
    catalog = make_catalog()
    services.index_ensure()
    assert indexing.index_catch_up() is None  # current: nothing to do
    # A dataset written while no rebuild was queued (a worker died, the broker was down).
    DatasetFactory(source=catalog["rain"].source, title="Zqmoplk tide gauge readings", description="Sea level.")
    assert services.search(query="zqmoplk").results == []
    assert indexing.rebuild_lock_acquire()  # a build is running elsewhere: the catch-up leaves it be
    try:
        assert indexing.index_catch_up() is None
    finally:
        indexing.rebuild_lock_release()
    report = indexing.index_catch_up()
    assert report is not None and report["rebuilt"]
    assert services.search(query="zqmoplk").results[0].title == "Zqmoplk tide gauge readings"


@pytest.mark.parametrize("damage", ["truncate-embeddings", "garbage-meta", "delete-lexical"])
def test_a_corrupt_index_version_is_rebuilt_from_the_database_and_searches_never_fail(db, settings, client, damage):
    make_catalog()
    services.index_ensure()
    version = IndexState.objects.get(pk=1).version
    directory = settings.INDEX_DIR / f"v{version}"
    if damage == "truncate-embeddings":
        (directory / "embeddings.npy").write_bytes((directory / "embeddings.npy").read_bytes()[:200])
    elif damage == "garbage-meta":
        (directory / "meta.npz").write_bytes(b"not a zip file at all")
    else:
        shutil.rmtree(directory / "lexical")
    forget_current_index()  # a process starting (or reloading) meets the broken files

    response = services.search(query="monthly rainfall")
    assert response.results[0].title == "Rainfall - Monthly Total"
    assert current_index().version == version  # the same version, rebuilt from the database
    assert client.get("/api/health/ready").status_code == 200
    assert not any(p.name.startswith(f"v{version}.corrupt") for p in settings.INDEX_DIR.iterdir())


def test_an_index_written_by_an_older_release_is_rebuilt_in_this_releases_format(db, settings):
    """An upgrade that changes a file format (the lexical index's stems) meets the previous release's files, in
    INDEX_DIR and in the version's snapshot: the version is built again from the database, and its snapshot
    replaced so the next node restores files it can read."""
    from search.index.snapshots import snapshot_restore, snapshot_save
    from search.lexical import FORMAT_VERSION

    make_catalog()
    services.index_ensure()
    state = IndexState.objects.get(pk=1)
    directory = settings.INDEX_DIR / f"v{state.version}"
    meta_path = directory / "lexical" / "lexical.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps(meta | {"format": FORMAT_VERSION - 1}))
    snapshot_save(version=state.version, build_id=state.build_id, directory=directory)  # the old release's snapshot
    forget_current_index()

    response = services.search(query="monthly rainfall")
    assert response.results[0].title == "Rainfall - Monthly Total"
    assert current_index().version == state.version
    assert json.loads(meta_path.read_text())["format"] == FORMAT_VERSION
    restored = settings.INDEX_DIR / "restored"
    assert snapshot_restore(build_id=state.build_id, target=restored)
    assert json.loads((restored / "lexical" / "lexical.json").read_text())["format"] == FORMAT_VERSION


def test_noise_written_over_a_loaded_index_is_noticed_by_the_next_search_and_repaired(db, settings):
    """The files a process has mapped are overwritten in place (same sizes): nothing raises while reading them,
    but the scores stop being numbers. The search notices, the version is rebuilt and the answer is right."""
    make_catalog()
    services.index_ensure()
    assert services.search(query="monthly rainfall").results[0].title == "Rainfall - Monthly Total"
    version = IndexState.objects.get(pk=1).version
    path = settings.INDEX_DIR / f"v{version}" / "embeddings.npy"
    data = bytearray(path.read_bytes())
    header = 128  # keep the .npy header: the rows become NaN, the file still opens
    data[header:] = b"\xff" * (len(data) - header)
    with open(path, "r+b") as fh:  # in place, under the mapping this process holds
        fh.write(data)

    response = services.search(query="monthly rainfall with noise")
    assert response.results and response.results[0].title == "Rainfall - Monthly Total"
    assert np.isfinite(np.asarray(current_index().embeddings[0], dtype=np.float32)).all()
