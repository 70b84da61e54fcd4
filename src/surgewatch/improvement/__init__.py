"""Improve and govern (issue 7): the High Impact Change Model, the wash-up board's
arithmetic, placement and review timers, and scheme savings. Pure Python: the web app
stores records and calls these functions."""
