"""`flask fgc …` commands."""
import re
import subprocess
import sys
import time

import click
from flask.cli import AppGroup
from sqlalchemy import select

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
    """Deliver the outbox, retrying what could not be sent."""
    from fgc.core.mail import deliver_pending

    while True:
        sent, failed = deliver_pending()
        if sent or failed or not loop:
            click.echo(f"sent {sent}, waiting for retry {failed}")
        if not loop:
            return
        db.session.remove()
        time.sleep(interval)


@fgc_cli.command("send-reminders")
def send_reminders():
    """Put reminders of commitments due within three days in the outbox. Safe to
    run from cron as often as wanted: each reminder is sent once."""
    from fgc.core.models import utcnow
    from fgc.plans.services import due_reminders

    count = due_reminders(utcnow().date())
    db.session.commit()
    click.echo(f"reminders queued: {count}")


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
