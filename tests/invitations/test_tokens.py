"""Invitation tokens: KEY.SIGNATURE, unguessable, and refused when altered in any way."""
import string

import pytest
from itsdangerous import Signer

from survey.invitations.tokens import (
    SALT,
    key_from_token,
    link_for_key,
    new_invitation_key,
    token_fingerprint,
    token_for_key,
)

from ..conftest import BASE_URL

URL_SAFE = string.ascii_letters + string.digits + "-_"
pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def key():
    return new_invitation_key()


@pytest.fixture
def token(key):
    return token_for_key(key)


def test_key_is_128_random_bits_url_safe():
    key = new_invitation_key()
    assert len(key) == 22  # 16 bytes in URL-safe base64 without padding
    assert set(key) <= set(URL_SAFE)


def test_keys_do_not_repeat():
    keys = {new_invitation_key() for _ in range(5000)}
    assert len(keys) == 5000


def test_keys_use_the_whole_alphabet():
    """Random keys, not a counter or a timestamp: all 64 characters turn up at the start."""
    first_characters = {new_invitation_key()[0] for _ in range(3000)}
    assert first_characters == set(URL_SAFE)


def test_token_is_key_dot_signature(key, token):
    signed_key, signature = token.split(".")
    assert signed_key == key
    assert len(token) == 50 and set(signature) <= set(URL_SAFE)
    assert key_from_token(token) == key


def test_token_depends_on_the_secret_key(app, key, token):
    app.config["SECRET_KEY"] = "another-secret-key"
    assert token_for_key(key) != token
    assert key_from_token(token) is None


def test_token_signed_with_another_secret_key_is_refused(key):
    forged = Signer("not-the-app-secret", salt=SALT).sign(key).decode("ascii")
    assert key_from_token(forged) is None


def test_token_signed_for_another_purpose_is_refused(app, key):
    """The same secret key signing something else (other salt) does not make a link."""
    other = Signer(app.config["SECRET_KEY"], salt="something-else").sign(key).decode("ascii")
    assert key_from_token(other) is None


def test_every_single_character_change_is_refused(token):
    changed = 0
    for position, original in enumerate(token):
        for replacement in URL_SAFE + ".":
            if replacement != original:
                altered = token[:position] + replacement + token[position + 1:]
                assert key_from_token(altered) is None, (position, original, replacement)
                changed += 1
    assert changed == 50 * 64


def test_swapped_signature_of_another_key_is_refused(key, token):
    other_signature = token_for_key(new_invitation_key()).split(".")[1]
    assert key_from_token(f"{key}.{other_signature}") is None


@pytest.mark.parametrize("cut", [
    lambda t: t[:-1], lambda t: t[:-4], lambda t: t[:23], lambda t: t[:22], lambda t: t[:10],
    lambda t: t[1:], lambda t: t.split(".")[1], lambda t: "." + t.split(".")[1],
], ids=["last-char", "last-4", "no-signature", "no-dot", "part-of-key", "first-char",
        "signature-only", "dot-signature"])
def test_truncated_token_is_refused(token, cut):
    assert key_from_token(cut(token)) is None


@pytest.mark.parametrize("extra", ["=", "==", "A", ".", " ", "\n", "%20", "\x00"])
def test_token_with_something_appended_is_refused(token, extra):
    assert key_from_token(token + extra) is None


@pytest.mark.parametrize("bad", ["", ".", "..", "not-a-token", "a.b", " " * 50])
def test_empty_or_malformed_token_is_refused(bad):
    assert key_from_token(bad) is None


@pytest.mark.parametrize("where", ["start", "key", "signature", "end"])
@pytest.mark.parametrize("character", ["æ", "ø", "Å", "\u00a0", "\u200b", "😀"])
def test_non_ascii_token_is_refused(token, where, character):
    key, signature = token.split(".")
    altered = {
        "start": character + token,
        "key": f"{key[:5]}{character}{key[5:]}.{signature}",
        "signature": f"{key}.{signature[:5]}{character}{signature[5:]}",
        "end": token + character,
    }[where]
    assert key_from_token(altered) is None


def test_correctly_signed_non_ascii_key_is_refused(app):
    """Even a validly signed token must carry an ASCII key."""
    token = Signer(app.config["SECRET_KEY"], salt=SALT).sign("nøgle".encode()).decode("utf-8")
    assert key_from_token(token) is None


def test_link_is_short_enough_for_an_sms(app, key):
    assert app.config["SURVEY_BASE_URL"] == BASE_URL
    link = link_for_key(key)
    assert link == f"{BASE_URL}/i/{token_for_key(key)}"
    assert len(link) <= 80


def test_fingerprint_names_a_token_without_revealing_it(key, token):
    fingerprint = token_fingerprint(token)
    assert len(fingerprint) == 12
    assert fingerprint == token_fingerprint(token)
    assert fingerprint != token_fingerprint(token_for_key(new_invitation_key()))
    for part in (token, key, token.split(".")[1]):
        assert part not in fingerprint
    # no run of 6 characters of the token or its key shows up in the fingerprint
    assert not any(token[i:i + 6] in fingerprint for i in range(len(token) - 5))


@pytest.mark.parametrize("odd", ["", "æøå", "\udcff", "x" * 1000])
def test_fingerprint_of_any_string_never_fails(odd):
    assert len(token_fingerprint(odd)) == 12
