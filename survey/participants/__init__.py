"""Trial participants, known only by study ID."""
