"""Development helpers shared by tests/analytics and scripts/analytics_run.py: synthetic
history downloads, signing listeners in to the emulator, loading a warehouse with the
real tap and real targets, and reading it back. Dev-only: not part of the wheel."""
