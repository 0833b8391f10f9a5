from fgc.extensions import db
from fgc.sso.models import OIDC, STAFF_SIGN_IN, IdentityProvider


def provider(org, protocol=OIDC, audience=STAFF_SIGN_IN, **fields):
    made = IdentityProvider(organisation_id=org.id, name=fields.pop("name", "Kommunens login"), protocol=protocol,
                            audience=audience, **fields)
    db.session.add(made)
    db.session.flush()
    return made
