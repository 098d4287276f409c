"""Turning a parsed follow-up into a new search state (or an answer), and the state into search filters.

``interpret`` resolves the phrases of a ``FollowUpParse`` against the catalog and the results on
screen and returns a ``Change``: the new state and what changed in words, an answer to a question,
or the unknown targets (the state is then left as it was). ``search_filters`` turns a state into
the search service's filters; facets the index does not hold (frequency, title terms, named
datasets) become dataset-id filters computed from the catalog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Q

from catalog.models import Dataset
from conversation.nlu import english_words
from conversation.state import FACET_LABELS, SearchState
from search.ranking.research import research_query
from search.text import fold

from . import targets
from .answers import Answer, ShownDataset, answer_question
from .grammar import PRONOUN
from .parse import FollowUpParse, Scope
from .questions_parse import Question

INDEX_FACETS = ("source", "publisher", "format", "theme", "geography")
ID_FACETS = ("frequency", "title", "dataset")


@dataclass
class Change:
    kind: str  # state | question | unknown | noop | same_but | new_topic
    state: SearchState
    changes: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    suggestions: dict[str, list[str]] = field(default_factory=dict)
    answer: Answer | None = None
    query: str | None = None
    then_question: Question | None = None  # asked about the results this change leaves (answered after the search)


def _shown_targets(shown: list[ShownDataset]) -> list[targets.Shown]:
    return [targets.Shown(id=d.id, title=d.title, publisher=d.publisher) for d in shown]


def interpret(parsed: FollowUpParse, state: SearchState, shown: list[ShownDataset]) -> Change | None:
    """The change a follow-up asks for, or None when it is not one after all (treat it as a search)."""
    targets.VOCABULARY.refresh_if_changed()
    if parsed.question is not None:
        answer = answer_question(parsed.question, shown, focus=state.focus, compared=state.compared)
        if answer is None:
            return None
        for question in parsed.question.more:  # "... ? And who publishes #1?": each answered in turn
            if (further := answer_question(question, shown, focus=answer.focus or state.focus)) is not None:
                answer.reply += " " + further.reply
                answer.table = answer.table or further.table
                answer.datasets += [i for i in further.datasets if i not in answer.datasets]
        new = state.copy()
        new.focus = answer.focus or new.focus
        new.subset = answer.subset
        if answer.table is not None and parsed.question.kind == "compare":
            new.compared = list(answer.datasets)
        return Change("question", new, answer=answer)
    if parsed.topic_switch:
        return Change("new_topic", SearchState(), query=parsed.topic_switch)
    if parsed.same_but and (
        (target := targets.resolve_one(parsed.same_but, shown=_shown_targets(shown), allow_terms=False)) is not None
        and target.facet in ("frequency", "format")
    ):
        # "the same but annual" is a granularity switch, not a new domain.
        new = state.copy()
        new.checkpoint()
        return Change("state", new, changes=_include(new, target, replace=True))
    if parsed.same_but:
        new = state.copy()
        new.checkpoint()
        # A new domain keeps the task (publisher, granularity, formats, time) but not what named the old
        # results; the turn drops the publisher again if it has nothing on the new topic.
        for facet in ("title", "dataset"):
            new.remove(None, facet)
        new.query, new.page, new.similar_to = _same_task_query(state.query, parsed.same_but), 1, None
        return Change("same_but", new, changes=[f"Same kind of data, now for “{parsed.same_but}”"])
    undone: list[str] = []
    if parsed.undo:
        new = state.copy()
        if not new.restore_previous():
            return Change("noop", state, changes=["There is nothing to undo"])
        if not parsed.changes_beyond_undo:
            return Change("state", new, changes=["Undid the last change"])
        state, undone = new, ["Undid the last change"]  # "scratch that - only 2021": the rest replaces it
    scopes = _scopes_pointing_back(parsed.scopes, state)
    if scopes is None:
        return None
    new = state.copy()
    new.checkpoint()
    changes: list[str] = list(undone)
    unknown: list[str] = []
    suggestions: dict[str, list[str]] = {}
    if parsed.clear and new.clear_filters():
        changes.append("Cleared all filters")
    for facet in parsed.remove_facets:
        changes.extend(_remove_facet(new, facet))
    if parsed.time is not None:
        new.year_from, new.year_to = parsed.time.year_from, parsed.time.year_to
        changes.append(f"Limited to datasets {new.time_label()} (datasets without dates are kept)")
    if parsed.sort is not None and parsed.sort != new.sort:
        new.sort = parsed.sort
        changes.append("Showing the most recent first" if parsed.sort == "recent" else "Back to best-match order")
    shown_targets = _shown_targets(shown)
    excluding = False
    for scope in scopes:
        if (
            scope.soft
            and not scope.wish
            and excluding
            and (
                (alone := targets.resolve_one(scope.phrase, shown=shown_targets, allow_terms=False)) is None
                or alone.facet in ("dataset", "title")
            )
            and (named := _named_on_screen(scope.phrase, shown_targets))
        ):
            # "drop the cross-lingual ones, XNLI and esXNLI": datasets on screen named beside an exclusion go too
            for target in named:
                changes.extend(_exclude(new, target))
            continue
        excluding = excluding or (scope.mode == "exclude" and not scope.soft)
        changed, missing = _apply_scope(new, scope, shown_targets)
        changes.extend(changed)
        if missing and not scope.soft:
            for phrase in missing:
                typed = parsed.as_typed(phrase)
                unknown.append(typed)
                suggestions[typed] = targets.suggestions_for(phrase, shown=shown_targets)
    if parsed.bare and not changes and not unknown:
        target = targets.resolve_one(parsed.bare, shown=shown_targets, allow_terms=False)
        if target is None or target.facet not in ("frequency", "format", "publisher", "source"):
            return None
        changes.extend(_include(new, target, replace=True))
    if unknown and not changes:
        return Change("unknown", state, unknown=unknown, suggestions=suggestions)
    if not changes and (parsed.clear or parsed.remove_facets) and not scopes and parsed.time is None:
        # "any format is fine, show me everything again" with nothing filtered: the list stays, and the reply says so
        return Change("noop", state, changes=["There were no filters to lift, so the results are as they were"])
    if not changes:
        return None
    new.page = 1
    new.subset = None  # "those" meant the counted results of the list before this change
    return Change(
        "state", new, changes=changes, unknown=unknown, suggestions=suggestions, then_question=parsed.then_question
    )


def _named_on_screen(phrase: str, shown: list[targets.Shown]) -> list[targets.Target]:
    """The parts of ``phrase`` ("XNLI and esXNLI") that name a dataset on screen."""
    return [t for t in targets.resolve(phrase, shown=shown, allow_terms=False).targets if t.facet == "dataset"]


def _remove_facet(state: SearchState, facet: str) -> list[str]:
    if facet == "time":
        if state.year_from is None and state.year_to is None:
            return []
        state.year_from = state.year_to = None
        return ["Removed the time limit"]
    if facet == "sort":
        if state.sort == "relevance":
            return []
        state.sort = "relevance"
        return ["Back to best-match order"]
    removed = state.remove(None, facet)
    if not removed and facet in ("publisher", "source"):
        # People call a portal a publisher and an agency a source: "the publisher filter" on "only World Bank"
        facet = "source" if facet == "publisher" else "publisher"
        removed = state.remove(None, facet)
    if not removed:
        return []
    return [f"Removed the {FACET_LABELS.get(facet, facet)} filter ({', '.join(_chip_text(r) for r in removed)})"]


def _chip_text(item: dict) -> str:
    return ("not " if item["mode"] == "exclude" else "only ") + item["label"]


def _include(state: SearchState, target: targets.Target, *, replace: bool) -> list[str]:
    if replace:
        state.remove("include", target.facet)
    for value in target.values:
        state.add("include", target.facet, value, target.label if len(target.values) == 1 else value)
    if target.facet == "publisher":
        return [f"Showing only datasets from {target.label}"]
    if target.facet == "source":
        return [f"Showing only datasets from {target.label}"]
    if target.facet == "frequency":
        return [f"Showing only {target.label} data"]
    if target.facet == "format":
        return [f"Showing only datasets offered as {target.label}"]
    return [f"Showing only {target.label}"]


def _points_back(phrase: str) -> bool:
    return bool(PRONOUN.match(fold(phrase).strip()))


def _scopes_pointing_back(scopes: list[Scope], state: SearchState) -> list[Scope] | None:
    """Scopes that refer to the last change, made explicit: "put them back" restores what it excluded, "and IAM
    as well" makes the same kind of change. None when there is no such change to refer to."""
    out = []
    for scope in scopes:
        if scope.mode == "restore" and _points_back(scope.phrase):
            back = state.last_added("exclude")
            if not back:
                return None
            out.extend(Scope("restore", item["label"]) for item in back)
        elif scope.mode == "continue":
            if (last := state.last_change_mode()) is None:
                return None
            out.append(Scope(last, scope.phrase))
        else:
            out.append(scope)
    return out


