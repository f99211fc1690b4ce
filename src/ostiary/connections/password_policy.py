"""A database connection's password policy (Auth0's `passwordPolicy` option: none, low, fair, good, excellent).

Without the option Ostiary keeps its 8-character minimum. Used by: signup, the password-reset page, the admin
doors (CLI, import, Management API).
"""

from __future__ import annotations

import re
from typing import Any

from ostiary.errors import DbConnectionError
from ostiary.logins import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

# policy: (minimum length, how many of lower/upper/digit/special are required, which of them)
_POLICIES: dict[str, tuple[int, int, tuple[str, ...]]] = {
    "none": (1, 0, ()),
    "low": (6, 0, ()),
    "fair": (8, 3, ("lower", "upper", "digit")),
    "good": (8, 3, ("lower", "upper", "digit", "special")),
    "excellent": (10, 3, ("lower", "upper", "digit", "special")),
}
_CLASSES = {
    "lower": re.compile(r"[a-z]"),
    "upper": re.compile(r"[A-Z]"),
    "digit": re.compile(r"[0-9]"),
    "special": re.compile(r"[^A-Za-z0-9]"),
}
_REPEATS = re.compile(r"(.)\1\1")


def password_problem(password: str, options: dict[str, Any] | None = None) -> str | None:
    """Why `password` breaks the connection's policy, or None when it passes."""
    options = options or {}
    policy = options.get("passwordPolicy")
    min_length, needed, classes = _POLICIES.get(str(policy), (MIN_PASSWORD_LENGTH, 0, ()))
    complexity = options.get("password_complexity_options")
    if isinstance(complexity, dict) and isinstance(complexity.get("min_length"), int):
        min_length = max(1, complexity["min_length"])
    if len(password) < min_length:
        return f"Password is too weak: at least {min_length} characters are required"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Password is too long: at most {MAX_PASSWORD_LENGTH} characters"
    present = [c for c in classes if _CLASSES[c].search(password)]
    if len(present) < min(needed, len(classes)):
        return f"Password is too weak: it needs at least {needed} of: " + ", ".join(
            {"lower": "lower case letters", "upper": "upper case letters", "digit": "numbers",
             "special": "special characters"}[c] for c in classes)
    if policy == "excellent" and _REPEATS.search(password):
        return "Password is too weak: no more than 2 identical characters in a row"
    return None


def check_password(password: str, options: dict[str, Any] | None = None) -> None:
    """Auth0's PasswordStrengthError (invalid_password) when the policy is not met."""
    problem = password_problem(password, options)
    if problem:
        raise DbConnectionError("invalid_password", problem, name="PasswordStrengthError")
