"""Why a message could not be sent, said without personal data."""
import re

#: Anything that looks like an e-mail address or a phone number.
PERSONAL = re.compile(r"[^\s@<>'\"(),;:]+@[^\s@<>'\"(),;:]+|\+?\d[\d ()-]{6,}\d")
MAX_LENGTH = 300


class MessagingError(ValueError):
    """A message that cannot be sent as asked (e.g. no address); the message says why."""


class SendError(RuntimeError):
    """A backend failed to hand a message on; its text is safe to store and log."""


def safe_error_text(error):
    """`error` as one short line, with addresses and numbers it may echo taken out."""
    text = f"{type(error).__name__}: {error}" if not isinstance(error, str) else error
    text = PERSONAL.sub("[…]", " ".join(text.split()))
    return text if len(text) <= MAX_LENGTH else text[:MAX_LENGTH - 1] + "…"
