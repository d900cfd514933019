"""The catalogue: rights holders, products, reference images, brand aliases, bulk import."""
