"""Does OSTIARY_MASTER_KEY open this database's secrets? Checked by `ostiary serve` before it takes traffic.

A wrong key is otherwise found by the first request that needs a secret (a 500 on every token request). The
database keeps one value encrypted with the key (table master_key_check); a database from before that table
was filled is checked against one of its stored secrets instead, and the check value is written then.
"""

from __future__ import annotations

import base64
import binascii
import time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from ostiary.errors import AdminError
from ostiary.store.db import create_sessionmaker
from ostiary.store.models import Client, MasterKeyCheck, SigningKey
from ostiary.store.secrets import SecretBox

CHECK_TEXT = "ostiary master key check"
MIN_KEY_BYTES = 32
WRONG_KEY = (
    "OSTIARY_MASTER_KEY does not decrypt this database's secrets: set it to the key the database was created "
    "with (a new key cannot read secrets written under the old one)"
)


def check_key_strength(master_key: str) -> None:
    """At least 256 bits: a urlsafe-base64 value of 32 bytes or more, as `secrets.token_urlsafe(32)` makes."""
    try:
        raw = base64.urlsafe_b64decode(master_key + "=" * (-len(master_key) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) < MIN_KEY_BYTES or base64.urlsafe_b64encode(raw).rstrip(b"=") != master_key.rstrip("=").encode():
        raise AdminError(
            "OSTIARY_MASTER_KEY is too weak: it must be a urlsafe-base64 value of at least 32 bytes (256 bits); "
            "make one with `python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
        )


async def verify_master_key(engine: AsyncEngine, box: SecretBox) -> None:
    """Raise AdminError(WRONG_KEY) when the key does not decrypt the check value or a stored secret."""
    async with create_sessionmaker(engine)() as session:
        check = await session.get(MasterKeyCheck, 1)
        if check is not None:
            _decrypts(box, check.token)
            return
        sample = await session.scalar(select(SigningKey.private_key_enc).limit(1))
        if sample is None:
            sample = await session.scalar(
                select(Client.client_secret_enc).where(Client.client_secret_enc.is_not(None)).limit(1)
            )
        if sample is not None:
            _decrypts(box, sample)
        session.add(MasterKeyCheck(id=1, token=box.encrypt(CHECK_TEXT), created_at=time.time()))
        try:
            await session.commit()
        except IntegrityError:  # another process wrote it first: check theirs
            await session.rollback()
            written = await session.get(MasterKeyCheck, 1, populate_existing=True)
            if written is not None:
                _decrypts(box, written.token)


def _decrypts(box: SecretBox, token: str) -> None:
    try:
        box.decrypt(token)
    except AdminError as exc:
        raise AdminError(WRONG_KEY) from exc
