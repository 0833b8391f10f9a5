"""Demo networks: a Danish family with several parent-like people and a
restricted father, and a Greenlandic family with an informal adoption."""
from fgc.extensions import db
from fgc.network.models import MemberLink, NetworkMember


def _people(case, rows):
    made = {}
    for key, values in rows.items():
        made[key] = NetworkMember(case_id=case.id, **values)
        db.session.add(made[key])
    db.session.flush()
    return made


def _links(case, people, links):
    for first, kind, second in links:
        db.session.add(MemberLink(case_id=case.id, from_member_id=people[first].id,
                                  to_member_id=people[second].id, kind=kind))


def seed(demo):
    jensen = demo.cases["dk_jensen"]
    people = _people(jensen, {
        "mother": dict(name="Louise Jensen", relation="birth_parent", gender="female", side="maternal",
                       sector="family", closeness="close", lives_with_child=True, town="Aarhus",
                       phone="+45 22 33 44 55", email="louise.jensen@example.dk", language="da"),
        "father": dict(name="Thomas Berg", relation="birth_parent", gender="male", side="paternal",
                       sector="family", closeness="distant", town="Randers", phone="+45 30 40 50 60",
                       email="thomas.berg@example.dk", must_not_be_invited=True,
                       hide_contact_from_family=True, supervised_only=True,
                       restriction_reason="Tilhold (polititilhold) til og med næste år."),
        "stepfather": dict(name="Kasper Holm", relation="step_parent", gender="male", side="maternal",
                           sector="family", closeness="close", lives_with_child=True, town="Aarhus",
                           email="kasper.holm@example.dk"),
        "mormor": dict(name="Birthe Jensen", relation="grandparent", gender="female", side="maternal",
                       sector="family", closeness="close", town="Aarhus", phone="+45 86 12 34 56",
                       email="mormor@aarhus.demo"),
        "morfar": dict(name="Erik Jensen", relation="grandparent", gender="male", side="maternal",
                       sector="family", closeness="medium", deceased=True),
        "moster": dict(name="Sanne Jensen", relation="aunt_uncle", gender="female", side="maternal",
                       sector="family", closeness="medium", town="Silkeborg", email="sanne@example.dk"),
        "farmor": dict(name="Grethe Berg", relation="grandparent", gender="female", side="paternal",
                       sector="family", closeness="medium", town="Randers", phone="+45 40 11 22 33"),
        "teacher": dict(name="Lene Dahl", relation="school_daycare", gender="female", side="other",
                        sector="school", closeness="medium", email="lene.dahl@skole.example.dk"),
        "neighbour": dict(name="Ali Hassan", relation="neighbour", gender="male", side="other",
                          sector="friends", closeness="close", phone="+45 50 60 70 80"),
        "nurse": dict(name="Mette Sundhedsplejerske", relation="professional", gender="female",
                      side="other", sector="professional", closeness="distant"),
    })
    _links(jensen, people, [("mother", "separated", "father"), ("mother", "partners", "stepfather"),
                            ("mormor", "partners", "morfar"), ("mormor", "parent_of", "mother"),
                            ("morfar", "parent_of", "mother"), ("mother", "siblings", "moster"),
                            ("farmor", "parent_of", "father")])

    olsen = demo.cases["gl_olsen"]
    people = _people(olsen, {
        "anaana": dict(name="Ivalo Olsen", relation="birth_parent", gender="female", side="maternal",
                       sector="family", closeness="close", lives_with_child=True, town="Nuuk",
                       phone="+299 32 11 22", language="kl", email="ivalo@example.gl"),
        "aanaa": dict(name="Ane Olsen", relation="raising_parent", gender="female", side="maternal",
                      sector="family", closeness="close", town="Nuuk", language="kl",
                      email="aanaa@sermersooq.demo"),
        "aataa": dict(name="Jens Olsen", relation="grandparent", gender="male", side="maternal",
                      sector="family", closeness="close", town="Kapisillit", language="kl",
                      needs_interpreter=True),
        "ataata": dict(name="Kunuk Petersen", relation="birth_parent", gender="male", side="paternal",
                       sector="family", closeness="medium", town="Sisimiut", language="kl",
                       phone="+299 86 33 44"),
        "ikinngut": dict(name="Paninnguaq Lund", relation="friend", gender="female", side="other",
                         sector="friends", closeness="medium", town="Nuuk", language="kl"),
        "atuarfik": dict(name="Nils Kreutzmann", relation="school_daycare", gender="male", side="other",
                         sector="school", closeness="medium", language="da"),
    })
    _links(olsen, people, [("anaana", "separated", "ataata"), ("aanaa", "partners", "aataa"),
                           ("aanaa", "parent_of", "anaana")])
    db.session.flush()
