"""Custom token exchange: subject_token_types a tenant defines itself, validated by its hooks.

With no profile for the subject_token_type, the type is unsupported (Auth0 answers invalid_request).
"""

from __future__ import annotations

from collections.abc import Mapping

from ostiary.errors import InvalidRequestError
from ostiary.oauth.client_auth import AuthenticatedClient
from ostiary.oauth.context import TenantContext
from ostiary.oauth.issuance import Issued


async def handle(ctx: TenantContext, auth: AuthenticatedClient, params: Mapping[str, str]) -> Issued:
    subject_token_type = params.get("subject_token_type", "")
    raise InvalidRequestError(f"Unsupported subject_token_type: {subject_token_type}")
