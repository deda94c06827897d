"""Typed stubs of the compiled core, `coffee._native` (built from rust/ by maturin)."""

__version__: str
