"""Intent router: the issue's examples, context fallbacks, related topics and the held-out accuracy gate."""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from conversation.router import INTENTS, IntentResult, classify, classify_many

ROOT = Path(__file__).resolve().parent.parent.parent
INTENTS_FILE = ROOT / "tests" / "data" / "intents.jsonl"
# Messages written for bench/dialogue_eval.py and never added to the kNN example bank the router votes with.
HELDOUT_FILE = ROOT / "bench" / "data" / "routing_heldout.jsonl"
# 353 messages written blind by a writer who saw neither the router nor its data; the router was tuned on the
# "dev" half only.
BLIND_FILE = ROOT / "bench" / "data" / "routing_blind.jsonl"
# The never-trained 40% of five more blind writers' batches (fresh3-7); their other 60% is in the training set.
FRESH_FILE = ROOT / "bench" / "data" / "routing_fresh.jsonl"


def _load(path: Path = INTENTS_FILE) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _key(text: str) -> str:
    """Lower case, apostrophes dropped, other punctuation as spaces: how near-identical messages compare."""
    text = text.lower().replace("\u2019", "'").replace("'", "")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def _overlaps(messages: list[str], others: list[str], *, near: float = 0.9) -> list[tuple[str, str]]:
    """Messages equal to one of ``others`` after _key, with the same words in another order, or nearly equal."""
    keys = {_key(t): t for t in others}
    words = {k: frozenset(k.split()) for k in keys}
    found = []
    for text in messages:
        k = _key(text)
        matcher = difflib.SequenceMatcher(a=k, autojunk=False)
        for other in keys:
            matcher.set_seq2(other)
            if (
                other == k
                or words[other] == frozenset(k.split())
                or (matcher.real_quick_ratio() >= near and matcher.quick_ratio() >= near and matcher.ratio() >= near)
            ):
                found.append((text, keys[other]))
                break
    return found


