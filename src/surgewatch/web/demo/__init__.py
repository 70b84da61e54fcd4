"""Demonstration data: a realistic synthetic history and a user per role."""