def _exclude(state: SearchState, target: targets.Target) -> list[str]:
    added = [
        state.add("exclude", target.facet, v, target.label if len(target.values) == 1 else v) for v in target.values
    ]
    if not any(added):
        return []
    what = {"title": f"titles with “{target.label}”", "dataset": f"“{target.label}”"}.get(target.facet, target.label)
    return [f"Excluded {what}"]


_MODALITY_WORDS = frozenset(
    ["visual", "image", "images", "photo", "photos", "picture", "pictures", "text", "textual", "video", "videos", "audio",
     "speech", "3d", "point", "cloud", "clouds", "rgb", "multimodal"]
)  # fmt: skip


def _same_task_query(previous: str, domain: str) -> str:
    """The query for "the same kind of data but for <domain>": the domain, and when it only names another modality
    of a research task ("visual question answering", then "... but for video"), the task in that modality."""
    asked, before = research_query(domain), research_query(previous)
    if not (asked.modalities and not asked.tasks and before.tasks and len(domain.split()) <= 3):
        return domain
    task = " ".join(w for w in previous.split() if fold(w) not in _MODALITY_WORDS)
    return f"{domain} {task}".strip()


def _apply_scope(state: SearchState, scope: Scope, shown: list[targets.Shown]) -> tuple[list[str], list[str]]:
    if state.subset and scope.mode in ("include", "exclude") and _points_back(scope.phrase):
        # "show me just those" / "take those out" after "how many are quarterly?": the counted ones.
        subset = state.subset
        target = targets.Target(subset["facet"], tuple(subset["values"]), subset["label"])
        if scope.mode == "include":
            return _include(state, target, replace=True), []
        return _exclude(state, target), []
    if scope.mode == "restore":
        return _restore(state, scope.phrase, shown)
    if scope.soft:
        # A bare phrase next to an exclusion ("annual ones, not quarterly"): only a frequency or format counts.
        target = targets.resolve_one(scope.phrase, shown=shown, allow_terms=False, trim=scope.wish)
        allowed = ("frequency", "format", "publisher", "source") if scope.wish else ("frequency", "format")
        if target is None or target.facet not in allowed or len(scope.phrase.split()) > (4 if scope.wish else 3):
            return [], []
        return _include(state, target, replace=True), []
    if scope.term and (terms := _title_terms(scope.phrase, shown)):
        # "anything with KITTI in the name", "only the Kinetics family": a single name is matched inside titles too
        # ("SemanticKITTI", "COVIDx", "Kinetics-700")
        # (a word's agent and activity forms alike: "the moneylender stuff" is the moneylending tables too)
        changes: list[str] = []
        for k, term in enumerate(terms):  # "anything with Rural or Urban in the name": each word
            stem = targets.word_stem(term)
            value = f"{stem}{NAME_PART}" if len(term) >= 3 and " " not in term else term
            target = targets.Target("title", (value,), term)
            if scope.mode == "include":
                changes += _include(state, target, replace=scope.replace and k == 0)
            else:
                changes += _exclude(state, target)
        return changes, []
    resolution = targets.resolve(scope.phrase, shown=shown, allow_terms=scope.mode == "exclude")
    if scope.plural and resolution.targets and all(t.facet == "dataset" for t in resolution.targets):
        # "the KITTI ones": the name's family of titles (KITTI Road too), not the one dataset called so
        family = targets.resolve(f"{scope.phrase} ones", shown=shown, allow_terms=True)
        if family.targets and all(t.facet == "title" for t in family.targets):
            resolution = family
    if scope.mode == "include" and not resolution.targets:
        # "rural only", "keep the ones with QA in the name": a word of the titles on screen, when it names nothing else
        worded = targets.resolve(scope.phrase, shown=shown, allow_terms=True)
        if worded.targets and not worded.unknown and all(t.facet == "title" for t in worded.targets):
            resolution = worded
        elif scope.replace and state.include.get("title") and (term := targets.catalog_title_term(scope.phrase)):
            # "urban only", then "now rural instead": one title word in place of the other, though none is on screen now
            resolution = targets.Resolution(targets=[targets.Target("title", (term,), term)])
    elif scope.mode == "exclude" and resolution.unknown and not resolution.targets:
        # "without the Muslim Law Act ones": a phrase of two words or more that titles in the catalog carry, though none
        # of them is on screen
        term = targets.catalog_title_term(scope.phrase)
        if term is not None and len(term.split()) >= 2:
            resolution = targets.Resolution(targets=[targets.Target("title", (term,), term)])
    term = targets.clean(scope.phrase)
    if not resolution.targets and scope.plural and " " not in term and any(_name_starts_with(s.title, term) for s in shown):
        # "Libri type only", "the Kinetics ones": a name that begins names on screen (LibriSpeech, LibriTTS)
        resolution = targets.Resolution(targets=[targets.Target("title", (f"{term}{NAME_PART}",), term)])
    changes: list[str] = []
    for target in resolution.targets:
        if scope.mode == "include":
            changes.extend(_include(state, target, replace=scope.replace))
        else:
            changes.extend(_exclude(state, target))
    return changes, resolution.unknown