@pytest.mark.parametrize(
    ("message", "previous", "intent"),
    [
        # the issue's own examples
        ("housing data?", False, "search"),
        ("Singapore transport datasets?", False, "search"),
        ("I need data about public transport usage patterns in Singapore", False, "search"),
        ("rainfall 2023", False, "search"),
        ("energy", False, "search"),
        ("only the CSV ones", True, "refine"),
        ("what about 2020?", True, "refine"),
        ("just from NEA", True, "refine"),
        ("more like the second one", True, "refine"),
        ("next page", True, "refine"),
        ("sort by most recent", True, "refine"),
        ("laptop prices?", False, "out_of_scope"),
        ("book me a flight", False, "out_of_scope"),
        ("write a poem", False, "out_of_scope"),
        ("hello", False, "smalltalk"),
        ("thanks!", True, "smalltalk"),
        ("bye", False, "smalltalk"),
        ("what can you do?", False, "capabilities"),
        ("which sources do you cover?", False, "capabilities"),
        ("how does the ranking work?", False, "capabilities"),
        ("do you have an API?", False, "capabilities"),
        ("what filters can I use?", False, "capabilities"),
        # tricky ones
        ("thanks, now show me rainfall data", True, "search"),
        ("what data do you have on dengue?", False, "search"),
        ("what's the weather today?", False, "out_of_scope"),
        ("2020 only", True, "refine"),
        ("what about schools?", True, "search"),  # a subject of its own: a new search
        ("how about for schools?", True, "refine"),  # the same kind of data for another subject
        ("can you find datasets about schools instead", True, "search"),
        ("hotel occupancy rates", False, "search"),
        ("cheap hotels in sentosa", False, "out_of_scope"),
        ("good schools data", False, "search"),
        ("taxi availability api", False, "search"),
        # analysis on the shown results is work the assistant does not do; a dataset for that work is a search
        ("can you plot the second one against time", True, "out_of_scope"),
        ("train a classifier on these for me", True, "out_of_scope"),
        ("graph datasets for link prediction", False, "search"),
        # charts, arithmetic and reshaping of the shown data too; a question whether it can is about the assistant
        ("please sketch a bar chart of arrivals from the top result", True, "out_of_scope"),
        ("calculate the mean of the third column in that file", True, "out_of_scope"),
        ("open the second dataset and tell me its largest value", True, "out_of_scope"),
        ("can you build dashboards or only find datasets?", False, "capabilities"),
        # a question about the assistant that points at no result is one while results are shown
        ("do you ever hallucinate results?", True, "capabilities"),
        ("how often is #4 updated?", True, "refine"),
        # one figure at one time is a fact to look up; the series is a search
        ("how many flats were sold in Bedok in 2021?", False, "out_of_scope"),
        ("number of flats sold in Bedok by year", False, "search"),
        # a topic change wherever its marker stands
        ("what about hawker centre locations? totally unrelated", True, "search"),
        # typos, casing, fragments
        ("rainfal data", False, "search"),
        ("HOSUING PRICES", False, "search"),
        ("thnaks", False, "smalltalk"),
        ("olny csv", True, "refine"),
        ("nxt page", True, "refine"),
        ("wat can u do", False, "capabilities"),
        ("wrte a poem abt cats", False, "out_of_scope"),
        ("heyyy", False, "smalltalk"),
        # "the API" of the service is a question about it; the API feeds among the results are a filter
        ("is the API rate limited?", True, "capabilities"),
        ("we do not need the API feeds", True, "refine"),
        ("the api kind dun want", True, "refine"),
        # Singlish "is there ...?"
        ("got dengue cluster data or not", False, "search"),
        ("taxi stand map got or not", True, "search"),
        # a new request beside the results, however it is introduced
        ("could you also find stuff on cycling accidents too", True, "search"),
        ("and need hawker centre data, separate from this", True, "search"),
        ("next topic: reservoir water levels", True, "search"),
        ("sign language video datasets - which ones have glosses?", False, "search"),
        # one figure, arithmetic, errands and made-up data are not searches
        ("what's the median household income now, just the number", True, "out_of_scope"),
        ("in the top dataset, what was the value for 2016?", True, "out_of_scope"),
        ("I'd be grateful if you could calculate the average from the fourth one", True, "out_of_scope"),
        ("fetch the second file and send it to my colleague", True, "out_of_scope"),
        ("please generate fake customer records for my demo", False, "out_of_scope"),
        ("how do I apply for citizenship here", False, "out_of_scope"),
        # about the assistant even when the results are named
        ("can you read inside these files or just the metadata?", True, "capabilities"),
        ("could you alert me when a new version of these appears?", True, "capabilities"),
        ("is this tool suitable for primary school kids?", False, "capabilities"),
        ("do you keep copies of the files or only link to the agencies?", True, "capabilities"),
        ("when was the catalogue last refreshed?", False, "capabilities"),
        # a topic of its own after "what about", not a filter
        ("what about marriage and divorce statistics instead", True, "search"),
        ("what about 2019?", True, "refine"),
        ("now switch to datasets on school bus routes", True, "search"),
        # one figure asked outright
        ("what was the inflation rate last month?", False, "out_of_scope"),
        # a new order for the results, and code for them
        ("could you sort these by most recent first", True, "refine"),
        ("write an R script that plots the second one", True, "out_of_scope"),
        ("terima kasih!", True, "smalltalk"),
        # about the assistant's own ways, with results on screen
        ("which other questions could I try with these?", True, "capabilities"),
        ("how can I make you keep only the newest ones?", True, "capabilities"),
        ("why didn't you show anything from the UN here? do you index them?", True, "capabilities"),
        ("does it drop duplicates by default, is that something you can do?", True, "capabilities"),
        ("are the files a live feed or a cached copy?", True, "capabilities"),
        # one figure, a count of things, a record, or errands with files
        ("what's the latest CPI value for singapore", False, "out_of_scope"),
        ("how many hawker centres are there?", False, "out_of_scope"),
        ("how many rows are in the second one?", True, "refine"),
        ("the wettest day ever recorded here?", False, "out_of_scope"),
        ("move these files into my dropbox", True, "out_of_scope"),
        ("based on these figures, will prices keep rising?", True, "out_of_scope"),
        # a new subject after the results, and a topic with nothing else
        ("and household debt by income group?", True, "search"),
        ("how about tourism receipts", True, "search"),
        ("ok forget that, check for ferry terminals", True, "search"),
        ("sign language recognition datasets", False, "search"),
        ("saya mahu data tentang kadar kelahiran", False, "search"),
        ("eh got rainfall data or not", False, "search"),
        ("okay that's all from me", True, "smalltalk"),
    ],
)
def test_classify_examples(message, previous, intent):
    result = classify(message, has_previous_search=previous)
    assert isinstance(result, IntentResult)
    assert result.intent == intent, result.reason
    assert result.intent in INTENTS
    assert 0.0 < result.confidence <= 1.0
    assert result.reason


