"""The portal's session engine: Django's database sessions, with a lost connection answered "try again".

Sessions live in the database only (see SESSION_ENGINE in portal/settings/base.py for why not `cached_db`).

Django's database backend turns *every* database error of a session update into `UpdateError`, which the
session middleware answers with 400 "the session was deleted before the request completed". A lost
connection (a PgBouncer or PostgreSQL restart, a failover) is not a deleted session: the resident's answers
were simply not saved and the same request will succeed a moment later. Here that error propagates as it
is, so it gets the site's 503 "try again" page (portal/views.py: server_error) that the load balancer and
the resident know to retry, and nothing half-saved is kept (the middleware does not save on a 5xx). A
session that really is gone (the update touched no row) still raises `UpdateError`.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import InterfaceError, OperationalError

#: Errors of a lost or refused database connection (as portal/views.py CONNECTION_ERRORS).
CONNECTION_ERRORS = (OperationalError, InterfaceError)


class SessionStore(db.SessionStore):
    def save(self, must_create=False):
        try:
            return super().save(must_create=must_create)
        except UpdateError as exc:
            # Django raises UpdateError inside its `except DatabaseError`: the cause is the context.
            if isinstance(exc.__context__, CONNECTION_ERRORS):
                raise exc.__context__ from None
            raise
