"""The coordinator's screens for a submitted response: notes, exclusion, requested changes.

The rules they apply are in survey/responses/clarifications.py.
"""
