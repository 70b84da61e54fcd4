"""The load and fault suite (issue 8): ``scripts/reliability`` runs it.

``client`` is the bounded load client (stdlib only, no Django); ``processes``
starts and breaks PostgreSQL, Redis, gunicorn and the worker; ``receivers``
are the SMTP and webhook ends that can be made to fail; ``fixtures`` and
``checks`` set up and count through the Django ORM; ``run`` ties them together.
"""
