"""Backup and restore of the whole database, while the application runs.

SQLite: its online backup API copies a consistent snapshot, the write-ahead log
included (copying the .sqlite file alone misses what is still in the -wal file).
PostgreSQL: `pg_dump --format=custom`, restored with `pg_restore --clean`.
"""
import os
import sqlite3
import subprocess

from sqlalchemy.engine import make_url


def _is_sqlite(url):
    return url.get_backend_name() == "sqlite"


def _libpq(url):
    """The database's address for pg_dump/pg_restore, and the environment that
    carries its password (never on the command line, where `ps` shows it)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    address = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return address, env


def _sqlite_copy(source, target):
    """SQLite's online backup: a consistent copy while others write (WAL included)."""
    try:
        with target:
            source.backup(target)
    finally:
        source.close()
        target.close()


def backup(database_url, path):
    url = make_url(database_url)
    path = os.fspath(path)
    partial = path + ".partial"  # a failed backup never leaves a file that looks whole
    if _is_sqlite(url):
        _sqlite_copy(sqlite3.connect(url.database), sqlite3.connect(partial))
    else:
        address, env = _libpq(url)
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                        "--file", partial, address], check=True, env=env)
    os.replace(partial, path)


def restore(database_url, path):
    """Replace the database's content with the backup's."""
    url = make_url(database_url)
    path = os.fspath(path)
    if _is_sqlite(url):
        _sqlite_copy(sqlite3.connect(f"file:{path}?mode=ro", uri=True), sqlite3.connect(url.database))
    else:
        address, env = _libpq(url)
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                        "--single-transaction", "--exit-on-error", "--dbname", address, path],
                       check=True, env=env)
