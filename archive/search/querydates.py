"""Dates in the query language: saved: and published: values.

A value names a period (2016, 2016-05, 2016-05-01, 2016-05-01T10:30, or a
relative one: today, last-week …); comparisons and ranges are read against that
period's start and end. saved: is read in the user's calendar (it is when they
saved it), published: in the calendar's (a site prints a bare date, stored as
midnight UTC). The index keeps naive UTC.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo

RELATIVE_FORMS = ("today", "yesterday", "this-week", "last-week", "this-month", "last-month",
                  "this-year", "last-year")
DATE_HELP = "write 2016, 2016-05 or 2016-05-01"
_DATE = re.compile(r"(\d{4})(?:([-/.])(\d{1,2})(?:\2(\d{1,2})(?:T(\d{1,2}):(\d{2})(?::(\d{2}))?)?)?"
                   r"|(\d{2})(\d{2})?)?", re.IGNORECASE)


def relative_period(form: str, today: datetime) -> tuple[datetime, datetime]:
    """[start, end) of a relative period around `today` (a local midnight):
    calendar days, weeks (from Monday), months and years. `this-*` runs to the
    end of the current period, which is now for anything already saved."""
    day = timedelta(days=1)
    monday = today - timedelta(days=today.weekday())
    month = today.replace(day=1)
    prev_month = (month - day).replace(day=1)
    next_month = (month + timedelta(days=32)).replace(day=1)
    year = today.replace(month=1, day=1)
    return {
        "today": (today, today + day),
        "yesterday": (today - day, today),
        "this-week": (monday, monday + 7 * day),
        "last-week": (monday - 7 * day, monday),
        "this-month": (month, next_month),
        "last-month": (prev_month, month),
        "this-year": (year, year.replace(year=year.year + 1)),
        "last-year": (year.replace(year=year.year - 1), year),
    }[form]


class NotADate(ValueError):
    """A date value that names no date (published:abc, published:2016-13-45)."""


def date_text(value: str) -> str:
    """A date value without the end of the sentence it ends (saved:today.)."""
    value = value.strip()
    return value if value.startswith(("[", "{")) else value.rstrip(".,;!")


def local_now(now: datetime | None, tz: tzinfo | None) -> datetime:
    """`now` (default: the clock) as an aware time in the user's zone (naive: already local)."""
    if now is None:
        now = datetime.now(timezone.utc)
    elif now.tzinfo is None:
        now = now.astimezone() if tz is None else now.replace(tzinfo=tz)
    return now.astimezone(tz)


@dataclass
class DateReader:
    """Reads the date values of one query, at one moment, in one zone."""

    now: datetime  # aware, in the user's zone
    tz: tzinfo | None  # None: the system's local zone
    notes: list[str] = field(default_factory=list)  # how a value was read, when not as written

    def range(self, name: str, given: str,
                    text: str) -> tuple[datetime | None, datetime | None]:
        """[start, end) in the index's time (naive UTC); None: open.

        X is the period X; <X before it starts; <=X up to its end; >X after it
        ends; >=X from its start. [A to B] and A..B run from the start of A to
        the end of B; with a brace the end is left out ({A to B}: after A,
        before B); an empty side is open."""
        bracket = re.fullmatch(r"([\[{])(.*)([\]}])", text, re.DOTALL)
        if bracket or ".." in text:
            if bracket:
                sides = re.split(r"(?:^|\s+)to(?:\s+|$)", bracket.group(2).strip(), maxsplit=1,
                                 flags=re.IGNORECASE)
                if len(sides) != 2:
                    raise NotADate(text)
                open_, close = bracket.group(1), bracket.group(3)
            else:
                sides, open_, close = text.split("..", 1), "[", "]"
            first, last = (self.period(name, s.strip()) if s.strip() not in ("", "*") else None
                           for s in sides)
            if first and last and first[0] > last[0]:
                first, last = last, first
                self.notes.append(f"read {given}:{text} from the earlier date to the later")
            start = None if first is None else first[0] if open_ == "[" else first[1]
            end = None if last is None else last[1] if close == "]" else last[0]
            return start, end
        m = re.match(r"(<=|>=|=<|=>|<|>|=)?(.*)", text, re.DOTALL)
        op, point = (m.group(1) or "").replace("=<", "<=").replace("=>", ">="), m.group(2).strip()
        start, end = self.period(name, point)
        return {"": (start, end), "=": (start, end), "<": (None, start), "<=": (None, end),
                ">": (end, None), ">=": (start, None)}[op]

    def period(self, name: str, text: str) -> tuple[datetime | None, datetime | None]:
        """The period a date names, as (start, end) in the index's time.

        saved: is when you saved it, so its days are your days; published: is
        what the site printed, stored as given (a bare date is midnight UTC), so
        its days are the calendar's, whatever your zone."""
        form = text.lower()
        if form in RELATIVE_FORMS:
            today = self.now.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
            start, end = relative_period(form, today)
        else:
            m = _DATE.fullmatch(text)
            if m is None:
                raise NotADate(text)
            year, _sep, month, day, hour, minute, second, month2, day2 = m.groups()
            month, day = month or month2, day or day2
            try:
                start = datetime(int(year), int(month or 1), int(day or 1), int(hour or 0),
                                 int(minute or 0), int(second or 0))
            except ValueError:
                raise NotADate(text) from None
            if second:
                end = start + timedelta(seconds=1)
            elif minute:
                end = start + timedelta(minutes=1)
            elif day:
                end = start + timedelta(days=1)
            elif month:
                end = start + timedelta(days=calendar.monthrange(start.year, start.month)[1])
            else:
                end = start.replace(year=start.year + 1) if start.year < 9999 else None
        if name == "saved":
            return self.utc(start), self.utc(end)
        return start, end

    def utc(self, local: datetime | None) -> datetime | None:
        """A wall-clock time in the user's zone as naive UTC (how the index stores dates)."""
        if local is None:
            return None
        try:
            aware = local.astimezone() if self.tz is None else local.replace(tzinfo=self.tz)
            return aware.astimezone(timezone.utc).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):  # years at the edge of the calendar
            return local
