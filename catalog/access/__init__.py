"""Who may do what, and the record of what was done: API keys, the audit chain, idempotency."""
