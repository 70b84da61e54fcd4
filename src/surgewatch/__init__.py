"""Surgewatch: open escalation, surge planning and improvement for health and social care."""

__version__ = "0.1.0"
