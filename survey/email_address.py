"""One check for every e-mail address the system accepts: CLI, import, web, staff accounts.

Done by the email-validator library rather than a pattern: a pattern let
`victim<attacker@evil.example>` through (the mail then went to the attacker),
and broke on non-ASCII addresses. Accepted is one plain address, no display
name, no comments. An international domain is stored in its ASCII (IDNA) form,
which every mail server takes. For an address the system sends mail to (a
participant's), a local part (before the @) that is not ASCII is refused: it
needs SMTPUTF8, which the study's mail server cannot be assumed to offer. Staff
addresses are only login names (no mail is sent to them), so they may have one.
Deliverability is not checked: there is no DNS here, and a typo in a
valid-looking address shows up as a bounce, which staff see.
"""
from email_validator import EmailNotValidError, validate_email


def normalise_email(text, mailed=True):
    """The address to store (domain in ASCII, lower case), or None if `text` is not
    exactly one plain e-mail address (with an ASCII local part if it is `mailed`)."""
    if not isinstance(text, str) or text != text.strip():
        return None
    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=not mailed,
                                 allow_display_name=False, allow_quoted_local=False,
                                 allow_domain_literal=False)
    except EmailNotValidError:
        return None
    return checked.ascii_email or f"{checked.local_part}@{checked.ascii_domain}"
