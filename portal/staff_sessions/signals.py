"""Keep the user → session index current and end every session of a deactivated user."""

from importlib import import_module

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from portal.ratelimit import client_key
from portal.security_events import log_security_event

from .models import UserSession


def end_sessions(user_id) -> int:
    """Delete every indexed session of a user from the session store; returns how many."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(UserSession.objects.filter(user_id=user_id).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(user_id=user_id).delete()
    return len(keys)


@receiver(user_logged_in, dispatch_uid="staff_sessions_logged_in")
def record_session(sender, request, user, **kwargs):
    # Django has already cycled the session key (login() rotates it); save so the key exists.
    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:
        session.save()
    UserSession.objects.get_or_create(session_key=session.session_key, defaults={"user_id": user.pk})
    log_security_event("login", request, user=user)


@receiver(user_logged_out, dispatch_uid="staff_sessions_logged_out")
def forget_session(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        UserSession.objects.filter(session_key=session.session_key).delete()
    if user is not None:
        log_security_event("logout", request, user=user)


@receiver(user_login_failed, dispatch_uid="staff_sessions_login_failed")
def login_failed(sender, credentials, request=None, **kwargs):
    # The username is not logged: it may be a mistyped password or a resident's name.
    log_security_event("login_failed", request, level=30)


@receiver(post_save, sender=get_user_model(), dispatch_uid="staff_sessions_deactivated")
def end_sessions_of_deactivated_user(sender, instance, created, **kwargs):
    if not created and not instance.is_active:
        # One indexed query when there is nothing to end; saves of inactive users are rare.
        ended = end_sessions(instance.pk)
        if ended:
            log_security_event("user_deactivated", None, user=None, target_user=instance.pk, sessions_ended=ended)


@receiver(user_locked_out, dispatch_uid="staff_sessions_locked_out")
def locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    # Neither the username nor the address is logged; the client hash correlates attempts.
    log_security_event("lockout", request, level=30, client=client_key(request) if request is not None else "")
