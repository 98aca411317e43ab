"""Append-only, hash-chained audit trail, and the log of staff access to participant data."""
