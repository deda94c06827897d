"""Migration mode: the api behind the ORIGINAL Go gateway (issue 18).

During a migration the original saas-gateway may still front this api. It sends the tenant as
plain headers (`x-bb-partner-id`, `x-bb-plan-type`) and a Basic `Authorization`
(`userId~name~1~accountId:userId` for a user, `device~device~0:device` for a device), and it
cannot sign them. With `ORIGINAL_GATEWAY_MIGRATION=true` the api takes such a request as it
is, exactly as the original Coffee did; otherwise it is refused (401) as any unsigned request.

What is trusted, and why it is bounded:
- only a request WITHOUT our signature header: one that carries it must verify (a bad signature
  is never downgraded to the migration path);
- only from `ORIGINAL_GATEWAY_PEERS` (addresses or CIDRs) when set: the original gateway's
  hosts. Empty means any peer, as the original Coffee trusted its network; the start-up warning
  says so.
The mode is loud while on: a WARNING at every start, the gauge
`coffee_api_original_gateway_migration` = 1 and the counter
`coffee_api_requests_total{outcome="original_gateway"}` on the admin `/metrics`.
"""

from __future__ import annotations

import ipaddress
import logging

from coffee.api import metrics
from coffee.infra import tenant_signature

log = logging.getLogger("coffee.api.original_gateway")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_peers(text: str) -> tuple[Network, ...]:
    """`10.0.0.5, 10.1.0.0/16` as networks; ValueError naming the bad entry."""
    peers = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            peers.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or CIDR") from None
    return tuple(peers)


class OriginalGateway:
    """Decides whether an unsigned request is the original gateway's (and so accepted)."""

    def __init__(self, enabled: bool, peers: str = "") -> None:
        self.enabled = enabled
        self.peers = parse_peers(peers)

    def announce(self) -> None:
        """At start: the gauge always (0 or 1), the warning while the mode is on."""
        metrics.ORIGINAL_GATEWAY_MIGRATION.set(1 if self.enabled else 0)
        if not self.enabled:
            return
        where = ", ".join(map(str, self.peers)) or "ANY address"
        log.warning(
            "ORIGINAL_GATEWAY_MIGRATION is ON: requests without the gateway signature are "
            "accepted from %s with their tenant headers and Basic authorization taken as sent "
            "(the original gateway's). Turn it off once every client goes through coffee gateway.",
            where,
        )

    def accepts(self, headers: dict[str, str], peer: str | None) -> bool:
        if not self.enabled or tenant_signature.SIGNATURE_HEADER in headers:
            return False
        if not self.peers:
            return True
        try:
            address = ipaddress.ip_address(peer or "")
        except ValueError:  # a unix socket or no peer: not a listed host
            return False
        mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:10.0.0.5 on a dual-stack socket
        address = mapped or address
        return any(address in network for network in self.peers)
