"""Fixtures of the kernel's tests: the memo of page parts switched on, as in production."""

import time

import pytest

from portal import content_memo, generation


@pytest.fixture
def memo_on(settings):
    """The memo, remembered routes and memoised fragments switched on, from a fresh generation and an empty memo.

    Tests roll back instead of committing, so a publish moves the generation on only through the root
    conftest's `publish` fixture (which runs the on-commit invalidation).
    """
    settings.CONTENT_MEMO_ENABLED = True
    generation.get_cache().set(generation.GENERATION_KEY, time.time_ns(), timeout=None)
    content_memo.memo.clear()
    yield settings
    content_memo.memo.clear()


def entries(prefix):
    """The memo's keys that start with `prefix` (e.g. "route", "fragment")."""
    with content_memo.memo._lock:
        return [key for key in content_memo.memo._entries if key[0] == prefix]
