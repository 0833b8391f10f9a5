"""Dates and differences for plans. Pure functions."""
import calendar
import difflib
from datetime import date, timedelta

from markupsafe import Markup, escape


def proposed_review_date(start):
    """Three months ahead, moved off a weekend to the Monday."""
    month = start.month + 3
    year, month = start.year + (month - 1) // 12, (month - 1) % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    review = date(year, month, day)
    return review + timedelta(days=(7 - review.weekday()) % 7) if review.weekday() >= 5 else review


def next_due(commitment, today):
    """The commitment's next due date on or after `today` (and its start): its date,
    the next of its weekdays (every other week: in the weeks counted from its start),
    the next of its monthly days. None for one that falls due when something happens."""
    start = max(today, commitment.starts_on or today)
    if commitment.schedule == "date":
        return commitment.due_date
    if commitment.schedule in ("weekly", "fortnightly") and commitment.weekdays:
        first_week = _monday(commitment.starts_on or start)
        for offset in range(14):
            day = start + timedelta(days=offset)
            on_week = commitment.schedule == "weekly" or (_monday(day) - first_week).days % 14 == 0
            if day.weekday() in commitment.weekdays and on_week:
                return day
    if commitment.schedule == "monthly" and commitment.month_day:
        for months in range(2):
            year, month = start.year + (start.month + months - 1) // 12, (start.month + months - 1) % 12 + 1
            day = date(year, month, min(commitment.month_day, calendar.monthrange(year, month)[1]))
            if day >= start:
                return day
    return None


def _monday(day):
    return day - timedelta(days=day.weekday())


def is_overdue(commitment, today):
    """Only a dated commitment can be late: a recurring one simply falls due again."""
    return (commitment.is_open and commitment.schedule == "date" and commitment.due_date is not None
            and commitment.due_date < today)


def is_due_this_week(commitment, today):
    due = next_due(commitment, today)
    return commitment.is_open and due is not None and today <= due <= today + timedelta(days=6)


def word_diff(old, new):
    """HTML of `new` against `old`: removed words in <del>, added in <ins>."""
    old_words, new_words = (old or "").split(), (new or "").split()
    out = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old_words, b=new_words).get_opcodes():
        if op == "equal":
            out.append(escape(" ".join(old_words[a1:a2])))
        if op in ("delete", "replace"):
            out.append(Markup("<del>") + escape(" ".join(old_words[a1:a2])) + Markup("</del>"))
        if op in ("insert", "replace"):
            out.append(Markup("<ins>") + escape(" ".join(new_words[b1:b2])) + Markup("</ins>"))
    return Markup(" ").join(out)


def compare(old_sections, new_sections):
    """[(label, html, changed)] for sections given as {label: text} in order."""
    labels = list(dict.fromkeys([*old_sections, *new_sections]))
    return [(label, word_diff(old_sections.get(label, ""), new_sections.get(label, "")),
             old_sections.get(label, "") != new_sections.get(label, "")) for label in labels]
