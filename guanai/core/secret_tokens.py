"""The bearer tokens of feeds, teachers' links and phone sessions: random, stored hashed.

A token is ``secrets.token_urlsafe(32)`` (256 bits), shown once; the database keeps only its
SHA-256. A token is unguessable, so an unsalted, fast hash is enough, and the hash is what the
unique index looks up.
"""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 32
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")
"""The shape of a token from ``secrets.token_urlsafe(32)``; anything else is not looked up."""


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: str) -> bool:
    return TOKEN_PATTERN.match(token) is not None
