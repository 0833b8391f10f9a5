"""`flask fgc …` commands."""
import re
import subprocess
import sys
import time

import click
from flask.cli import AppGroup
from sqlalchemy import select, text

from fgc.config import ROOT
from fgc.extensions import db

fgc_cli = AppGroup("fgc", help="fgc commands.")

TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
FIXED_POT_DATE = "POT-Creation-Date: 2026-01-01 00:00+0000"
FIXED_POT_COMMENT = "# Translations template for fgc.\n#, fuzzy\n"


def pybabel(*args):
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def extract_catalogue(output):
    """Extract every translatable string into `output`, deterministically: no
    source locations (they churn), sorted, and a fixed creation date."""
    pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2",
            "-c", "Translators:",
            "--no-location", "--sort-output", "--project", "fgc", "--version", "1",
            "--msgid-bugs-address", "fgc@fgc.invalid", "--copyright-holder", "fgc",
            "--ignore-dirs", ".* __pycache__ node_modules instance artifacts", "-o", str(output), ".")
    text = output.read_text()
    # Drop the dated header comments and pin the creation date: the file changes
    # only when a string does.
    text = re.sub(r"\A(#[^\n]*\n)+", FIXED_POT_COMMENT, text, count=1)
    text = re.sub(r"POT-Creation-Date: [^\\]*", FIXED_POT_DATE, text)
    output.write_text(text)


@fgc_cli.group()
def translate():
    """Extract, update and compile the message catalogues."""


@translate.command()
def extract():
    """Write translations/messages.pot from the code and templates."""
    extract_catalogue(POT)


@translate.command()
def update():
    """Merge messages.pot into each language's messages.po."""
    pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "--no-fuzzy-matching",
            "--ignore-obsolete")


@translate.command()
def compile():
    """Build the .mo files (build output, not committed)."""
    pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")


@fgc_cli.command("send-mail")
@click.option("--loop", is_flag=True, help="Keep running, checking the outbox every few seconds.")
@click.option("--interval", default=5.0, show_default=True)
def send_mail(loop, interval):
    """Deliver the outbox, retrying what could not be sent. Any number of workers
    may run at once. With --loop it never exits on its own: a database or mail
    server outage is logged and waited out, with growing pauses up to a minute."""
    from flask import current_app

    from fgc.core.mail import deliver_pending

    pause = interval
    while True:
        try:
            sent, failed = deliver_pending()
        except Exception:  # noqa: BLE001 - whatever broke, the worker keeps going
            if not loop:
                raise
            current_app.logger.exception("send-mail: the outbox could not be read; trying again in %.0f s", pause)
            _forget_connections()
            time.sleep(pause)
            pause = min(pause * 2, 60.0)
            continue
        pause = interval
        if sent or failed or not loop:
            click.echo(f"sent {sent}, not sent {failed}", err=False)
        if not loop:
            return
        db.session.remove()
        time.sleep(interval)


def _forget_connections():
    """After a database error: drop the session and the pooled connections, so the
    next round connects afresh once the database is back."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone already
        pass
    db.session.remove()
    db.engine.dispose()


@fgc_cli.command("prune-audit")
def prune_audit():
    """Delete audit entries older than AUDIT_RETENTION_DAYS (at least six months are kept).
    Run daily from cron or a timer (deploy/)."""
    from fgc.core import audit

    deleted = audit.prune()
    db.session.commit()
    click.echo(f"deleted {deleted} audit entries")


@fgc_cli.command("refresh-statistics")
def refresh_statistics():
    """Refresh what the database knows of its tables' sizes, by which it chooses an index. Run
    with the reminders (deploy/). Without it SQLite may read all of a municipality's cases to
    find one caseload's; PostgreSQL's autovacuum refreshes its own, and is asked too."""
    _analyze()
    click.echo("statistics refreshed")


def _analyze():
    db.session.execute(text("ANALYZE"))
    db.session.commit()


@fgc_cli.command("send-reminders")
@click.option("--loop", is_flag=True, help="Keep running, checking every --interval seconds.")
@click.option("--interval", default=3600.0, show_default=True)
def send_reminders(loop, interval):
    """Put reminders of commitments due within three days in the outbox. Safe to
    run from cron as often as wanted, and several at once: each reminder is sent once."""
    from flask import current_app

    while True:
        try:
            count = queue_reminders()
            click.echo(f"reminders queued: {count}")
        except Exception:  # noqa: BLE001 - in a loop, an outage is waited out
            if not loop:
                raise
            current_app.logger.exception("send-reminders failed; trying again in %.0f s", interval)
            _forget_connections()
        if not loop:
            return
        db.session.remove()
        time.sleep(interval)


def queue_reminders(attempts=5):
    """Queue the due reminders in one transaction. Another run that queued some of
    the same reminders first makes this commit fail (the unique row, or SQLite's
    write lock): then the work is redone, and only what is still missing is queued."""
    from sqlalchemy.exc import IntegrityError, OperationalError

    from fgc.core.models import utcnow
    from fgc.plans import services
    from fgc.reports import services as outcomes

    for attempt in range(1, attempts + 1):
        try:
            today = utcnow().date()
            count = services.due_reminders(today) + outcomes.due_reminders(today)
            db.session.commit()
            return count
        except (IntegrityError, OperationalError):
            db.session.rollback()
            if attempt == attempts:
                raise
            time.sleep(0.5 * attempt)


@fgc_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup(path):
    """Write a consistent copy of the whole database to PATH, while fgc runs."""
    from fgc.core import backup as backups

    backups.backup(db.engine.url, path)
    click.echo(f"backup written to {path}")


@fgc_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(path, yes):
    """Replace the database's content with the backup in PATH. Stop the web server
    and the workers first."""
    from fgc.core import backup as backups

    if not yes:
        click.confirm(f"Replace everything in the database with {path}?", abort=True)
    db.session.remove()
    db.engine.dispose()  # no connection may hold the old content open
    backups.restore(db.engine.url, path)
    click.echo(f"restored from {path}")


@fgc_cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no organisations yet.")
def seed_demo(if_empty):
    """Create demo municipalities, users for every role and cases."""
    from fgc.auth.models import Organisation
    from fgc.demo import DEMO_PASSWORD, seed

    if if_empty and db.session.scalar(select(Organisation.id).limit(1)) is not None:
        return
    users = seed()
    db.session.commit()
    _analyze()  # the demo's year of history is a table size worth knowing
    click.echo("Demo data loaded. Sign in at the address below with one of these accounts")
    click.echo(f"(password for all: {DEMO_PASSWORD}):")
    for user in users:
        click.echo(f"  {user.role:<12} {user.email}")


@fgc_cli.command("create-user")
@click.option("--organisation", required=True, help="The municipality's name.")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(["admin", "coordinator", "caseworker"]), default="admin")
@click.option("--locale", type=click.Choice(["da", "kl", "en"]), default="da")
@click.option("--country", type=click.Choice(["DK", "GL"]), default="DK")
def create_user(organisation, name, email, role, locale, country):
    """Create a staff user (and the municipality if new); a password link is mailed."""
    from fgc.auth.models import Organisation
    from fgc.auth.services import create_staff_user

    org = db.session.scalar(select(Organisation).where(Organisation.name == organisation))
    if org is None:
        org = Organisation(name=organisation, country=country,
                           timezone="America/Nuuk" if country == "GL" else "Europe/Copenhagen",
                           default_locale="kl" if country == "GL" else "da")
        db.session.add(org)
        db.session.flush()
    user = create_staff_user(org, name=name, email=email, role=role, locale=locale, created_by=None)
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}; a link to set the password is in the outbox.")
