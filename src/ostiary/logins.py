"""The one normalisation of what a person types as their login (email or username), at signup and login alike.

NFKC folds compatibility forms (full-width `ＡＬＩＣＥ`, ligatures, composed/decomposed accents) into one
spelling and the result is lower-cased, so two accounts can never differ only by such a spelling and a
brute-force counter cannot be dodged by rotating them (catalogue IN-08). Confusables from other scripts
(Cyrillic `і` for Latin `i`) are different characters and stay different logins, as in RFC 8265's profiles.
"""

from __future__ import annotations

import re
import unicodedata

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# A database connection without a passwordPolicy option (connections/password_policy.py); the cap keeps
# hashing from being abused.
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128


def is_email(value: str) -> bool:
    """The email syntax signup and the admin commands accept."""
    return _EMAIL.fullmatch(value.strip()) is not None


def normalize_login(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().lower()


def normalize_username(value: str) -> str:
    """Usernames keep their case (lookups compare case-insensitively) but not compatibility spellings."""
    return unicodedata.normalize("NFKC", value).strip()
