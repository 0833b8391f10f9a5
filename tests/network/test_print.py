"""The network map and genogram on one landscape page, for the case's staff only."""
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sqlalchemy import select

from fgc.core.audit import AuditEntry
from fgc.extensions import db
from tests.network import factories
from tests.network.test_layout import LONG_NAME

KINDS = ("map", "genogram")


def svg_of(page):
    return ET.fromstring(re.search(r"<svg .*?</svg>", page, re.S).group(0))


@pytest.mark.parametrize("kind", KINDS)
def test_the_diagram_page_links_to_its_print_view(client, world, login_as, kind):
    login_as(world.users["coordinator"])
    page = client.get(f"/cases/{world.case.id}/network/{kind}").get_data(as_text=True)
    assert f'href="/cases/{world.case.id}/network/{kind}/print"' in page
    assert f'href="/cases/{world.case.id}/network/{kind}.svg"' in page  # the download stays


@pytest.mark.parametrize("kind", KINDS)
def test_the_print_view_holds_the_reference_the_day_the_legend_and_the_diagram_without_the_menu(
        client, world, login_as, kind):
    factories.member(world.case, LONG_NAME, relation="aunt_uncle", side="paternal")
    db.session.commit()
    login_as(world.users["coordinator"])
    response = client.get(f"/cases/{world.case.id}/network/{kind}/print")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert world.case.reference in page and "Pipaluk Lyberth" in page
    assert "Udskrevet " in page and "Signaturforklaring" in page
    assert 'class="diagram-print paper-a4"' in page
    assert 'class="site-nav"' not in page and 'class="site-footer"' not in page
    assert 'id="language-select"' in page  # print it in the family's language
    assert svg_of(page).get("role") == "img" and "Paninnguaq" in page
    assert 'style="' not in page  # a strict CSP: no inline style
    a3 = client.get(f"/cases/{world.case.id}/network/{kind}/print?paper=a3").get_data(as_text=True)
    assert 'class="diagram-print paper-a3"' in a3
    assert client.get(f"/cases/{world.case.id}/network/{kind}/print?paper=letter").status_code == 404


def test_the_print_css_sets_a_landscape_page_of_each_size(app):
    css = Path(app.static_folder, "css", "app.css").read_text()
    assert re.search(r"@page network-a4 \{ size: A4 landscape;", css)
    assert re.search(r"@page network-a3 \{ size: A3 landscape;", css)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("who", ["unassigned coordinator", "unassigned caseworker", "other-org coordinator",
                                 "other-org admin"])
def test_the_print_view_is_hidden_from_staff_without_access_to_the_case(client, world, login_as, kind, who):
    where, role = who.split(" ")
    login_as(world.unassigned[role] if where == "unassigned" else world.outsiders[role])
    response = client.get(f"/cases/{world.case.id}/network/{kind}/print")
    assert response.status_code == 404
    assert world.case.reference not in response.get_data(as_text=True)


@pytest.mark.parametrize("kind", KINDS)
def test_the_family_and_anonymous_visitors_get_no_print_view(client, world, login_as, kind):
    url = f"/cases/{world.case.id}/network/{kind}/print"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.location
    login_as(world.users["family"])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("kind", KINDS)
def test_the_print_view_is_audited_as_a_read_of_the_case(client, world, login_as, kind):
    login_as(world.users["caseworker"])
    assert client.get(f"/cases/{world.case.id}/network/{kind}/print").status_code == 200
    details = db.session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "case.read")).all()
    assert f"network.{kind}_print" in details


def test_the_svg_downloads_still_work(client, world, login_as):
    factories.member(world.case, LONG_NAME)
    db.session.commit()
    login_as(world.users["coordinator"])
    for name in ("map.svg", "genogram.svg"):
        response = client.get(f"/cases/{world.case.id}/network/{name}")
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        ET.fromstring(response.data)
