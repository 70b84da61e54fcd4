"""People who sign in. A project-owned user model from the start, so it can grow."""