@pytest.mark.parametrize(
    ("message", "without", "with_previous"),
    [
        # filters alone start a first search; navigation alone gets the capabilities explanation
        ("only the CSV ones", "search", "refine"),
        ("just from NEA", "search", "refine"),
        ("2020 only", "search", "refine"),
        ("what about 2020?", "search", "refine"),
        ("next page", "capabilities", "refine"),
        ("sort by most recent", "capabilities", "refine"),
        ("more like the second one", "capabilities", "refine"),
        # a new topic is a search either way
        ("rainfall data in csv", "search", "search"),
        ("show me dengue cases", "search", "search"),
    ],
)
def test_previous_search_context(message, without, with_previous):
    assert classify(message, has_previous_search=False).intent == without
    assert classify(message, has_previous_search=True).intent == with_previous


@pytest.mark.parametrize(
    ("message", "related"),
    [
        ("laptop prices?", "consumer price index"),
        ("book me a flight", "air passenger arrivals"),
        ("cheap hotels in sentosa", "hotel occupancy rates"),
        ("will it rain tomorrow?", "rainfall"),
        ("apartment for rent near orchard", "private residential rental prices"),
    ],
)
def test_out_of_scope_offers_a_related_catalog_topic(message, related):
    result = classify(message)
    assert result.intent == "out_of_scope"
    assert result.related_query == related


def test_non_out_of_scope_has_no_related_query():
    assert classify("hdb resale prices").related_query is None
    assert classify("hi").to_dict() == {
        "intent": "smalltalk",
        "confidence": classify("hi").confidence,
        "reason": classify("hi").reason,
        "related_query": None,
    }


def test_empty_and_punctuation_only_messages_are_smalltalk():
    assert classify("").intent == "smalltalk"
    assert classify("?!").intent == "smalltalk"


def test_classify_many_matches_classify():
    items = [("energy", False), ("next page", True), ("tell me a joke", False), ("hello", False)]
    assert [r.intent for r in classify_many(items)] == [classify(m, has_previous_search=p).intent for m, p in items]


def test_labelled_set_is_large_and_balanced():
    rows = _load()
    assert len(rows) >= 200
    counts = Counter(r["intent"] for r in rows)
    assert set(counts) == set(INTENTS)
    assert min(counts.values()) >= 40
    assert len({(r["text"].lower(), r["has_previous_search"]) for r in rows}) == len(rows)


def test_held_out_messages_are_not_in_the_example_bank():
    """The accuracy gate below scores only messages the router cannot have voted with: none of the held-out
    messages (held-out, blind and the fresh writers' 40%) is in the kNN example bank (prototypes, catalog topics,
    conversation/data/intent_examples.jsonl), the arbiter's training set or tests/data/intents.jsonl, exactly or nearly."""
    from conversation.router.model import training_examples

    for path, size in ((HELDOUT_FILE, 300), (BLIND_FILE, 340), (FRESH_FILE, 1000)):
        rows = _load(path)
        assert len(rows) >= size
        assert {r["intent"] for r in rows} == set(INTENTS)
        assert len({_key(r["text"]) for r in rows}) == len(rows)
        texts = [r["text"] for r in rows]
        # the kNN bank and the arbiter's training set (conversation/data/intent_training.jsonl)
        assert not _overlaps(texts, [t for t, _intent, _needs in training_examples()])
        assert not _overlaps(texts, [r["text"] for r in _load()])


# Measured with the learned arbiter (bench/assistant.py, section routing_heldout): held-out 93.9% overall; recall
# smalltalk 100%, capabilities 84%, search 94.6%, refine 98%, out_of_scope 85%; the blind set's never-tuned half
# 87.8% (180 messages). The gates sit a few points below, so a regression fails them and a small wording change does not.
HELDOUT_MIN_ACCURACY = 0.91
HELDOUT_MIN_RECALL = {"smalltalk": 0.95, "capabilities": 0.75, "search": 0.91, "refine": 0.94, "out_of_scope": 0.78}
BLIND_TEST_MIN_ACCURACY = 0.85


