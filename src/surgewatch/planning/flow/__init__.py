"""Patient-flow simulation of the discharge system (issue 6).

``scenario`` (the YAML schema) -> ``loading`` (with plan and pack, every
problem at once) -> ``inputs`` (day-by-day arrays) -> ``model`` (one
discrete-event replication) -> ``run`` (replications, common random numbers,
confidence intervals) -> ``opel`` (the run's indicators through the
escalation engine) -> ``report``. ``api`` is what the CLI and the web call.
No Django here.
"""
