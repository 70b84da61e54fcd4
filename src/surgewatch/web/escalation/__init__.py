"""Escalation: what the readings add up to, declared levels, and the system view."""