@pytest.mark.slow
@pytest.mark.django_db  # a question naming a dataset looks its title up in the catalog
def test_accuracy_on_the_blind_sets_never_tuned_half():
    rows = [r for r in _load(BLIND_FILE) if r["split"] == "test"]
    results = classify_many([(r["text"], r["has_previous_search"]) for r in rows])
    misses = [
        (r["text"], r["intent"], got.intent) for r, got in zip(rows, results, strict=True) if got.intent != r["intent"]
    ]
    assert 1 - len(misses) / len(rows) >= BLIND_TEST_MIN_ACCURACY, misses


@pytest.mark.slow
@pytest.mark.django_db  # a question naming a dataset looks its title up in the catalog
def test_accuracy_on_held_out_messages():
    """Correctness gate on messages outside the example bank (bench/assistant.py prints the full table)."""
    rows = _load(HELDOUT_FILE)
    results = classify_many([(r["text"], r["has_previous_search"]) for r in rows])
    correct = Counter()
    total = Counter()
    misses = []
    for row, result in zip(rows, results, strict=True):
        total[row["intent"]] += 1
        if result.intent == row["intent"]:
            correct[row["intent"]] += 1
        else:
            misses.append((row["text"], row["intent"], result.intent))
    accuracy = sum(correct.values()) / len(rows)
    recall = {intent: correct[intent] / total[intent] for intent in INTENTS}
    assert accuracy >= HELDOUT_MIN_ACCURACY, (accuracy, misses)
    for intent in INTENTS:
        assert recall[intent] >= HELDOUT_MIN_RECALL[intent], (intent, recall, misses)


def test_example_bank_never_contains_the_blind_split():
    """blind2 is the never-tuned split: the kNN bank (conversation/data/intent_examples.jsonl) must not hold it."""
    from conversation.router import EXAMPLES_FILE

    with EXAMPLES_FILE.open(encoding="utf-8") as fh:
        bank = {(json.loads(line)["text"].lower()) for line in fh if line.strip()}
    blind = [r for r in _load() if r["split"] == "blind2"]
    assert len(blind) >= 100
    assert not [r["text"] for r in blind if r["text"].lower() in bank]


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("Rainfal HOSUING popluation", "rainfall housing population"),
        ("olny csv pls", "only csv please"),
        ("wat can u do", "what can you do"),
        ("heyyy thnaks", "hey thanks"),
        # real words stay as they are (catalog vocabulary), even one edit away from a rule word
        ("write-offs in banking sector", "write-offs in banking sector"),
        ("go back a page by date", "go back a page by date"),
        ("what is the meaning of life", "what is the meaning of life"),
    ],
)
def test_normalisation_fixes_typos_but_not_real_words(raw, normalised):
    from conversation.nlu import normalise

    assert normalise(raw) == normalised


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        # A question whether something is possible is about the assistant; asking for it is a refinement.
        ("can I sort these by date at all?", "capabilities"),
        ("is there an option to see the results on a map?", "capabilities"),
        ("sort these by date", "refine"),
        # A follow-up parse that points at nothing on screen is not sure: general questions are out of scope...
        ("explain what a p-value is", "out_of_scope"),
        ("json vs csv, which is better for storing data", "out_of_scope"),
        # ... and a time window beside a topic of its own starts a new search.
        ("global inflation rates since 2000", "search"),
        ("only since 2019", "refine"),
    ],
)
@pytest.mark.django_db  # a comparison's names are looked up among the catalog's titles
def test_follow_up_readings_that_do_not_point_at_the_results_are_weighed(message, intent):
    assert classify(message, has_previous_search=True).intent == intent


@pytest.mark.parametrize(
    ("message", "previous", "intent"),
    [
        ("publisher != 'Land Transport Authority'", True, "refine"),
        ("title !~ 'CoNLL'", True, "refine"),
        ("meta(results[0])", True, "refine"),
        ("SELECT license FROM results WHERE rank = 1", True, "refine"),
        ("--exclude-publisher SLA", True, "refine"),
        ("search(task='extractive QA', lang='en', n_examples > 100k)", False, "search"),
    ],
)
def test_follow_ups_and_searches_written_as_code(message, previous, intent):
    assert classify(message, has_previous_search=previous).intent == intent


