"""Short codes a person reads off paper and types on a phone: eight characters with no
0/O or 1/I/L, shown as 'ABCD-EFGH', accepted in any case, with spaces or dashes."""
import re
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
_CODE = re.compile(f"[{ALPHABET}]{{{CODE_LENGTH}}}")


def new_code():
    """A new random code, as it is kept: 'ABCDEFGH' (31^8 possibilities)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def shown(code):
    """As printed: 'ABCD-EFGH'."""
    return f"{code[:4]}-{code[4:]}"


def normalise(code):
    """The code as typed, in capitals without spaces or dashes; None when it cannot be one."""
    if not isinstance(code, str) or len(code) > 40:
        return None
    plain = re.sub(r"[\s\-\u2010-\u2015]", "", code).upper()
    return plain if _CODE.fullmatch(plain) else None
