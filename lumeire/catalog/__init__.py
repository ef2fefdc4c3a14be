"""The catalogue: categories, products, variants with stock, images, and search."""
