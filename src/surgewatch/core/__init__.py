"""The escalation engine: packs, bands, scoring, aggregation and hysteresis. Imports no Django."""
