"""What the rest of the catalogue stands on.

Settings, database and migrations, the error hierarchy, ids, the blob store,
pagination cursors and the one process pool for image work.
"""
