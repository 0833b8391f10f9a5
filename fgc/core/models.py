"""Column helpers shared by the models of every domain, and optimistic locking of
whole records (a case with its children, a plan with its commitments)."""
from datetime import datetime, timezone

from sqlalchemy import DateTime, event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.types import TypeDecorator


# The largest id a table holds (PostgreSQL's integer); a larger number names nothing.
MAX_ID = 2**31 - 1


def as_id(text):
    """The id a piece of a URL or form names, or None when it names none."""
    text = str(text or "")
    return int(text) if text.isascii() and text.isdigit() and int(text) <= MAX_ID else None


def utcnow():
    return datetime.now(timezone.utc)


def next_number(session, lock, maximum):
    """The next number of a sequence kept under a parent row (a case reference per
    organisation, a plan version per case), without races on either database: the
    parent row (`lock`, a select of it) is locked for the rest of the transaction
    before the highest number (`maximum`) is read. PostgreSQL: SELECT … FOR UPDATE;
    SQLite: every transaction begins IMMEDIATE (one writer at a time, fgc/__init__.py)."""
    session.execute(lock.with_for_update())
    return (session.scalar(maximum) or 0) + 1


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; store aware UTC datetimes")
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


# Optimistic locking covers the whole record a form edits. A versioned model (one
# with a `version_id_col`) is a record; a child row names the foreign key of its
# parent in `version_parent`. Before each flush, every record whose child rows are
# added, changed or deleted, or whose collections changed, is marked changed, so
# its version moves and a form opened before that is refused as stale.

def _parent(session, obj):
    name = getattr(type(obj), "version_parent", None)
    ident = getattr(obj, name) if name else None
    if ident is None:
        return None
    [foreign_key] = obj.__table__.c[name].foreign_keys
    mapper = next(m for m in type(obj).registry.mappers if m.local_table is foreign_key.column.table)
    return session.get(mapper.class_, ident)


def _record_of(session, obj):
    while obj is not None and inspect(obj).mapper.version_id_col is None:
        obj = _parent(session, obj)
    return obj


@event.listens_for(Session, "before_flush")
def _move_versions_of_changed_records(session, flush_context, instances):
    changed = [*session.new, *session.deleted, *(o for o in session.dirty if session.is_modified(o))]
    records = {_record_of(session, obj) for obj in changed} - {None} - set(session.new) - set(session.deleted)
    for record in records:
        state = inspect(record)
        # Any column but the version, re-set to its own value: an UPDATE that moves the version.
        # One that is loaded (after a commit, a record's attributes are expired), else load one.
        columns = [a.key for a in state.mapper.column_attrs
                   if state.mapper.version_id_col not in a.columns and not a.columns[0].primary_key]
        column = next((key for key in columns if key not in state.unloaded), None)
        if column is None:
            column = columns[0]
            getattr(record, column)
        flag_modified(record, column)
