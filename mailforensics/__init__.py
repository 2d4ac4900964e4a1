"""mailforensics."""
