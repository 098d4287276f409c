"""Saved searches with alerts: a signed-in user's query and filters, re-run after catalog changes.

Why here, in ``search``: a saved search is re-run through the very search service the search page
uses (``search.services.search``), and ``search`` already listens to ``catalog.signals.datasets_changed``.
``activity`` (what people did: history, votes) sits below ``search`` and may not call it, so models
there with services here would split one feature across two apps for no gain.

    services.py  create / update / delete (validated, bounded per user), mark seen; selectors
    matching.py  the matching run: re-run each saved search, record datasets that newly match
    digest.py    the e-mail digest of new matches (Django's e-mail backend)
    tasks.py     the Celery tasks (debounced matching, the periodic digest)
    views.py     the "New for you" page and the save form's endpoints
    api.py       /api/saved-searches
"""
