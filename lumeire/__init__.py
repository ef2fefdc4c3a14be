"""Lumeire: an online store that keeps its word about personal data."""
