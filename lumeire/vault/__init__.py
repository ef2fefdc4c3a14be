"""Leaf app: the only code that touches keys. Encrypts, indexes, shreds and inventories personal data."""
