"""Features: small documented functions `(ctx, config) -> FeatureResult | None`.

Each module holds one family (identity, GTIN, images, price, trade, text, registration);
`algorithm` lists them once as `Feature`s with the signals they emit, `matchers.scoring`
weighs their results and `matchers.engine` runs them per candidate.
This package imports nothing at load time so `matchers.scoring` can use `base` freely.
"""
