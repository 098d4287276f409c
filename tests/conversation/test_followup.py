"""Follow-up reading (text only) and answers about the results on screen (metadata only)."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog.models import DatasetFamily
from conversation.followup import targets
from conversation.followup.answers import ShownDataset, answer_question, shown_datasets
from conversation.followup.apply import interpret, search_filters
from conversation.followup.code_syntax import read_code
from conversation.followup.parse import parse_followup
from conversation.followup.questions_parse import parse_question
from conversation.followup.time_parse import parse_time
from conversation.state import SearchState
from tests.factories import DatasetFactory


def _scopes(message):
    return [(s.mode, s.phrase) for s in parse_followup(message).scopes if not s.soft]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("leave the transport authority out of this", [("exclude", "the transport authority")]),
        ("anything but the police datasets", [("exclude", "the police datasets")]),
        ("i'd rather not have the API feeds", [("exclude", "the api feeds")]),
        ("just the environment agency please", [("include", "environment agency")]),
        ("let the statistics department back in", [("restore", "the statistics department")]),
    ],
)
def test_negation_and_inclusion_have_a_scope(message, expected):
    assert _scopes(message) == expected


def test_undo_facet_removal_time_and_topic_switch():
    assert parse_followup("undo that").undo
    assert parse_followup("any publisher is fine").remove_facets == ["publisher"]
    window = parse_followup("nothing that ends before 2012").time
    assert (window.year_from, window.year_to) == (2012, None)
    assert parse_followup("new topic: bicycle parking").topic_switch == "bicycle parking"
    # A how-to question asks about the assistant; a wish without a facet word is a new search.
    assert not parse_followup("how do i exclude a publisher").is_followup
    assert not parse_followup("now I need population data").changes_state


def _shown(rank, title, *, source="data.gov.sg", slug="datagovsg", start=None, end=None, formats=("CSV",)):
    return ShownDataset(
        rank=rank, id=rank, title=title, publisher="Some Agency", source=source, source_slug=slug,
        formats=list(formats), license="", frequency="", start=start, end=end, modified=None,
        description="", landing_url="", paper_url="",
    )  # fmt: skip


@pytest.mark.django_db
def test_answers_name_the_dataset_first_and_count_by_facet():
    shown = [
        _shown(1, "Taxi trips", start=dt.date(2015, 1, 1), end=dt.date(2020, 12, 31)),
        _shown(2, "Bus ridership", start=dt.date(1995, 1, 1), end=dt.date(2020, 12, 31), formats=("KML",)),
        _shown(3, "Traffic video", source="Papers with Code", slug="paperswithcode", formats=()),
    ]
    longest = answer_question(parse_question("which of these goes back furthest?"), shown, focus=None)
    assert longest.reply.startswith("“Bus ridership” (#2)")
    second = answer_question(parse_question("what formats does the second one come in?"), shown, focus=None)
    assert "KML" in second.reply and second.focus == 2
    counted = answer_question(parse_question("how many are from Papers with Code?"), shown, focus=None)
    assert counted.reply.startswith("1 of the 3 results") and "Traffic video" in counted.reply
    compared = answer_question(parse_question("compare the first two"), shown, focus=None)
    assert compared.table["ids"] == [1, 2] and compared.table["columns"][0] == "Dataset"


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("what about rainfall by station? completely different thing", "rainfall by station"),
        ("nope. let me try another topic: school enrolment", "school enrolment"),
        ("ok so let me ask about something else - carpark availability", "carpark availability"),
        ("and now something on recycling rates", "recycling rates"),
        ("sorry, new topic: reservoir water levels", "reservoir water levels"),
        ("separate question, any data on library loans", "any data on library loans"),
        ("changing the subject to fisheries: fish landings by port", "fisheries: fish landings by port"),
        ("and now for something different: bird sightings", "bird sightings"),
        ("for my next assignment I need a corpus of legal judgments", "a corpus of legal judgments"),
        ("ok forget the housing stuff. what about bus stops", "bus stops"),
        ("let's try another angle: noise complaints", "noise complaints"),
    ],
)
def test_a_topic_change_is_read_wherever_its_marker_stands(message, topic):
    assert parse_followup(message).topic_switch == topic


@pytest.mark.parametrize(
    "message",
    [
        "not the other one",
        "exclude the new ones. ok",
        "the second one. what licence?",
        "for my project I need only CSV",
    ],
)
def test_words_like_other_or_new_inside_a_follow_up_are_not_a_topic_change(message):
    assert parse_followup(message).topic_switch is None


@pytest.mark.parametrize(
    ("phrase", "window"),
    [("pre-covid years", (None, 2019)), ("during the pandemic", (2020, 2022)), ("since covid", (2020, None))],
)
def test_the_pandemic_is_a_time_window(phrase, window):
    found, _rest = parse_time(phrase, current_year=2026)
    assert (found.year_from, found.year_to) == window


@pytest.mark.django_db
def test_excluding_a_named_result_excludes_its_whole_family():
    family = DatasetFamily.objects.create(key="cpi-sa", title="CPI, seasonally adjusted")
    shown = DatasetFactory(title="CPI, Monthly, Seasonally Adjusted", family=family)
    copy = DatasetFactory(title="CPI, monthly, seasonally adjusted", family=family)
    alone = DatasetFactory(title="CPI, Monthly")
    state = SearchState(query="consumer price index")
    state.add("exclude", "dataset", str(shown.pk), shown.title)
    excluded = set(search_filters(state)["exclude_ids"])
    assert {shown.pk, copy.pk} <= excluded and alone.pk not in excluded


@pytest.mark.django_db
def test_a_title_term_after_punctuation_and_hyphen_is_a_word_but_not_inside_a_compound():
    rural = DatasetFactory(title="Poverty Gap ($2 a day)-Rural")
    compound = DatasetFactory(title="Non-rural land use")
    plain = DatasetFactory(title="Rural population")
    state = SearchState(query="poverty")
    state.add("exclude", "title", "rural", "rural")
    excluded = set(search_filters(state)["exclude_ids"])
    assert {rural.pk, plain.pk} <= excluded and compound.pk not in excluded
    shown = [targets.Shown(id=rural.pk, title=rural.title)]
    assert targets.resolve_one("the rural breakdowns", shown=shown) == targets.Target("title", ("rural",), "rural")


@pytest.mark.django_db
def test_a_file_name_title_has_words_between_its_underscores():
    raw = DatasetFactory(title="wage_01_sex1_annual")
    other = DatasetFactory(title="Average wages by sex")
    kept = DatasetFactory(title="Wageless households")
    state = SearchState(query="wages")
    state.add("exclude", "title", "wage", "wage")
    excluded = set(search_filters(state)["exclude_ids"])
    assert raw.pk in excluded and kept.pk not in excluded
    shown = [targets.Shown(id=raw.pk, title=raw.title), targets.Shown(id=other.pk, title=other.title)]
    assert targets.resolve_one("the wage_ ones", shown=shown).facet == "title"  # as typed: "wage_" is "wage"


@pytest.mark.django_db
def test_a_plural_noun_after_two_names_belongs_to_both():
    shown = [
        targets.Shown(id=1, title="Official Moderate Poverty Rate- Rural"),
        targets.Shown(id=2, title="Poverty Headcount-Rural"),
        targets.Shown(id=3, title="Poverty Headcount-Urban"),
        targets.Shown(id=4, title="Poverty Gap-Urban"),
    ]
    # "the rural" alone would name the one title with a standalone "Rural"; "the rural breakdowns" are every one
    resolution = targets.resolve("the rural and urban breakdowns", shown=shown)
    assert resolution.targets == [
        targets.Target("title", ("rural",), "rural"),
        targets.Target("title", ("urban",), "urban"),
    ]
    assert targets.resolve("the rural figures", shown=shown).targets == [targets.Target("title", ("rural",), "rural")]


@pytest.mark.parametrize("phrase", ["API endpoints", "the api feeds", "CSV downloads", "pdf documents"])
@pytest.mark.django_db
def test_a_format_followed_by_a_generic_noun_is_the_format(phrase):
    target = targets.resolve_one(phrase, shown=[])
    assert target is not None and target.facet == "format"


@pytest.mark.django_db
def test_an_unknown_organisation_suggests_the_publisher_sharing_its_distinctive_word_first():
    DatasetFactory(publisher__name="Singapore Tourism Board")
    DatasetFactory(publisher__name="Ministry of Law")
    DatasetFactory(publisher__name="Ministry of Health")
    targets.VOCABULARY.forget()
    resolution = targets.resolve("the ministry of tourism", shown=[])
    assert resolution.unknown == ["ministry of tourism"]
    assert resolution.suggestions["ministry of tourism"][0] == "Singapore Tourism Board"


@pytest.mark.django_db
def test_a_comparison_resolves_ambiguous_names_to_the_plainest_title_and_finds_a_named_dataset_off_screen():
    monthly = DatasetFactory(title="Price Index, 2019 Base, Monthly")
    DatasetFactory(title="Price Index, 2019 Base, Monthly, Seasonally Adjusted")
    annual = DatasetFactory(title="Price Index, 2019 Base, Annual")  # in the catalog, not on screen
    on_screen = shown_datasets([monthly.pk, monthly.pk + 1])
    answer = answer_question(parse_question("compare the monthly and annual price index tables"), on_screen, focus=None)
    assert answer is not None and answer.table is not None
    assert answer.table["ids"] == [monthly.pk, annual.pk]
    assert f"“{annual.title}” (not among the results)" not in answer.reply  # the table names it; the reply lists names
    assert annual.title in answer.reply


@pytest.mark.django_db
def test_a_one_word_name_off_screen_is_the_title_it_begins():
    nuscenes = DatasetFactory(title="nuScenes")
    waymo = DatasetFactory(title="Waymo Open Dataset")  # in the catalog, not on screen
    answer = answer_question(parse_question("nuScenes vs Waymo, table"), shown_datasets([nuscenes.pk]), focus=None)
    assert answer is not None and answer.table["ids"] == [nuscenes.pk, waymo.pk]


def test_a_history_question_about_two_results_names_the_undated_one():
    shown = [
        _shown(1, "Electricity use", start=dt.date(2005, 1, 1), end=dt.date(2020, 12, 31)),
        _shown(2, "Access to power"),
    ]
    answer = answer_question(parse_question("between the first two which covers more years"), shown, focus=None)
    assert (
        "“Electricity use” (#1)" in answer.reply
        and "“Access to power” (#2): the period it covers is not stated" in answer.reply
    )


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # an evaluative clause names what goes; a pronoun after it points back at that subject
        ("the LTA tables are way too coarse, drop them", [("exclude", "the lta tables")]),
        ("ImageNet is not what I am after", [("exclude", "imagenet")]),
        ("honestly I was too quick there, show the NEA ones again", [("restore", "the nea")]),
        # a cue of its own kind wins over the bare "not"
        ("not keen on anything from the housing board", [("exclude", "the housing board")]),
        ("we cannot open shapefiles", [("exclude", "shapefiles")]),
        # where the target sits is said around it
        ("scratch the fourth one from the results", [("exclude", "the fourth one")]),
        ("hide whatever has Seasonally Adjusted in the title", [("exclude", "seasonally adjusted")]),
        ("bin the census entries for now", [("exclude", "the census")]),
        ("I have used SQuAD already", [("exclude", "squad")]),
        ("drop everything that's only an XLSX sheet", [("exclude", "xlsx sheet")]),
        ("the HDB stats, which will not work for us", [("exclude", "the hdb stats")]),
    ],
)
def test_exclusions_said_around_their_target(message, expected):
    assert _scopes(message) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # what is not X goes: only X stays
        ("drop everything that is not from the World Bank", [("include", "world bank")]),
        ("anything outside the IMF?", [("exclude", "the imf")]),
        # the subject that should not be there, or that a reason names, goes
        ("WMT 2014 should not be on this list", [("exclude", "wmt 2014")]),
        ("we already use MNIST and SVHN, so drop them", [("exclude", "mnist and svhn")]),
        ("CelebA is about faces, I think - please remove it", [("exclude", "celeba")]),
        # the object first, with no subject, in chat and Singlish
        ("the PDF kind dun want lah", [("exclude", "the pdf kind")]),
        ("the quarterly ones are not so useful for us", [("exclude", "the quarterly")]),
        ("I would not want to see the urban figures", [("exclude", "the urban figures")]),
        ("nor anything from LTA, if you do not mind", [("exclude", "lta")]),
        # a reason, not a filter
        ("hide the ones needing a login, I don't have an account", [("exclude", "the ones needing a login")]),
    ],
)
def test_exclusions_in_more_everyday_forms(message, expected):
    assert _scopes(message) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # Malay: the verb last, "tak payah" (not needed), "bawa balik" (bring back)
        ("yang dari LTA tak payah, buang semua", [("exclude", "the ones from lta")]),
        ("semua fail peta buang", [("exclude", "all map files")]),
        ("bawa balik LTA tadi", [("restore", "lta")]),
        # a name and what is built on it
        ("skip Cityscapes and anything derived from it", [("exclude", "cityscapes")]),
        # slang verbs after a reason
        ("MNIST and SVHN are way too easy, yeet those", [("exclude", "mnist and svhn")]),
    ],
)
def test_exclusions_in_malay_and_slang(message, expected):
    assert _scopes(message) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # SQL, Python comparisons and command-line flags say what a sentence would
        ("publisher != 'Housing and Development Board'", [("exclude", "housing and development board")]),
        ("AND source NOT IN ('World Bank', 'IMF')", [("exclude", "world bank and imf")]),
        ("WHERE name NOT IN ('NoReC', 'FinnSentiment')  -- english only", [("exclude", "norec and finnsentiment")]),
        ("format == 'CSV'", [("include", "csv")]),
        ("df[df.publisher != 'URA']", [("exclude", "ura")]),
        ("--exclude LTA", [("exclude", "lta")]),
        ("--exclude-publisher SLA", [("exclude", "sla")]),
        ("fmt=csv", [("include", "csv")]),
        ("drop: PDF", [("exclude", "pdf")]),
        ("exclude(publisher == 'NEA')", [("exclude", "nea")]),
    ],
)
def test_exclusions_and_inclusions_written_as_code(message, expected):
    assert _scopes(message) == expected


@pytest.mark.parametrize(
    ("message", "kind", "ranks"),
    [
        ("SELECT license FROM results WHERE rank = 1", "licence", [1]),
        ("results[1].publisher", "publisher", [2]),  # Python counts from 0
        ("meta(results[0])", "more", [1]),
        ("compare(results[0], results[2])", "compare", [1, 3]),
    ],
)
def test_questions_written_as_code(message, kind, ranks):
    question = parse_followup(message).question
    assert question.kind == kind and [r.value for r in question.refs] == ranks


def test_code_that_orders_counts_or_substitutes_reads_as_the_request():
    assert parse_followup("ORDER BY coverage_start ASC LIMIT 1").question.kind == "earliest_start"
    assert parse_followup("which row has max(coverage_end)?").question.kind == "most_recent"
    assert parse_followup("count(format == 'CSV')").question.kind == "count"
    assert _scopes("title !~ 'CoNLL'") == [("exclude", "conll")]
    window = parse_followup("coverage_end >= 2019").time
    assert (window.year_from, window.year_to) == (2019, None)
    assert parse_followup("s/monthly/annual/").changes_state
    # Prose with a field word and "is" is not code
    assert read_code("the publisher is not important to me") is None
    assert read_code("i'd say the max (of two) is fine") is None


@pytest.mark.parametrize(
    ("message", "kind", "ranks"),
    [("nombor dua tu, lesen apa?", "licence", [2]), ("yang pertama, siapa yang publish?", "publisher", [1])],
)
def test_questions_in_malay(message, kind, ranks):
    question = parse_followup(message).question
    assert question.kind == kind and [r.value for r in question.refs] == ranks


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # Hinglish: the verb last ("hatao": remove), "sirf" (only), "wale" (the ones), "nahi chahiye" (not wanted)
        ("URA wale hatao, sirf NParks", [("exclude", "ura"), ("include", "nparks")]),
        ("PDF wala hatao yaar", [("exclude", "pdf")]),
        ("TUNIZI aur Urdu wala hatao, woh nahi chahiye", [("exclude", "tunizi and urdu")]),
        ("ab sirf quarterly wale dikhao", [("include", "quarterly")]),
        # Chinese and romanised Tamil words in an English follow-up
        ("World Bank 那些不要, 我只要 Singapore 的", [("exclude", "world bank"), ("include", "singapore")]),
        ("rural vendaam, national and urban mattum", [("exclude", "rural"), ("include", "national and urban")]),
    ],
)
def test_follow_ups_mixing_hindi_chinese_or_tamil_words(message, expected):
    assert _scopes(message) == expected


@pytest.mark.parametrize(
    ("message", "kind", "ranks"),
    [("pehle wale ka licence kya hai?", "licence", [1]), ("doosra wala kaun publish karta hai?", "publisher", [2])],
)
def test_questions_in_hinglish(message, kind, ranks):
    question = parse_followup(message).question
    assert question.kind == kind and [r.value for r in question.refs] == ranks


@pytest.mark.parametrize(
    "message",
    ["accha filter hatao, sab wapas lao", "ok start over, clear filters", "bring everything back", "reset filters"],
)
def test_every_filter_goes(message):
    parsed = parse_followup(message)
    assert parsed.clear and not parsed.topic_switch


def test_a_reason_is_no_part_of_an_instead():
    # "rather than" inside the reason does not make the exclusion an inclusion
    message = "I wonder whether we might exclude the data.gov.sg material, since I am after world figures rather than Singapore alone."
    assert _scopes(message) == [("exclude", "the data.gov.sg material")]


@pytest.mark.django_db
def test_a_dataset_named_exactly_is_found_off_screen():
    pascal = DatasetFactory(title="PASCAL VOC")
    DatasetFactory(title="PASCAL VOC 2007")
    resolution = targets.resolve("Cityscapes and PASCAL VOC", shown=[targets.Shown(id=1, title="Cityscapes")])
    assert resolution.targets == [
        targets.Target("dataset", ("1",), "Cityscapes"),
        targets.Target("dataset", (str(pascal.pk),), "PASCAL VOC"),
    ]
    assert targets.resolve("the Atlantis Survey", shown=[]).unknown == ["atlantis survey"]


@pytest.mark.django_db
def test_the_one_of_a_named_publisher_is_its_first_result_on_screen():
    DatasetFactory(publisher__name="World Bank Group")
    DatasetFactory(publisher__name="UN Statistics Division")
    targets.VOCABULARY.forget()
    shown = [
        targets.Shown(id=1, title="CO2 emissions (SDG 13)", publisher="UN Statistics Division"),
        targets.Shown(id=2, title="CO2 emissions (metric tons per capita)", publisher="World Bank Group"),
        targets.Shown(id=3, title="Methane emissions", publisher="World Bank Group"),
    ]
    assert targets.dataset_named("the World Bank one", shown).id == 2
    assert targets.dataset_named("the world bank methane one", shown).id == 3
    assert targets.dataset_named("the IMF one", shown) is None


def test_variants_and_families_of_a_name_exclude_every_title_with_it():
    scopes = parse_followup("no COCO variants whatsoever").scopes
    assert [(s.mode, s.phrase, s.term) for s in scopes] == [("exclude", "coco", True)]


def test_going_back_to_every_value_of_a_facet_removes_its_filter():
    parsed = parse_followup("can we go back to showing all the formats, not just the CSV ones")
    assert parsed.remove_facets == ["format"] and parsed.question is None and not _scopes(parsed.text)


def test_a_named_filter_lifted_beside_another_change_does_both():
    scopes = parse_followup("lift the NEA-only filter and then exclude PDFs").scopes
    assert [(s.mode, s.phrase) for s in scopes] == [("restore", "nea"), ("exclude", "pdfs")]


def test_coverage_that_reaches_a_year_is_a_time_window():
    parsed = parse_followup("only those datasets whose coverage runs into 2020")
    assert (parsed.time.year_from, parsed.time.year_to) == (2020, None) and not _scopes(parsed.text)


@pytest.mark.parametrize(
    ("message", "kind", "ranks"),
    [
        ("i wonder if you would be so kind as to tell me a little about the third one", "more", [3]),
        ("tbl 2 v 4", "compare", [2, 4]),
        ("what serialisation is #3 served in?", "formats", [3]),
        # an acknowledgement and "kindly advise" before the question; a table described on the way
        ("Noted, thank you. Kindly advise which of the listed datasets commences earliest.", "earliest_start", []),
        ("Understood. Please advise who publishes the second one.", "publisher", [2]),
        ("Would you be so kind as to compare the first two for me in a little table?", "compare", [1, 2]),
        # the data owner is the publisher; a summary and a paper link are the details of a dataset
        ("Who is the data owner of the first item on the list now?", "publisher", [1]),
        ("the description and download link for the first one", "more", [1]),
    ],
)
def test_questions_behind_courtesy_and_shorthand(message, kind, ranks):
    question = parse_followup(message).question
    assert question.kind == kind and [r.value for r in question.refs] == ranks


@pytest.mark.parametrize(
    ("message", "phrase"),
    [("and Statistics Norway as well", "statistics norway"), ("plus the PDF ones", "pdf"), ("MNIST too", "mnist")],
)
def test_more_of_the_same_change_continues_the_last_one(message, phrase):
    assert [(s.mode, s.phrase) for s in parse_followup(message).scopes] == [("continue", phrase)]


@pytest.mark.django_db
def test_a_continuation_repeats_the_last_change_and_nothing_else():
    from conversation.followup.apply import interpret

    state = SearchState(query="traffic")
    state.checkpoint()
    state.add("exclude", "format", "PDF")
    shown = []
    change = interpret(parse_followup("and the KML ones too"), state, shown)
    assert change is not None and {"PDF", "KML"} <= set(state.values("exclude", "format")) | set(
        change.state.values("exclude", "format")
    )
    assert interpret(parse_followup("and the KML ones too"), SearchState(query="traffic"), shown) is None


@pytest.mark.parametrize(
    ("phrase", "rank"),
    [("the third one", 3), ("#4", 4), ("result 2", 2), ("number five", 5), ("the last one", -1), ("third world", None)],
)
def test_a_position_on_screen_is_a_target(phrase, rank):
    assert targets.rank_of(phrase) == rank


@pytest.mark.parametrize(
    ("message", "kind", "rank"),
    [
        ("lic for #3?", "licence", 3),
        ("yrs covered by 2nd?", "coverage", 2),
        ("whose data is number four?", "publisher", 4),
        ("what's the time span of the first one", "coverage", 1),
        ("the second one looks promising - can you tell me more about it", "more", 2),
        ("#5?", "more", 5),
    ],
)
def test_questions_in_shorthand_and_after_a_lead_in(message, kind, rank):
    question = parse_followup(message).question
    assert question is not None and question.kind == kind
    assert [r.value for r in question.refs if r.kind == "rank"][:1] == [rank]


def test_a_count_after_a_lead_in_reads_its_target():
    question = parse_followup("before I decide, how many of these did MOM publish?").question
    assert question is not None and question.kind == "count" and question.target == "mom"


@pytest.mark.parametrize(
    ("message", "value"),
    [
        ("do you have it per month?", "per month"),
        ("weekly numbers would be better", "weekly"),
        ("qtrly only", "quarterly"),
    ],
)
def test_granularity_in_everyday_words(message, value):
    assert [(s.mode, s.phrase) for s in parse_followup(message).scopes] == [("include", value)]


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("same filters, now look for school enrolment", "school enrolment"),
        ("do the same search for tuberculosis", "tuberculosis"),
        # the kind of thing named in passing, then the new subject
        ("same vibe but protein structures instead", "protein structures"),
        ("same sort of annotated footage, but shot by drones", "shot by drones"),
    ],
)
def test_the_same_filters_for_a_new_subject(message, topic):
    assert parse_followup(message).same_but == topic


@pytest.mark.django_db
def test_those_after_a_count_are_the_counted_results():
    from conversation.followup.apply import interpret

    monthly = DatasetFactory(title="Arrivals, Monthly", update_frequency="monthly")
    annual = DatasetFactory(title="Arrivals, Annual", update_frequency="annual")
    state = SearchState(query="arrivals", result_ids=[monthly.pk, annual.pk])
    shown = shown_datasets(state.result_ids)
    asked = interpret(parse_followup("how many of these are monthly?"), state, shown)
    assert asked.kind == "question" and asked.state.subset["values"] == ["monthly"]
    kept = interpret(parse_followup("ok just those then"), asked.state, shown)
    assert kept.kind == "state" and kept.state.values("include", "frequency") == ["monthly"]
    assert kept.state.subset is None


@pytest.mark.django_db
def test_a_name_word_of_a_publisher_with_nothing_on_screen_is_a_title_term():
    from catalog.models import Publisher

    Publisher.objects.get_or_create(name="Urban Redevelopment Authority")
    DatasetFactory(publisher=Publisher.objects.get(name="Urban Redevelopment Authority"))
    targets.VOCABULARY.forget()
    shown = [targets.Shown(id=1, title="Poverty Rate-Urban", publisher="World Bank Group")]
    assert targets.resolve_one("the urban ones", shown=shown).facet == "title"
    assert targets.title_term_pattern("urban").search("official poverty rate-urban")
    assert not targets.title_term_pattern("urban").search("peri-urban areas")


@pytest.mark.django_db
def test_several_fields_of_one_result_are_all_answered():
    dataset = DatasetFactory(title="Carpark Rates", formats=["CSV", "JSON"], license="Singapore Open Data Licence")
    shown = shown_datasets([dataset.pk])
    question = parse_followup("formats and licence of #1?").question
    assert question.kind in ("formats", "licence") and set(question.also) | {question.kind} == {"formats", "licence"}
    reply = answer_question(question, shown, focus=None).reply
    assert "CSV" in reply and "Singapore Open Data Licence" in reply


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("EMA out please", [("exclude", "ema")]),
        ("keep MOH, nothing else", [("include", "moh")]),
        (
            "they'd rather see something from NEA than from the statistics department",
            [("include", "nea"), ("exclude", "statistics department")],
        ),
        ("the client says ImageNet is already familiar to him", [("exclude", "imagenet")]),
        ("the KML layers are out of scope, remove them", [("exclude", "the kml layers")]),
        ("satellite ones lie beyond our remit so take those out", [("exclude", "satellite")]),
        # a format said as what a dataset is available in, or as "X-only"
        ("Please limit the results to those available in SDMX format.", [("include", "sdmx format")]),
        ("only the ones available as CSV", [("include", "csv")]),
        ("Also no JSON-only datasets.", [("exclude", "json datasets")]),
        # what a publisher puts out; a hedged "not really interested in"
        ("drop anything NEA puts out", [("exclude", "nea")]),
        (
            "He isn't really interested in private condominiums, so I wonder if we might set aside whatever the Urban "
            "Redevelopment Authority publishes?",
            [("exclude", "private condominiums"), ("exclude", "the urban redevelopment authority")],
        ),
        ("Drop CIFAR-10 — we have benchmarked on it", [("exclude", "cifar-10")]),
        ("actually I want the transport authority in there again", [("restore", "the transport authority")]),
    ],
)
def test_postposed_and_reported_changes(message, expected):
    assert _scopes(message) == expected


def test_what_is_not_wanted_ends_with_its_sentence():
    message = "She'd prefer a list she can open in Excel rather than maps. Could we perhaps leave the mapping files out?"
    assert ("exclude", "maps") in _scopes(message)


def test_a_subject_said_to_fall_outside_the_scope_is_what_goes():
    message = "Visual question answering datasets fall outside the scope of this review; please remove them."
    assert {phrase for _mode, phrase in _scopes(message)} == {"visual question answering datasets"}
    assert {mode for mode, _phrase in _scopes(message)} == {"exclude"}


def test_rather_than_in_a_question_about_the_data_is_no_change():
    assert not parse_followup("from this data, was 2019 drier than 2018?").scopes


def test_bare_positions_and_hyphenated_title_terms():
    assert targets.rank_of("2") == 2 and targets.rank_of("2019") is None
    assert targets.title_term_pattern("dry-bulb").search("dry bulb temperature, hourly")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # hedged, object-first and idiomatic forms, and what only looks like a cue
        ("I don't think we need the live feeds; those are summaries, not raw data", [("exclude", "the live feeds")]),
        ("if it's no trouble, please put the ICA tables aside", [("exclude", "the ica tables")]),
        ("the maps I not need, remove please", [("exclude", "the maps")]),
        ("could we keep to the CSV downloads?", [("include", "csv downloads")]),
        (
            "they'd much prefer monthly series to anything real-time",
            [("include", "monthly series"), ("exclude", "real-time")],
        ),
        ("her colleague has GIS after all - could the map files come back?", [("restore", "the map files")]),
        ("give me back the URA ones", [("restore", "the ura")]),
        ("remove please the annual filter", [("restore", "annual")]),
        ("GovTech out too", [("exclude", "govtech")]),
    ],
)
def test_exclusions_inclusions_and_restores_in_everyday_forms(message, expected):
    assert _scopes(message) == expected


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("same kinda thing but births instead", "births"),
        ("like this data, but about airline passengers instead of tourists. same years", "airline passengers"),
        ("now the sea side of the same thing - ships calling at the port, same years", "ships calling at the port"),
        ("I would now like the equivalent datasets for hospitals, subject to the same exclusions", "hospitals"),
    ],
)
def test_a_domain_change_keeps_the_task(message, topic):
    assert parse_followup(message).same_but == topic


def test_undo_and_facet_removal_are_told_apart():
    assert parse_followup("reverse that last step - the Finance ones may be useful after all").undo
    assert parse_followup("remove the publisher filter").remove_facets == ["publisher"]
    assert not parse_followup("remove the publisher filter").undo
    assert parse_followup("are there any datasets on diabetes among adults?").remove_facets == []
    assert parse_time("what is the licence of CoNLL-2003")[0] is None


@pytest.mark.parametrize(
    ("message", "kind", "refs"),
    [
        ("longest series?", "longest_history", []),
        ("cmp 1 and 3", "compare", [("rank", 1), ("rank", 3)]),
        ("who publishes the last 1", "publisher", [("rank", -1)]),
        ("put CIFAR-10 and CIFAR-100 in a comparison table", "compare", [("name", "cifar-10"), ("name", "cifar-100")]),
        ("tell me more about nuScenes — where was it recorded?", "more", [("name", "nuscenes")]),
        ("Quick one: how many question-answer pairs are in SQuAD itself?", "size", [("name", "squad")]),
        ("what's the licence situation for CoNLL-2003? reviewers keep asking", "licence", [("name", "conll-2003")]),
    ],
)
def test_questions_in_everyday_forms(message, kind, refs):
    question = parse_followup(message).question
    assert question is not None and question.kind == kind
    assert [(r.kind, r.value) for r in question.refs] == refs


@pytest.mark.parametrize(
    ("message", "target"),
    [
        ("of what's left, what's the CSV tally?", "csv"),
        ("how many geojson r there now", "geojson"),
        ("k then how many r from NEA", "nea"),
    ],
)
def test_counts_in_everyday_forms(message, target):
    question = parse_followup(message).question
    assert question is not None and question.kind == "count" and question.target == target


def _all_scopes(message):
    return [(s.mode, s.phrase, s.soft) for s in parse_followup(message).scopes]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # a category, then the names that belong to it: the names go
        (
            "take out the big general ones: ImageNet, Places365",
            [("exclude", "imagenet", False), ("include", "places365", True)],
        ),
        ("skip the older benchmarks - MNIST, USPS", [("exclude", "mnist", False), ("include", "usps", True)]),
        ("leave out sentiment corpora such as SST", [("exclude", "sst", False)]),
        # a dash that gives a reason is not a list
        ("drop SVHN — too easy for us", [("exclude", "svhn", False)]),
        # "no need" in Singlish is not wanting it; "restrict these to" is an only
        ("no need the realtime one", [("exclude", "the realtime one", False)]),
        ("could you restrict these to GeoJSON", [("include", "geojson", False)]),
        # a name with "-related" / "-based" means every title with it
        ("remove anything Kinetics-based", [("exclude", "kinetics", False)]),
        # "non-X ones": anything but X
        ("non-LTA options please", [("exclude", "lta", False)]),
        # Malay "the X ones"
        ("buang yang SingStat punya", [("exclude", "the singstat", False)]),
    ],
)
def test_exclusions_of_listed_names_and_short_forms(message, expected):
    assert _all_scopes(message) == expected


@pytest.mark.parametrize(
    ("message", "window"),
    [("keep those which cover 2012", (2012, 2012)), ("only series that span 2000 until 2005 please", (2000, 2005))],
)
def test_what_the_data_covers_is_a_time_window(message, window):
    parsed = parse_followup(message)
    assert (parsed.time.year_from, parsed.time.year_to) == window
    assert not parsed.scopes  # "those which cover" names nothing to keep


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("what about marine litter?", "marine litter"),
        ("how about vaccination rates", "vaccination rates"),
        ("and hawker stall rentals?", "hawker stall rentals"),
        ("let us switch to youth unemployment", "youth unemployment"),
        ("something completely different: taxi stands", "taxi stands"),
    ],
)
def test_a_subject_of_its_own_after_what_about_is_a_new_topic(message, topic):
    assert parse_followup(message).topic_switch == topic


@pytest.mark.parametrize(
    "message",
    [
        "what about monthly?",
        "how about 2018",
        "and the third one?",
        "what about NEA?",
        "and CSV?",
        "how about its licence",
        "and Statistics Norway too",
        "switch to KML",
    ],
)
def test_what_about_a_filter_value_or_a_result_is_not_a_new_topic(message):
    assert parse_followup(message).topic_switch is None


def test_what_about_for_another_subject_keeps_the_task():
    assert parse_followup("how about for polyclinics instead?").same_but == "polyclinics"


@pytest.mark.parametrize(
    ("message", "kind", "ranks", "plural"),
    [
        ("what is the last one on the list?", "more", [-1], True),
        ("which one is #4?", "more", [4], False),
        ("under which licence is Cityscapes released?", "licence", [], False),
        ("coverage?", "coverage", [], False),
        ("what formats do they come in?", "formats", [], True),
        ("give me a short summary of the second result", "more", [2], False),
        ("then CelebA tell me more", "more", [], False),
    ],
)
def test_questions_in_more_forms(message, kind, ranks, plural):
    question = parse_followup(message).question
    assert question is not None and question.kind == kind
    assert [r.value for r in question.refs if r.kind == "rank"] == ranks
    assert question.plural == plural


def test_which_of_the_results_are_something_is_a_count_that_names_them():
    question = parse_followup("which of these are weekly?").question
    assert (question.kind, question.target) == ("count", "weekly")
    assert parse_followup("please show only JSON ones").question is None  # a restriction, not a question


def test_an_amount_per_day_is_not_a_frequency():
    assert targets.frequency_of("$3.20 a day") is None
    assert targets.frequency_of("per day") == "daily"


@pytest.mark.django_db
def test_a_field_asked_of_all_results_is_answered_for_each_value():
    shown = [_shown(1, "Bus trips", formats=("CSV",)), _shown(2, "Bus stops", formats=("GEOJSON", "KML")),
             _shown(3, "Bus routes", formats=("CSV",))]  # fmt: skip
    answer = answer_question(parse_followup("what formats are these in?").question, shown, focus=None)
    assert "CSV: 2 (“Bus trips” (#1), “Bus routes” (#3))" in answer.reply
    assert "GEOJSON: 1 (“Bus stops” (#2))" in answer.reply


@pytest.mark.django_db
def test_a_title_word_replaces_another_though_none_is_on_screen():
    DatasetFactory(title="Literacy rate - female")
    DatasetFactory(title="Literacy rate - male")
    assert targets.catalog_title_term("female") == "female"
    assert targets.catalog_title_term("females only please") is None  # not a title's words


@pytest.mark.django_db
def test_a_plural_title_phrase_keeps_the_titles_that_say_it_in_the_singular():
    shown = [targets.Shown(id=1, title="Bus Interchange Locations"), targets.Shown(id=2, title="MRT Station Exits")]
    assert targets.title_term("bus interchanges", shown) == "bus interchange"
    assert targets.title_term("station exits", shown) == "station exits"


def test_the_same_task_in_another_modality_keeps_the_task():
    from conversation.followup.apply import _same_task_query

    assert _same_task_query("image captioning datasets", "video") == "video captioning datasets"
    assert _same_task_query("hospital admissions", "polyclinics") == "polyclinics"  # a new domain, not a modality


def test_the_same_view_for_another_subject_keeps_the_filters():
    assert parse_followup("same female-only selection but for labour force participation").same_but == (
        "labour force participation"
    )


@pytest.mark.django_db
def test_a_title_phrase_off_screen_is_excluded_and_a_family_kept():
    from conversation.followup.apply import interpret, search_filters

    shown_row = DatasetFactory(title="Marriages under the Women's Charter")
    off_screen = DatasetFactory(title="Marriages under the Administration of Muslim Law Act")
    state = SearchState(query="marriages", result_ids=[shown_row.pk])
    shown = shown_datasets(state.result_ids)
    change = interpret(parse_followup("leave out the Muslim Law Act ones"), state, shown)
    assert change.kind == "state" and change.state.values("exclude", "title") == ["muslim law act"]
    assert off_screen.pk in search_filters(change.state)["exclude_ids"]

    kinetics = [DatasetFactory(title=t) for t in ("Kinetics", "Kinetics-700", "Kinetics-Sound")]
    state = SearchState(query="action recognition", result_ids=[kinetics[0].pk])
    kept = interpret(parse_followup("only the Kinetics family"), state, shown_datasets(state.result_ids))
    assert set(search_filters(kept.state)["ids"]) >= {d.pk for d in kinetics}


@pytest.mark.django_db
def test_a_list_of_title_words_and_a_pointer_to_a_name_in_the_titles():
    rows = [DatasetFactory(title=t) for t in ("Poverty Headcount-Rural", "Poverty Headcount-Urban", "Poverty Headcount")]
    state = SearchState(query="poverty headcount", result_ids=[d.pk for d in rows])
    shown = shown_datasets(state.result_ids)
    change = interpret(parse_followup("ngl drop anything with Rural or Urban in the name"), state, shown)
    excluded = set(search_filters(change.state)["exclude_ids"])
    assert {rows[0].pk, rows[1].pk} <= excluded and rows[2].pk not in excluded
    # "anything with MNIST in its name, so could you kindly leave those out?": MNIST goes, nothing is kept instead
    parsed = parse_followup("The boy has used MNIST, and anything with MNIST in its name, so could you kindly leave those out?")
    assert [(s.mode, s.phrase) for s in parsed.scopes] == [("exclude", "mnist")]


@pytest.mark.django_db
def test_lifting_filters_when_none_are_set_keeps_the_list():
    from conversation.followup.apply import interpret

    state = SearchState(query="population")
    change = interpret(parse_followup("any format is fine, show me everything again"), state, [])
    assert change.kind == "noop" and change.state.query == "population"


def test_a_value_shown_as_well_is_brought_back():
    assert [(s.mode, s.phrase) for s in parse_followup("ok show the OneMap ones as well").scopes] == [
        ("restore", "onemap")
    ]


def test_by_a_breakdown_is_a_title_phrase_but_month_by_month_is_a_granularity():
    assert _scopes("leave out the by-region tables") == [("exclude", "by region")]
    assert _scopes("keep just the week-by-week tables") == [("include", "week-by-week tables")]


@pytest.mark.django_db
def test_singapore_as_a_whole_names_the_local_sources(catalog):
    target = targets.resolve_one("the singapore data", shown=[])
    assert target.facet == "source" and "datagovsg" in target.values


@pytest.mark.parametrize(
    ("title", "meta", "expected"),
    [
        ("Births, Half-Yearly", "", {"half-yearly"}),  # not "yearly": a hyphen joins
        ("Visitor Arrivals, Annual", "", {"annual"}),
        ("Semi-Annual Wage Survey", "", {"half-yearly"}),
        ("Carpark Availability (Real Time)", "monthly", {"realtime", "monthly"}),
        ("Annualised Growth", "", set()),  # a longer word is not the frequency
    ],
)
def test_a_dataset_frequency_comes_from_metadata_and_whole_title_words(title, meta, expected):
    assert targets.dataset_frequency(update_frequency=meta, title=title) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # Misspelt words are read as the words the parser knows ...
        ("keep only the anual series", [("include", "annual series")]),
        ("exclude the GIS layres", [("exclude", "the gis layers")]),
        ("leave out the Departmnet of Statistcs", [("exclude", "the department of statistics")]),
        # ... but a real word is never "corrected", even one the catalog lacks
        ("drop the fisheries ones", [("exclude", "the fisheries")]),
        ("no ships please", [("exclude", "ships")]),
    ],
)
def test_typos_in_a_follow_up_are_corrected_and_real_words_are_not(message, expected):
    assert _scopes(message) == expected


@pytest.mark.parametrize(
    ("message", "kind"),
    [("Which of these goes back the furthset?", "earliest_start"), ("which is most recnet", "most_recent")],
)
def test_a_misspelt_question_is_still_the_question(message, kind):
    assert parse_followup(message).question.kind == kind


def test_a_name_the_corrector_changed_is_reported_as_typed():
    parsed = parse_followup("just the ones from Globex Transit Corp")
    (scope,) = parsed.scopes
    assert "globex" not in scope.phrase  # read as the nearest known word ...
    assert parsed.as_typed(scope.phrase) == "globex transit corp"  # ... and reported in the user's spelling


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # A request taken back in the same message: the correction counts, with the verb it replaces
        ("only weekly - no wait, daily is what we chart", [("include", "daily")]),
        ("yearly please... actually no, quarterly, we model seasons", [("include", "quarterly")]),
        ("exclude LTA.. sorry i meant NEA", [("exclude", "nea")]),
        ("no wait, put SingStat back", [("restore", "singstat")]),
        # A value said to work better, then "switch to that"; "rather than X, Y"
        ("hmm monthly works better for the dashboard, switch to that", [("include", "monthly")]),
        ("rather than weekly let's go with daily numbers", [("include", "daily"), ("exclude", "weekly numbers")]),
    ],
)
def test_a_request_corrected_in_the_same_message(message, expected):
    assert _scopes(message) == expected


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("which one goes back the furthest?", "earliest_start"),  # how far back it starts
        ("which is the furthest back", "earliest_start"),
        ("which has the longest history", "longest_history"),
    ],
)
def test_how_far_back_a_result_goes_is_its_start(message, kind):
    assert parse_followup(message).question.kind == kind


def test_a_change_then_a_question_about_what_it_leaves():
    parsed = parse_followup("drop the KML files and tell me who publishes the first one")
    assert [(s.mode, s.phrase) for s in parsed.scopes] == [("exclude", "the kml files")]
    assert parsed.question is None
    assert (parsed.then_question.kind, [r.value for r in parsed.then_question.refs]) == ("publisher", [1])


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # A request said without punctuation that goes on with a reason or a second wish
        ("remove the export ones we only need imports", [("exclude", "the export"), ("include", "imports")]),
        (
            "only the weekly tables please the daily ones are too noisy",
            [("exclude", "the daily"), ("include", "weekly tables")],
        ),
        ("drop MOM and the health ministry those arent labour figures", [("exclude", "mom and the health ministry")]),
        # Passive requests and courtesy before them
        ("could the API feeds be left out too?", [("exclude", "the api feeds")]),
        ("we would be grateful if the SingStat tables were removed", [("exclude", "the singstat tables")]),
        ("I wonder if the LTA ones could be brought back", [("restore", "the lta")]),
    ],
)
def test_run_on_and_passive_requests(message, expected):
    assert _scopes(message) == expected


def test_courtesy_and_everyday_frequency_and_clearing():
    assert parse_followup("I was wondering whether you could restrict this to 2015 onwards").time.year_from == 2015
    assert _scopes("just those that are updated every month") == [("include", "monthly")]
    assert parse_followup("please remove all of the filters again").clear


@pytest.mark.django_db
def test_a_history_stated_in_the_metadata_comes_before_a_year_in_a_title():
    shown = [
        _shown(1, "Habitat Map 2018"),  # no coverage: the title's year stands in, after the stated ones
        _shown(2, "Library Loans", start=dt.date(2022, 1, 1), end=dt.date(2023, 12, 31)),
    ]
    for asked in ("which of these goes back the furthest?", "which has the longest history?"):
        answer = answer_question(parse_question(asked), shown, focus=None)
        assert answer.reply.startswith("“Library Loans” (#2)")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("I'm afraid PDF isn't much use to us", [("exclude", "pdf")]),
        ("show me the weekly equivalents instead", [("include", "weekly")]),
    ],
)
def test_no_use_and_equivalents_instead(message, expected):
    assert _scopes(message) == expected


@pytest.mark.django_db
def test_words_said_in_a_row_pick_one_of_two_publishers_sharing_them():
    from catalog.models import Dataset
    from conversation.followup import targets
    from tests.factories import DatasetFactory, PublisherFactory

    for name in ("Singapore Land Authority", "Land Transport Authority"):
        DatasetFactory(publisher=PublisherFactory(name=name), status=Dataset.Status.ACTIVE)
    assert targets.publisher_of("the land authority") == "Singapore Land Authority"
    assert targets.publisher_of("transport authority") == "Land Transport Authority"
    assert targets.format_values("excel spreadsheets") == (("XLSX",), "XLSX")


@pytest.mark.django_db
def test_a_publisher_named_with_what_it_puts_out_and_words_that_only_look_like_one():
    from catalog.models import Dataset
    from conversation.followup import targets
    from tests.factories import DatasetFactory, PublisherFactory

    for name in ("Yellow Ribbon Singapore", "Singapore Department of Statistics", "Open Government Products"):
        DatasetFactory(publisher=PublisherFactory(name=name), status=Dataset.Status.ACTIVE)
    targets.VOCABULARY.forget()
    assert targets.publisher_of("the yellow ribbon reports") == "Yellow Ribbon Singapore"
    assert targets.publisher_of("department of statistics") == "Singapore Department of Statistics"
    assert targets.publisher_of("open spreadsheets") is None  # one loose word of a name is not the name


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # said gently, it still goes; and what would suit better is what stays
        ("Rather less of the monthly series, if you don't mind - annual would suit better",
         [("exclude", "the monthly series"), ("include", "annual")]),
        ("not terribly keen on the URA ones", [("exclude", "the ura")]),
        # what the user means to do, where they got something, and a compliment are not filters
        ("could you leave those ones out? I don't want to double up", [("exclude", "those")]),
        ("I already have the Yellow Ribbon reports from a colleague, so could you leave those ones out?", [("exclude", "yellow ribbon reports")]),
        ("That's a good list, thank you. I find the 'per household member' tables confusing, so leave those out", [("exclude", "per household member")]),
        ("Could you take that restriction off again so we see every agency?", [("exclude", "that restriction")]),
        # Singlish: "got X one or not?" asks for only that one; "the others" come back
        ("Got monthly one or not? Quarterly too slow lah", [("include", "monthly")]),
        # Malay: "X je" is only X, and only X already says the others go
        ("NEA je, yang lain2 buang", [("include", "nea")]),
        ("Let's scope to CSV - the team can't handle SDMX", [("include", "csv")]),
        ("excl covid-specific ones", [("exclude", "covid")]),  # every title with the name, after a shorthand verb
        ("tak nak file map2 tu, bagi CSV je boleh tak", [("exclude", "map files"), ("include", "csv")]),
    ],
)
def test_everyday_forms_of_this_round(message, expected):
    assert _scopes(message) == expected


@pytest.mark.parametrize(
    ("message", "kind", "refs"),
    [
        ("license? SQuAD", "licence", [("name", "squad")]),
        ("good stuff. where do i grab BirdSong from, got a link?", "link", [("name", "birdsong")]),
        ("May I kindly ask what licence Cityscapes is under?", "licence", [("name", "cityscapes")]),
        ("Which one has the deepest history? Want a long baseline", "longest_history", []),
        ("so dalam ni berapa banyak yang dari MOH?", "count", []),
        ("How many got CSV ah?", "count", []),
        ("antara ni yang mana paling lama data dia?", "longest_history", []),
        ("The one about number of stalls, tell me more", "more", [("name", "one about number of stalls")]),
        ("Double-click on Amazon Product Data", "more", [("name", "amazon product data")]),
        ("tell me more about number to", "more", [("rank", 2)]),  # voice typing: "to" is two
        # a long, warm message with its question in one sentence
        (
            "Oh, this is wonderful, thank you! Before I get too excited - could you tell me a little more about the first one on "
            "the list? I'd like to know what exactly it covers and where I can find it, so I can show my supervisor.",
            "more",
            [("rank", 1)],
        ),
        # "tell me more" with the fields it should cover is still "tell me more" (summary and link)
        ("Could you tell me more about the first one - what it counts, what years it covers, and where I can download it?", "more", [("rank", 1)]),
    ],
)
def test_questions_of_this_round(message, kind, refs):
    question = parse_followup(message).question
    assert question.kind == kind and [(r.kind, r.value) for r in question.refs] == refs


@pytest.mark.django_db
def test_a_title_term_reaches_the_names_that_begin_with_it():
    from conversation.followup.apply import _ids_for
    from tests.factories import DatasetFactory

    named = [DatasetFactory(title=t) for t in ("COVIDGR", "COVIDx", "BIMCV COVID-19")]
    plain = [DatasetFactory(title=t) for t in ("Covidence Reviews", "INDUSTRIAL PRODUCTION INDEX", "Parking Lots")]
    assert {d.id for d in named} <= _ids_for("title", ["covid"])
    assert not {d.id for d in plain} & (_ids_for("title", ["covid"]) | _ids_for("title", ["product", "park"]))
    # ... and the names that carry it as a part written apart by its capitals ("drop anything KITTI")
    semantic = DatasetFactory(title="SemanticKITTI")
    assert semantic.id in _ids_for("title", ["kitti"])


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # A negative question asks for the rest
        ("Isn't there anything that's not from LTA or HDB?", [("exclude", "lta or hdb")]),
        ("anything that isn't from SingStat? the others are fine", [("exclude", "singstat")]),
        # Courtesy, hedges and "just keep" around the request
        ("It would be helpful to have the annual version only.", [("include", "annual")]),
        (
            "It would be helpful, for the time being, to keep only the World Bank indicators.",
            [("include", "world bank indicators")],
        ),
        ("Maybe take out the services trade tables? not sure we need them", [("exclude", "the services trade tables")]),
        ("hmm maybe drop the vessel ones", [("exclude", "the vessel")]),
        ("ok just keep the csv ones then", [("include", "csv")]),
        (
            "Monthly series only please, and leave out the vessel arrivals",
            [("exclude", "the vessel arrivals"), ("include", "monthly series")],
        ),
        # A command to change the list is a change, whatever it goes on to say
        ("Actually put the GeoJSON ones back, any format is OK.", [("restore", "the geojson")]),
    ],
)
def test_negative_questions_hedges_and_courtesy(message, expected):
    assert [s for s in _scopes(message) if s[1] != "and"] == expected


def test_taking_the_last_change_back_then_asking_for_another():
    parsed = parse_followup("scratch that - anything that runs into 2021?")
    assert parsed.undo and parsed.changes_beyond_undo
    assert (parsed.time.year_from, parsed.time.year_to) == (2021, None)  # "runs into 2021" reaches it
    assert [(s.mode, s.phrase) for s in parse_followup("never mind that, only CSV").scopes] == [("include", "csv")]
    alone = parse_followup("undo that - the Finance ones may be useful after all")  # a reason, not a request
    assert alone.undo and not alone.changes_beyond_undo


def test_a_change_before_a_comma_then_a_question():
    parsed = parse_followup("bring back the rural one, what years does it cover?")
    assert [(s.mode, s.phrase) for s in parsed.scopes] == [("restore", "the rural one")]
    assert parsed.then_question.kind == "coverage"
    aside = parse_followup("And, just so I cite it properly, what licence is the second one released under?")
    assert not aside.scopes and aside.question.kind == "licence"
    assert parse_followup("how many of these are csv? i dont have gis software lol").question.target == "csv"


@pytest.mark.django_db
def test_the_x_stuff_is_every_title_with_the_word_and_comes_back_by_it():
    from conversation.followup.apply import interpret

    lending = DatasetFactory(title="Unlicensed Moneylending And Harassment, Annual")
    arrests = DatasetFactory(title="Persons Arrested By Group")
    state = SearchState(query="crime", result_ids=[arrests.pk, lending.pk])
    shown = shown_datasets(state.result_ids)
    dropped = interpret(parse_followup("drop the moneylending stuff"), state, shown)
    assert dropped.state.values("exclude", "title") == ["moneylending"]  # not just the one on screen
    back = interpret(parse_followup("actually put the moneylending ones back"), dropped.state, shown)
    assert back.state.values("exclude", "title") == []
    # "the Persons Arrested By Group one" is that dataset: its whole title
    from conversation.followup.apply import _shown_targets

    assert targets.resolve_one("the persons arrested by group stuff", shown=_shown_targets(shown)).facet == "dataset"


@pytest.mark.django_db
def test_the_publisher_filter_also_means_a_portal_kept_and_undo_then_a_new_window():
    from conversation.followup.apply import interpret

    state = SearchState(query="electricity access")
    state.checkpoint()
    state.add("include", "source", "worldbank", "World Bank")
    lifted = interpret(parse_followup("please remove the publisher restriction"), state, [])
    assert lifted.kind == "state" and lifted.state.values("include", "source") == []
    state.checkpoint()
    state.year_from, state.year_to = 2020, 2020
    redone = interpret(parse_followup("scratch that - anything that runs into 2021?"), state, [])
    assert (redone.state.year_from, redone.state.year_to) == (2021, None)
    assert redone.state.values("include", "source") == ["worldbank"]  # only the last change was taken back
    assert redone.changes[0] == "Undid the last change"


@pytest.mark.parametrize(
    ("message", "kind", "ranks"),
    [
        ("the last couple on the list, what are they?", "more", [-2, -1]),
        ("what about the bottom two?", "more", [-2, -1]),
        ("compare number 1 with the second-to-last one", "compare", [-2, 1]),
        ("number four, which indicator is it exactly?", "more", [4]),
        ("is the top one annual or what", "frequency", [1]),
        ("which one is older?", "earliest_start", []),
        ("which is newer?", "most_recent", []),
    ],
)
def test_positions_and_yes_no_questions_about_results(message, kind, ranks):
    question = parse_followup(message).question
    assert question is not None and question.kind == kind
    assert [r.value for r in question.refs if r.kind == "rank"] == ranks


def test_a_yes_no_question_is_not_a_granularity_filter_question():
    assert parse_question("is there anything monthly?") is None
    assert parse_question("is the CPI monthly one seasonally adjusted?") is None
    assert parse_question("and the years it covers, for that one?").kind == "coverage"


def test_a_comparison_reads_the_sentence_that_asks():
    question = parse_followup("whatever. compare LIAR and FakeNewsNet").question
    assert [r.value for r in question.refs] == ["liar", "fakenewsnet"]
    assert [r.value for r in parse_followup("ok. nuScenes vs Waymo, table").question.refs] == ["nuscenes", "waymo"]


def test_title_terms_spelled_out_misspelt_or_described():
    shown = [
        targets.Shown(id=1, title="Liquefied Petroleum Gas Sales, Quarterly"),
        targets.Shown(id=2, title="Potable Water Tariff"),
        targets.Shown(id=3, title="GDP By Industry (SSIC 2015 Version 2018), Annual"),
    ]
    assert targets.title_term("the lpg ones", shown) == "liquefied petroleum gas"  # the initials spell it
    assert targets.title_term("the tarrif ones", shown) == "tariff"  # no English word: the title word it misspells
    assert targets.title_term("the old ssic 2015 basis", shown) == "ssic 2015"
    assert targets.title_term("the xyz ones", shown) is None


@pytest.mark.parametrize(
    ("message", "phrase"),
    [
        # Names in brackets after what they exemplify are in the same request
        ("no human pose stuff (MPII etc)", "human pose stuff and mpii"),
        (
            "drop the generic MOT benchmarks (MOT15/16/17, MOTChallenge)",
            "the generic mot benchmarks and mot15 and mot16 and mot17 and motchallenge",
        ),
        # "X-specific", "X-something": every title with X
        ("Please exclude the COVID-specific collections.", "covid"),
        ("remove everything Libri-something", "libri"),
    ],
)
def test_names_in_brackets_and_name_families(message, phrase):
    assert [s.phrase for s in parse_followup(message).scopes if s.mode == "exclude"] == [phrase]


@pytest.mark.django_db
def test_either_of_two_names_is_both_and_a_reason_after_the_request_is_not_part_of_it():
    from tests.factories import PublisherFactory

    for name in ("Land Transport Authority", "Housing and Development Board"):
        DatasetFactory(publisher=PublisherFactory(name=name))
    targets.VOCABULARY.forget()
    shown = [
        targets.Shown(id=1, title="HDB Carpark Information", publisher="Housing and Development Board"),
        targets.Shown(id=2, title="Carpark Rates", publisher="Land Transport Authority"),
    ]
    found = targets.resolve("lta or hdb", shown=shown)
    assert [t.values for t in found.targets] == [("Land Transport Authority",), ("Housing and Development Board",)]
    assert targets.resolve("housing and development board", shown=shown).targets[0].values == (
        "Housing and Development Board",
    )
    parsed = parse_followup("ugh so many map files, can u get rid of the kml and geojson stuff i cant even open")
    assert [s.phrase for s in parsed.scopes if s.mode == "exclude"] == ["the kml and geojson stuff"]
    named = parse_followup("can u remove the traffic sign one (gtsrb) lol thats not even sign lang")
    assert [s.phrase for s in named.scopes if s.mode == "exclude"] == ["the traffic sign one and gtsrb"]


@pytest.mark.django_db
def test_a_dataset_dropped_by_name_comes_back_by_a_word_of_it_and_several_results_are_described():
    from conversation.followup.apply import interpret

    rural = DatasetFactory(title="Access to electricity (% of rural population)")
    total = DatasetFactory(title="Access to electricity (% of population)")
    state = SearchState(query="electricity access", result_ids=[total.pk, rural.pk])
    shown = shown_datasets(state.result_ids)
    dropped = interpret(parse_followup("drop the second one"), state, shown)
    assert dropped.state.values("exclude", "dataset") == [str(rural.pk)]
    back = interpret(parse_followup("please put the rural series back"), dropped.state, shown)
    assert back.state.values("exclude", "dataset") == []
    both = interpret(parse_followup("the last couple on the list, what are they?"), state, shown)
    assert both.kind == "question" and "(% of population)" in both.answer.reply and "rural" in both.answer.reply
    assert parse_followup("scrap both filters").clear


def test_formal_leads_before_a_question_or_the_same_kind_of_data():
    assert (
        parse_followup("Kindly indicate which of these has the longest time series.").question.kind == "longest_history"
    )
    assert parse_followup("Would you kindly advise which format that one is provided in").question.kind == "formats"
    assert parse_followup(
        "Thank you. Could you locate the same kind of information, but for polyclinics?"
    ).same_but == ("polyclinics")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # numbered requests, each a clause of its own
        ("1) URA only 2) quarterly only", [("include", "ura"), ("include", "quarterly")]),
        # the object first in any clause, with a particle or a Malay negation after it
        ("OECD one only, IMF punya tidak perlu", [("exclude", "imf"), ("include", "oecd")]),
        ("PUB one only give, ministry one no need", [("exclude", "ministry"), ("include", "pub")]),
        ("Urban one only, and Poverty Gap one no need", [("exclude", "poverty gap"), ("include", "urban")]),
        # a clause that is only the "no" refuses what the clause before named
        ("Departure one and cargo one also, tidak perlu. Only arrival", [("exclude", "departure and cargo"), ("include", "arrival")]),
        # slang verbs, a reason after the request, a correction's interjection
        ("nuke the PDFs", [("exclude", "the pdfs")]),
        ("nuke the moneylender stuff, not our vertical", [("exclude", "the moneylender stuff")]),
        ("lol no not that, put them back", [("restore", "them")]),
        # a second exclusion joined by "+" / "and", shorthand for datasets, a wildcard name, descriptors in brackets
        ("w/o sg gov data + w/o research ds", [("exclude", "sg gov data"), ("exclude", "research datasets")]),
        ("w/o IJB-* pls", [("exclude", "ijb")]),
        ("w/o imagenet variants (tiny, mini etc)", [("exclude", "imagenet")]),
        # someone else's wishes
        ("my supervisor does not want the PDFs", [("exclude", "the pdfs")]),
    ],
)
def test_changes_in_numbered_object_first_and_slang_forms(message, expected):
    assert _scopes(message) == expected


def test_said_of_several_a_name_is_every_title_with_it():
    (scope,) = parse_followup("He'd rather not have the KITTI ones.").scopes
    assert (scope.mode, scope.phrase, scope.plural) == ("exclude", "the kitti", True)
    assert not parse_followup("drop KITTI").scopes[0].plural


def test_a_word_family_and_a_narrowed_year():
    assert targets.title_term_pattern("moneylender", plural=True).search("number of licensed moneylending borrowers")
    assert not targets.title_term_pattern("moneylender", plural=True).search("money lent")
    assert (parse_time("and restrict to 2023.")[0].year_from, parse_time("limit it to 2019")[0].year_to) == (2023, 2019)
    assert parse_time("up to 2015")[0].year_from is None


def test_two_questions_in_one_message_are_both_kept_and_fields_of_one_result_stay_one_question():
    question = parse_followup("Which of them has the longest history? And who publishes #1?").question
    assert question.kind == "longest_history" and [(q.kind, q.refs[0].value) for q in question.more] == [("publisher", 1)]
    question = parse_followup("what licence is #2? and what formats?").question
    assert question.kind == "licence" and question.also == ["formats"] and not question.more


def test_a_dataset_asked_after_by_name_or_topic_is_not_the_last_one_in_focus():
    assert parse_followup("Is LIAR in there? Tell me about it.").question.refs[0].value == "liar"
    refs = parse_followup("I don't suppose the one on co-curricular activities has anything useful? could you tell me more about it").question.refs
    assert [(r.kind, r.value) for r in refs] == [("topic", "co-curricular activities")]


def test_starting_over_with_one_facet_keeps_the_rest():
    parsed = parse_followup("could we start over with all publishers, keeping everything else?")
    assert not parsed.clear and parsed.remove_facets == ["publisher"]
    assert parse_followup("start over").clear


@pytest.mark.django_db
def test_a_name_in_several_titles_on_screen_and_the_international_sources():
    shown = [targets.Shown(id=i, title=t) for i, t in enumerate(["CoNLL 2002", "CoNLL-2003", "AIDA CoNLL-YAGO", "RONEC"], 1)]
    assert targets.resolve_one("conll", shown=shown, allow_terms=False) == targets.Target("title", ("conll",), "conll")
    DatasetFactory(source__slug="worldbank", source__name="World Bank")
    group = targets.source_group_of("the international sources")
    assert group is not None and group.values == ("worldbank",)


@pytest.mark.django_db
def test_a_dataset_added_to_the_last_comparison_joins_it():
    squad, nq, trivia = (DatasetFactory(title=t) for t in ("SQuAD", "Natural Questions", "TriviaQA"))
    on_screen = shown_datasets([squad.pk, nq.pk, trivia.pk])
    state = SearchState(query="question answering", result_ids=[squad.pk, nq.pk, trivia.pk])
    first = interpret(parse_followup("compare SQuAD and Natural Questions side by side"), state, on_screen)
    assert first.state.compared == [squad.pk, nq.pk]
    question = parse_followup("Add TriviaQA to that comparison.").question
    assert question.kind == "compare" and question.extend
    added = interpret(parse_followup("Add TriviaQA to that comparison."), first.state, on_screen)
    assert added.answer.table["ids"] == [squad.pk, nq.pk, trivia.pk]
    assert "“SQuAD”, “Natural Questions” and “TriviaQA”" in added.answer.reply
    assert SearchState.from_dict(added.state.to_dict()).compared == [squad.pk, nq.pk, trivia.pk]  # kept with the state


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # a list of names after one cue, and a "not" after it that only says why
        (
            "Exclude Cityscapes, PASCAL VOC and ImageNet - not remote sensing.",
            [("exclude", "cityscapes, pascal voc and imagenet")],
        ),
        ("No COCO, KITTI or PASCAL VOC please — they're not medical.", [("exclude", "coco, kitti or pascal voc")]),
        ("exclude URA, HDB, and JTC please", [("exclude", "ura, hdb, and jtc")]),
        # ... but a clause that goes on with something else is not part of the list, and "not X either" is a second one
        ("drop LTA, I only need NEA", [("exclude", "lta"), ("include", "nea")]),
        ("no PDFs, not KML either", [("exclude", "pdfs"), ("exclude", "kml")]),
        # "from here on": the change lasts anyway
        ("GeoJSON only from here on", [("include", "geojson")]),
        ("Please disregard the PDFs", [("exclude", "the pdfs")]),
    ],
)
def test_lists_after_one_cue_reasons_and_from_here_on(message, expected):
    assert _scopes(message) == expected


@pytest.mark.django_db
def test_names_one_after_another_and_the_two_results_a_phrase_describes():
    titles = ["Set5", "Set14", "Urban100", "BSD100", "ImageNet", "PASCAL VOC", "Cityscapes"]
    rows = [DatasetFactory(title=t) for t in titles]
    shown = [targets.Shown(id=d.pk, title=d.title) for d in rows]
    resolution = targets.resolve("imagenet voc or cityscapes", shown=shown)
    assert [t.label for t in resolution.targets] == ["ImageNet", "PASCAL VOC", "Cityscapes"] and not resolution.unknown
    on_screen = shown_datasets([d.pk for d in rows])
    state = SearchState(query="super resolution", result_ids=[d.pk for d in rows])
    compared = interpret(parse_followup("compare set5 set14 urban100"), state, on_screen)
    assert compared.answer.table["ids"] == [rows[0].pk, rows[1].pk, rows[2].pk]
    first_two = interpret(parse_followup("compare 1st 2"), state, on_screen)
    assert first_two.answer.table["ids"] == [rows[0].pk, rows[1].pk]
    wb = [
        DatasetFactory(title=t, publisher__name="World Bank Group")
        for t in ("Literacy rate, adult", "Literacy rate, youth")
    ]
    other = DatasetFactory(title="Literacy rate by age", publisher__name="Singapore Department of Statistics")
    ids = [other.pk, *(d.pk for d in wb)]
    two = interpret(
        parse_followup("Compare the two World Bank literacy indicators, please."),
        SearchState(query="literacy", result_ids=ids),
        shown_datasets(ids),
    )
    assert two.answer.table["ids"] == [wb[0].pk, wb[1].pk]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # a reason run on after the target, with or without its apostrophe, or after an emoji
        ("um exclude all the kinetics ones theyre way too big for my laptop", [("exclude", "all the kinetics")]),
        ("skip IMDb 🎬 we're doing e-commerce not movies", [("exclude", "imdb")]),
        # "w" for "with", "that says X in the name", and "i mean" that corrects or that explains
        ("drop anything w 2003 in the name", [("exclude", "2003")]),
        ("take out anything that says polytechnic in the name i mean like primary schools", [("exclude", "polytechnic")]),
        ("drop LTA i mean URA", [("exclude", "ura")]),
        # a reason that ends at a comma: the request after it still counts
        (
            "Lots of 'Rate of Re-entry' tables there. They're all variations on one theme, so let's filter any title with "
            "'re-entry' in it out of the list.",
            [("exclude", "re-entry' in it")],
        ),
    ],
)
def test_reasons_run_on_and_corrections_inside_a_change(message, expected):
    assert [(mode, phrase) for mode, phrase in _scopes(message) if mode == "exclude"] == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # "those two" / "them" / "that one" in a later sentence: what an earlier sentence was about
        (
            "I gather MUSDB18 and MedleyDB are for separating out the instruments, which isn't what she described. "
            "Leave those two out.",
            [("exclude", "musdb18 and medleydb")],
        ),
        ("Tiny Images, ImageNet and PASCAL VOC aren't bird datasets, surely? Take them out.", [("exclude", "tiny images, imagenet and pascal voc")]),
        # ... but in the same clause it is the object before it, and an undo is no exclusion
        ("I can't use PDFs, leave those out", [("exclude", "pdfs")]),
        ("scratch that last drop", []),
    ],
)
def test_a_pointer_in_a_later_sentence_is_what_an_earlier_one_named(message, expected):
    assert _scopes(message) == expected


def test_a_series_that_must_reach_a_year_and_a_subject_in_the_same_sentence():
    def window(text):
        found = parse_time(text)[0]
        return found.year_from, found.year_to

    assert window("Keep only series extending to at least 2020.") == (2020, None)
    assert window("and like only the ones that go up to 2021") == (2021, None)
    assert window("data up to 2015") == (None, 2015)  # data up to a year: until it
    assert _scopes("Lovely. The Food & Beverage index ones are economists' business though, take those out.") == [
        ("exclude", "food & beverage index")
    ]
    # a question is no statement about a subject
    assert ("exclude", "lol why") not in _scopes("lol why is SQuAD here, remove it — and Visual Genome and GLUE")


@pytest.mark.django_db
def test_a_source_named_with_what_it_holds_its_examples_or_a_quoted_title_term():
    DatasetFactory(source__slug="datagovsg", source__name="data.gov.sg")
    DatasetFactory(source__slug="paperswithcode", source__name="Papers with Code")
    targets.VOCABULARY.forget()
    for phrase in ("the data.gov.sg rows", "the data.gov.sg material"):
        assert targets.resolve_one(phrase, shown=[]) == targets.Target("source", ("datagovsg",), "data.gov.sg")
    shown = [targets.Shown(id=1, title="WeatherBench"), targets.Shown(id=2, title="Rainfall - Monthly Total")]
    # the group the examples belong to, not the example alone
    assert targets.resolve_one("the Papers with Code research datasets like WeatherBench", shown=shown).values == (
        "paperswithcode",
    )
    census = [
        targets.Shown(id=3, title="Resident Population by Language Literate In, Economic Status and Sex"),
        targets.Shown(id=4, title="Resident Population by Ethnic Group"),
    ]
    assert targets.resolve_one("the census tables about 'Language Literate In'", shown=census) == targets.Target(
        "title", ("language literate",), "language literate"
    )


@pytest.mark.parametrize(
    ("message", "kind", "refs"),
    [
        ("Kindly provide details on the Medical Segmentation Decathlon.", "more", ["medical segmentation decathlon"]),
        ("details SQuAD", "more", ["squad"]),
        ("what's the release cadence of #2?", "frequency", [2]),
        ("where can I read the original paper for the third result?", "link", [3]),
    ],
)
def test_details_cadence_and_papers_asked_of_a_result(message, kind, refs):
    question = parse_followup(message).question
    assert question.kind == kind and [r.value for r in question.refs] == refs


def test_an_agency_acronym_is_no_tamil_tag_and_a_closing_then_says_nothing():
    assert _scopes("rm the PA ones, not relevant") == [("exclude", "the pa")]
    assert _scopes("geojson only then") == [("include", "geojson")]
    assert parse_followup("Please undo that and show the full list again.").clear


@pytest.mark.parametrize("message", ["how many of the remaining ones are csv?", "how many of the rest come as CSV?"])
def test_a_count_among_what_remains(message):
    question = parse_followup(message).question
    assert question is not None and question.kind == "count"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # Chinese: the verb before its object or after it, spaces between characters, particles, "X 是 Y 的" explaining
        ("这些 里面 不要 KML", [("exclude", "kml")]),
        ("SHP GeoJSON 这些 都 删掉 吧", [("exclude", "shp geojson")]),
        ("其实 PDF 不要 了, 只要 CSV 的", [("exclude", "pdf"), ("include", "csv")]),
        ("ImageNet 是 太 大 的, 去掉", [("exclude", "imagenet")]),
        # a Singlish "can?" closing a filter
        ("only NEA can?", [("include", "nea")]),
        ("exclude the API ones can or not", [("exclude", "the api")]),
        # what the dataset is, what someone said, why: no part of the target
        ("ngl MNIST is too easy, drop it", [("exclude", "mnist")]),
        ("the 1990 one so outdated, remove", [("exclude", "the 1990 one")]),
        ("kill the a p i ones i can't open them at home", [("exclude", "the api")]),
        ("skip the data mall ones he says they need a login", [("exclude", "the data mall")]),
        ("aiya that one not useful, bring back HDB la", [("restore", "hdb")]),
        # a format said as "what comes as X"; a title term "which has X in the name"
        ("leave out whatever only comes as SHP", [("exclude", "shp")]),
        ("could you drop the ones which have 'rural' in the title?", [("exclude", "rural")]),
        # a verdict before an "instead"
        ("daily is too granular for the board, weekly instead", [("include", "weekly")]),
        # what the tables are broken down by is in their titles; "how many of those come as" stays a count
        ("leave out anything split by dwelling type, we have that", [("exclude", "dwelling type")]),
        ("the Women's Charter ones no need", [("exclude", "the women's charter")]),
    ],
)
def test_follow_ups_in_chinese_singlish_and_with_reasons(message, expected):
    assert _scopes(message) == expected
    if message.endswith("ones no need"):
        assert parse_followup(message).scopes[0].plural  # every title with the words, not one dataset


@pytest.mark.parametrize(
    ("message", "kind", "ranks"),
    [
        ("比较 第二个 和 第三个", "compare", [2, 3]),
        ("哪 个 的 coverage 最 长?", "longest_history", []),
        ("最 新 的 是 哪 个?", "most_recent", []),
        ("第一个, 它 是 monthly 还是 quarterly 的?", "frequency", [1]),
        ("how many 是 CSV 的?", "count", []),
        ("and um how many of those come as xlsx", "count", []),
        ("#4, is it updated weekly or monthly?", "frequency", [4]),
        ("what period does item seven cover?", "coverage", [7]),
        ("the third won, who publishes it", "publisher", [3]),
        ("what is MS MARCO? tell me more pls", "more", ["ms marco"]),
        ("LibriSpeech 是什么? tell me more", "more", ["librispeech"]),
    ],
)
def test_questions_in_chinese_and_spoken_forms(message, kind, ranks):
    question = parse_followup(message).question
    assert question is not None and question.kind == kind and [r.value for r in question.refs] == ranks


@pytest.mark.parametrize(
    ("message", "window"),
    [
        ("leave out anything from before 2012", (2012, None)),
        ("nothing after 2018 please", (None, 2018)),
        ("only ones that run past twenty fifteen", (2016, None)),
        ("nothing that ends before two thousand and ten", (2010, None)),
        ("covering nineteen ninety-eight", (1998, 1998)),
    ],
)
def test_time_windows_said_as_exclusions_and_in_words(message, window):
    time = parse_followup(message).time
    assert time is not None and (time.year_from, time.year_to) == window


def test_a_domain_change_asked_as_a_question_and_a_reason_after_the_same_but():
    assert parse_followup("is there the same kind of data for polyclinics").same_but == "polyclinics"
    assert parse_followup("the same but monthly, the annual ones have too few points").same_but == "monthly"
    assert parse_followup("got the same thing for libraries my mum visits?").same_but == "libraries"
    assert parse_followup("Great. And the same kind of information for clinics").same_but == "clinics"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("message", "facet", "value", "label"),
    [
        # a name with dots, and a generic word of the excluded name ("Statistics" of the Department of Statistics)
        ("ok bring data.gov.sg back please", "source", "datagovsg", "data.gov.sg"),
        ("put back the Statistics after all", "publisher", "singstat", "Singapore Department of Statistics"),
    ],
)
def test_what_was_excluded_comes_back_by_its_dotted_name_or_a_generic_word(message, facet, value, label):
    state = SearchState(query="noise")
    state.checkpoint()
    state.add("exclude", facet, value, label)
    change = interpret(parse_followup(message), state, [])
    assert change is not None and not change.state.values("exclude", facet) and not change.state.values("include", facet)
