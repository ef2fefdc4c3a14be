"""Carts of guests and customers: lines priced from the catalogue, never from the client."""
