"""Models for assessment (see its issue; empty until then)."""
