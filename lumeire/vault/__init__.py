"""Leaf app, the only code that touches keys: encrypts, indexes and shreds personal data."""
