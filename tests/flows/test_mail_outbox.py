"""The outbox: queued in the request's transaction, sent by the background sender over real SMTP, retried with
backoff on failure, claimed by exactly one sender, kept across restarts; tenant providers and templates."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from tests.conftest import settings_for
from tests.support.browser_login import PASSWORD, web_app
from tests.support.factories import TenantFixture, make_tenant
from tests.support.mail_flows import delivered
from tests.support.mailbox import Mailbox, smtp_server

from ostiary.app import create_app
from ostiary.clock import FrozenClock
from ostiary.mail.sender import MAX_ATTEMPTS, backoff_seconds, deliver_due, run_sender
from ostiary.mail.templates import TemplateOverride
from ostiary.runtime import AppState, close_state, open_state
from ostiary.settings import Settings
from ostiary.store.models.email import EmailProvider, OutboxEmail
from ostiary.store.repositories.email import EmailProviderInfo

pytestmark = pytest.mark.usefixtures("quiet")
CONNECTION = "Username-Password-Authentication"



@pytest.fixture
def settings(database_url: str, mailbox: Mailbox) -> Settings:
    return settings_for(database_url, smtp_url=mailbox.url)


async def _request_reset(tenant: TenantFixture) -> None:
    app = await web_app(tenant)
    response = await tenant.http.post("/dbconnections/change_password", json={
        "client_id": app.client.client_id, "email": app.user.email, "connection": CONNECTION})
    assert response.status_code == 200


async def _rows(state: AppState, tenant: TenantFixture) -> list[OutboxEmail]:
    async with state.sessionmaker() as session:
        return list((await session.scalars(
            select(OutboxEmail).where(OutboxEmail.tenant_id == tenant.tenant.id))).all())


async def test_a_failed_send_is_retried_with_backoff_and_the_user_never_sees_it(
    tenant: TenantFixture, state: AppState, mailbox: Mailbox, clock: FrozenClock
) -> None:
    mailbox.fail_next = 2
    await _request_reset(tenant)
    assert await delivered(tenant, mailbox) == []
    [row] = await _rows(state, tenant)
    assert row.attempts == 1 and row.claimed_at is None and "451" in (row.last_error or "")
    assert row.sent_at is None and row.next_attempt_at == clock.now() + backoff_seconds(1)
    assert await delivered(tenant, mailbox) == []  # not due yet
    clock.advance(backoff_seconds(1))
    assert await delivered(tenant, mailbox) == []  # second failure
    clock.advance(backoff_seconds(2))
    [mail] = await delivered(tenant, mailbox, 1)
    assert mail.template == "reset_email"
    [row] = await _rows(state, tenant)
    assert row.sent_at is not None and row.message == "" and row.attempts == 2


async def test_after_max_attempts_the_email_is_given_up(
    tenant: TenantFixture, state: AppState, mailbox: Mailbox, clock: FrozenClock
) -> None:
    mailbox.fail_next = MAX_ATTEMPTS
    await _request_reset(tenant)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        await deliver_due(state)
        clock.advance(backoff_seconds(attempt))
    [row] = await _rows(state, tenant)
    assert row.failed_at is not None and row.attempts == MAX_ATTEMPTS and row.message == ""
    mailbox.fail_next = 0
    assert await delivered(tenant, mailbox) == []


async def test_concurrent_senders_send_each_email_once(
    tenant: TenantFixture, state: AppState, settings: Settings, clock: FrozenClock, mailbox: Mailbox
) -> None:
    app = await web_app(tenant)
    for i in range(3):
        user = await tenant.user(email=f"user{i}@example.com", password=PASSWORD)
        await tenant.http.post("/dbconnections/change_password", json={
            "client_id": app.client.client_id, "email": user.email, "connection": CONNECTION})
    others = [await open_state(settings, clock=clock) for _ in range(2)]
    try:
        counts = await asyncio.gather(deliver_due(state), *(deliver_due(o) for o in others))
    finally:
        for other in others:
            await close_state(other)
    assert sum(counts) == 3
    assert len(mailbox.take()) == 3


async def test_queued_mail_survives_a_restart(
    tenant: TenantFixture, state: AppState, settings: Settings, clock: FrozenClock, mailbox: Mailbox
) -> None:
    await _request_reset(tenant)
    restarted = await open_state(settings, clock=clock)
    try:
        [mail] = await delivered(tenant, mailbox, 1, state=restarted)
    finally:
        await close_state(restarted)
    assert mail.template == "reset_email"


async def test_a_claim_left_by_a_dead_sender_expires(
    tenant: TenantFixture, state: AppState, mailbox: Mailbox, clock: FrozenClock
) -> None:
    await _request_reset(tenant)
    async with state.sessionmaker() as session:
        row = (await session.scalars(select(OutboxEmail).where(OutboxEmail.tenant_id == tenant.tenant.id))).one()
        row.claimed_at = clock.now()
        await session.commit()
    assert await delivered(tenant, mailbox) == []
    clock.advance(120)
    assert len(await delivered(tenant, mailbox)) == 1


async def test_the_background_task_sends_without_being_asked(
    tenant: TenantFixture, state: AppState, mailbox: Mailbox
) -> None:
    await _request_reset(tenant)
    stop = asyncio.Event()
    task = asyncio.create_task(run_sender(state, stop))
    try:
        for _ in range(100):
            if mailbox.messages:
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    assert [m.template for m in mailbox.take()] == ["reset_email"]


async def test_a_tenants_provider_and_template_override_win(
    database_url: str, mailbox: Mailbox, clock: FrozenClock
) -> None:
    with smtp_server() as tenant_box:
        settings = settings_for(database_url, smtp_url=mailbox.url)
        state = await open_state(settings, clock=clock)
        try:
            tenant = await make_tenant(state, create_app(state=state))
            await tenant.repos_call(lambda r: r.email_settings.set_provider(EmailProviderInfo(
                name="smtp", enabled=True, default_from_address="Acme <hello@acme.test>",
                credentials={"smtp_host": "127.0.0.1", "smtp_port": tenant_box.port, "smtp_user": "",
                             "smtp_pass": "s3cret"})))
            await tenant.repos_call(lambda r: r.email_settings.set_template(TemplateOverride(
                template="reset_email", subject="Reset for {{ user.email }}",
                body="<p>Hi {{ user.name }}, <a href=\"{{ url }}\">reset</a> at {{ tenant.name }}</p>")))
            app = await web_app(tenant)
            await tenant.repos_call(lambda r: r.users.update(app.user.user_id, name="<script>x</script>"))
            await tenant.http.post("/dbconnections/change_password", json={
                "client_id": app.client.client_id, "email": app.user.email, "connection": CONNECTION})
            await deliver_due(state)
            assert mailbox.take() == []
            [mail] = tenant_box.take()
            assert mail.envelope_from == "hello@acme.test" and mail.subject == f"Reset for {app.user.email}"
            assert "&lt;script&gt;x&lt;/script&gt;" in mail.html() and "<script>" not in mail.html()
            assert "/u/reset-password?ticket=" in mail.link()
            stored = await tenant.repos_call(lambda r: r.email_settings.provider())
            assert stored.credentials["smtp_pass"] == "s3cret"
            async with state.reader() as session:
                raw = (await session.scalars(select(EmailProvider))).all()
            assert all("s3cret" not in str(p.credentials) for p in raw)
            await tenant.http.aclose()
        finally:
            await close_state(state)


async def test_no_mail_server_queues_nothing_and_answers_the_same(database_url: str, clock: FrozenClock) -> None:
    state = await open_state(settings_for(database_url), clock=clock)
    try:
        tenant = await make_tenant(state, create_app(state=state))
        app = await web_app(tenant)
        response = await tenant.http.post("/dbconnections/signup", json={
            "client_id": app.client.client_id, "email": "x@example.com", "password": PASSWORD,
            "connection": CONNECTION})
        assert response.status_code == 200
        assert await _rows(state, tenant) == []
        await tenant.http.aclose()
    finally:
        await close_state(state)
