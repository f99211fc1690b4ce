"""The `password_hash` column for imported hashes, and back to Auth0's import fields for export.

bcrypt and argon2 hashes are stored as they are (their strings carry every parameter); any other
custom_password_hash is stored as its checked spec behind a marker no hash library produces.
"""

from __future__ import annotations

import json
from typing import Any

import bcrypt

from ostiary.password_hashes import custom

CUSTOM_MARKER = "$auth0-custom$"


def from_import(password_hash: Any, custom_password_hash: Any) -> str | None:
    """What to store for a user's import fields (Auth0: the two are mutually exclusive); raises HashSpecError."""
    if password_hash is not None and custom_password_hash is not None:
        raise custom.HashSpecError("password_hash: not allowed together with custom_password_hash")
    if password_hash is not None:
        return custom.bcrypt_hash(password_hash)
    if custom_password_hash is None:
        return None
    spec = custom.check(custom_password_hash)
    if spec["algorithm"] in ("bcrypt", "argon2") and "salt" not in spec and "password" not in spec:
        return str(spec["hash"]["value"])
    return CUSTOM_MARKER + json.dumps(spec, separators=(",", ":"), sort_keys=True)


def to_export(stored: str) -> dict[str, Any]:
    """The import field that recreates this stored hash: password_hash (bcrypt) or custom_password_hash."""
    if stored.startswith(CUSTOM_MARKER):
        return {"custom_password_hash": json.loads(stored[len(CUSTOM_MARKER) :])}
    if stored.startswith("$2"):
        return {"password_hash": stored}
    return {"custom_password_hash": {"algorithm": "argon2", "hash": {"value": stored, "encoding": "utf8"}}}


def is_foreign(stored: str) -> bool:
    """Not an argon2 hash: verified here, and always replaced by Ostiary's hash at the next good login."""
    return not stored.startswith("$argon2")


def verify_foreign(stored: str, password: str) -> bool:
    try:
        if stored.startswith(CUSTOM_MARKER):
            return custom.verify(json.loads(stored[len(CUSTOM_MARKER) :]), password)
        return bool(bcrypt.checkpw(password.encode(), stored.encode()))
    except (ValueError, KeyError, TypeError):
        return False