@pytest.mark.parametrize(
    ("message", "previous", "intent"),
    [
        # a request for data, then a remark that only sounds like a task
        ("COE price data got or not? Last time I buy my car COE only few thousand, now crazy", False, "search"),
        ("I need car data. Buy me a car.", False, "out_of_scope"),
        ("Very good. Thank you. Goodbye.", True, "smalltalk"),
        # a topic of its own asked of the catalog is a search; a source alone is a question about the catalog
        ("Does the catalog have OECD national accounts data? I'm comparing GDP growth across OECD countries.", False, "search"),
        ("do you have hugging face datasets", False, "capabilities"),
        # about the assistant while results are shown: its ranking, its freshness, who made it
        ("Could you explain how you decide which results come first?", True, "capabilities"),
        ("catalog refresh cadence?", True, "capabilities"),
        ("Thank you! Could I ask how up to date the information is? Some figures seem old.", True, "capabilities"),
        ("how often is the second one updated?", True, "refine"),
        ("which team made this assistant?", False, "capabilities"),
        ("Can I export the list of results for my bibliography?", True, "capabilities"),
        ("calc stamp duty for a $1.2m condo", False, "out_of_scope"),
        ("ok bye bye, go makan already", True, "smalltalk"),
        # pleasantries with Singlish particles or an old-fashioned greeting
        ("ok lah never mind. thanks ah", True, "smalltalk"),
        ("How do you do?", False, "smalltalk"),
        ("ta heaps", True, "smalltalk"),
    ],
)
def test_requests_remarks_and_questions_about_the_assistant(message, previous, intent):
    assert classify(message, has_previous_search=previous).intent == intent


def test_a_question_naming_a_result_on_screen_is_a_follow_up():
    titles = ["LFW (Labeled Faces in the Wild)", "MegaFace", "CASIA-WebFace"]
    result = classify("how does LFW stack up against MegaFace?", has_previous_search=True, shown_titles=titles)
    assert result.intent == "refine" and result.followup is not None and result.followup.question is not None


@pytest.mark.parametrize(
    "message",
    [
        "where are the public libraries?",
        "is there a map of the polyclinics",
        "where can I find all the bus interchanges",
    ],
)
def test_where_a_kind_of_facility_is_asks_for_location_data(message):
    assert classify(message).intent == "search"


@pytest.mark.parametrize("message", ["where is the nearest polyclinic", "where are the bus interchanges near me"])
def test_directions_to_the_nearest_facility_are_not_a_search(message):
    assert classify(message).intent != "search"


@pytest.mark.django_db
def test_a_comparison_of_catalog_titles_is_about_datasets_even_off_screen():
    from tests.factories import DatasetFactory

    DatasetFactory(title="LibriVox Speech")
    DatasetFactory(title="CommonVoiceLite")
    result = classify("LibriVox Speech vs CommonVoiceLite?", has_previous_search=True, shown_titles=["Other"])
    assert result.intent == "refine" and result.decided_by_followup


@pytest.mark.parametrize(
    ("message", "intent"),
    [("datasets of news headlines for summarisation", "search"), ("whats in the news this morning", "out_of_scope")],
)
def test_news_as_data_is_a_search_and_the_news_of_the_day_is_not(message, intent):
    assert classify(message).intent == intent


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        # A comment on the results and nothing else is small talk ...
        ("these results are kinda meh tbh", "smalltalk"),
        ("hmm, not what I expected but ok", "smalltalk"),
        ("haha that's a weird dataset", "smalltalk"),
        # ... a comment with a request is the request
        ("these results are weird, drop the KML ones", "refine"),
        # A new request that says so, with a subject of its own, is a search; a value for the list is not
        ("Also need flood-prone area maps.", "search"),
        ("new one pls: internet usage by age", "search"),
        ("now find recycling bin locations", "search"),
        ("also need the CSV ones", "refine"),
        ("also: only NEA", "refine"),
    ],
)
def test_comments_and_new_requests_after_results(message, intent):
    assert classify(message, has_previous_search=True).intent == intent


def test_a_dataset_asked_for_is_a_search_whatever_it_is_for():
    message = "i need a dataset of pictures to train an image classifier for my project, smth easy like mnist"
    assert classify(message, has_previous_search=False).intent == "search"
    assert classify("i need a dataset to do my homework for me", has_previous_search=False).intent == "out_of_scope"


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("can u sort by oldest start year", "refine"),  # a named order is a request
        ("Can you show more results?", "refine"),  # the next page
        ("can I sort by date at all?", "capabilities"),  # whether it can be done
    ],
)
def test_an_order_or_the_next_page_asked_for_is_a_refinement(message, intent):
    assert classify(message, has_previous_search=True).intent == intent


