"""The gateway: JWT auth, the L1 -> Redis -> identity session chain, contract -> plan, and a
header-rewriting keep-alive reverse proxy, served on uvloop by asyncio protocols."""
