"""Exercise mode (issue 7): run a scripted scenario through a sandboxed copy of a plan's
rules at accelerated time, and say what would have happened. Imports no Django."""
