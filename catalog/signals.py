"""Signals the catalog sends; apps above it (search) listen. The catalog never imports them."""

from django.dispatch import Signal

# Sent after any write that changes datasets (import, admin edit, link check, bootstrap), inside the
# writing transaction: receivers defer their work to commit. Argument: ``dataset_ids`` (list of ints).
datasets_changed = Signal()


def datasets_changed_send(*, dataset_ids) -> None:
    datasets_changed.send(sender="catalog", dataset_ids=list(dataset_ids))
