"""What the password_hash column holds for imported hashes, how login verifies it and that it is rehashed."""

from __future__ import annotations

import hashlib

import bcrypt
import pytest

from ostiary import passwords
from ostiary.password_hashes import stored
from ostiary.password_hashes.custom import HashSpecError


def test_bcrypt_is_stored_as_is_and_2y_as_2b() -> None:
    made = bcrypt.hashpw(b"pw", bcrypt.gensalt(rounds=4)).decode()
    assert stored.from_import(made, None) == made
    assert stored.from_import("$2y$" + made[4:], None) == "$2b$" + made[4:]
    assert stored.to_export(made) == {"password_hash": made}


def test_custom_specs_round_trip_through_the_column() -> None:
    spec = {"algorithm": "sha256", "hash": {"value": hashlib.sha256(b"pw").hexdigest(), "encoding": "hex"}}
    column = stored.from_import(None, spec)
    assert column is not None and column.startswith(stored.CUSTOM_MARKER)
    assert stored.to_export(column) == {"custom_password_hash": spec}
    assert stored.from_import(None, stored.to_export(column)["custom_password_hash"]) == column


def test_both_hash_fields_are_refused() -> None:
    with pytest.raises(HashSpecError, match="not allowed together"):
        stored.from_import("$2b$04$" + "a" * 53, {"algorithm": "md5", "hash": {"value": "00", "encoding": "hex"}})


def test_login_verifies_an_imported_hash_and_asks_for_ostiarys_hash() -> None:
    column = stored.from_import(None, {"algorithm": "md5", "hash": {"value": hashlib.md5(b"pw").hexdigest(),  # noqa: S324
                                                                     "encoding": "hex"}})
    assert column is not None
    assert passwords.verify_password(column, "pw") is True
    assert passwords.verify_password(column, "pw2") is False
    assert passwords.needs_rehash(column) is True
    replaced = passwords.hash_password("pw")
    assert passwords.needs_rehash(replaced) is False and passwords.verify_password(replaced, "pw")


def test_a_corrupt_custom_column_verifies_nothing() -> None:
    assert passwords.verify_password(stored.CUSTOM_MARKER + "{not json", "pw") is False
    assert passwords.verify_password("$2b$10$short", "pw") is False
