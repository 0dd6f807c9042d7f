"""Benchmarks of tap-spotify against the local emulator (run: bash scripts/bench.sh)."""
