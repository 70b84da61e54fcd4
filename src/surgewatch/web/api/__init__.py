"""The REST API (django-ninja): readings in, status and history out."""
