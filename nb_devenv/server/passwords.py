"""IAM passwords of the local server's projects: only a salted scrypt hash is ever stored.

A copy of ``state.sqlite3`` therefore hands out no password; ``credentials.json`` (mode 600,
its owner's) is the one place a project's password is written in the clear.
"""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["hash_password", "password_matches", "is_password_hash"]

_SCHEME = "scrypt"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # ~60 ms and 16 MiB per check: cheap here, dear for a guesser


def hash_password(password: str) -> str:
    """``scrypt$<salt hex>$<hash hex>`` for ``password``, with a fresh random salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"{_SCHEME}${salt.hex()}${digest.hex()}"


def is_password_hash(stored: str) -> bool:
    return stored.startswith(f"{_SCHEME}$") and stored.count("$") == 2


def password_matches(password: str, stored: str) -> bool:
    """Whether ``password`` is the one ``stored`` was made from (constant-time comparison)."""
    if not is_password_hash(stored):
        return False
    _, salt, expected = stored.split("$")
    try:
        digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), dklen=32, **_SCRYPT)
    except ValueError:
        return False
    return secrets.compare_digest(digest.hex(), expected)
