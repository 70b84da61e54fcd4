"""The Django shell: stores, secures, schedules and shows what the core decides."""
