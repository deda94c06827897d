"""Typed stubs of the compiled core, `coffee._native` (built from rust/ by maturin).

One section per part of the core (cache, jwt, events), in that order; each part edits only its own.
"""

__version__: str

# ---- cache (rust/src/cache) ----

# ---- jwt (rust/src/jwt) ----

# ---- events (rust/src/events) ----
