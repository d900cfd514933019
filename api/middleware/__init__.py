"""Pure-ASGI middleware: the body cap, Idempotency-Key, metrics."""
