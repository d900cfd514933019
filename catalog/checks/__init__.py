"""Officers' checks: score an item from a phone, keep its photo, offer photos of fakes."""
