"""The participant survey: who is asked, what the mail says, a code answers once,
the answer keeps no one's identity, printed cards, and the page's language."""
import re
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import func, inspect, select

from fgc.conferences import services as conferences
from fgc.core.errors import DomainError
from fgc.core.mail import OutboxMessage
from fgc.extensions import db
from fgc.reports import survey
from fgc.reports.models import SurveyAnswer, SurveyLink
from tests.conferences import factories as meetings
from tests.network import factories as network

UNKNOWN = "Koden kendes ikke. Tjek, at den er skrevet som på kortet eller i mailen."
USED = "Spørgeskemaet er allerede besvaret."


def held_yesterday(world):
    """A meeting that has taken place, attendance not yet recorded."""
    meeting = meetings.conference(world.case, world.users["coordinator"])
    meeting.starts_at -= timedelta(days=31)
    meeting.ends_at -= timedelta(days=31)
    return meeting


def add(world, meeting, name, role, **member):
    person = network.member(world.case, name, **member)
    return conferences.add_member(world.case, meeting, person, role, added_by=world.users["coordinator"])


def record(client, world, meeting, parts, remote=()):
    """Attendance through the coordinator's form: {participant: [parts]}, and who took part
    in part 1 by phone or video."""
    data = {f"part-{p.id}-{part}": "present" for p, attended in parts.items() for part in attended}
    data.update({f"part-{p.id}-1": "remote" for p in remote})
    return client.post(f"/cases/{world.case.id}/conferences/{meeting.id}/attendance", data=data,
                       follow_redirects=True)


def survey_mails():
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "survey")
                              .order_by(OutboxMessage.id)).all()
    return [message_from_bytes(row.raw, policy=policy.default) for row in rows]


def text_of(mail):
    return mail.get_body(("plain",)).get_content()


def path_in(mail):
    return re.search(r"http://fgc\.test(/s/\S+)", text_of(mail)).group(1)


@pytest.fixture
def held(world, client, login_as):
    """A held meeting whose survey went out: Ane (family, kl) and the child by mail."""
    meeting = held_yesterday(world)
    ane = add(world, meeting, "Ane Olsen", "family", email="ane@example.gl", language="kl")
    child = add(world, meeting, "Pipaluk Lyberth", "child", relation="other", email="pipaluk@example.gl")
    db.session.commit()
    login_as(world.users["coordinator"])
    record(client, world, meeting, {ane: [1, 2, 3], child: [2]})
    client.post("/logout")
    mails = {mail["To"]: mail for mail in survey_mails()}
    return meeting, path_in(mails["ane@example.gl"]), path_in(mails["pipaluk@example.gl"])


def test_links_go_only_to_those_who_took_part_as_family_child_or_support_and_can_be_mailed(
        client, world, login_as):
    meeting = held_yesterday(world)
    coordinator = world.users["coordinator"]
    took_part = add(world, meeting, "Ane Olsen", "family", email="ane@example.gl", language="kl")
    child = add(world, meeting, "Pipaluk Lyberth", "child", relation="other", email="pipaluk@example.gl")
    by_phone = add(world, meeting, "Hans Kleist", "support", email="hans@example.gl")
    stayed_away = add(world, meeting, "Aviaja Berthelsen", "family", email="aviaja@example.gl")
    no_mail = add(world, meeting, "Nuka Lund", "family")
    restricted = add(world, meeting, "Kaali Petersen", "family", email="kaali@example.gl")
    restricted.member.must_not_be_invited, restricted.member.restriction_reason = True, "Voldsdom"
    teacher = add(world, meeting, "Lærer Jensen", "informant", email="teacher@example.gl")
    caseworker = conferences.add_staff(world.case, meeting, world.users["caseworker"], "caseworker",
                                       added_by=coordinator)
    db.session.commit()
    login_as(coordinator)

    page = record(client, world, meeting, {took_part: [1], child: [2], stayed_away: [], no_mail: [1, 2, 3],
                                           restricted: [1, 2, 3], teacher: [1], caseworker: [1, 3]},
                  remote=[by_phone])  # Hans took part by phone

    assert sorted(mail["To"] for mail in survey_mails()) == ["ane@example.gl", "hans@example.gl",
                                                              "pipaluk@example.gl"]
    links = db.session.scalars(select(SurveyLink).where(SurveyLink.conference_id == meeting.id)).all()
    assert sorted(link.for_child for link in links) == [False, False, True]
    text = page.get_data(as_text=True)
    assert "Spørgeskemaer sendt på e-mail: 3" in text
    assert "Deltog uden e-mail: 1." in text  # Nuka Lund: a card is printed for them


def test_recording_attendance_again_sends_no_second_survey(client, world, login_as, held):
    meeting, _ane, _child = held
    login_as(world.users["coordinator"])
    record(client, world, meeting, {p: [1] for p in meeting.participants})
    assert len(survey_mails()) == 2
    assert db.session.scalar(select(func.count(SurveyLink.id))) == 2


