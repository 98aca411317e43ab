"""Paper questionnaires keyed in by staff, twice, and verified before they count."""
