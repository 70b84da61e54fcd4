"""Readings: what teams report, kept forever, with the level the pack gave them."""
