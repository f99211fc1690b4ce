"""Issue 22: which errors mean "the database is unreachable", and what counts as a strong master key."""

from __future__ import annotations

import secrets
import sqlite3

import asyncpg
import pytest
from sqlalchemy import exc as sa_exc

from ostiary.errors import AdminError
from ostiary.store.key_check import check_key_strength
from ostiary.store.outage import is_database_unavailable


def _wrapped(orig: BaseException, **kwargs: bool) -> sa_exc.DBAPIError:
    return sa_exc.DBAPIError("SELECT 1", None, orig, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(111, "Connection refused"),
        OSError("Multiple exceptions: [Errno 111] Connect call failed ('::1', 5432, 0, 0), [Errno 111] Connect call "
                "failed ('127.0.0.1', 5432)"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        _wrapped(Exception("boom"), connection_invalidated=True),
        sqlite3.OperationalError("unable to open database file"),
        TimeoutError(),
    ],
)
def test_unreachable_database_errors(exc: BaseException) -> None:
    assert is_database_unavailable(exc)


def test_an_unreachable_error_is_found_through_its_causes() -> None:
    try:
        try:
            raise ConnectionResetError(104, "reset by peer")
        except ConnectionResetError as inner:
            raise RuntimeError("while running a query") from inner
    except RuntimeError as outer:
        assert is_database_unavailable(outer)


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("bad"),
        FileNotFoundError(2, "No such file"),
        sqlite3.OperationalError("database is locked"),
        sqlite3.IntegrityError("UNIQUE constraint failed"),
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
        _wrapped(Exception("syntax error"), connection_invalidated=False),
    ],
)
def test_other_errors_are_not_outages(exc: BaseException) -> None:
    assert not is_database_unavailable(exc)


def test_a_generated_key_is_strong_enough() -> None:
    check_key_strength(secrets.token_urlsafe(32))
    check_key_strength(secrets.token_urlsafe(64))


@pytest.mark.parametrize(
    "key",
    # Fixed values: pytest-xdist workers must collect the same test ids.
    ["short", "test-master-key-not-for-production", "A" * 41, "!" * 60, "0123456789abcdef" * 2],
)
def test_weak_or_malformed_keys_are_refused(key: str) -> None:
    with pytest.raises(AdminError, match="256 bits"):
        check_key_strength(key)
