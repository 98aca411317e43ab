from argon2 import extract_parameters

from survey import create_app
from survey.staff.passwords import hash_password


def test_production_hashing_is_argon2id_at_or_above_owasp_minimum(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}"})
    with app.app_context():
        hashed = hash_password("a long and unusual test passphrase")
    parameters = extract_parameters(hashed)
    assert hashed.startswith("$argon2id$")
    # OWASP Password Storage Cheat Sheet: Argon2id with m >= 19 MiB, t >= 2, p >= 1.
    assert parameters.memory_cost >= 19 * 1024
    assert parameters.time_cost >= 2
    assert parameters.parallelism >= 1
