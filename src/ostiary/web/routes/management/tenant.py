"""/api/v2/tenants/settings and /api/v2/keys/signing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from ostiary import entities
from ostiary.admin.sections.tenant import to_auth0
from ostiary.errors import AdminError, AdminNotFoundError
from ostiary.store.models import SigningKey
from ostiary.store.repositories.tenants import Tenants
from ostiary.web.routes.management.access import Call, json_object, scoped
from ostiary.web.routes.management.paging import fields_of
from ostiary.web.routes.management.views import iso

router = APIRouter()


def tenant_view(tenant: entities.Tenant) -> dict[str, Any]:
    """Auth0's tenant settings. The domains (an Ostiary addition of import files) are left out: a Deploy CLI
    export imported into another tenant must not carry the first tenant's domains."""
    return {k: v for k, v in to_auth0(tenant).items() if k != "domains"}


MINUTE_FIELDS = {"session_lifetime_in_minutes": "session_lifetime",
                 "idle_session_lifetime_in_minutes": "idle_session_lifetime"}


def in_hours(body: dict[str, Any]) -> dict[str, Any]:
    """Auth0 also takes the session lifetimes in minutes (a0deploy sends them so); they are stored in hours."""
    out = dict(body)
    for minutes_key, hours_key in MINUTE_FIELDS.items():
        if minutes_key in out:
            if hours_key in out:
                raise AdminError(f"tenant.{minutes_key}: give {hours_key} or {minutes_key}, not both")
            value = out.pop(minutes_key)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise AdminError(f"tenant.{minutes_key}: expected a positive number of minutes, got {value!r}")
            out[hours_key] = value / 60
    return out


@router.get("/tenants/settings")
async def get_settings(request: Request, call: Annotated[Call, Depends(scoped("read:tenant_settings"))]) -> Response:
    return call.json(fields_of(request.query_params).project(tenant_view(call.ctx.tenant)))


@router.patch("/tenants/settings")
async def update_settings(
    request: Request, call: Annotated[Call, Depends(scoped("update:tenant_settings"))]
) -> Response:
    body = in_hours(await json_object(request))
    tenants = Tenants(call.ctx.repos.session, clock=call.ctx.clock)
    tenant = await tenants.update(call.ctx.tenant.name, **body)
    await call.commit()
    return call.json(tenant_view(tenant))


def _key_view(row: SigningKey) -> dict[str, Any]:
    cert = row.certificate or ""
    pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(cert[i:i + 64] for i in range(0, len(cert), 64))
    view: dict[str, Any] = {
        "kid": row.kid,
        "cert": pem + "\n-----END CERTIFICATE-----\n" if cert else None,
        "alg": row.alg,
        "current": row.status == "current",
        "next": row.status == "next",
        "previous": row.status == "previous",
        "revoked": row.status == "revoked",
        "current_since": iso(row.current_since),
        "current_until": iso(row.current_until),
        "revoked_at": iso(row.revoked_at),
    }
    return {k: v for k, v in view.items() if v is not None}


@router.get("/keys/signing")
async def list_keys(call: Annotated[Call, Depends(scoped("read:signing_keys"))]) -> Response:
    return call.json([_key_view(r) for r in await call.ctx.repos.signing_keys.all()])


@router.get("/keys/signing/{kid}")
async def get_key(kid: str, call: Annotated[Call, Depends(scoped("read:signing_keys"))]) -> Response:
    for row in await call.ctx.repos.signing_keys.all():
        if row.kid == kid:
            return call.json(_key_view(row))
    raise AdminNotFoundError(f"keys: no signing key {kid!r}", kind="signing_key")


@router.post("/keys/signing/rotate")
async def rotate_keys(call: Annotated[Call, Depends(scoped("create:signing_keys", "update:signing_keys"))]) -> Response:
    await call.ctx.repos.signing_keys.rotate("RS256")
    current = next(r for r in await call.ctx.repos.signing_keys.all() if r.status == "current" and r.alg == "RS256")
    view = _key_view(current)
    await call.commit()
    return call.json({"kid": view["kid"], "cert": view.get("cert")}, status=201)


@router.put("/keys/signing/{kid}/revoke")
async def revoke_key(kid: str, call: Annotated[Call, Depends(scoped("update:signing_keys"))]) -> Response:
    await call.ctx.repos.signing_keys.revoke(kid)
    row = next(r for r in await call.ctx.repos.signing_keys.all() if r.kid == kid)
    await call.commit()
    view = _key_view(row)
    return call.json({"kid": view["kid"], "cert": view.get("cert")})
