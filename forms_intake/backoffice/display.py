"""Small display helpers shared by the back-office screens."""

from __future__ import annotations


def choice_label(choices, value):
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def user_name(user):
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


