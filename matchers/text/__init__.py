"""Text matching: normalisation, model numbers and product text retrieval."""
