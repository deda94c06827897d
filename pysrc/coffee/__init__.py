"""Coffee: a gateway, an api and an event pipeline sharing one Rust core (`coffee._native`)."""

__all__ = ["__version__"]
__version__ = "0.1.0"
