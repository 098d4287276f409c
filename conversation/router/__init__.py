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
   knowledge ("capital of France") — unless the message explicitly asks for data/statistics. One figure at one
   time ("how many flats were sold in 2021?") is a fact to look up: a reading the arbiter may overrule.
4. Follow-ups (only when the conversation has a previous search), read by ``conversation.followup``:
   exclusions with their scope ("leave URA out", "no maps please"), inclusions ("CSV only"), bringing
   something back, undo, time windows, granularity ("the same but annual"), a new topic, and
   questions about the results on screen ("who publishes the second one?") are ``refine`` (a new
   topic is ``search``). The parse travels on ``IntentResult.followup``. A question about the assistant that
   points at no result ("do you hallucinate datasets?", "how current is your data?") stays ``capabilities``.
5. Refinements (only when the conversation has a previous search): filters (format, publisher,
   source, years, geography), paging, sorting, "more like the second one", "what about X?",
   "only X ones" — when no new topic is left over. With no previous search, filter-only messages
   ("only CSV", "2020 only", "just from NEA") become a first *search* with those filters, and pure
   navigation ("next page", "sort by most recent", "more like the second one") gets the
   *capabilities* reply (there is nothing to page or compare yet, so we explain how to search).
6. Everything else that carries content is a search: bare topics ("energy"), fragments, questions.
   What the rules leave open, and the *soft* rules' readings ("asks for data", filters without a
   previous search, a task that also names data, a new topic), go to the learned arbiter (``model``):
   a logistic regression over the sentence embedding, trained on every labelled message the router
   has (``data/prototypes.json``, ``data/catalog_topics.txt``, ``data/intent_examples.jsonl`` and the
   larger ``data/intent_training.jsonl``). It settles an open message when fairly sure and overrules
   a soft rule only when sure; a bare topic needs more to be out of scope, a refinement must refer to
   the results or change a filter, and a follow-up's state change or question is never overruled.
   Analysis of the shown data ("plot the second one", "compute the growth rate", "combine all the csvs", "train
   a model on these") is out of scope before any follow-up reading, unless it asks whether the assistant can
   ("can you make charts or only find datasets?"). Without the model the rules alone decide (the kNN vote of
   ``knn`` remains the fallback when the arbiter cannot be fitted).

Out-of-scope results carry ``related_query``: a catalog topic worth showing instead (laptop prices
-> "consumer price index"), from a keyword table, else the nearest catalog topic by embedding. Every
result decided after the message was parsed carries that parse (``IntentResult.parsed``), so the
search or refinement that follows does not parse the message again.

Modules: ``smalltalk`` (words and pleasantries), ``rules`` (the regex grammar), ``knn`` (example bank,
vote, related topics), ``model`` (the learned arbiter), ``classify`` (the order of the steps above).
"""

from __future__ import annotations

from conversation.router import knn, model
from conversation.router.classify import INTENTS, IntentResult, classify, classify_many
from conversation.router.knn import EXAMPLES_FILE, related_query_for


def warm_up() -> bool:
    """Load the embedding model, the example bank and the learned arbiter now (else the first undecided
    message pays for it); returns whether the embedding reading is available."""
    return knn.warm_up() and model.IntentModel.get() is not None


__all__ = ["EXAMPLES_FILE", "INTENTS", "IntentResult", "classify", "classify_many", "related_query_for", "warm_up"]
