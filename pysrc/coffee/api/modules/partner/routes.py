"""Partner routes under `/partner-service/api` (PARTNER_URL points here).

`GET /partner/{id}` answers the original protocol: `{status, partners: [{id, name, status,
contracts: [{id, partnerId, contractType, status, plan, startTime, endTime}]}]}` with times in
epoch milliseconds; the gateway takes the SAAS contract and applies its dates itself.
`POST /partner` and `POST /partner/{id}/contracts` create; `PUT /contract/{id}` renews a
contract (new end, optionally a new plan) and emits `contract_renewed` through the outbox.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Response, Router, get, post, put

from coffee.api.context import RequestContext
from coffee.api.deps import ok
from coffee.api.envelope import ApiError, success
from coffee.infra import json_input

CONTRACT_RENEWED = "contract_renewed"
PLANS = ("FREE", "SAAS", "PAID")


class NewPartner(msgspec.Struct):
    name: str


class NewContract(msgspec.Struct):
    plan: str
    startTime: int
    endTime: int
    contractType: str = "SAAS"


class Renewal(msgspec.Struct):
    endTime: int
    plan: str | None = None


def _ms(t: dt.datetime) -> int:
    return int(t.timestamp() * 1000)


def _time(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC)


def _decode(body: bytes, typ: Any) -> Any:
    try:
        return json_input.decode(body or b"{}", typ)
    except json_input.BadJson as exc:
        raise ApiError(400, f"bad body: {exc}") from None


def _plan(plan: str) -> str:
    if plan.upper() not in PLANS:
        raise ApiError(400, f"plan must be one of {list(PLANS)}")
    return plan.upper()


def routes(_settings: Any) -> list[Router]:
    @get("/partner/{partner_id:int}")
    async def partner(partner_id: int, ctx: RequestContext) -> Response[bytes]:
        return await _partner(partner_id, ctx)

    # The same at the root (PARTNER_URL=http://<api>): see identity's verify_token_root.
    @get("/partner/{partner_id:int}", include_in_schema=False)
    async def partner_root(partner_id: int, ctx: RequestContext) -> Response[bytes]:
        return await _partner(partner_id, ctx)

    async def _partner(partner_id: int, ctx: RequestContext) -> Response[bytes]:
        p = await ctx.pg.fetchrow("SELECT id, name, status FROM partners WHERE id = $1", partner_id)
        if p is None:
            raise ApiError(404, f"partner {partner_id} not found")
        contracts = await ctx.pg.fetch(
            "SELECT id, partner_id, contract_type, status, plan, start_time, end_time "
            "FROM contracts WHERE partner_id = $1 ORDER BY end_time DESC",
            partner_id,
        )
        return ok(
            {
                "status": success(),
                "partners": [
                    {
                        "id": p["id"],
                        "name": p["name"],
                        "status": p["status"],
                        "contracts": [
                            {
                                "id": c["id"],
                                "partnerId": c["partner_id"],
                                "contractType": c["contract_type"],
                                "status": c["status"],
                                "plan": c["plan"],
                                "startTime": _ms(c["start_time"]),
                                "endTime": _ms(c["end_time"]),
                            }
                            for c in contracts
                        ],
                    }
                ],
            }
        )

    @post("/partner", status_code=201)
    async def create_partner(ctx: RequestContext) -> Response[bytes]:
        body = _decode(ctx.body, NewPartner)
        pid = await ctx.pg.fetchval(
            "INSERT INTO partners (name) VALUES ($1) RETURNING id", body.name
        )
        return ok({"status": success(), "partner": {"id": pid}}, 201)

    @post("/partner/{partner_id:int}/contracts", status_code=201)
    async def create_contract(partner_id: int, ctx: RequestContext) -> Response[bytes]:
        body = _decode(ctx.body, NewContract)
        if body.endTime <= body.startTime:
            raise ApiError(400, "endTime must be after startTime")
        if not await ctx.pg.fetchval("SELECT 1 FROM partners WHERE id = $1", partner_id):
            raise ApiError(404, f"partner {partner_id} not found")
        cid = await ctx.pg.fetchval(
            "INSERT INTO contracts (partner_id, contract_type, plan, start_time, end_time) "
            "VALUES ($1, $2, $3, $4, $5) RETURNING id",
            partner_id,
            body.contractType.upper(),
            _plan(body.plan),
            _time(body.startTime),
            _time(body.endTime),
        )
        return ok({"status": success(), "contract": {"id": cid}}, 201)

    @put("/contract/{contract_id:int}")
    async def renew(contract_id: int, ctx: RequestContext) -> Response[bytes]:
        body = _decode(ctx.body, Renewal)
        plan = _plan(body.plan) if body.plan else None
        row = await ctx.pg.fetchrow(
            "UPDATE contracts SET end_time = $2, plan = coalesce($3, plan), status = 'ACTIVE' "
            "WHERE id = $1 AND start_time < $2 RETURNING partner_id, plan, end_time",
            contract_id,
            _time(body.endTime),
            plan,
        )
        if row is None:
            raise ApiError(404, f"contract {contract_id} not found or end before its start")
        event = {
            "contractId": contract_id,
            "partnerId": row["partner_id"],
            "plan": row["plan"],
            "endTime": _ms(row["end_time"]),
        }
        await ctx.outbox(CONTRACT_RENEWED, event)
        return ok({"status": success(), "contract": event})

    return [
        Router(
            "/partner-service/api",
            route_handlers=[partner, create_partner, create_contract, renew],
        ),
        Router("/", route_handlers=[partner_root]),
    ]
