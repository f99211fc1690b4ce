"""Login-transaction binding and CSRF tokens for the /u/* forms (catalogue UI-01, UI-02).

The first browser that opens a transaction's page is bound to it through the transaction cookie (its hash is
stored with the transaction). The `_csrf` form field is HMAC(transaction secret, browser secret): only a page
rendered for this transaction in this browser can produce it.
"""

from __future__ import annotations

import hashlib
import hmac

from ostiary.ids import b64url, token_hash
from ostiary.store.repositories.sessions import TransactionInfo


def csrf_token(transaction: TransactionInfo, browser_secret: str) -> str:
    digest = hmac.new(transaction.csrf_secret.encode(), browser_secret.encode(), hashlib.sha256).digest()
    return b64url(digest)


def bound_to_browser(transaction: TransactionInfo, browser_secret: str | None) -> bool:
    if not browser_secret or not transaction.browser_hash:
        return False
    return hmac.compare_digest(token_hash(browser_secret), transaction.browser_hash)


def csrf_ok(transaction: TransactionInfo, browser_secret: str | None, submitted: str | None) -> bool:
    if not submitted or not browser_secret or not bound_to_browser(transaction, browser_secret):
        return False
    return hmac.compare_digest(csrf_token(transaction, browser_secret), submitted)
