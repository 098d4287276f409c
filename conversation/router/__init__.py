"""Intent router: every chat message gets exactly one intent, without an LLM.

Intents: ``smalltalk``, ``capabilities``, ``search``, ``refine``, ``out_of_scope``.

How it decides (first match wins):

1. Text is normalised (casing, punctuation, contractions, chat abbreviations, a small edit-distance
   typo corrector). Leading/trailing pleasantries are peeled off ("thanks, now show me rainfall data"
   is classified on "now show me rainfall data"); a message that is *only* pleasantries is smalltalk.
2. Capabilities: questions about the assistant itself (what it can do, sources, ranking, API,
   filters, history, accuracy) — unless the question also names a data topic ("what data do you have
   on dengue?" is a search).
3. Out of scope: requests we cannot serve — tasks (book, buy, order, write a poem, translate, fix my
   code), live information (weather today, stock price now, news), shopping for products, general
   knowledge ("capital of France") — unless the message explicitly asks for data/statistics.
4. Follow-ups (only when the conversation has a previous search), read by ``conversation.followup``:
   exclusions with their scope ("leave URA out", "no maps please"), inclusions ("CSV only"), bringing
   something back, undo, time windows, granularity ("the same but annual"), a new topic, and
   questions about the results on screen ("who publishes the second one?") are ``refine`` (a new
   topic is ``search``). The parse travels on ``IntentResult.followup``.
5. Refinements (only when the conversation has a previous search): filters (format, publisher,
   source, years, geography), paging, sorting, "more like the second one", "what about X?",
   "only X ones" — when no new topic is left over. With no previous search, filter-only messages
   ("only CSV", "2020 only", "just from NEA") become a first *search* with those filters, and pure
   navigation ("next page", "sort by most recent", "more like the second one") gets the
   *capabilities* reply (there is nothing to page or compare yet, so we explain how to search).
6. Everything else that carries content is a search: bare topics ("energy"), fragments, questions.
   When no rule fired, the sentence-embedding model votes between classes with its nearest labelled
   examples (``data/prototypes.json``, ``data/catalog_topics.txt`` and ``data/intent_examples.jsonl``,
   the evaluation set without its never-tuned blind2 split); it can move a message away from
   ``search`` only with a clear margin. Without the model the rules alone decide.

Out-of-scope results carry ``related_query``: a catalog topic worth showing instead (laptop prices
-> "consumer price index"), from a keyword table, else the nearest catalog topic by embedding. Every
result decided after the message was parsed carries that parse (``IntentResult.parsed``), so the
search or refinement that follows does not parse the message again.

Modules: ``smalltalk`` (words and pleasantries), ``rules`` (the regex grammar), ``knn`` (example bank,
vote, related topics), ``classify`` (the order of the steps above).
"""

from __future__ import annotations

from conversation.router.classify import INTENTS, IntentResult, classify, classify_many
from conversation.router.knn import EXAMPLES_FILE, related_query_for, warm_up

__all__ = ["EXAMPLES_FILE", "INTENTS", "IntentResult", "classify", "classify_many", "related_query_for", "warm_up"]
