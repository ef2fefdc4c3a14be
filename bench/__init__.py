"""Benchmarks behind `make bench`. Each module exposes ``run() -> list[str]`` (report lines)."""
