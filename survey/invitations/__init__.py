"""Personal invitation links: tokens, their life cycle, and the participant's way in."""
