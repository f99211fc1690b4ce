"""Every ORM model, imported here so that Base.metadata is complete (migrations compare against it)."""

from ostiary.store.models.access_token import OpaqueAccessToken
from ostiary.store.models.action import Action, TriggerBinding
from ostiary.store.models.admin_change import AdminChange
from ostiary.store.models.attack_protection import LoginFailure
from ostiary.store.models.authorization_code import AuthorizationCode
from ostiary.store.models.client import Client, ClientGrant
from ostiary.store.models.connection import Connection
from ostiary.store.models.consent import Consent
from ostiary.store.models.email import EmailProvider, EmailTemplate, OneTimeTicket, OutboxEmail
from ostiary.store.models.grant import Grant
from ostiary.store.models.master_key_check import MasterKeyCheck
from ostiary.store.models.mfa import MfaAuthenticator, MfaPolicy
from ostiary.store.models.refresh_token import RefreshToken
from ostiary.store.models.resource_server import ResourceServer
from ostiary.store.models.role import Role, RolePermission, UserPermission, UserRole
from ostiary.store.models.session import LoginSession, LoginTransaction
from ostiary.store.models.signing_key import SigningKey
from ostiary.store.models.tenant import Tenant, TenantDomain
from ostiary.store.models.token_exchange_profile import TokenExchangeProfile
from ostiary.store.models.user import Identity, User

__all__ = [
    "Action",
    "AdminChange",
    "AuthorizationCode",
    "Client",
    "ClientGrant",
    "Connection",
    "Consent",
    "EmailProvider",
    "EmailTemplate",
    "Grant",
    "Identity",
    "LoginFailure",
    "LoginSession",
    "LoginTransaction",
    "MasterKeyCheck",
    "MfaAuthenticator",
    "MfaPolicy",
    "OneTimeTicket",
    "OpaqueAccessToken",
    "OutboxEmail",
    "RefreshToken",
    "ResourceServer",
    "Role",
    "RolePermission",
    "SigningKey",
    "Tenant",
    "TenantDomain",
    "TokenExchangeProfile",
    "TriggerBinding",
    "User",
    "UserPermission",
    "UserRole",
]
