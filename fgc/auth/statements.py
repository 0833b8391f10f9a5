"""The accessibility statement and the privacy notice of an organisation: the text its
administrator wrote, or else the product's own, in the reader's language."""
import re

from fgc.i18n import gettext as _


ACCESSIBILITY, PRIVACY = "accessibility", "privacy"


def paragraphs(text):
    """Plain text as paragraphs: a blank line starts a new one."""
    return [part.strip() for part in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")) if part.strip()]


def contact_sentence(organisation):
    """How to reach the municipality, from its letterhead."""
    email, phone = organisation.email.strip(), organisation.phone.strip()
    if email and phone:
        return _("You can write to %(email)s or call %(phone)s.", email=email, phone=phone)
    if email:
        return _("You can write to %(email)s.", email=email)
    if phone:
        return _("You can call %(phone)s.", phone=phone)
    return _("You can contact the citizen service of %(organisation)s.", organisation=organisation.name)


def statement(organisation, kind):
    """[(heading or None, [paragraph, …]), …]: the administrator's text as one section, or
    the standard text in sections."""
    written = organisation.accessibility_statement if kind == ACCESSIBILITY else organisation.privacy_notice
    if written.strip():
        return [(None, paragraphs(written))]
    return accessibility_default(organisation) if kind == ACCESSIBILITY else privacy_default(organisation)


def accessibility_default(organisation):
    name, contact = organisation.name, contact_sentence(organisation)
    if organisation.country == "DK":
        enforcement = _("The Danish Agency for Digital Government (Digitaliseringsstyrelsen) supervises the "
                        "accessibility of public websites. If you are not satisfied with our answer, or get "
                        "none, you can complain to the agency at www.digst.dk.")
    else:
        enforcement = _("If you are not satisfied with our answer, or get none, you can complain to %(name)s, "
                        "which will look at the complaint again.", name=name)
    return [
        (None, [_("%(name)s is responsible for this website, fgc, which is used for family group conferences. "
                  "We want everyone to be able to use it, also with a disability.", name=name)]),
        (_("How accessible is the website?"), [
            _("The website aims to meet the Web Content Accessibility Guidelines (WCAG) 2.1 at level AA. "
              "Every page is checked for this automatically, in Danish, Greenlandic and English, and works "
              "on a phone, with the keyboard alone and with a screen reader."),
        ]),
        (_("Known limitations"), [
            _("Texts written by staff and families, such as the family's plan, are shown as they were "
              "written, in the language they were written in."),
            _("Printed letters and handouts are made for paper; their QR codes also come with a short "
              "address and a code to type."),
        ]),
        (_("Feedback and contact"), [
            _("If something on the website is hard or impossible for you to use, tell us and we will help "
              "you another way and try to correct it.") + " " + contact,
        ]),
        (_("Enforcement"), [enforcement]),
    ]


def privacy_default(organisation):
    name, contact = organisation.name, contact_sentence(organisation)
    if organisation.country == "DK":
        basis = _("We process the data to give the child and the family support under the Act on Children "
                  "(barnets lov) and the Social Services Act (serviceloven), as a public authority under "
                  "the General Data Protection Regulation (articles 6 and 9).")
        complaint = _("You can complain to the Danish Data Protection Agency (Datatilsynet), www.datatilsynet.dk.")
    else:
        basis = _("We process the data to give the child and the family support under Greenland's rules on "
                  "support for children, as a public authority under Greenland's data protection act.")
        complaint = _("You can complain to the Data Protection Agency (Datatilsynet), which also supervises "
                      "data protection in Greenland, www.datatilsynet.dk.")
    return [
        (_("Data controller"), [
            _("%(name)s is the data controller for the personal data in fgc.", name=name) + " " + contact,
        ]),
        (_("What we process"), [
            _("When a family group conference is prepared, held and followed up, we process: the child's "
              "name, date of birth and the concern behind the referral; the people in the child's network, "
              "their relation to the child and how to reach them; the meetings, who was invited and who "
              "took part; the family's plan, its commitments and how they are followed up."),
        ]),
        (_("Purpose and legal basis"), [basis]),
        (_("Who sees the data"), [
            _("Only the staff who work on the child's case see it. A family member sees the plan, their own "
              "commitments and the meetings they are invited to. Every reading and change of a case is "
              "logged."),
        ]),
        (_("How long we keep the data"), [
            _("We keep the data as long as the case needs it and the rules on case records and archives "
              "require; then it is deleted."),
        ]),
        (_("Your rights"), [
            _("You have the right to see the data we hold about you, to have wrong data corrected, and in "
              "some cases to have data deleted or its use restricted. You can also ask who has looked up "
              "your data.") + " " + contact,
            complaint,
        ]),
        (_("Cookies"), [
            _("The website sets one cookie, which is needed to keep you signed in and to remember your "
              "language. There are no cookies for tracking or statistics."),
        ]),
    ]
