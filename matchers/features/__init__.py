"""Features: small documented functions `(query, candidate, config) -> FeatureResult | None`.

Each module holds one family (identity, GTIN, images, price, trade, text);
`matchers.scoring` weighs their results and `matchers.engine` runs them per candidate.
This package imports nothing at load time so `matchers.scoring` can use `base` freely.
"""
