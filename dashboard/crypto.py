"""Encryption of stored secrets with a ring of Fernet keys.

The first key of the ring encrypts; every key of the ring can decrypt, so a key
can be rotated in by putting it first and retired once nothing uses it.
"""

import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class KeyRingError(ValueError):
    """The configured encryption keys cannot be used."""


class SecretUnreadable(Exception):
    """A stored secret was encrypted with a key that is not in the ring."""


class KeyRing:
    """Encrypt with the first key and decrypt with any key of the ring."""

    def __init__(self, keys: list[str]):
        if not keys:
            raise KeyRingError("no encryption key is configured")

        fernets = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.encode("ascii")))
            except (ValueError, UnicodeEncodeError) as error:
                raise KeyRingError(
                    f"encryption key {position} is not a valid Fernet key "
                    "(32 url-safe base64-encoded bytes)"
                ) from error

        self._ring = MultiFernet(fernets)

    @classmethod
    def from_setting(cls, setting: str) -> "KeyRing":
        """Build a ring from a comma-separated list of keys."""
        return cls([key.strip() for key in setting.split(",") if key.strip()])

    def encrypt(self, plaintext: str) -> str:
        return self._ring.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._ring.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as error:
            raise SecretUnreadable("no key of the ring decrypts this secret") from error

    def rotate(self, token: str) -> str:
        """Re-encrypt ``token`` with the first key of the ring."""
        try:
            return self._ring.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken as error:
            raise SecretUnreadable("no key of the ring decrypts this secret") from error


def generate_key() -> str:
    """Return a new Fernet key as text."""
    return Fernet.generate_key().decode("ascii")


def hash_api_key(key: str) -> str:
    """Hash an API key for storage.

    API keys carry 192 random bits, so a plain SHA-256 is enough: there is no
    low-entropy input for a slow hash to protect.
    """
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_api_key() -> str:
    return "sk-" + secrets.token_hex(24)


def same_digest(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode("ascii"), right.encode("ascii"))
