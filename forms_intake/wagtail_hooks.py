"""Wagtail admin hooks for registrations: the 参保登记 menu, log actions, dashboard panel, reports."""

from wagtail import hooks

from . import audit


@hooks.register("register_log_actions")
def register_submission_log_actions(actions):
    audit.register_log_actions(actions)
