"""Benchmarks, run by hand; the suite runs them at a tiny size so they cannot rot."""
