"""Interface: the public JSON API under /api/v1/ (thin routers over services and selectors)."""
