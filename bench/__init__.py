"""nnsim benchmarks: `python -m bench` (or `make bench`).

Everything is measured side by side in one run and reported as medians over
repeats and as ratios of the two sides measured in the same run; see
docs/performance.md for what each row means and the targets.
"""
