"""A small app installed only by the test suite: records that hold personal data like real ones."""
