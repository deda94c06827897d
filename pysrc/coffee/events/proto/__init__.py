"""Generated from proto/events.proto by `make proto`; do not edit."""
