"""The matching index each worker holds, kept in step with the catalogue (rows, changes, LISTEN)."""
