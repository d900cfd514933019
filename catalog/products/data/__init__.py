"""Tables shipped with the package (see each table's README)."""
