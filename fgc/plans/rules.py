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
    """The commitment's next due date: its date, or the next of its weekdays."""
    if commitment.due_date is not None:
        return commitment.due_date
    if commitment.weekday is not None:
        return today + timedelta(days=(commitment.weekday - today.weekday()) % 7)
    return None


def is_overdue(commitment, today):
    return commitment.is_open and commitment.due_date is not None and commitment.due_date < today


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
