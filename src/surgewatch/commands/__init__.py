"""Command groups of the ``surgewatch`` command line."""
