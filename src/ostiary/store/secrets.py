"""Encryption of secrets at rest (client secrets, API signing secrets, private keys, connection secrets).

Fernet (AES-128-CBC + HMAC-SHA256) from `cryptography`, keyed by OSTIARY_MASTER_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from ostiary.errors import AdminError
from ostiary.settings import Settings

# Connection option keys whose values are secrets.
SECRET_OPTION_KEYS = frozenset({"client_secret", "app_secret", "consumer_secret", "signing_key", "twilio_token"})


class SecretBox:
    def __init__(self, master_key: str) -> None:
        digest = hashlib.sha256(master_key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))
        self._hash_key = hashlib.sha256(b"ostiary keyed hash\0" + master_key.encode()).digest()

    def keyed_hash(self, value: str) -> str:
        """HMAC-SHA256 (hex) under a key derived from the master key: a stable id for a value that no one
        without the key can confirm a guess against (passwordless identities are named by one)."""
        return hmac.new(self._hash_key, value.encode(), hashlib.sha256).hexdigest()

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise AdminError(
                "a stored secret cannot be decrypted: OSTIARY_MASTER_KEY is not the one it was written with"
            ) from exc

    def encrypt_options(self, options: dict[str, Any]) -> dict[str, Any]:
        return {
            k: {"$enc": self.encrypt(v)} if k in SECRET_OPTION_KEYS and isinstance(v, str) else v
            for k, v in options.items()
        }

    def decrypt_options(self, options: dict[str, Any]) -> dict[str, Any]:
        return {
            k: self.decrypt(v["$enc"]) if isinstance(v, dict) and set(v) == {"$enc"} else v
            for k, v in options.items()
        }


def resolve_master_key(settings: Settings) -> str:
    """The configured master key; for a local SQLite file, one generated beside it on first use."""
    if settings.master_key:
        return settings.master_key
    db_path = settings.sqlite_path
    if db_path is None:
        if settings.is_sqlite:  # in-memory SQLite: nothing outlives the process anyway
            return secrets.token_urlsafe(32)
        raise AdminError("OSTIARY_MASTER_KEY is required when the database is not a local SQLite file")
    key_file = Path(str(db_path) + ".masterkey")
    if key_file.exists():
        return key_file.read_text().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key
