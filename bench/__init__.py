"""Benchmarks of Coffee, each suite measured side by side with its peers in one run.

Run as ``python -m bench <suite> [--quick] [--json]``; the last line of ``--json`` output is
one JSON object with the suite's measurements and ratios.
"""
