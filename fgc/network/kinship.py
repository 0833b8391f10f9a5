"""The kinship word for a member, in the viewer's language.

The English strings are keys; their Danish translations are the exact Danish
kinship words (mormor, farbror, halvsøster, papfar, …). Greenlandic has no
confirmed equivalents for most: its translations use general relation words.
"""

from fgc.i18n import lazy_gettext as _l
from fgc.network.models import RELATIONS

# (relation, side, gender) -> word; side or gender None matches any.
WORDS = {
    ("birth_parent", None, "female"): _l("mother"),
    ("birth_parent", None, "male"): _l("father"),
    ("adoptive_parent", None, "female"): _l("adoptive mother"),
    ("adoptive_parent", None, "male"): _l("adoptive father"),
    ("foster_parent", None, "female"): _l("foster mother"),
    ("foster_parent", None, "male"): _l("foster father"),
    ("step_parent", None, "female"): _l("stepmother"),
    ("step_parent", None, "male"): _l("stepfather"),
    ("grandparent", "maternal", "female"): _l("maternal grandmother"),
    ("grandparent", "maternal", "male"): _l("maternal grandfather"),
    ("grandparent", "paternal", "female"): _l("paternal grandmother"),
    ("grandparent", "paternal", "male"): _l("paternal grandfather"),
    ("grandparent", None, "female"): _l("grandmother"),
    ("grandparent", None, "male"): _l("grandfather"),
    ("great_grandparent", None, "female"): _l("great-grandmother"),
    ("great_grandparent", None, "male"): _l("great-grandfather"),
    ("sibling", None, "female"): _l("sister"),
    ("sibling", None, "male"): _l("brother"),
    ("half_sibling", None, "female"): _l("half-sister"),
    ("half_sibling", None, "male"): _l("half-brother"),
    ("aunt_uncle", "maternal", "female"): _l("aunt (mother's sister)"),
    ("aunt_uncle", "maternal", "male"): _l("uncle (mother's brother)"),
    ("aunt_uncle", "paternal", "female"): _l("aunt (father's sister)"),
    ("aunt_uncle", "paternal", "male"): _l("uncle (father's brother)"),
    ("aunt_uncle", None, "female"): _l("aunt"),
    ("aunt_uncle", None, "male"): _l("uncle"),
    ("cousin", None, "female"): _l("female cousin"),
    ("cousin", None, "male"): _l("male cousin"),
}


def kinship_word(relation, side=None, gender=None):
    """The most exact word the language has for this relation."""
    for key in ((relation, side, gender), (relation, None, gender)):
        if key in WORDS:
            return WORDS[key]
    return RELATIONS.get(relation, relation)
