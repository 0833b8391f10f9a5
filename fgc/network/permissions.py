"""Who may see a network member's contact details."""


def can_see_contact_details(user, member):
    """Staff see everyone's. A family member never sees a restricted person's
    contact details (nor the child's address, which only staff pages show)."""
    if user.is_staff:
        return True
    return not member.is_restricted and not member.hide_contact_from_family
