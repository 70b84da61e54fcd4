"""Capacity planning maths: bed gap, schemes, uncertainty and costs. Imports no Django."""
