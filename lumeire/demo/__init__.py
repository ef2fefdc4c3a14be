"""The demo store that `make run` loads: real records made through the store's own services."""
