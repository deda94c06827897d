"""Contract -> plan. The partner's SAAS contract is read from the partner service and kept in L1
for `partner_ttl`; the plan is computed from its dates on every request, so an expiry takes
effect at the exact second with no call. When the partner service fails the last known
contract is served (stale); a partner never seen gets FREE until the service answers.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from coffee.gateway.l1_cost import entry_cost
from coffee.gateway.service_client import HttpError

if TYPE_CHECKING:
    from coffee._native import Cache
    from coffee.gateway.metrics import GatewayMetrics
    from coffee.gateway.service_client import ServiceClient

log = logging.getLogger("coffee.gateway.partners")

FREE = b"FREE"
# A partner without a SAAS contract, or one the service could not give: retried after this.
NEGATIVE_TTL = 1.0


class Contract:
    """The plan and its validity window [start, end) in epoch seconds."""

    __slots__ = ("end", "plan", "start")

    def __init__(self, plan: bytes, start: float, end: float) -> None:
        self.plan = plan
        self.start = start
        self.end = end

    def plan_at(self, now: float) -> bytes:
        return self.plan if self.start <= now < self.end else FREE


NO_CONTRACT = Contract(FREE, 0.0, 0.0)


def contract_from_answer(body: object) -> Contract:
    """The SAAS contract of `GET /partner/{id}`'s answer (times in epoch milliseconds)."""
    if not isinstance(body, dict):
        return NO_CONTRACT
    for partner in body.get("partners") or ():
        if not isinstance(partner, dict):
            continue
        for contract in partner.get("contracts") or ():
            if not isinstance(contract, dict) or contract.get("contractType") != "SAAS":
                continue
            plan, start, end = (
                contract.get("plan"),
                contract.get("startTime"),
                contract.get("endTime"),
            )
            if (
                isinstance(plan, str)
                and isinstance(start, int | float)
                and isinstance(end, int | float)
            ):
                return Contract(plan.upper().encode(), start / 1000.0, end / 1000.0)
    return NO_CONTRACT


class PartnerContracts:
    def __init__(
        self,
        l1: Cache,
        partner: ServiceClient,
        metrics: GatewayMetrics,
        ttl: float,
    ) -> None:
        self.l1 = l1
        self.partner = partner
        self.metrics = metrics
        self.ttl = ttl
        self.stale: dict[int, Contract] = {}  # last known contract, served when the service fails
        self._loading: dict[int, asyncio.Future[Contract]] = {}

    def cached(self, partner_id: int) -> Contract | None:
        """The contract in L1; else the last known one while a refresh runs in the background
        (the plan still follows its dates to the second); None for a partner never seen."""
        # Partners are keyed by int; sessions and claims by bytes, so they never collide.
        contract = self.l1.get(partner_id)
        if contract is not None:
            return contract
        contract = self.stale.get(partner_id)
        if contract is not None and partner_id not in self._loading:
            self._loading[partner_id] = asyncio.ensure_future(self._load(partner_id))
        return contract

    async def load(self, partner_id: int) -> Contract:
        """Reads the contract; concurrent calls for one partner share one request."""
        future = self._loading.get(partner_id)
        if future is None:
            future = self._loading[partner_id] = asyncio.ensure_future(self._load(partner_id))
        return await asyncio.shield(future)

    async def _load(self, partner_id: int) -> Contract:
        try:
            return await self._fetch(partner_id)
        finally:
            self._loading.pop(partner_id, None)

    async def _fetch(self, partner_id: int) -> Contract:
        try:
            status, body = await self.partner.request_json("GET", f"/partner/{partner_id}")
            if status >= 500:
                raise HttpError(f"partner service answered {status}")
        except HttpError as exc:
            self.metrics.count("partner_error")
            log.warning("partner service unavailable: %s", exc)
            contract = self.stale.get(partner_id)
            if contract is not None:
                self.metrics.count("partner_stale")
                self.l1.set(
                    partner_id, contract, cost=entry_cost(partner_id, contract), ttl=NEGATIVE_TTL
                )
                return contract
            self.l1.set(
                partner_id, NO_CONTRACT, cost=entry_cost(partner_id, NO_CONTRACT), ttl=NEGATIVE_TTL
            )
            return NO_CONTRACT
        contract = contract_from_answer(body)
        self.stale[partner_id] = contract
        self.l1.set(partner_id, contract, cost=entry_cost(partner_id, contract), ttl=self.ttl)
        return contract
