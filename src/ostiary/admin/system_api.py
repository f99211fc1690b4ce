"""What Auth0 creates in every tenant: the Management API (`https://{domain}/api/v2/`) and the global client."""

from __future__ import annotations

from ostiary import entities
from ostiary.store.repos import Repos

MANAGEMENT_API_NAME = "Auth0 Management API"
_RESOURCES = (
    "users", "users_app_metadata", "clients", "client_keys", "client_credentials", "resource_servers",
    "client_grants", "connections", "connections_options", "roles", "role_members", "tenant_settings",
    "signing_keys", "actions", "triggers", "hooks", "rules", "rules_configs", "email_provider",
    "email_templates", "custom_domains", "guardian_factors", "guardian_enrollments", "organizations",
    "organization_members", "organization_member_roles", "organization_connections", "organization_invitations",
    "prompts", "branding", "attack_protection", "log_streams", "grants", "user_tickets", "device_credentials",
    "authentication_methods", "sessions", "refresh_tokens", "anomaly_blocks", "shields", "mfa_policies",
    "network_acls", "rate_limit_policies", "phone_providers", "phone_templates", "self_service_profiles",
    "event_streams", "flows", "forms", "flows_vault_connections", "token_exchange_profiles",
    "user_attribute_profiles", "connection_profiles", "scim_config", "custom_signing_keys",
    "encryption_keys", "risk_assessments", "supplemental_signals",
)
# Auth0's scope names: {read,create,update,delete}:<resource>, plus the few that stand alone.
MANAGEMENT_SCOPES = (
    *(f"{verb}:{resource}" for resource in _RESOURCES for verb in ("read", "create", "update", "delete")),
    "read:logs", "read:logs_users", "read:stats", "read:insights", "read:user_idp_tokens", "blacklist:tokens",
    "create:passwords_checking_job", "delete:passwords_checking_job", "read:current_user",
    "update:current_user_metadata", "delete:current_user_metadata", "create:current_user_metadata",
    "update:current_user_identities", "read:current_user_tokens",
)


def management_audience(tenant: entities.Tenant) -> str:
    """The Management API's identifier: Auth0 spells it with https on the tenant's canonical domain."""
    return f"https://{tenant.primary_domain}/api/v2/"


async def ensure_system_objects(repos: Repos, tenant: entities.Tenant) -> entities.Api:
    """Create the tenant's Management API and global client if missing (idempotent). Used by: provisioning."""
    await repos.clients.ensure_global()
    return await repos.resource_servers.ensure_system(
        identifier=management_audience(tenant),
        name=MANAGEMENT_API_NAME,
        scopes=[{"value": scope, "description": ""} for scope in MANAGEMENT_SCOPES],
    )
