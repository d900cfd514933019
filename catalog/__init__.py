"""Persistence and use cases: tables, repositories, services, blob store, audit chain."""
