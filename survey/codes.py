"""The codes the system stores and compares, each defined once.

Codes are for the database (CHECK constraints use these tuples), the audit chain, the
command line and the exports' raw columns; people read them through the words in
survey/labels.py, never as they are (tests/dashboard/test_codes_in_words.py checks).
"""

#: The languages participants read and the instruments are written in, Danish first.
LANGUAGES = ("da", "en")
#: A participant's status; everyone starts active.
STATUSES = ("active", "withdrawn", "deceased")
#: Ways of contact: a participant's channel, and the channel a message goes by.
CHANNELS = ("email", "sms", "letter")
#: What a message is for.
PURPOSES = ("invitation", "reminder")
#: How a response was given.
MODES = ("web", "paper", "clinic")
#: Where a participant is in the round, in the order of the way through it (the follow-up
#: page lists them so; participants/state.py ranks them to choose one).
STATES = ("not_invited", "invited", "opened", "in_progress", "expired", "paper_received",
          "submitted_web", "submitted_clinic", "submitted_paper", "withdrawn", "deceased")
#: An answer's state: multiple_marks and unreadable come from paper; every state but
#: answered scores as missing.
ANSWER_STATES = ("answered", "not_answered", "multiple_marks", "unreadable")
#: A response's place among a participant's duplicates (web and paper for one time point).
DUPLICATE_STATES = ("pending", "counts", "does_not_count")
#: Where a paper form is on its way to verified.
FORM_STATUSES = ("awaiting_second_entry", "awaiting_verification", "discrepancy", "verified")
