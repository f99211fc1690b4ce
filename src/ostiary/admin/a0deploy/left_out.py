"""What Ostiary does not serve of an a0deploy file: whole sections, and Auth0 fields of the sections it serves.
Both land nothing and are reported section by section. A field or section that is in neither table and not
served is still an error (a typo must not vanish silently).

One table each, so the branches that add a section (roles, emailTemplates, emailProvider, ...) delete its row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

UNSERVED_SECTIONS: dict[str, str] = {
    "pages": "hosted pages (Ostiary renders its own login page)",
    "rules": "Rules (deprecated by Auth0; use actions)",
    "rulesConfigs": "Rules configuration",
    "hooks": "Hooks (deprecated by Auth0; use actions)",
    "actionModules": "action modules",
    "guardianFactorProviders": "MFA factor providers",
    "guardianFactorTemplates": "MFA factor templates",
    "guardianPhoneFactorMessageTypes": "MFA phone message types",
    "guardianPhoneFactorSelectedProvider": "MFA phone provider",
    "attackProtection": "attack protection settings (Ostiary's own brute-force protection applies)",
    "branding": "branding",
    "themes": "Universal Login themes",
    "prompts": "prompts and their custom text",
    "customDomains": "custom domains (give tenant.domains)",
    "logStreams": "log streams",
    "organizations": "organizations",
    "migrations": "tenant migrations flags",
    "flows": "flows",
    "flowVaultConnections": "flow vault connections",
    "forms": "forms",
    "selfServiceProfiles": "self-service SSO profiles",
    "networkACLs": "network ACLs",
    "phoneProviders": "phone providers",
    "phoneTemplates": "phone templates",
    "riskAssessment": "risk assessment",
    "userAttributeProfiles": "user attribute profiles",
    "connectionProfiles": "connection profiles",
    "tokenExchangeProfiles": "token exchange profiles",
    "supplementalSignals": "supplemental signals",
    "rateLimitPolicies": "rate limit policies",
    "eventStreams": "event streams",
    "clientAuthCredentials": "client credentials (private_key_jwt keys)",
    "exclude": "a0deploy's exclusion lists",
}

# Auth0 Management API fields of the sections Ostiary serves that it does not (yet) act on ("a.b": a sub-field).
UNSERVED_FIELDS: dict[str, frozenset[str]] = {
    "tenant": frozenset({
        "enabled_locales", "picture_url", "support_email", "support_url", "session_cookie", "sandbox_version",
        "default_redirection_uri", "device_flow", "guardian_mfa_page", "change_password", "error_page",
        "universal_login", "mtls", "oidc_logout", "sessions", "pushed_authorization_requests_supported",
        "customize_mfa_in_postlogin_action", "allow_organization_name_in_authentication_api",
        "acr_values_supported", "authorization_response_iss_parameter_supported",
        "ephemeral_session_lifetime", "idle_ephemeral_session_lifetime", "default_token_quota",
        "skip_non_verifiable_callback_uri_confirmation_prompt", "resource_parameter_profile",
    }),
    "clients": frozenset({
        "logo_uri", "client_aliases", "allowed_clients", "sso", "sso_disabled", "cross_origin_auth",
        "cross_origin_authentication", "cross_origin_loc", "custom_login_page_on", "custom_login_page",
        "custom_login_page_preview", "form_template", "addons", "initiate_login_uri", "encryption_key",
        "organization_usage", "organization_require_behavior", "client_authentication_methods",
        "require_pushed_authorization_requests", "signed_request_object", "compliance_level", "oidc_logout",
        "oidc_backchannel_logout", "default_organization", "require_proof_of_possession", "token_exchange",
        "express_configuration", "resource_server_identifier", "external_client_id",
        "token_vault_privileged_access", "session_transfer", "token_quota", "par_request_expiry",
        "skip_non_verifiable_callback_uri_confirmation_prompt", "async_approval_notification_channels",
        "callback_url_template", "global", "owners", "tenant", "signing_keys",
    }),
    "resourceServers": frozenset({
        "verificationLocation", "options", "token_encryption", "consent_policy", "authorization_details",
        "proof_of_possession", "authorization_policy", "subject_type_authorization", "client_id",
        "is_system",
    }),
    "clientGrants": frozenset({"organization_usage", "allow_any_organization", "subject_type",
                               "authorization_details_types", "is_system"}),
    "connections": frozenset({"display_name", "is_domain_connection", "realms", "metadata",
                              "show_as_button", "directory_provisioning_configuration", "authentication",
                              "connected_accounts"}),
    "databases": frozenset({"display_name", "is_domain_connection", "realms", "metadata", "show_as_button",
                            "authentication"}),
}
# Database connection options Ostiary does not act on (options are stored; these are reported).
UNSERVED_DATABASE_OPTIONS = frozenset({
    "customScripts", "enabledDatabaseCustomization", "password_history", "password_no_personal_info",
    "password_dictionary", "mfa", "attributes",
    "validation", "requires_username", "disable_signup", "precedence", "configuration",
    "password_complexity", "authentication_methods", "passkey_options", "custom_password_hash",
})


def _names(items: Any) -> Iterable[dict[str, Any]]:
    if isinstance(items, dict):
        return [items]
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def strip(doc: dict[str, Any]) -> dict[str, list[str]]:
    """Remove, in place, what Ostiary does not serve; returns section -> what was left out."""
    report: dict[str, list[str]] = {}
    for section in [s for s in doc if s in UNSERVED_SECTIONS]:
        del doc[section]
        report[section] = [UNSERVED_SECTIONS[section]]
    for section, unserved in UNSERVED_FIELDS.items():
        dropped: set[str] = set()
        for item in _names(doc.get(section)):
            for path in unserved:
                parent, _, key = path.rpartition(".")
                holder = item.get(parent) if parent else item
                if isinstance(holder, dict) and key in holder:
                    del holder[key]
                    dropped.add(path)
            options = item.get("options")
            if section == "databases" and isinstance(options, dict):
                for key in [k for k in options if k in UNSERVED_DATABASE_OPTIONS]:
                    del options[key]
                    dropped.add(f"options.{key}")
        if dropped:
            report[section] = sorted(dropped)
    return report
