"""Print development settings for ``make run``: a secret key and a Fernet key.

The Makefile keeps the output in instance/dev.env and loads it into the
environment; the app itself only ever reads the environment.
"""

import secrets

from .crypto import generate_key

if __name__ == "__main__":
    print(f"SECRET_KEY={secrets.token_hex(32)}")
    print(f"ENCRYPTION_KEYS={generate_key()}")
