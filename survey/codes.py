"""The codes the system stores and compares, each defined once.

Codes are for the database, the CLI and the exports' raw columns; people read them
through survey/labels.py (or the audit's words), never as they are.
"""

#: The languages participants read and the instruments are written in, Danish first.
LANGUAGES = ("da", "en")