def _restore(state: SearchState, phrase: str, shown: list[targets.Shown]) -> tuple[list[str], list[str]]:
    """Bring back an excluded value: matched against the exclusions first ("let URA back in")."""
    wanted = fold(phrase)
    for facet, items in list(state.exclude.items()):
        for item in items:
            if wanted in (fold(item["value"]), fold(item["label"])) or fold(item["label"]) in wanted:
                state.remove("exclude", facet, item["value"])
                _alongside(state, facet, [item["value"]], item["label"])
                return [f"Brought back {item['label']}"], []
    # "put the rural series back" after "drop Access to electricity (% of rural population)": the one exclusion
    # whose label has the phrase's words
    words = targets.name_words(targets.display(phrase))
    by_words = [(facet, item) for facet, items in state.exclude.items() for item in items
                if words and words <= targets.name_words(item["label"])]  # fmt: skip
    if not by_words:  # "put back the Statistics": a generic word of one exclusion's name still names it
        plain = set(targets.clean(phrase).split())
        by_words = [(facet, item) for facet, items in state.exclude.items() for item in items
                    if plain and plain <= set(targets.clean(item["label"]).split())]  # fmt: skip
    if len(by_words) == 1:
        facet, item = by_words[0]
        state.remove("exclude", facet, item["value"])
        _alongside(state, facet, [item["value"]], item["label"])
        return [f"Brought back {item['label']}"], []
    resolution = targets.resolve(phrase, shown=shown, allow_terms=True)
    changes = []
    for target in resolution.targets:
        removed = [r for v in target.values for r in state.remove("exclude", target.facet, v)]
        if removed:
            _alongside(state, target.facet, list(target.values), target.label)
            changes.append(f"Brought back {target.label}")
        elif [r for v in target.values for r in state.remove("include", target.facet, v)]:
            changes.append(f"Removed the filter on {target.label}")
        elif target.facet in INDEX_FACETS or target.facet in ID_FACETS:
            # Nothing excluded under that name: the user wants it included alongside the rest.
            state.remove("include", target.facet)
            changes.append(f"Included {target.label} again")
    return changes, resolution.unknown


