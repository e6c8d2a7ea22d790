"""The key ring that encrypts stored secrets, and the API key helpers."""

import re

import pytest
from cryptography.fernet import Fernet

from dashboard import ConfigError, create_app
from dashboard.crypto import (
    KeyRing,
    KeyRingError,
    SecretUnreadable,
    generate_key,
    hash_api_key,
    new_api_key,
    same_digest,
)

K1 = Fernet.generate_key().decode()
K2 = Fernet.generate_key().decode()
SECRET = "tok_live_6f2a9c81d4e7"


def test_encrypted_text_does_not_contain_the_secret():
    token = KeyRing([K1]).encrypt(SECRET)

    assert SECRET not in token
    assert KeyRing([K1]).decrypt(token) == SECRET


def test_a_ring_decrypts_with_its_second_key():
    token = KeyRing([K1]).encrypt(SECRET)

    assert KeyRing([K2, K1]).decrypt(token) == SECRET


def test_a_ring_encrypts_with_its_first_key():
    token = KeyRing([K2, K1]).encrypt(SECRET)

    assert KeyRing([K2]).decrypt(token) == SECRET
    with pytest.raises(SecretUnreadable):
        KeyRing([K1]).decrypt(token)


def test_rotate_re_encrypts_with_the_first_key():
    old_token = KeyRing([K1]).encrypt(SECRET)

    new_token = KeyRing([K2, K1]).rotate(old_token)

    assert new_token != old_token
    assert KeyRing([K2]).decrypt(new_token) == SECRET
    with pytest.raises(SecretUnreadable):
        KeyRing([K1]).decrypt(new_token)


def test_a_key_outside_the_ring_cannot_decrypt_or_rotate():
    token = KeyRing([K1]).encrypt(SECRET)

    with pytest.raises(SecretUnreadable) as caught:
        KeyRing([K2]).decrypt(token)
    assert SECRET not in str(caught.value)
    with pytest.raises(SecretUnreadable):
        KeyRing([K2]).rotate(token)


def test_tampered_text_is_unreadable():
    token = KeyRing([K1]).encrypt(SECRET)
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]

    with pytest.raises(SecretUnreadable):
        KeyRing([K1]).decrypt(tampered)


def test_ring_from_setting_splits_on_commas_and_ignores_blanks():
    ring = KeyRing.from_setting(f" {K2} , ,{K1},")

    assert KeyRing([K2]).decrypt(ring.encrypt(SECRET)) == SECRET
    assert ring.decrypt(KeyRing([K1]).encrypt(SECRET)) == SECRET
    with pytest.raises(SecretUnreadable):
        KeyRing([K1]).decrypt(ring.encrypt(SECRET))


@pytest.mark.parametrize("setting", ["", " , ,"])
def test_an_empty_setting_is_refused(setting):
    with pytest.raises(KeyRingError, match="no encryption key"):
        KeyRing.from_setting(setting)


@pytest.mark.parametrize(
    "bad_key",
    ["not-a-fernet-key", K1[:-2], "é" * 44, "A" * 43 + "!"],
    ids=["short", "truncated", "non-ascii", "bad-char"],
)
def test_a_malformed_key_is_named_by_position_only(bad_key):
    with pytest.raises(KeyRingError) as caught:
        KeyRing([K1, bad_key])

    message = str(caught.value)
    assert "encryption key 2" in message
    assert bad_key not in message
    assert K1 not in message


def test_create_app_refuses_a_malformed_key_without_showing_it(monkeypatch, tmp_path):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    bad_key = "my-very-secret-but-malformed-key"

    with pytest.raises(ConfigError) as caught:
        create_app(
            {
                "SECRET_KEY": "s",
                "ENCRYPTION_KEYS": f"{K1},{bad_key}",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
            }
        )

    message = str(caught.value)
    assert "ENCRYPTION_KEYS" in message
    assert "encryption key 2 is not a valid Fernet key" in message
    assert bad_key not in message
    assert K1 not in message
    assert caught.value.__cause__ is None


def test_generated_keys_are_usable_and_distinct():
    first, second = generate_key(), generate_key()

    assert first != second
    assert KeyRing([first]).decrypt(KeyRing([first]).encrypt("x")) == "x"


def test_new_api_keys_look_like_the_contract_says():
    key = new_api_key()

    assert re.fullmatch(r"sk-[0-9a-f]{48}", key)
    assert new_api_key() != key


def test_api_key_hash_is_stable_and_hides_the_key():
    key = new_api_key()

    digest = hash_api_key(key)

    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert digest == hash_api_key(key)
    assert key[3:] not in digest
    assert same_digest(digest, hash_api_key(key))
    assert not same_digest(digest, hash_api_key(new_api_key()))
