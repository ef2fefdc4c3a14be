"""The demo store that `make run` loads: real records made through the same services as the store."""
