"""The participant survey: answered by anyone with a code (no sign-in), on a phone,
in the language the link carries; and on the meeting's page the number of answers
and printed cards for those who took part without e-mail."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import InputRequired, NumberRange

from fgc.cases.permissions import get_case_or_404
from fgc.conferences.models import Conference
from fgc.conferences.views import register_conference_panel
from fgc.core import audit, codes
from fgc.core.errors import DomainError
from fgc.core.forms import Form, SelectField
from fgc.core.mail import printed_address
from fgc.extensions import db, limiter
from fgc.i18n import gettext as _, in_locale, LANGUAGE_CHOICES, lazy_gettext as _l
from fgc.reports import survey
from fgc.reports.models import AGREEMENT, SMILEYS, SURVEY_QUESTIONS
from fgc.security import public, secret_limit

bp = Blueprint("survey", __name__)

# The child's scale, from 1 (very bad) to 5 (very good); the words are for screen readers.
# Faces of Unicode 6.0 (2010): older phones and fonts draw them too (🙁 and 🙂 came in 2014).
SMILEY_FACES = {1: "😢", 2: "😞", 3: "😐", 4: "😊", 5: "😄"}


class CodeForm(Form):
    code = StringField(_l("Code"), validators=[
        InputRequired(message=_l("Type the code from your card."))],
        description=_l("Eight letters and digits, for example ABCD-EFGH."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})


class AnswerForm(Form):
    """The marks are read from the radio groups by the view; the form brings CSRF."""


class CardsForm(Form):
    count = IntegerField(_l("Number of cards"), validators=[
        InputRequired(message=_l("Type how many cards to print.")),
        NumberRange(min=1, max=survey.MAX_CARDS,
                    message=_l("Choose between 1 and %(max)d cards.", max=survey.MAX_CARDS))])
    language = SelectField(_l("Language of the cards"), validate_choice=True)
    for_child = BooleanField(_l("Cards for the child: one question with smileys"))


def cards_form(conference, formdata=None):
    """The card form for a meeting: the languages offered are the meeting's own."""
    offered = [code for code in conference.languages.split(",") if code in ("da", "kl")] or ["da"]
    names = dict(LANGUAGE_CHOICES)
    if formdata is not None:
        form = CardsForm(formdata=formdata)
    else:
        # Chosen for a start: as many cards as people took part without e-mail, in the
        # language most of them speak.
        without = survey.languages_without_email(conference)
        spoken = [language for language in without if language in offered]
        form = CardsForm(data={"count": max(len(without), 1),
                               "language": max(offered, key=spoken.count) if spoken else offered[0]})
    form.language.choices = [(code, names[code]) for code in offered]
    return form


@register_conference_panel
def survey_section(case, conference):
    """What a held meeting's page shows of the survey: the number of answers, never the marks."""
    if conference.state != "held":
        return None
    return "survey/_conference_section.html", {"answers": survey.answer_count(conference),
                                               "form": cards_form(conference)}


def _without_lang(endpoint, **values):
    """A link's `?lang=` has been kept for the session (fgc.i18n): the page is shown
    without it, so the language switch on the page can still change the language."""
    if "lang" in request.args:
        return redirect(url_for(endpoint, **values))
    return None


@bp.route("/s", methods=["GET", "POST"])
@public
@limiter.limit(secret_limit)
def enter():
    """The short address printed on a card: type the code."""
    if request.method == "GET" and (response := _without_lang("survey.enter")):
        return response
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        link = survey.find(form.code.data)
        if link is not None:
            return redirect(url_for("survey.answer", code=codes.shown(codes.normalise(form.code.data))))
        form.code.errors = [_("This code is not known. Check that it is typed as on the card or in the mail.")]
        status = 404
    return render_template("survey/enter.html", form=form), status


@bp.route("/s/thanks")
@public
def thanks():
    return render_template("survey/thanks.html")


@bp.route("/s/<code>", methods=["GET", "POST"])
@public
@limiter.limit(secret_limit)
def answer(code):
    """The five statements, or for a child's code one question with smileys."""
    link = survey.find(code)
    if link is None:
        return render_template("survey/unknown.html"), 404
    if link.used:
        return render_template("survey/used.html"), 410
    if request.method == "GET" and (response := _without_lang("survey.answer", code=code)):
        return response
    keys = survey.CHILD_KEYS if link.for_child else survey.QUESTION_KEYS
    form, errors, chosen = AnswerForm(), [], {}
    if form.validate_on_submit():
        for key in keys:
            raw = request.form.get(key, "")
            if raw in ("1", "2", "3", "4", "5"):
                chosen[key] = int(raw)
            elif raw:
                errors.append(_("Choose one of the five answers."))
        if not errors:
            try:
                survey.answer(code, chosen)
                db.session.commit()
                return redirect(url_for("survey.thanks"))
            except survey.UsedCode:
                db.session.rollback()
                return render_template("survey/used.html"), 410
            except DomainError as error:
                db.session.rollback()
                errors.append(error.message)
    return render_template("survey/answer.html", form=form, for_child=link.for_child, errors=errors,
                           chosen=chosen, questions=SURVEY_QUESTIONS, agreement=AGREEMENT,
                           smileys=[(value, SMILEY_FACES[value], label) for value, label in SMILEYS.items()])


@bp.route("/cases/<int:case_id>/conferences/<int:conference_id>/survey-cards", methods=["POST"])
def print_cards(case_id, conference_id):
    """New codes on a printable page of cards, in the language chosen; printing again
    makes new codes (the cards already handed out keep working)."""
    case = get_case_or_404(case_id, for_edit=True)
    conference = db.session.get(Conference, conference_id)
    if conference is None or conference.case_id != case.id:
        abort(404)
    back = url_for("conferences.detail", case_id=case.id, conference_id=conference.id)
    form = cards_form(conference, formdata=request.form)
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(message, "error")
        return redirect(back)
    try:
        made = survey.cards(conference, form.count.data, for_child=form.for_child.data)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back)
    audit.record("survey.cards", case=case, user=current_user, detail=f"conference:{conference.id}:{len(made)}")
    db.session.commit()
    address = printed_address(url_for("survey.enter"))
    with in_locale(form.language.data):
        cards_html = render_template("survey/_cards.html", codes=made, address=address,
                                     for_child=form.for_child.data)
    return render_template("survey/cards.html", case=case, conference=conference, cards_html=Markup(cards_html),
                           back=back)
