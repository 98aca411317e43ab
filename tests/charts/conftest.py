from ..paper.conftest import people  # noqa: F401 (fixture used here too)
