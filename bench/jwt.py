"""JWT verification: ours (`coffee._native.JwtVerifier`) against PyJWT (with `cryptography`),
the same tokens and keys, side by side in one process, interleaved rounds, median per verify.

Budget (issue 3): HS256 >= 15x PyJWT; RS256, ES256, EdDSA >= 2.5x.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import jwt as pyjwt
from coffee import _native

from tests.support.jwt_keys import pair_for

ALGORITHMS = ("HS256", "RS256", "ES256", "EdDSA")
BUDGET = {"HS256": 15.0, "RS256": 2.5, "ES256": 2.5, "EdDSA": 2.5}


def _per_call_us(fn: Callable[[], object], calls: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(calls):
        fn()
    return (time.perf_counter_ns() - start) / calls / 1000


def _measure(alg: str, rounds: int, calls: int) -> dict[str, float]:
    signing, verifying = pair_for(alg)
    claims = {"sid": "s-1", "uid": 42, "partnerId": 7, "exp": int(time.time()) + 3600}
    token = pyjwt.encode(claims, signing, algorithm=alg)
    ours = _native.JwtVerifier(verifying, [alg])
    assert ours.verify(token) == pyjwt.decode(token, verifying, algorithms=[alg]) == claims
    # Two PyJWT baselines: the key object prepared once (the fairest, what a careful service
    # does), and the PEM passed per call (how PyJWT is usually called, and how the issue's
    # reference numbers were taken). `speedup` is against the prepared key.
    key = pyjwt.get_algorithm_by_name(alg).prepare_key(verifying)

    def run_ours() -> object:
        return ours.verify(token)

    def run_pyjwt() -> object:
        return pyjwt.decode(token, key, algorithms=[alg])

    def run_pyjwt_pem() -> object:
        return pyjwt.decode(token, verifying, algorithms=[alg])

    ours_us, pyjwt_us, pem_us = [], [], []
    for _ in range(rounds):  # interleaved, so drift on a shared machine hits all alike
        ours_us.append(_per_call_us(run_ours, calls))
        pyjwt_us.append(_per_call_us(run_pyjwt, calls))
        pem_us.append(_per_call_us(run_pyjwt_pem, calls))
    ours, prepared, pem = (statistics.median(x) for x in (ours_us, pyjwt_us, pem_us))
    return {
        "ours_us": round(ours, 2),
        "pyjwt_us": round(prepared, 2),
        "speedup": round(prepared / ours, 2),
        "pyjwt_pem_us": round(pem, 2),
        "speedup_vs_pem": round(pem / ours, 2),
        "budget": BUDGET[alg],
    }


def run(quick: bool, progress: Callable[[str], None]) -> dict:
    rounds, calls = (5, 300) if quick else (15, 1000)
    results = {}
    for alg in ALGORITHMS:
        progress(f"{alg}: {rounds} interleaved rounds of {calls} verifies each")
        results[alg] = _measure(alg, rounds, calls)
    return results


def summary(results: dict) -> str:
    lines = [
        "JWT verify, median per call (ours vs PyJWT + cryptography)",
        "(PyJWT with its key prepared once; and with the PEM passed per call, as usually called)",
        f"{'alg':<7}{'ours µs':>9}{'PyJWT µs':>10}{'speedup':>9}{'PEM µs':>9}{'speedup':>9}"
        f"{'budget':>8}  met (prepared / PEM)",
    ]
    for alg, r in results.items():
        met = "/".join(
            "yes" if r[k] >= r["budget"] else "NO" for k in ("speedup", "speedup_vs_pem")
        )
        lines.append(
            f"{alg:<7}{r['ours_us']:>9.2f}{r['pyjwt_us']:>10.2f}{r['speedup']:>8.1f}x"
            f"{r['pyjwt_pem_us']:>9.2f}{r['speedup_vs_pem']:>8.1f}x{r['budget']:>7.1f}x  {met}"
        )
    return "\n".join(lines)