def _alongside(state: SearchState, facet: str, values: list[str], label: str) -> None:
    """A value brought back beside an "only ..." on its facet joins what is kept ("the live feeds again as well")."""
    if state.include.get(facet):
        for value in values:
            state.add("include", facet, value, label if len(values) == 1 else value)


# --- the state as search filters ---------------------------------------------------------------------


def search_filters(state: SearchState) -> dict:
    """Filters for ``search.services.search``; id filters for what the index does not hold."""
    filters: dict = {}
    for facet in INDEX_FACETS:
        if values := state.values("include", facet):
            filters[facet] = values
        if values := state.values("exclude", facet):
            filters[f"exclude_{facet}"] = values
    include_ids: set[int] | None = None
    exclude_ids: set[int] = set()
    for facet in ID_FACETS:
        if values := state.values("include", facet):
            ids = _ids_for(facet, values)
            include_ids = ids if include_ids is None else include_ids & ids
        if values := state.values("exclude", facet):
            exclude_ids |= _ids_for(facet, values)
    if include_ids is not None:
        filters["ids"] = sorted(include_ids - exclude_ids) or [0]
    elif exclude_ids:
        filters["exclude_ids"] = sorted(exclude_ids)
    if state.year_from is not None:
        filters["year_from"] = state.year_from
    if state.year_to is not None:
        filters["year_to"] = state.year_to
    if state.year_from is not None or state.year_to is not None:
        filters["undated"] = "keep"
    return filters


