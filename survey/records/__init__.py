"""A certified copy of one participant's record as PDF, and the check that a copy is exact."""
