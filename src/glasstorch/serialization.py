"""save and load (being written)."""
