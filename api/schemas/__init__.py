"""Request and response bodies of the HTTP API, by concern (separate from the tables)."""
