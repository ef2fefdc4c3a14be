"""Run every benchmark and print its figures: `python -m bench [name ...]`."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = {
    "vault": "Encrypt/decrypt throughput and the cost of reading encrypted customer fields.",
    "accounts": "Password and recovery-answer hashing, and API sign-ins per second via gunicorn.",
    "storefront": "Pages, search and add to cart per second via gunicorn, as shares of the floor.",
    "checkout": "Orders placed per second by 16 customers at once, p95, errors and the stock.",
    "audit": "audit_verify over a million keyed audit entries (HMAC chain, anchor), entries/s, "
    "peak memory, and the p95 of one append.",
    "relevance": "Search precision and recall at 10 over a fixed set of English and Arabic "
    "queries on the demo catalogue.",
    "detection": "The detection sweep over a million events, events/s and peak memory, and the "
    "latency emitting events adds to sign-in and payment (connected vs not, p50/p95/p99).",
}


def main(argv: list[str]) -> int:
    chosen = argv or list(BENCHMARKS)
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}. Available:")
        for name, about in BENCHMARKS.items():
            print(f"  {name}: {about}")
        return 2
    for name in chosen:
        print(f"== bench/{name}.py: {BENCHMARKS[name]}")
        module = importlib.import_module(f"bench.{name}")
        for line in module.run():
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
