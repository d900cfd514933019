"""The matching index each worker holds and the reads that keep it in step with the catalogue."""
