"""At the clinic: staff hand a device over so a participant answers there (clinic mode)."""
