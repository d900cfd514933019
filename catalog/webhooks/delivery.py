"""The worker's webhook sender: fans out queued events, then sends due deliveries, signed.

Every worker runs one `WebhookSender` as a background task. Deliveries live in
the database, so a retry survives a restart and any worker may make it; a claim
(see `repository.claim_delivery`) gives one attempt to one worker for a lease
long enough to finish it. A failed attempt is retried after
`backoff * 2**(attempt - 1)` seconds, up to the configured number of attempts.
Database work runs in a thread; the HTTP calls run concurrently on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from catalog.core.db import Database
from catalog.core.errors import Unprocessable
from catalog.core.settings import Settings
from catalog.webhooks import repository
from catalog.webhooks.events import fan_out_pending
from catalog.webhooks.signing import SIGNATURE_HEADER, signature_header
from catalog.webhooks.urls import UrlPolicy, check_addresses, check_scheme, resolve

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class Attempt:
    """One claimed delivery: where to send what, and which attempt this is."""

    delivery_id: str
    attempt: int
    url: str
    secret: str
    body: str
    live: bool


def backoff(attempt: int, *, base_seconds: float) -> timedelta:
    """The wait before the attempt after `attempt` failed (exponential, capped)."""
    return min(timedelta(seconds=base_seconds * 2 ** (attempt - 1)), MAX_BACKOFF)


class WebhookSender:
    """Fans out events and sends due deliveries for one worker."""

    def __init__(self, *, database: Database, settings: Settings, batch: int = 50) -> None:
        self.database = database
        self.settings = settings
        self.batch = batch
        self.policy = UrlPolicy(
            allow_http=settings.webhook_allow_http, allow_private=settings.webhook_allow_private
        )
        self._stop = asyncio.Event()

    async def run(self) -> None:
        """Work until `stop()`; a failing round is logged and the next one tried."""
        timeout = self.settings.webhook_timeout_seconds
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            while not self._stop.is_set():
                try:
                    await self.round(client)
                except Exception:
                    log.exception("webhook round failed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.settings.webhook_poll_seconds)

    def stop(self) -> None:
        """Ask `run` to return after the current round."""
        self._stop.set()

    async def round(self, client: httpx.AsyncClient) -> int:
        """Fan out pending events and make every due attempt; how many attempts were made."""
        await asyncio.to_thread(self._fan_out)
        attempts = await asyncio.to_thread(self._claim)
        await asyncio.gather(*(self._send(client, a) for a in attempts))
        return len(attempts)

    def _fan_out(self) -> None:
        with self.database.session() as session:
            fan_out_pending(session, now=datetime.now(UTC))

    def _claim(self) -> list[Attempt]:
        now = datetime.now(UTC)
        lease = now + timedelta(seconds=self.settings.webhook_timeout_seconds * 2 + 30)
        claimed: list[Attempt] = []
        with self.database.session() as session:
            for delivery_id in repository.due_delivery_ids(session, now=now, limit=self.batch):
                if not repository.claim_delivery(
                    session, delivery_id=delivery_id, now=now, lease_until=lease
                ):
                    continue
                target = repository.delivery_target(session, delivery_id=delivery_id)
                if target is None:
                    continue
                delivery, subscription = target
                claimed.append(
                    Attempt(
                        delivery_id=delivery.id,
                        attempt=delivery.attempts,
                        url=subscription.url,
                        secret=subscription.secret,
                        body=delivery.body,
                        live=subscription.deleted_at is None,
                    )
                )
        return claimed

    async def _send(self, client: httpx.AsyncClient, attempt: Attempt) -> None:
        status: int | None = None
        error: str | None = None
        if not attempt.live:
            await asyncio.to_thread(
                self._finish, attempt, None, "the subscription was deleted", True
            )
            return
        try:
            host, port = check_scheme(attempt.url, policy=self.policy)
            check_addresses(host, await asyncio.to_thread(resolve, host, port), policy=self.policy)
            body = attempt.body.encode("utf-8")
            stamp = int(datetime.now(UTC).timestamp())
            headers = {
                "Content-Type": "application/json",
                SIGNATURE_HEADER: signature_header(attempt.secret, timestamp=stamp, body=body),
                "Countermark-Delivery": attempt.delivery_id,
                "User-Agent": "Countermark-Webhooks/1",
            }
            response = await client.post(attempt.url, content=body, headers=headers)
            status = response.status_code
            if not 200 <= status < 300:
                error = f"the receiver answered {status}"
        except Unprocessable as exc:
            error = exc.detail
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        await asyncio.to_thread(self._finish, attempt, status, error, False)

    def _finish(self, attempt: Attempt, status: int | None, error: str | None, final: bool) -> None:
        now = datetime.now(UTC)
        values: dict[str, Any] = {"last_status": status, "last_error": error}
        if error is None:
            values.update(state="delivered", delivered_at=now)
        elif final or attempt.attempt >= self.settings.webhook_max_attempts:
            values.update(state="failed")
        else:
            wait = backoff(attempt.attempt, base_seconds=self.settings.webhook_backoff_seconds)
            values.update(state="due", next_attempt_at=now + wait)
        with self.database.session() as session:
            repository.finish_attempt(
                session, delivery_id=attempt.delivery_id, attempt=attempt.attempt, values=values
            )
