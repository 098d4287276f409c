"""The on-disk, versioned search index and the per-process copy of it.

Modules: ``documents`` (``IndexDoc``, the fields and text ranking reads), ``files`` (one version's
files), ``loaded`` (``SearchIndex``, a loaded version) and ``versions`` (publishing, the current
version of this process); this package re-exports their public names.
"""

from __future__ import annotations

from search.index.documents import IndexDoc, doc_fields, document_text, freshness_of, index_doc_from_dataset
from search.index.files import index_files_write
from search.index.loaded import MultiValued, SearchIndex
from search.index.versions import (
    current_index,
    forget_current_index,
    index_build_from_db,
    index_failed,
    index_publish,
    version_dir,
)

__all__ = [
    "IndexDoc",
    "MultiValued",
    "SearchIndex",
    "current_index",
    "doc_fields",
    "document_text",
    "forget_current_index",
    "freshness_of",
    "index_build_from_db",
    "index_failed",
    "index_doc_from_dataset",
    "index_files_write",
    "index_publish",
    "version_dir",
]
