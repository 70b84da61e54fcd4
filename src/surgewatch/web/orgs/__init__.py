"""Organisations, areas and memberships, created from framework packs."""