NAME_PART = "*"  # a title value matched anywhere in a title, not as whole words


def _title_terms(phrase: str, shown: list[targets.Shown]) -> list[str]:
    """The title terms a phrase said to be in the titles names: itself as the titles on screen have it, else each
    part of a list ("Rural or Urban", "QA/VQA") that is one."""
    if term := targets.title_term(phrase, shown):
        return [term]
    parts = [p for p in re.split(r"\s*(?:,|/|&|\band\b|\bor\b)\s*", phrase) if p.strip()]
    found = [t for p in parts if (t := targets.title_term(p, shown) or targets.clean(p))] if len(parts) > 1 else []
    if found:
        return found
    return [term] if (term := targets.clean(phrase)) else []


def _name_starts_with(title: str, term: str) -> bool:
    """A name in the title begins with the one-word ``term`` ("COVIDGR", "COVIDx" for "covid") or has it as a part
    written apart by its capitals ("SemanticKITTI" for "kitti"): a word of it written with two capitals or more and
    not an English word, so a plain word that merely begins so ("parking" for "park") does not count."""
    if len(term) < 4 or " " in term or not term.isalnum():
        return False
    return any(
        sum(ch.isupper() for ch in word) >= 2
        and fold(word) not in english_words()
        and (fold(word).startswith(term) or term in (fold(p) for p in _CAMEL_PART.findall(word)))
        for word in re.findall(r"\w+", title)
    )  # "PRODUCTION" in a title written in capitals is a word, not a name beginning with "product"


_CAMEL_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z][a-z]+|[a-z]+|\d+")  # "SemanticKITTI": Semantic, KITTI


def _ids_for(facet: str, values: list[str]) -> set[int]:
    if facet == "dataset":
        # A result on screen stands for its dataset family (its copies and formats): naming it names them all.
        named = {int(v) for v in values if str(v).isdigit()}
        families = Dataset.objects.filter(pk__in=named, family__isnull=False).values("family_id")
        return named | set(Dataset.objects.filter(family_id__in=families).values_list("id", flat=True))
    active = Dataset.objects.active()
    if facet == "title":
        ids: set[int] = set()
        for term in values:
            if term.endswith(NAME_PART):  # part of a name: anywhere in the title
                ids |= set(active.filter(title__icontains=term.removesuffix(NAME_PART)).values_list("id", flat=True))
                continue
            pattern = targets.title_term_pattern(term, plural=True)
            rows = active.filter(title__icontains=targets.word_stem(term.split()[0])).values_list("id", "title")
            ids |= {pk for pk, title in rows if pattern.search(fold(title)) or _name_starts_with(title, term)}
        return ids
    # frequency: the metadata or a frequency word in the title
    query = Q()
    for name in values:
        spec = targets.FREQUENCIES.get(name, {})
        for meta in spec.get("metadata", []):
            query |= Q(update_frequency__iexact=meta)
        for word in targets.FREQUENCY_TITLE_WORDS.get(name, []):
            query |= Q(title__icontains=word)
    if not query:
        return set()
    wanted = set(values)
    rows = active.filter(query).values_list("id", "update_frequency", "title")
    return {pk for pk, freq, title in rows if targets.dataset_frequency(update_frequency=freq, title=title) & wanted}
