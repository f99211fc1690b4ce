"""management_api: each tenant's system Management API and global client

Revision ID: management_api
Revises: admin_changes
Create Date: 2026-12-01 23:50:00

Adds clients.is_global and resource_servers.is_system, then creates, for every existing tenant, what
provision_tenant() creates for new ones: the "Auth0 Management API" (`https://{primary domain}/api/v2/`, with
Auth0's scope names) and the global "All Applications" client (no secret, no grant types, no callbacks).
"""

import json
import secrets
import string
import time
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ostiary.admin.system_api import MANAGEMENT_API_NAME, MANAGEMENT_SCOPES

revision: str = "management_api"
down_revision: str | None = "admin_changes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EMPTY_LIST_COLUMNS = ("callbacks", "allowed_logout_urls", "web_origins", "allowed_origins", "grant_types")
_EMPTY_DICT_COLUMNS = ("jwt_configuration", "refresh_token", "native_social_login", "mobile", "client_metadata")


def _client_id() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


def upgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("is_global", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("resource_servers") as batch:
        batch.add_column(sa.Column("is_system", sa.Boolean(), nullable=False, server_default=sa.false()))
    bind = op.get_bind()
    now = time.time()
    scopes = json.dumps([{"value": scope, "description": ""} for scope in MANAGEMENT_SCOPES])
    tenants = bind.execute(
        sa.text("SELECT tenant_id, domain FROM tenant_domains WHERE is_primary = :yes"), {"yes": True}
    ).all()
    for tenant_id, domain in tenants:
        bind.execute(
            sa.text(
                "INSERT INTO resource_servers (id, tenant_id, identifier, name, scopes, signing_alg, token_lifetime,"
                " token_lifetime_for_web, allow_offline_access, skip_consent_for_verifiable_first_party_clients,"
                " enforce_policies, token_dialect, is_system, created_at) VALUES (:id, :tenant, :identifier, :name,"
                " :scopes, 'RS256', 86400, 7200, :no, :yes, :no, 'access_token', :yes, :now)"
            ),
            {"id": uuid.uuid4().hex, "tenant": tenant_id, "identifier": f"https://{domain}/api/v2/",
             "name": MANAGEMENT_API_NAME, "scopes": scopes, "no": False, "yes": True, "now": now},
        )
        columns = ", ".join((*_EMPTY_LIST_COLUMNS, *_EMPTY_DICT_COLUMNS))
        values = ", ".join(["'[]'"] * len(_EMPTY_LIST_COLUMNS) + ["'{}'"] * len(_EMPTY_DICT_COLUMNS))
        bind.execute(
            sa.text(
                f"INSERT INTO clients (id, tenant_id, client_id, name, app_type, is_first_party, oidc_conformant,"  # noqa: S608
                f" token_endpoint_auth_method, is_token_endpoint_ip_header_trusted, is_global, created_at, {columns})"
                f" VALUES (:id, :tenant, :client_id, 'All Applications', 'regular_web', :yes, :yes, 'none', :no, :yes,"
                f" :now, {values})"
            ),
            {"id": uuid.uuid4().hex, "tenant": tenant_id, "client_id": _client_id(), "no": False, "yes": True,
             "now": now},
        )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM client_grants WHERE audience IN"
                       " (SELECT identifier FROM resource_servers WHERE is_system)"))
    op.execute(sa.text("DELETE FROM resource_servers WHERE is_system"))
    op.execute(sa.text("DELETE FROM clients WHERE is_global"))
    with op.batch_alter_table("resource_servers") as batch:
        batch.drop_column("is_system")
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("is_global")
