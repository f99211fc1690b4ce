"""Import/export of the Deploy CLI `emailProvider` and `emailTemplates` keys through `ostiary import`'s code."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from tests.support.factories import TenantFixture

from ostiary.admin.import_file import export_document, import_document, read_document
from ostiary.admin.session import AdminSession
from ostiary.errors import AdminError

BODY = "<p>Hello {{ user.email }}, <a href=\"{{ url }}\">reset</a></p>\n"
DOC = """
emailProvider:
  name: smtp
  enabled: true
  default_from_address: Acme <login@acme.example>
  credentials:
    smtp_host: smtp.acme.example
    smtp_port: 587
    smtp_user: login
    smtp_pass: very-secret
emailTemplates:
  - template: reset_email
    enabled: true
    syntax: liquid
    from: Acme Support <support@acme.example>
    subject: Reset your Acme password
    resultUrl: https://acme.example/after-reset
    urlLifetimeInSeconds: 3600
    body: ./emailTemplates/reset_email.html
  - template: verify_email
    enabled: false
    body: ./emailTemplates/verify_email.html
"""


@asynccontextmanager
async def admin(tenant: TenantFixture) -> AsyncIterator[AdminSession]:
    async with tenant.state.sessionmaker() as session:
        yield AdminSession(session=session, box=tenant.state.box, clock=tenant.state.clock)
        await session.commit()


async def test_import_then_export_round_trips(tenant: TenantFixture, tmp_path: Path) -> None:
    (tmp_path / "emailTemplates").mkdir()
    (tmp_path / "emailTemplates" / "reset_email.html").write_text(BODY)
    (tmp_path / "emailTemplates" / "verify_email.html").write_text("<p>{{ url }}</p>")
    async with admin(tenant) as a:
        ctx = await import_document(a, read_document(DOC, source="t.yaml", as_json=False), tenant.tenant.name,
                                    base_dir=tmp_path)
    assert ctx.counts["emailProvider.created"] == 1 and ctx.counts["emailTemplates.created"] == 2
    provider = await tenant.repos_call(lambda r: r.email_settings.provider())
    assert provider.credentials == {"smtp_host": "smtp.acme.example", "smtp_port": 587, "smtp_user": "login",
                                    "smtp_pass": "very-secret"}
    reset = await tenant.repos_call(lambda r: r.email_settings.template("reset_email"))
    assert reset.body == BODY and reset.url_lifetime_seconds == 3600 and reset.result_url.endswith("after-reset")
    out = tmp_path / "out"
    async with admin(tenant) as a:
        exported = await export_document(a, tenant.tenant.name, include_secrets=False, base_dir=out)
    assert "smtp_pass" not in exported["emailProvider"]["credentials"]
    assert exported["emailTemplates"][0]["body"] == "./emailTemplates/reset_email.html"
    assert (out / "emailTemplates" / "reset_email.html").read_text() == BODY
    # Re-importing the export (no smtp_pass) keeps the stored password and changes nothing.
    async with admin(tenant) as a:
        again = await import_document(a, exported, tenant.tenant.name, base_dir=out)
    assert again.counts["emailProvider.unchanged"] == 1 and again.counts["emailTemplates.unchanged"] == 2
    provider = await tenant.repos_call(lambda r: r.email_settings.provider())
    assert provider.credentials["smtp_pass"] == "very-secret"


@pytest.mark.parametrize(("section", "message"), [
    ({"emailTemplates": [{"template": "nope", "body": "./ok.html"}]},
     "emailTemplates[0]: template: 'nope' is not one of"),
    ({"emailTemplates": [{"template": "reset_email", "body": "./broken.html"}]}, "not a valid Liquid template"),
    ({"emailTemplates": [{"template": "reset_email", "body": "../x.html"}]}, "outside the configuration directory"),
    ({"emailTemplates": [{"template": "reset_email", "body": "./ok.html", "urlLifetimeInSeconds": -1}]},
     "urlLifetimeInSeconds"),
    ({"emailProvider": {"name": "mailgun", "credentials": {}}}, "only 'smtp' is supported"),
    ({"emailProvider": {"credentials": {"smtp_host": "h", "smtp_port": "x"}}}, "smtp_port: a port number"),
    ({"emailProvider": {"credentials": {"api_key": "k"}}}, "unknown keys api_key"),
])
async def test_bad_sections_are_refused_with_a_clear_message(
    tenant: TenantFixture, tmp_path: Path, section: dict[str, object], message: str
) -> None:
    (tmp_path / "ok.html").write_text("<p>{{ url }}</p>")
    (tmp_path / "broken.html").write_text("{% if %}")
    with pytest.raises(AdminError, match=message.replace("[", r"\[").replace("]", r"\]")):
        async with admin(tenant) as a:
            await import_document(a, section, tenant.tenant.name, base_dir=tmp_path)
