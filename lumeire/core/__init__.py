"""Leaf app: what every part of the store shares (errors, request ids, logging, validators)."""
