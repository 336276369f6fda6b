"""Dates in the query language: comparisons, ranges, relative periods in the
user's zone, and date values that cannot be read.

Each archive here has articles saved and published at known instants (the
index keeps naive UTC); relative forms are parsed with a fixed `now`, so no
test depends on the day it runs.
"""
from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from archive.search.query import parse_query
from archive.search.engine import run_search

from tests.support.search import add_articles, ids


def _spec(id_: str, saved: str, published: str | None = None, text: str = "solar power") -> dict:
    return dict(id=id_, title=id_, url=f"https://dates.example/{id_}", tags=[], saved=saved,
                published=published, lang="en", text=text)


@pytest.fixture
def zone(monkeypatch):
    """Set the process's local time zone (what the app uses when no zone is given)."""
    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


def found(arch, text: str) -> set[str]:
    result = run_search(arch, text, limit=50)
    assert result.total == len(result.hits)
    return ids(result)


def found_at(arch, text: str, now: datetime, tz=None) -> set[str]:
    """Ids matching `text` as parsed at `now` in `tz` (real index, real Whoosh)."""
    query = parse_query(text, now=now, tz=tz).query
    with arch.index.searcher() as s:
        return {s.stored_fields(d)["id"] for d in s.docs_for_query(query)}


# -- comparisons and ranges -----------------------------------------------------------
COMPARED = [
    _spec("s2019", "2019-06-01T12:00:00+00:00", "2015-12-31T00:00:00+00:00"),
    _spec("s2020", "2020-06-01T12:00:00+00:00", "2016-01-01T00:00:00+00:00"),
    _spec("s0115", "2026-01-15T12:00:00+00:00", "2016-12-31T23:00:00+00:00"),
    _spec("s0116", "2026-01-16T00:30:00+00:00", "2017-01-01T00:00:00+00:00"),
]


@pytest.fixture
def compared(archive, zone):
    zone("UTC")
    add_articles(archive, COMPARED)
    return archive


@pytest.mark.parametrize("text, expected", [
    # <X is before X starts; <=X up to its end; >X after its end; >=X from its start
    ("saved:<2020", {"s2019"}),
    ("saved:<=2020", {"s2019", "s2020"}),
    ("saved:>2020", {"s0115", "s0116"}),
    ("saved:>=2020", {"s2020", "s0115", "s0116"}),
    ("saved:2020", {"s2020"}),
    ("saved:<2026-01-15", {"s2019", "s2020"}),
    ("saved:<=2026-01-15", {"s2019", "s2020", "s0115"}),
    ("saved:>2026-01-15", {"s0116"}),
    ("saved:>=2026-01-15", {"s0115", "s0116"}),
    ("saved:=<2026-01-15", {"s2019", "s2020", "s0115"}),
    ("saved:<2026-01", {"s2019", "s2020"}),
    ("saved:2026-01-15T12:00", {"s0115"}),
    ("saved:20260116", {"s0116"}),
    ("published:<2016", {"s2019"}),
    ("published:2016", {"s2020", "s0115"}),
    ("published:<=2016", {"s2019", "s2020", "s0115"}),
    ("published:>2016", {"s0116"}),
    ("published:2016-1-1", {"s2020"}),
    # ranges: from the start of the first to the end of the last; braces leave the end out
    ("saved:2020..2026-01-15", {"s2020", "s0115"}),
    ("saved:[2020 to 2026-01-15]", {"s2020", "s0115"}),
    ("saved:[2020 TO 2026-01-15}", {"s2020"}),
    ("saved:{2019 to 2026-01-16]", {"s2020", "s0115", "s0116"}),
    ("saved:2026..", {"s0115", "s0116"}),
    ("saved:..2019", {"s2019"}),
    ("saved:[to 2020]", {"s2019", "s2020"}),
    ("saved:(2019 OR 2026-01-16)", {"s2019", "s0116"}),
    ("-saved:2026", {"s2019", "s2020"}),
    ("saved: 2020", {"s2020"}),  # a space after the colon
])
def test_date_comparisons_and_ranges(compared, text, expected):
    result = run_search(compared, text, limit=50)
    assert ids(result) == expected
    assert result.note == ""


def test_a_backwards_range_is_read_forwards_with_a_note(compared):
    result = run_search(compared, "saved:2026..2020")
    assert ids(result) == {"s2020", "s0115", "s0116"}
    assert "earlier date to the later" in result.note


def test_days_of_saved_are_days_in_the_users_zone(compared, zone):
    # 2026-01-16 00:30 UTC is the evening of the 15th in New York
    zone("America/New_York")
    assert found(compared, "saved:2026-01-15") == {"s0115", "s0116"}
    assert found(compared, "saved:>2026-01-15") == set()
    # published: is what the site printed, stored as given: the calendar's days
    assert found(compared, "published:2016") == {"s2020", "s0115"}


