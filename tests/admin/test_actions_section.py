"""Import/export of the Deploy CLI `actions` and `triggers` keys (called directly; the importer wires them)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from tests.support.factories import TenantFixture

from ostiary.admin.a0deploy import files
from ostiary.admin.sections.actions import apply_actions, apply_triggers, export_actions
from ostiary.admin.session import AdminSession
from ostiary.errors import AdminError

HOOK = "def on_execute_post_login(event, api):\n    api.access_token.set_custom_claim('https://x/y', 1)\n"


async def _apply(a: AdminSession, tenant: TenantFixture, items: list[dict[str, object]], base: Path) -> None:
    """As the importer does: file references read first (admin/a0deploy/files.py), then the section."""
    doc = {"actions": [dict(i) for i in items]}
    sources = files.resolve(doc, base, {})
    await apply_actions(a, tenant.tenant, doc["actions"], sources)


@asynccontextmanager
async def admin(tenant: TenantFixture) -> AsyncIterator[AdminSession]:
    async with tenant.state.sessionmaker() as session:
        yield AdminSession(
            session=session, box=tenant.state.box, clock=tenant.state.clock, settings=tenant.state.settings
        )
        await session.commit()


async def test_import_then_export_round_trips(tenant: TenantFixture, tmp_path: Path) -> None:
    (tmp_path / "actions").mkdir()
    (tmp_path / "actions" / "add-claims.py").write_text(HOOK)
    items = [
        {
            "name": "add-claims", "code": "./actions/add-claims.py",
            "supported_triggers": [{"id": "post-login", "version": "v3"}],
            "secrets": [{"name": "API_KEY", "value": "k1"}],
        },
        {
            "name": "machine", "module": "tests.support.hook_examples:credentials_claim",
            "supported_triggers": [{"id": "credentials-exchange", "version": "v2"}],
        },
    ]
    triggers = {
        "post-login": [{"action_name": "add-claims", "display_name": "add-claims"}],
        "credentials-exchange": [{"action_name": "machine", "display_name": "machine"}],
    }
    async with admin(tenant) as a:
        await _apply(a, tenant, items, tmp_path)
        await apply_triggers(a, tenant.tenant, triggers, tmp_path)
    out = tmp_path / "export"
    async with admin(tenant) as a:
        exported = await export_actions(a, tenant.tenant, out)
    assert exported["triggers"] == triggers
    assert exported["actions"][0] == {
        "name": "add-claims", "code": "./actions/add-claims.py",
        "supported_triggers": [{"id": "post-login", "version": "v3"}], "secrets": [{"name": "API_KEY"}],
    }
    assert exported["actions"][1]["module"] == "tests.support.hook_examples:credentials_claim"
    assert (out / "actions" / "add-claims.py").read_text() == HOOK
    # Re-importing the export (secret without value) keeps the stored secret value.
    async with admin(tenant) as a:
        await _apply(a, tenant, exported["actions"], out)
    spec = await tenant.repos_call(lambda r: r.actions.by_name("add-claims"))
    assert spec.secrets == {"API_KEY": "k1"}


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"name": "x", "code": "../outside.py", "supported_triggers": [{"id": "post-login"}]}, "outside"),
        ({"name": "x", "code": "./actions/x.ts", "supported_triggers": [{"id": "post-login"}]}, "not a .js or .py"),
        ({"name": "x", "code": "./actions/ok.py", "supported_triggers": [{"id": "pre-user-registration"}]},
         "not one of"),
        ({"name": "x", "code": "./actions/bad.py", "supported_triggers": [{"id": "post-login"}]}, "does not compile"),
        ({"name": "../x", "code": "./actions/ok.py", "supported_triggers": [{"id": "post-login"}]}, "action.name"),
        ({"name": "x", "code": "./actions/ok.py", "supported_triggers": [{"id": "post-login"}],
          "secrets": [{"name": "NEW"}]}, "has no value"),
    ],
)
async def test_bad_items_are_refused_with_the_field(
    tenant: TenantFixture, tmp_path: Path, item: dict[str, object], message: str
) -> None:
    (tmp_path / "actions").mkdir()
    (tmp_path / "actions" / "ok.py").write_text(HOOK)
    (tmp_path / "actions" / "bad.py").write_text("def on_execute_post_login(:\n")
    (tmp_path / "actions" / "x.js").write_text("exports.onExecutePostLogin = async () => {};\n")
    (tmp_path / "actions" / "x.ts").write_text("export const onExecutePostLogin = async () => {};\n")
    with pytest.raises(AdminError) as caught:
        async with admin(tenant) as a:
            await _apply(a, tenant, [item], tmp_path)
    assert message in str(caught.value)


async def test_trigger_naming_an_unknown_action_is_refused(tenant: TenantFixture, tmp_path: Path) -> None:
    with pytest.raises(AdminError) as caught:
        async with admin(tenant) as a:
            await apply_triggers(a, tenant.tenant, {"post-login": [{"action_name": "ghost"}]}, tmp_path)
    assert str(caught.value) == "trigger post-login: no action named 'ghost'"


async def test_javascript_action_imports_as_the_deploy_cli_writes_it_and_exports_back(
    tenant: TenantFixture, tmp_path: Path
) -> None:
    code = "exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('https://x/y', 1); };\n"
    (tmp_path / "actions" / "add-claim").mkdir(parents=True)
    (tmp_path / "actions" / "add-claim" / "code.js").write_text(code)
    items = [{
        "name": "add-claim", "code": "./actions/add-claim/code.js", "runtime": "node18", "deployed": True,
        "status": "built", "dependencies": [], "secrets": [{"name": "KEY", "value": "v"}],
        "supported_triggers": [{"id": "post-login", "version": "v3"}],
    }]
    async with admin(tenant) as a:
        await _apply(a, tenant, items, tmp_path)
        await apply_triggers(a, tenant.tenant, {"post-login": [{"action_name": "add-claim", "display_name": "x"}]},
                             tmp_path)
    spec = await tenant.repos_call(lambda r: r.actions.by_name("add-claim"))
    assert spec.is_javascript and spec.runtime == "node18" and spec.code == code and spec.secrets == {"KEY": "v"}
    out = tmp_path / "export"
    async with admin(tenant) as a:
        exported = await export_actions(a, tenant.tenant, out)
    assert exported["actions"] == [{
        "name": "add-claim", "code": "./actions/add-claim/code.js", "runtime": "node18",
        "supported_triggers": [{"id": "post-login", "version": "v3"}], "secrets": [{"name": "KEY"}],
    }]
    assert (out / "actions" / "add-claim" / "code.js").read_text() == code
    # A JavaScript action whose code does not parse is refused, naming the action; nothing is stored.
    (tmp_path / "actions" / "add-claim" / "code.js").write_text("exports.onExecutePostLogin = (")
    with pytest.raises(AdminError, match="action add-claim: the code does not load"):
        async with admin(tenant) as a:
            await _apply(a, tenant, items, tmp_path)