def test_the_mail_is_in_the_persons_language_and_names_no_child_and_no_case(world, held):
    mails = {mail["To"]: mail for mail in survey_mails()}
    ane, child = mails["ane@example.gl"], mails["pipaluk@example.gl"]
    assert "lang=kl" in path_in(ane) and "lang=da" in path_in(child)
    assert ane["Subject"] == "Ataatsimiinneq qanoq ippa?"
    assert child["Subject"] == "Hvordan var mødet?"
    case = world.case
    for mail in mails.values():
        whole = mail.as_string() + text_of(mail) + mail.get_body(("html",)).get_content()
        for secret in ("Pipaluk", "Lyberth", "Ane Olsen", case.reference, case.concern, "Nuuk", "school"):
            assert secret not in whole, (mail["To"], secret)


def test_a_code_answers_once_and_a_second_answer_stores_nothing(client, held):
    meeting, ane, _child = held
    form = client.get(ane.split("?")[0])
    assert form.status_code == 200 and 'name="heard"' in form.get_data(as_text=True)
    sent = client.post(ane.split("?")[0], data={"heard": "5", "ours": "4", "know": "2"})
    assert sent.status_code == 302 and sent.location.endswith("/s/thanks")
    answers = db.session.scalars(select(SurveyAnswer)).all()
    assert [(a.conference_id, a.heard, a.ours, a.realistic, a.know, a.recommend, a.smiley, a.for_child)
            for a in answers] == [(meeting.id, 5, 4, None, 2, None, None, False)]

    again = client.post(ane.split("?")[0], data={"heard": "1"})
    assert again.status_code == 410
    assert db.session.scalar(select(func.count(SurveyAnswer.id))) == 1
    reopened = client.get(ane.split("?")[0], headers={"Accept-Language": "da"})
    assert reopened.status_code == 410 and "allerede besvaret" in reopened.get_data(as_text=True)
    with pytest.raises(survey.UsedCode):
        survey.answer(ane.split("/")[-1].split("?")[0], {"heard": 3})


def test_the_childs_link_asks_one_question_with_smileys(client, held):
    _meeting, _ane, child = held
    page = client.get(child, follow_redirects=True).get_data(as_text=True)
    assert 'name="smiley"' in page and 'name="heard"' not in page
    assert "Hvordan var mødet for dig?" in page
    assert re.search(r'aria-hidden="true">😄</span><span class="sr-only">Meget godt</span>', page)
    assert client.post(child.split("?")[0], data={"smiley": "4", "heard": "5"}).status_code == 302
    stored = db.session.scalars(select(SurveyAnswer)).one()
    assert (stored.for_child, stored.smiley, stored.heard) == (True, 4, None)


@pytest.mark.parametrize("values, message", [
    ({}, "Svar på mindst ét spørgsmål."),
    ({"heard": "6"}, "Vælg et af de fem svar."),
    ({"heard": "abc", "ours": "3"}, "Vælg et af de fem svar."),
    ({"heard": "0"}, "Vælg et af de fem svar."),
])
def test_an_answer_out_of_the_scale_is_refused_in_words_and_the_code_still_works(client, held, values, message):
    _meeting, ane, _child = held
    path = ane.split("?")[0]
    refused = client.post(path, data=values, headers={"Accept-Language": "da"})
    assert refused.status_code == 200 and message in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SurveyAnswer.id))) == 0
    assert client.post(path, data={"realistic": "3"}).status_code == 302


@pytest.mark.parametrize("code", ["ABCD-EFGH", "abcd", "A" * 500, "%00", "ÆØÅÆØÅÆØ", "<script>", "1111-1111",
                                  "ABCD-EFG%0A", "%F0%9F%98%84"])
def test_unknown_and_malformed_codes_are_a_404_with_a_clear_message(client, held, code):
    for method in ("GET", "POST"):
        response = client.open(f"/s/{code}", method=method, data={"heard": "5"},
                               headers={"Accept-Language": "da"})
        assert response.status_code == 404, (method, code)
        assert UNKNOWN in response.get_data(as_text=True)
    typed = client.post("/s", data={"code": code.replace("%", "")}, headers={"Accept-Language": "da"})
    assert typed.status_code == 404 and UNKNOWN in typed.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SurveyAnswer.id))) == 0


def test_a_code_typed_as_read_from_the_card_leads_to_the_survey(client, held):
    _meeting, ane, _child = held
    code = ane.split("/s/")[1].split("?")[0]
    typed = client.post("/s", data={"code": f" {code.lower().replace('-', ' ')} "})
    assert typed.status_code == 302 and typed.location.endswith(f"/s/{code}")
    empty = client.post("/s", data={"code": ""}, headers={"Accept-Language": "da"})
    assert empty.status_code == 200 and "Skriv koden fra dit kort." in empty.get_data(as_text=True)