# -- relative periods -----------------------------------------------------------------
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14: local dates are a day ahead of UTC's
#: Wednesday 2026-03-18 10:30 in Kiritimati (2026-03-17 20:30 UTC)
NOW = datetime(2026, 3, 18, 10, 30, tzinfo=KIRITIMATI)
RELATIVE = [
    _spec("just-now", "2026-03-17T20:00:00+00:00"),     # local: today 10:00
    _spec("yesterday", "2026-03-17T09:00:00+00:00"),    # local: yesterday 23:00 (today in UTC)
    _spec("monday", "2026-03-15T12:00:00+00:00"),       # local: Monday 16th 02:00
    _spec("last-week", "2026-03-13T12:00:00+00:00"),    # local: Saturday 14th
    _spec("last-month", "2026-02-20T00:00:00+00:00"),   # local: 20 February
    _spec("new-year", "2025-12-31T12:00:00+00:00"),     # local: 1 January 2026 02:00
    _spec("last-year", "2025-06-01T12:00:00+00:00"),
]
EVERYTHING = {s["id"] for s in RELATIVE}


@pytest.fixture
def relative(archive):
    add_articles(archive, RELATIVE)
    return archive


@pytest.mark.parametrize("text, expected", [
    ("saved:today", {"just-now"}),
    ("saved:yesterday", {"yesterday"}),
    ("saved:this-week", {"just-now", "yesterday", "monday"}),
    ("saved:last-week", {"last-week"}),
    ("saved:this-month", {"just-now", "yesterday", "monday", "last-week"}),
    ("saved:last-month", {"last-month"}),
    ("saved:this-year", EVERYTHING - {"last-year"}),
    ("saved:last-year", {"last-year"}),
    # comparisons with a period, as with a date: yesterday is a closed period
    ("saved:>yesterday", {"just-now"}),
    ("saved:>=yesterday", {"just-now", "yesterday"}),
    ("saved:<yesterday", EVERYTHING - {"just-now", "yesterday"}),
    ("saved:<=yesterday", EVERYTHING - {"just-now"}),
    ("saved:<last-week", {"last-month", "new-year", "last-year"}),
    ("saved:>last-week", {"just-now", "yesterday", "monday"}),
    ("saved:last-month..yesterday", EVERYTHING - {"just-now", "new-year", "last-year"}),
    ("saved:TODAY", {"just-now"}),
])
def test_relative_periods_are_the_users_calendar(relative, text, expected):
    assert found_at(relative, text, NOW, KIRITIMATI) == expected


def test_relative_periods_use_the_system_zone_by_default(relative, zone):
    zone("Pacific/Kiritimati")
    assert found_at(relative, "saved:today", NOW) == {"just-now"}
    assert found_at(relative, "saved:yesterday", NOW) == {"yesterday"}
    zone("UTC")  # the same instant is the 17th in UTC: both were saved "today"
    assert found_at(relative, "saved:today", NOW) == {"just-now", "yesterday"}
    assert found_at(relative, "saved:yesterday", NOW) == set()


def test_published_relative_dates_are_calendar_dates(archive):
    # a site's bare date is stored as midnight UTC; late evening in New York,
    # "today" is still that date
    add_articles(archive, [_spec("printed", "2026-03-18T12:00:00+00:00", "2026-03-18")])
    evening = datetime(2026, 3, 18, 21, 0, tzinfo=ZoneInfo("America/New_York"))
    assert found_at(archive, "published:today", evening, evening.tzinfo) == {"printed"}
    assert found_at(archive, "published:yesterday", evening, evening.tzinfo) == set()


# -- dates that cannot be read --------------------------------------------------------
@pytest.mark.parametrize("text, expected, shown", [
    ("solar published:2016-13-45", {"s2019", "s2020", "s0115", "s0116"}, "published:2016-13-45"),
    ("solar published:abc", {"s2019", "s2020", "s0115", "s0116"}, "published:abc"),
    ("published:2016-02-30", {"s2019", "s2020", "s0115", "s0116"}, "published:2016-02-30"),
    ("saved:2020 -published:abc", {"s2020"}, "published:abc"),
    ("saved:2020 OR saved:yesterdy", {"s2020"}, "saved:yesterdy"),
    ("saved:[jan to feb]", {"s2019", "s2020", "s0115", "s0116"}, "saved:[jan to feb]"),
])
def test_a_date_that_is_not_one_is_left_out_with_a_note(compared, text, expected, shown):
    result = run_search(compared, text, limit=50)
    assert ids(result) == expected
    assert f"ignored {shown}: not a date" in result.note


def test_a_date_field_with_nothing_after_it_is_left_out_with_a_note(compared):
    result = run_search(compared, "saved:2020 published:", limit=50)
    assert ids(result) == {"s2020"} and "ignored published:" in result.note


def test_words_after_a_colon_stay_words_when_they_are_not_a_date(compared):
    result = run_search(compared, "the date: unknown", limit=50)
    assert result.note == ""
    assert ids(result) == set()  # "date", "unknown": no article has them
