"""Auth0's Management API v2 under /api/v2: one module per resource family, the unserved rest last.

Each route parses, checks the token's scope (access.scoped) and renders; the work is admin/'s and the
repositories', the same the CLI and `ostiary import` call. `not_served` (a catch-all) is included last.
"""

from __future__ import annotations

from fastapi import APIRouter

from ostiary.web.routes.management import actions, apis, clients, connections, grants, not_served, roles, tenant, users

router = APIRouter(prefix="/api/v2")
for module in (tenant, clients, apis, grants, connections, users, roles, actions, not_served):
    router.include_router(module.router)