@pytest.mark.parametrize(
    ("message", "previous", "intent"),
    [
        # a new subject after a marker, however it is said
        ("forget the schools, now I'm looking for parks with playgrounds", True, "search"),
        ("and now something unrelated - hawker centre closures", True, "search"),
        ("Now another one please: HDB rental flat data", True, "search"),
        ("do you have datasets of handwritten digits?", False, "search"),
        ("um so yeah can you pull up like the retail sales index for singapore", False, "search"),
        # the same kind of data after a compliment is a refinement; comments and thanks are small talk
        ("Loving this, same kind of thing but for museums?", True, "refine"),
        ("wow, I didn't know there was so much", True, "smalltalk"),
        ("Thank you very much, this list is very useful for me", True, "smalltalk"),
        ("Amazing, thanks a million!", True, "smalltalk"),
        # questions about what the assistant does, and a task it does not do
        ("Can I get an alert when the Tourism Board publishes new monthly arrivals?!", False, "capabilities"),
        ("Got export to CSV function or not?", True, "capabilities"),
        ("can I undo more than one step?", True, "capabilities"),
        ("forecast Singapore's GDP growth for 2026", False, "out_of_scope"),
    ],
)
def test_new_subjects_comments_and_questions_about_the_assistant(message, previous, intent):
    assert classify(message, has_previous_search=previous).intent == intent



@pytest.mark.parametrize(
    ("message", "intent"),
    [
        # reactions to the list: how long it is, surprise, disappointment
        ("whoa, what a long list", "smalltalk"),
        ("haha too many results", "smalltalk"),
        ("oh I never knew that one existed", "smalltalk"),
        ("meh, not what I wanted", "smalltalk"),
        # thanks and a remark about one's own plans; thanks and a request stays the request
        ("thanks, I'll forward these to my supervisor", "smalltalk"),
        ("cheers, heading home now, bye", "smalltalk"),
        ("thanks, I also need the hospital ones", "search"),
        ("thanks, this is exactly what I was after", "smalltalk"),
        # Hinglish pleasantries and questions about the results
        ("theek hai, bahut shukriya", "smalltalk"),
        ("doosra wala kis agency ka hai?", "refine"),
        ("inme se kitne PDF hain?", "refine"),
        # how the assistant works: its ranking, marks, fields and authorship
        ("why did only two results come back?", "capabilities"),
        ("what does the 'series' badge mean?", "capabilities"),
        ("where does the licence info you show come from?", "capabilities"),
        ("did an AI write those summaries?", "capabilities"),
        ("what makes the first one rank above the rest?", "capabilities"),
        ("how do you decide which dataset is the most recent?", "capabilities"),
        ("if I drop a publisher, will that stick for my next search?", "capabilities"),
    ],
)
def test_reactions_remarks_and_questions_about_how_the_assistant_works(message, intent):
    assert classify(message, has_previous_search=True).intent == intent


