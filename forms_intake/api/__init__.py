"""The business systems' API (``/api/v1/``, django-ninja): change feed, results, employer lookup (docs/api.md).

``urls``: the versioned ``NinjaAPI`` with its error answers and call log; ``auth``: API clients' tokens;
``feed``, ``results``, ``employers``: the endpoints; ``schemas``: OpenAPI schemas, the record's fields
generated from the Annex 2 schema. The admin for clients and dead letters is in ``admin``.
"""
