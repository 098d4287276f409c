"""Answers to questions about the results on screen, from catalog metadata, naming the datasets.

Every answer names the dataset it is about first, says where a fact comes from when the catalog
lacks it, and links the dataset. Comparisons come with a table (``answer_data["table"]``) that the
chat renders and the API returns.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.urls import reverse

from catalog.models import Dataset
from catalog.presentation import safe_url
from conversation.nlu import english_words
from search.text import fold

from . import targets
from .questions_parse import Question, Ref

_MARKDOWN_RE = re.compile(r"(\*\*|__|`+|^#+\s*)", re.M)
_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_SIZE_UNITS = (
    r"images?|pictures?|photos?|frames?|videos?|clips?|hours?|minutes?|classes|categories|samples?|examples?|instances?|"
    r"annotations?|labels?|rows?|records?|sentences?|documents?|questions?|answers?|pairs?|utterances?|speakers?|"
    r"subjects?|people|persons?|identities|faces?|scenes?|sequences?|tokens?|words?|articles?|reviews?|scans?|"
    r"volumes?|patients?|cities|objects?|points?|trajectories|dialogues?|conversations?|users?|items?|files?|superclasses"
)
_SIZE_RE = re.compile(rf"\b\d[\d,.]*\s*(?:k|m|million|thousand|billion)?\+?\s*(?:[\w-]+\s+){{0,2}}(?:{_SIZE_UNITS})\b", re.I)


@dataclass
class ShownDataset:
    rank: int
    id: int
    title: str
    publisher: str
    source: str
    source_slug: str
    formats: list[str]
    license: str
    frequency: str
    start: dt.date | None
    end: dt.date | None
    modified: dt.datetime | None
    description: str
    landing_url: str
    paper_url: str

    @property
    def page(self) -> str:
        return reverse("dataset-detail", args=[self.id])

    @property
    def link(self) -> str:
        return self.landing_url or self.paper_url or self.page

    def __post_init__(self) -> None:
        # No coverage in the metadata: a year or a year range in the title ("..., 2009") says it.
        self.dates_from_title = False
        if not self.start and not self.end:
            years = [int(y) for y in re.findall(r"\b(19[5-9]\d|20[0-4]\d)\b", self.title)]
            if years:
                self.start, self.end = dt.date(min(years), 1, 1), dt.date(max(years), 12, 31)
                self.dates_from_title = True

    @property
    def coverage(self) -> str:
        if self.dates_from_title and self.start and self.end:
            first, last = self.start.year, self.end.year
            return (str(first) if first == last else f"{first}–{last}") + " (from its title)"
        if self.start and self.end:
            return str(self.start.year) if self.start.year == self.end.year else f"{self.start.year}–{self.end.year}"
        if self.start:
            return f"{self.start.year} onwards"
        if self.end:
            return f"up to {self.end.year}"
        return ""

    @property
    def span_years(self) -> int | None:
        if not self.start:
            return None
        end_year = self.end.year if self.end else dt.date.today().year
        return end_year - self.start.year + 1

    @property
    def frequencies(self) -> set[str]:
        return targets.dataset_frequency(update_frequency=self.frequency, title=self.title)

    @property
    def frequency_label(self) -> str:
        freq = fold(self.frequency)
        if freq and freq not in ("other", "ad-hoc", "adhoc"):
            return targets.FREQUENCY_LABELS.get(targets.FREQUENCY_WORDS.get(freq, ""), self.frequency.lower())
        if freq in ("ad-hoc", "adhoc"):
            return "ad hoc (irregularly)"
        from_title = sorted(targets.dataset_frequency(update_frequency="", title=self.title))
        return f"{targets.FREQUENCY_LABELS[from_title[0]]} (from its title)" if from_title else ""

    @property
    def plain_description(self) -> str:
        text = _LINK_RE.sub(r"\1", self.description or "")
        return " ".join(_MARKDOWN_RE.sub("", text).split())


@dataclass
class Answer:
    reply: str
    focus: int | None = None
    table: dict | None = None
    datasets: list[int] = field(default_factory=list)
    subset: dict | None = None  # a count's target: what "those" means next ("show me just those")


def shown_datasets(ids: list[int], *, ranks: dict[int, int] | None = None) -> list[ShownDataset]:
    """The datasets on screen, in screen order, with the metadata answers need (``ranks``: a dataset's
    rank when it is not its own card, e.g. a family member that its family's card stands for)."""
    rows = Dataset.objects.filter(pk__in=ids).select_related("publisher", "source")
    by_id = {row.pk: row for row in rows}
    # A result stands for its dataset family: it comes in every format its members do (as its card says).
    family_formats: dict[int, list[str]] = {}
    family_ids = {row.family_id for row in by_id.values() if row.family_id}
    members = Dataset.objects.filter(family_id__in=family_ids, status=Dataset.Status.ACTIVE).order_by("pk")
    for family_id, formats in members.values_list("family_id", "formats"):
        family_formats.setdefault(family_id, []).extend(f for f in formats or [] if f)
    out = []
    for rank, pk in enumerate(ids, start=1):
        row = by_id.get(pk)
        if row is None:
            continue
        extra = row.extra or {}
        out.append(
            ShownDataset(
                rank=(ranks or {}).get(pk, rank),
                id=row.pk,
                title=row.title,
                publisher=row.publisher.name if row.publisher else "",
                source=row.source.name,
                source_slug=row.source.slug,
                formats=list(dict.fromkeys([*(row.formats or []), *family_formats.get(row.family_id or 0, [])])),
                license=row.license,
                frequency=row.update_frequency,
                start=row.temporal_start,
                end=row.temporal_end,
                modified=row.source_modified_at,
                description=row.description,
                landing_url=safe_url(row.landing_url),
                paper_url=safe_url(extra.get("paper_url") if isinstance(extra.get("paper_url"), str) else ""),
            )
        )
    return out


def _q(d: ShownDataset) -> str:
    return f"“{d.title}” (#{d.rank})" if d.rank else f"“{d.title}” (not among the results)"


def resolve_refs(
    refs: list[Ref], shown: list[ShownDataset], *, focus: int | None, context: str = ""
) -> tuple[list[ShownDataset], list[str]]:
    """The datasets the references point at, and the names that matched nothing on screen (``context``, the question's
    words, breaks a tie between titles a name is part of: "Rainfall - Monthly Highest Daily Total")."""
    found: list[ShownDataset] = []
    missing: list[str] = []
    as_targets = [targets.Shown(id=d.id, title=d.title, publisher=d.publisher) for d in shown]
    for ref in refs:
        hit: ShownDataset | None = None
        if ref.kind == "rank" and isinstance(ref.value, int) and shown:
            index = ref.value - 1 if ref.value > 0 else len(shown) + ref.value
            hit = shown[index] if 0 <= index < len(shown) else None
            if hit is None:
                missing.append(f"#{ref.value}")
        elif ref.kind == "topic":  # "the one on co-curricular activities": the result its words name, else the focus
            words = targets.name_words(str(ref.value))
            named = [d for d in shown if words and targets.words_name(words, targets.name_words(d.title))]
            hit = (
                (named[0] if len(named) == 1 else None)
                or _named_off_screen(str(ref.value), shown)
                or next((d for d in shown if d.id == focus), None)
                or (shown[0] if shown else None)
            )
        elif ref.kind == "focus":
            hit = next((d for d in shown if d.id == focus), None) or (shown[0] if shown else None)
        elif ref.kind == "name" and (several := _several_named(str(ref.value), shown)):
            found.extend(d for d in several if d not in found)  # "compare the two World Bank literacy indicators"
            continue
        elif ref.kind == "name":
            named = targets.dataset_named(str(ref.value), as_targets, context=context)
            pk = named.id if named is not None else _plainest(targets.name_words(str(ref.value)), {d.id: (d.title, None) for d in shown})
            hit = next((d for d in shown if d.id == pk), None)
            if hit is None and (run := targets.names_run(str(ref.value), as_targets)):  # "compare set5 set14 urban100"
                found.extend(d for r in run for d in shown if d.id == r.id and d not in found)
                continue
            if hit is None:
                hit = _named_off_screen(str(ref.value), shown)
            if hit is None and (pk := _named_by_beginning(str(ref.value), as_targets)) is not None:
                hit = next((d for d in shown if d.id == pk), None)
            if hit is None:
                missing.append(str(ref.value))
        if hit is not None and hit not in found:
            found.append(hit)
    return found, missing


_SEVERAL_RE = re.compile(r"^(?:the |these |those )?(?:(two|both|2)|(three|3)) (?:of )?(?:the )?(.+)$")


def _several_named(name: str, shown: list[ShownDataset]) -> list[ShownDataset]:
    """ "the two World Bank literacy indicators", "both State Courts datasets": the results on screen whose title and
    publisher have the name's words, when exactly that many do (the first that many when more do, in screen order)."""
    match = _SEVERAL_RE.match(fold(name).strip(" .?!'\"\u201c\u201d"))
    if not match:
        return []
    n = 3 if match.group(2) else 2
    words = targets.name_words(
        re.sub(
            r"\b(?:tables?|datasets?|data ?sets?|indicators?|series|ones|files|records|entries|releases)\b",
            " ",
            match.group(3),
        )
    )
    if not words:
        return []
    having = [d for d in shown if words <= targets.name_words(f"{d.title} {d.publisher or ''}")]
    return having[:n] if len(having) >= n else []


def _named_by_beginning(name: str, shown: list[targets.Shown]) -> int | None:
    """A result a name's first words name, the rest being a clause after it or a description shared by a list
    ("EuroSAT, including what period the imagery" -> EuroSAT): the longest beginning that names one result."""
    words = fold(name).split(",")[0].split()
    for k in range(len(words), 0, -1):
        if (named := targets.one_named(" ".join(words[:k]), shown)) is not None:
            return named.id
    return None


def _named_off_screen(name: str, shown: list[ShownDataset]) -> ShownDataset | None:
    """A dataset named in a question but not on screen: a family member its card stands for ("the
    annual CPI table" when the card shows the monthly one; it keeps the card's rank), or else a catalog
    title that has every word of the name (rank 0: not on screen)."""
    shown_ids = {d.id for d in shown}
    card_of = dict(Dataset.objects.filter(pk__in=shown_ids, family__isnull=False).values_list("family_id", "pk"))
    rank_of = {d.id: d.rank for d in shown}
    members = Dataset.objects.active().filter(family_id__in=card_of).exclude(pk__in=shown_ids)
    candidates = {pk: (title, card_of[family_id]) for pk, title, family_id in members.values_list("pk", "title", "family_id")}
    # A title the name spells exactly ("LIAR", "Fakeddit"), whatever its length.
    exact = Dataset.objects.active().exclude(pk__in=shown_ids).filter(title__iexact=name.strip())
    candidates.update({pk: (title, None) for pk, title in exact.values_list("pk", "title")[:5] if pk not in candidates})
    words = sorted(targets.name_words(name), key=len, reverse=True)
    if len(words) == 1 and len(words[0]) >= 4 and words[0] not in english_words():
        # A one-word name a title begins with ("Waymo": "Waymo Open Dataset"), when few do
        starts = Dataset.objects.active().exclude(pk__in=shown_ids).filter(title__istartswith=words[0])
        rows = list(starts.values_list("pk", "title")[:6])
        if len(rows) <= 5:
            candidates.update({pk: (title, None) for pk, title in rows if pk not in candidates})
    if len(words) >= 2:
        titled = Dataset.objects.active().exclude(pk__in=shown_ids)
        for word in words[:3]:
            titled = titled.filter(title__icontains=word)
        candidates.update({pk: (title, None) for pk, title in titled.values_list("pk", "title")[:50] if pk not in candidates})
    named = targets.dataset_named(name, [targets.Shown(id=pk, title=title) for pk, (title, _card) in candidates.items()])
    pk = named.id if named is not None else _plainest(targets.name_words(name), candidates)
    if pk is None:
        return None
    card = candidates[pk][1]
    found = shown_datasets([pk], ranks={pk: rank_of[card] if card else 0})
    return found[0] if found else None


def _plainest(words: set[str], candidates: dict[int, tuple[str, int | None]]) -> int | None:
    """Of several titles with every word of a name, the one with fewest other words, if only one is:
    "the annual CPI" is "CPI, Annual", not "CPI By Household Income Group, Lowest 20%, Annual"."""
    extra = sorted((len(targets.name_words(title) - words), pk) for pk, (title, _card) in candidates.items() if words <= targets.name_words(title))
    if not extra or (len(extra) > 1 and extra[0][0] == extra[1][0]):
        return None
    return extra[0][1]


def answer_question(
    question: Question, shown: list[ShownDataset], *, focus: int | None, compared: list[int] | None = None
) -> Answer | None:
    """The answer, or None when the question names nothing on screen (the caller treats it as a search);
    ``compared``: the last comparison's datasets, which "add X to that comparison" extends."""
    if not shown:
        return None
    picked, missing = resolve_refs(question.refs, shown, focus=focus, context=question.text)
    if question.extend and compared and picked:
        ranks = {d.id: d.rank for d in shown}
        earlier = shown_datasets(compared, ranks={i: ranks.get(i, 0) for i in compared})
        pool = [*earlier, *(d for d in picked if d.id not in compared)]
        return _compare(pool, missing, limit=4)
    if question.refs and not picked:
        return None
    kind = question.kind
    if kind in ("longest_history", "earliest_start", "most_recent"):
        pool = picked if len(picked) >= 2 else shown
        return _extreme(kind, pool)
    if kind == "count":
        return _count(question, shown)
    if kind == "compare":
        pool = picked if len(picked) >= 2 else (picked + [d for d in shown if d not in picked])[:2]
        return _compare(pool, missing)
    if question.plural and not question.refs and kind in _OVER_LIST:
        return _over_list(kind, shown)  # "what format are they in?": that field across the results on screen
    subjects = picked[:4] or [shown[0]]  # "the last couple, what are they?": each of them
    handler = _SINGLE.get(kind, _more)
    answer = handler(subjects[0], question)
    for subject in subjects:
        if subject is not subjects[0]:
            answer.reply += " " + handler(subject, question).reply
        for other in question.also:  # "#1 formats + licence?": every field asked about, in the order asked
            if other in _SINGLE:
                answer.reply += " " + _SINGLE[other](subject, question).reply
    answer.focus, answer.datasets = subjects[0].id, [d.id for d in subjects]
    if missing:
        answer.reply += f" (I couldn't find {', '.join(f'“{m}”' for m in missing)} among the results.)"
    return answer


_OVER_LIST = {
    "formats": ("format", lambda d: list(d.formats)),
    "publisher": ("publisher", lambda d: [d.publisher] if d.publisher else []),
    "licence": ("licence", lambda d: [d.license] if d.license else []),
    "frequency": ("update frequency", lambda d: [d.frequency_label] if d.frequency_label else []),
}


def _over_list(kind: str, shown: list[ShownDataset]) -> Answer:
    """One field across the results on screen: each value with how many carry it, the datasets named when few do."""
    noun, values_of = _OVER_LIST[kind]
    carriers: dict[str, list[ShownDataset]] = {}
    unstated = 0
    for d in shown:
        values = values_of(d)
        unstated += not values
        for value in dict.fromkeys(values):
            carriers.setdefault(value, []).append(d)
    n = len(shown)
    if not carriers:
        return Answer(f"None of the {n} results states its {noun} in the catalog.")
    parts = []
    for value, having in sorted(carriers.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        named = f" ({', '.join(_q(d) for d in having[:3])}{' …' if len(having) > 3 else ''})" if len(having) < n else ""
        parts.append(f"{value}: {'all ' + str(n) if len(having) == n else len(having)}{named}")
    tail = f" {unstated} state no {noun}." if unstated else ""
    return Answer(f"The {noun}s of the {n} results: " + "; ".join(parts) + "." + tail, datasets=[d.id for d in shown])


def _publisher(d: ShownDataset, q: Question) -> Answer:
    if not d.publisher:
        return Answer(f"{_q(d)} has no publisher named in the catalog; it comes from {d.source}. Its page: {d.link}")
    return Answer(f"{_q(d)} is published by {d.publisher} (via {d.source}).")


def _licence(d: ShownDataset, q: Question) -> Answer:
    if not d.license:
        return Answer(f"{_q(d)}: its licence is not stated in the catalog; check its terms at {d.link}")
    return Answer(f"{_q(d)} is under this licence: {d.license}. Terms are at {d.link}")


def _formats(d: ShownDataset, q: Question) -> Answer:
    offered = ", ".join(d.formats) if d.formats else ""
    if q.target:
        wanted = targets.format_values(q.target)
        values = set(wanted[0]) if wanted else {q.target.upper()}
        has = sorted(values & {f.upper() for f in d.formats})
        if has:
            others = [f for f in d.formats if f.upper() not in has]
            more = f" (also {', '.join(others)})" if others else ""
            return Answer(f"Yes: {_q(d)} is available as {', '.join(has)}{more}.")
        if offered:
            return Answer(f"No: {_q(d)} is not offered as {q.target.upper()}; it comes as {offered}.")
        return Answer(f"{_q(d)} lists no file formats, so not as {q.target.upper()} as far as the catalog knows. See {d.link}")
    if not offered:
        return Answer(f"{_q(d)} lists no file formats in the catalog; see {d.link}")
    return Answer(f"{_q(d)} comes as {offered}.")


def _coverage(d: ShownDataset, q: Question) -> Answer:
    if not d.coverage:
        return Answer(f"{_q(d)}: the period it covers is not stated in the catalog (the record has no dates).")
    return Answer(f"{_q(d)} covers {d.coverage}.")


_HOW_OFTEN = {"annual": "annually", "real-time": "in real time", "ad-hoc": "ad hoc (no fixed schedule)"}


def _frequency(d: ShownDataset, q: Question) -> Answer:
    label = d.frequency_label
    if not label:
        return Answer(f"{_q(d)}: its update frequency is not stated in the catalog.")
    updated = f" It was last updated on {d.modified.date().isoformat()}." if d.modified else ""
    return Answer(f"{_q(d)} is updated {_HOW_OFTEN.get(label, label)}.{updated}")


def _link(d: ShownDataset, q: Question) -> Answer:
    return Answer(f"{_q(d)}: {d.link} (catalog page: {d.page})")

def _size(d: ShownDataset, q: Question) -> Answer:
    sizes = _SIZE_RE.findall(d.plain_description)
    if sizes:
        return Answer(f"{_q(d)}: its description gives {', '.join(dict.fromkeys(s.strip() for s in sizes[:4]))}. {d.link}")
    return Answer(f"{_q(d)}: the catalog doesn't give its size. {_summary(d)}")


def _summary(d: ShownDataset, limit: int = 360) -> str:
    text = d.plain_description
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return text


def _more(d: ShownDataset, q: Question) -> Answer:
    facts = [f for f in (d.publisher and f"published by {d.publisher}", d.coverage and f"covering {d.coverage}",
                         d.frequency_label and f"updated {d.frequency_label}",
                         d.formats and f"as {', '.join(d.formats)}") if f]  # fmt: skip
    head = f"{_q(d)}" + (f", {', '.join(facts)}." if facts else ".")
    summary = _summary(d)
    return Answer(f"{head} {summary} More at {d.link}".replace("  ", " "))


_SINGLE = {
    "publisher": _publisher,
    "licence": _licence,
    "formats": _formats,
    "coverage": _coverage,
    "frequency": _frequency,
    "link": _link,
    "size": _size,
    "more": _more,
}


def _extreme(kind: str, pool: list[ShownDataset]) -> Answer:
    dated = [d for d in pool if d.start or d.end or (kind == "most_recent" and d.modified)]
    if not dated:  # no title here: a name in this reply would read as the answer
        which = "This result does not state" if len(pool) == 1 else f"None of these {len(pool)} results states"
        return Answer(f"{which} the period it covers (the records have no dates), so I can't tell.")
    today = dt.date.today()
    # A history stated in the metadata comes before one read off a title ("... Map 2018" is a snapshot of one year)
    if kind == "longest_history":
        ranked = sorted(dated, key=lambda d: (d.dates_from_title, -(d.span_years or 0), d.start or today, d.rank))
        best = ranked[0]
        reply = f"{_q(best)} has the longest history: {best.coverage} ({best.span_years} years)."
    elif kind == "earliest_start":
        ranked = sorted([d for d in dated if d.start], key=lambda d: (d.dates_from_title, d.start, d.rank)) or dated
        best = ranked[0]
        reply = f"{_q(best)} has the oldest data, from {best.start.year if best.start else best.coverage}."
    else:

        def recency(d: ShownDataset):
            end = d.end or (today if d.start and not d.end else dt.date.min)
            return (end, d.modified.date() if d.modified else dt.date.min)

        ranked = sorted(dated, key=recency, reverse=True)
        best = ranked[0]
        updated = f", last updated {best.modified.date().isoformat()}" if best.modified else ""
        reply = f"{_q(best)} is the most up to date: it covers {best.coverage or 'an unstated period'}{updated}."
    runners = list(ranked[1:3])
    if runners:
        reply += " Next: " + "; ".join(f"“{d.title}” ({d.coverage or 'no dates'})" for d in runners) + "."
    undated = [d for d in pool if d not in dated]
    if undated and len(pool) <= 3:
        # The user asked about these few by name or rank: say which of them can't be placed.
        reply += " " + " ".join(f"{_q(d)}: the period it covers is not stated." for d in undated)
    elif undated:
        reply += f" {len(undated)} of the results don't state their dates."
    return Answer(reply, focus=best.id, datasets=[best.id])


def _count(question: Question, shown: list[ShownDataset]) -> Answer:
    phrase = question.target
    as_targets = [targets.Shown(id=d.id, title=d.title, publisher=d.publisher) for d in shown]
    target = targets.resolve_one(phrase, shown=as_targets, allow_terms=True) if phrase else None
    n = len(shown)
    if target is None:
        return Answer(f"I'm not sure what to count in “{phrase}”. There are {n} results on screen.")
    values = {fold(v) for v in target.values}
    if target.facet == "format":
        matching = [d for d in shown if values & {fold(f) for f in d.formats}]
    elif target.facet == "publisher":
        matching = [d for d in shown if fold(d.publisher) in values]
    elif target.facet == "source":
        matching = [d for d in shown if fold(d.source_slug) in values]
    elif target.facet == "frequency":
        matching = [d for d in shown if d.frequencies & set(target.values)]
    else:
        matching = [d for d in shown if any(v in fold(d.title) for v in values)]
    label = target.label
    subset = {"facet": target.facet, "values": list(target.values), "label": label}
    if not matching:
        return Answer(f"None of the {n} results is {label}.", subset=subset)
    names = ", ".join(f"“{d.title}”" for d in matching[:5]) + (" …" if len(matching) > 5 else "")
    ids = [d.id for d in matching]
    if len(matching) == n:
        return Answer(f"All {n} results are {label}.", datasets=ids, subset=subset)
    return Answer(f"{len(matching)} of the {n} results are {label}: {names}.", datasets=ids, subset=subset)


def _compare(pool: list[ShownDataset], missing: list[str], *, limit: int = 3) -> Answer:
    columns = ["Dataset", "Publisher", "Coverage", "Frequency", "Formats", "Licence", "Size"]
    rows = []
    pool = pool[:limit]
    for d in pool:
        sizes = _SIZE_RE.findall(d.plain_description)
        rows.append(
            [
                d.title,
                d.publisher or "—",
                d.coverage or "not stated",
                d.frequency_label or "not stated",
                ", ".join(d.formats) or "not listed",
                d.license or "not stated",
                ", ".join(dict.fromkeys(s.strip() for s in sizes[:2])) or "not stated",
            ]
        )
    quoted = [f"“{d.title}”" for d in pool]
    names = " and ".join(quoted) if len(quoted) <= 2 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"
    differences = [columns[i] for i in range(1, len(columns)) if len({row[i] for row in rows}) > 1]
    reply = f"Here are {names} side by side."
    if differences:
        reply += f" They differ in {', '.join(c.lower() for c in differences)}."
    if missing:
        reply += f" (I couldn't find {', '.join(f'“{m}”' for m in missing)} among the results.)"
    table = {"columns": columns, "rows": rows, "ids": [d.id for d in pool]}
    return Answer(reply, focus=pool[0].id if pool else None, table=table, datasets=[d.id for d in pool])
