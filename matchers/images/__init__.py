"""Image matching: decoding, perceptual hashes, near-copy search and photo matching."""
