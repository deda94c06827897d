"""L1 costs are bytes of memory: the gateway's L1 filled with its real entry types stays within
1.3x L1_MAX_COST of RSS growth (measured in a fresh subprocess, so nothing else the test run
allocated counts)."""

from __future__ import annotations

import json
import subprocess
import sys

from coffee.gateway.auth import Principal, token_digest
from coffee.gateway.l1_cost import entry_cost
from coffee.gateway.partners import Contract
from coffee.gateway.sessions import session_key

MAX_COST = 64 << 20

# Fills a Cache(MAX_COST) as the gateway does (auth.py, sessions.py, partners.py): a principal
# by token digest, its session by session key, its partner's contract by partner id, until the
# costs written add up to 3x MAX_COST, so the cache evicts all along.
_FILL = """
import gc, json, sys
from coffee._native import Cache
from coffee.gateway.auth import Principal, token_digest
from coffee.gateway.l1_cost import entry_cost
from coffee.gateway.partners import Contract
from coffee.gateway.sessions import session_key

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096

max_cost = int(sys.argv[1])
gc.collect()
before = rss()
l1 = Cache(max_cost)
written = peak = 0
i = 0
while written < 3 * max_cost:
    sid = f"{i:08d}-5a1e-4c3b-9d2f-{i:012x}"
    claims = {"sid": sid, "uid": f"user-{i}", "partnerId": i % 5000 + 1,
              "userAccountId": 100000 + i, "exp": 4e9}
    principal = Principal(claims)
    key = token_digest(f"eyJhbGciOi.{i}.sig".encode())
    cost = entry_cost(key, principal)
    l1.set(key, principal, cost=cost, ttl=3600.0)
    skey = session_key(sid)
    scost = entry_cost(skey, True)
    l1.set(skey, True, cost=scost, ttl=60.0)
    written += cost + scost
    if i % 4 == 0:
        pid = i % 100000 + 1
        contract = Contract(b"PRO", 1.7e9, 1.8e9 + i)
        ccost = entry_cost(pid, contract)
        l1.set(pid, contract, cost=ccost, ttl=60.0)
        written += ccost
    if i % 1024 == 0:
        peak = max(peak, l1.stats()["cost_used"])
    i += 1
stats = l1.stats()
print(json.dumps({"growth": rss() - before, "peak": max(peak, stats["cost_used"]),
                  "max_cost": stats["max_cost"]}))
"""


def test_entry_cost_counts_the_objects_an_entry_holds():
    claims = {"sid": "s" * 36, "uid": "u-1", "partnerId": 7, "userAccountId": 9, "exp": 4e9}
    principal = Principal(claims)
    key = token_digest(b"token")
    # a principal holds six bytes/str objects: far more than its bare slots object
    assert entry_cost(key, principal) > sys.getsizeof(principal) + sys.getsizeof(key) + 400
    small, big = Contract(b"P", 0.0, 1.0), Contract(b"P" * 1000, 0.0, 1.0)
    assert entry_cost(7, big) - entry_cost(7, small) >= 999
    assert entry_cost(session_key("a"), True) < entry_cost(session_key("a" * 500), True)


def test_gateway_l1_full_of_real_entries_grows_rss_at_most_1_3x_max_cost():
    out = subprocess.run(
        [sys.executable, "-c", _FILL, str(MAX_COST)],
        capture_output=True,
        text=True,
        check=True,
    )
    r = json.loads(out.stdout)
    assert r["peak"] <= MAX_COST
    assert r["growth"] <= 1.3 * MAX_COST, (
        f"RSS grew {r['growth'] / MAX_COST:.2f}x L1_MAX_COST ({r})"
    )
