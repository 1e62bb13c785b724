"""Models for partybuilding (see its issue; empty until then)."""
