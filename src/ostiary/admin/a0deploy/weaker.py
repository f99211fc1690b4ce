"""Settings whose absence makes the tenant less safe on Ostiary than on Auth0: the import stops on the first
one (one line naming it) unless --accept-weaker. Read from the file before left_out.strip removes them."""

from __future__ import annotations

from typing import Any

from ostiary.protection.brute_force import MAX_ATTEMPTS
from ostiary.store.repositories.mfa import SERVED_FACTORS

MFA_REQUIRING_POLICIES = ("all-applications", "confidence-score")
_ENABLE_FLAGS = ("password_history", "password_dictionary", "password_no_personal_info")


def _enabled(value: Any, key: str = "enable") -> bool:
    return isinstance(value, dict) and value.get(key) is True


def _database(index: int, item: dict[str, Any]) -> list[str]:
    options = item.get("options") if isinstance(item.get("options"), dict) else {}
    assert isinstance(options, dict)
    where = f"databases[{index}] ({item.get('name')}).options"
    found = []
    found += [f"{where}.{flag}: enabled on Auth0, not enforced by Ostiary" for flag in _ENABLE_FLAGS
              if _enabled(options.get(flag))]
    return found


def _mfa(doc: dict[str, Any]) -> list[str]:
    """MFA required on Auth0 through factors Ostiary does not serve (sms, push, ...): no one would be challenged."""
    section = doc.get("guardianPolicies")
    policies = section.get("policies") if isinstance(section, dict) else None
    required = [p for p in policies or [] if p in MFA_REQUIRING_POLICIES]
    factors = doc.get("guardianFactors")
    enabled = {f.get("name") for f in factors if isinstance(f, dict) and f.get("enabled") is True} \
        if isinstance(factors, list) else set()
    if required and enabled and not enabled & SERVED_FACTORS:
        return [f"guardianPolicies.policies: {required[0]!r} requires MFA on Auth0 with factors Ostiary does not "
                f"serve ({', '.join(sorted(map(str, enabled)))}); enable otp"]
    return []


def findings(doc: dict[str, Any]) -> list[str]:
    found: list[str] = []
    found += _mfa(doc)
    databases = doc.get("databases")
    for index, item in enumerate(databases if isinstance(databases, list) else []):
        if isinstance(item, dict):
            found += _database(index, item)
    protection = doc.get("attackProtection") if isinstance(doc.get("attackProtection"), dict) else {}
    assert isinstance(protection, dict)
    if _enabled(protection.get("breachedPasswordDetection"), "enabled"):
        found.append("attackProtection.breachedPasswordDetection: enabled on Auth0; Ostiary has no breached "
                     "password detection")
    brute = protection.get("bruteForceProtection")
    if _enabled(brute, "enabled") and isinstance(brute, dict):
        attempts = brute.get("max_attempts")
        if isinstance(attempts, int) and attempts < MAX_ATTEMPTS:
            found.append(f"attackProtection.bruteForceProtection.max_attempts: {attempts} is stricter than "
                         f"Ostiary's {MAX_ATTEMPTS}")
        if brute.get("mode") == "count_per_identifier":
            found.append("attackProtection.bruteForceProtection.mode: count_per_identifier blocks a user from "
                         "every IP; Ostiary counts per identifier and IP")
    return found