def test_the_answer_keeps_no_link_person_user_language_or_time(app):
    columns = {c["name"] for c in inspect(db.engine).get_columns("survey_answers")}
    assert columns == {"id", "conference_id", "for_child", "heard", "ours", "realistic", "know", "recommend",
                       "smiley"}
    foreign = inspect(db.engine).get_foreign_keys("survey_answers")
    assert [(fk["referred_table"], fk["constrained_columns"]) for fk in foreign] == [
        ("conferences", ["conference_id"])]
    link_columns = {c["name"] for c in inspect(db.engine).get_columns("survey_links")}
    assert link_columns == {"id", "conference_id", "code_hash", "for_child", "used"}


def test_a_code_is_kept_only_as_a_hash(held):
    _meeting, ane, _child = held
    code = ane.split("/s/")[1].split("?")[0]
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}", code)
    stored = db.session.scalars(select(SurveyLink.code_hash)).all()
    assert code not in stored and code.replace("-", "") not in stored
    assert survey.code_hash(code) in stored


def test_cards_make_the_number_of_codes_asked_and_each_answers(app, world, held):
    meeting, _ane, _child = held
    codes = survey.cards(meeting, 3)
    db.session.commit()
    assert len(set(codes)) == 3
    assert db.session.scalar(select(func.count(SurveyLink.id)).where(SurveyLink.for_child.is_(False))) == 4
    child_codes = survey.cards(meeting, 2, for_child=True)
    assert all(survey.find(code).for_child for code in child_codes)
    survey.answer(codes[0].lower(), {"recommend": 5})
    assert survey.find(codes[1]).used is False
    for wrong in (0, 51, "3"):
        with pytest.raises(DomainError):
            survey.cards(meeting, wrong)


def test_cards_are_made_only_for_a_meeting_that_is_held(world):
    planned = meetings.conference(world.case, world.users["coordinator"])
    with pytest.raises(DomainError):
        survey.cards(planned, 2)


def test_the_coordinator_sees_the_count_and_prints_cards_in_the_meetings_language(client, world, login_as, held):
    meeting, ane, _child = held
    client.post(ane.split("?")[0], data={"heard": "1", "ours": "1"})
    login_as(world.users["coordinator"])
    detail = client.get(f"/cases/{world.case.id}/conferences/{meeting.id}").get_data(as_text=True)
    assert "Svar på spørgeskemaet: 1" in detail
    assert "Helt uenig" not in detail  # the count only, never the marks
    assert '<option value="da"' in detail and '<option value="kl"' in detail  # the meeting is "da,kl"

    url = f"/cases/{world.case.id}/conferences/{meeting.id}/survey-cards"
    printed = client.post(url, data={"count": "4", "language": "kl"})
    page = printed.get_data(as_text=True)
    codes = re.findall(r'class="survey-card-code">([A-Z0-9-]+)<', page)
    assert printed.status_code == 200 and len(set(codes)) == 4
    assert page.count('<article class="survey-card" lang="kl">') == 4 and "fgc.test/s" in page
    again = re.findall(r'class="survey-card-code">([A-Z0-9-]+)<',
                       client.post(url, data={"count": "4", "language": "da"}).get_data(as_text=True))
    assert len(again) == 4 and not set(again) & set(codes)  # reprinting makes new codes
    assert all(survey.find(code) and not survey.find(code).used for code in codes + again)

    for refused in ({"count": "0", "language": "da"}, {"count": "500", "language": "da"},
                    {"count": "x", "language": "da"}, {"count": "2", "language": "en"}):
        response = client.post(url, data=refused)
        assert response.status_code == 302, refused
    assert db.session.scalar(select(func.count(SurveyLink.id))) == 2 + 8


def test_a_planned_meeting_shows_no_survey_and_gets_no_cards(client, world, login_as):
    planned = meetings.conference(world.case, world.users["coordinator"])
    db.session.commit()
    login_as(world.users["coordinator"])
    detail = client.get(f"/cases/{world.case.id}/conferences/{planned.id}").get_data(as_text=True)
    assert "survey-cards" not in detail
    response = client.post(f"/cases/{world.case.id}/conferences/{planned.id}/survey-cards",
                           data={"count": "2", "language": "da"}, follow_redirects=True)
    assert "Spørgeskemakort laves, når mødet er holdt." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SurveyLink.id))) == 0


def test_the_page_is_in_the_links_language_whatever_the_browser_asks_and_the_switch_works(client, held):
    _meeting, ane, _child = held
    assert "lang=kl" in ane
    opened = client.get(ane, headers={"Accept-Language": "da-DK,da;q=0.9,en;q=0.5"}, follow_redirects=True)
    assert opened.status_code == 200 and '<html lang="kl"' in opened.get_data(as_text=True)
    # Shown without ?lang=: the switch sends the page's address back, and must change the language.
    back_to = re.search(r'name="next" value="([^"]*)"', opened.get_data(as_text=True)).group(1)
    assert back_to == ane.split("?")[0]
    switched = client.post("/language", data={"language": "da", "next": back_to}, follow_redirects=True)
    assert '<html lang="da"' in switched.get_data(as_text=True)
    assert 'name="heard"' in switched.get_data(as_text=True)
