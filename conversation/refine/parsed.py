"""What one message says about filters and navigation (the parser's output)."""

from __future__ import annotations

from dataclasses import dataclass, field

SORT_RELEVANCE = "relevance"
SORT_RECENT = "recent"
FILTER_KEYS = ("source", "publisher", "format", "theme", "year_from", "year_to", "geography")


@dataclass
class Parsed:
    """What a message says about filters and navigation, plus the words left over (the topic)."""

    formats: list[str] = field(default_factory=list)
    publisher: str | None = None
    # The strict reading of the agency, for first searches: only one named after from/by/only/just.
    strict_publisher: str | None = None
    source: tuple[str, str] | None = None
    year_from: int | None = None
    year_to: int | None = None
    geography: str | None = None
    page: int | None = None  # absolute page
    page_delta: int = 0
    sort: str | None = None
    similar_rank: int | None = None  # -1 = last
    clear: set[str] = field(default_factory=set)  # filter keys to drop ("*" = all)
    followup_topic: str | None = None  # "what about X" -> X
    narrow_topic: str | None = None  # "only X ones" -> X
    residual: list[str] = field(default_factory=list)  # topic words left
    text: str = ""

    @property
    def has_filter(self) -> bool:
        return bool(
            self.formats
            or self.publisher
            or self.source
            or self.year_from is not None
            or self.year_to is not None
            or self.geography
        )

    @property
    def has_navigation(self) -> bool:
        return bool(self.page is not None or self.page_delta or self.sort or self.similar_rank is not None)

    @property
    def has_signal(self) -> bool:
        return bool(self.has_filter or self.has_navigation or self.clear or self.followup_topic or self.narrow_topic)