@pytest.mark.parametrize(
    ("message", "previous", "intent"),
    [
        # a reaction and a remark, no request; with a request it stays the request
        ("hah, that's a lot of flood maps", True, "smalltalk"),
        ("neat, hadn't heard of that survey before", True, "smalltalk"),
        ("wow those dengue numbers always shock me", True, "smalltalk"),
        ("cool, for the thesis then", True, "smalltalk"),
        ("good, that's the table I was looking for", True, "smalltalk"),
        ("afk, meeting", True, "smalltalk"),
        ("cool, those from NEA", True, "refine"),
        ("nice, now only the CSV ones", True, "refine"),
        # a greeting and a remark about the session
        ("hiya, back again with a few more transport questions", False, "smalltalk"),
        ("morning! quick session before my lecture", False, "smalltalk"),
        ("I hope you are well. Pardon my English", False, "smalltalk"),
        ("hi, quick one: rainfall data", False, "search"),
        ("hello again, just me", False, "smalltalk"),
        # how the assistant treats things, what it remembers, what it can read out
        ("how does the search treat records with no dates when I pick a year?", True, "capabilities"),
        ("do you keep track of my previous searches?", True, "capabilities"),
        ("is the search keyword-based or semantic?", False, "capabilities"),
        ("could you actually handle research datasets or nah", False, "capabilities"),
        ("do you cover Eurostat indicators or only Singapore portals?", False, "capabilities"),
        ("Quick check before we begin: do you include OECD series, or just local ones?", False, "capabilities"),
        # bullets open a message and say nothing
        ("- another subject: bus ridership by year", True, "search"),
        ("- btw what's today's PSI reading in the north?", True, "out_of_scope"),
        ("- details and link for 'Annual Motor Vehicle Population'", True, "refine"),
        # the user's own analysis or paperwork
        ("fit a logistic regression on the first one", True, "out_of_scope"),
        ("put this paragraph into Tamil", False, "out_of_scope"),
        ("draft a briefing note on these for my director", True, "out_of_scope"),
        ("what accuracy does ResNet-50 get on ImageNet?", True, "out_of_scope"),
        ("could you just make the chart for me", True, "out_of_scope"),
        ("can you show me a graph of hospital admissions by year?", True, "out_of_scope"),
    ],
)
def test_reactions_session_remarks_features_and_the_users_own_work(message, previous, intent):
    assert classify(message, has_previous_search=previous).intent == intent


@pytest.mark.parametrize(
    ("message", "previous", "intent"),
    [
        # a text to write is a task, whatever data it is about; a list of datasets is a search
        ("Write a headline for a story on rising divorce rates.", False, "out_of_scope"),
        ("Draft the related-work section of my paper on CXR datasets.", False, "out_of_scope"),
        ("Write a PyTorch dataloader for NIfTI volumes.", False, "out_of_scope"),
        ("write me a list of datasets on rainfall", False, "search"),
        ("Draft Master Plan 2019 land use", False, "search"),
        ("Fact-check this for me: 'Singapore has the world's highest GDP per capita'.", False, "out_of_scope"),
        # data named by its topic and asked for; rate limits mentioned beside a request are no question about them
        ("Good morning sir. Please share CPF contribution datasets, my manager is asking urgently.", False, "search"),
        ("is there dengue data bc my estate is lowkey infested rn", False, "search"),
        ("is there a way to see only datasets with CSV downloads?", False, "capabilities"),
        ("what rate limits does your API have?", False, "capabilities"),
        ("Do you expose any WMS or WFS endpoints yourself, or is this purely a catalogue?", True, "capabilities"),
        # chat shorthand ("gonna", "tmr") and a closing "only" that only stresses the thanks
        ("also is it gonna rain tmr in jurong i wanna go for a run", True, "out_of_scope"),
        ("Superb, thank you so much for the prompt help only.", True, "smalltalk"),
        (
            "I need bus stop locations as points, ideally with stop codes. Formats: GeoJSON or SHP. I'll take an API if "
            "nothing else exists but I'd rather not deal with rate limits. Please start with the bus side of things.",
            False,
            "search",
        ),
        # what the user would like to look up, or whether something has been put online
        (
            "Good morning. I have voted in every general election since I came of age, and I would like to look up "
            "the old results, constituency by constituency, to refresh my memory of the early years.",
            False,
            "search",
        ),
        (
            "Good morning to you. When I was a young clerk I used to read the Malaya Tribune on the bus every morning, "
            "and I have been wondering whether those old newspapers have been digitised and made available somewhere.",
            False,
            "search",
        ),
    ],
)
def test_texts_to_write_and_requests_told_as_stories(message, previous, intent):
    assert classify(message, has_previous_search=previous).intent == intent


def test_a_message_that_tells_a_story_around_its_request_is_a_search_unless_it_asks_for_a_task():
    story = (
        "Hello, I hope you don't mind a long message. I teach a Primary 6 class, and this term the children are "
        "running a 'Green Ambassadors' project. They want to persuade the families in the estate to recycle more. "
        "What I have in mind is: how much household waste Singapore produces, how much of it is recycled, and whether "
        "the recycling rate has gone up or down. I'm not very technical myself, so please forgive me. Thank you!"
    )
    assert classify(story).intent == "search"
    task = (
        "I teach Year 10 geography and I am completely swamped this week. I found data on urbanisation rates in "
        "Southeast Asia. Could you please just write me a 500-word model essay on the causes of urbanisation?"
    )
    assert classify(task).intent == "out_of_scope"
