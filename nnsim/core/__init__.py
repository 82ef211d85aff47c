"""The numeric core: NumPy only, no Qt (a test enforces this)."""
