"""Spot checks (抽查): the reproducible draw, who counts as outside a division, and the error rate's interval.

Pure functions, no database: the service (forms_intake/services/spot_checks.py) feeds them ids and codes.
"""

from __future__ import annotations

import math
import random
from typing import NamedTuple

#: z for a two-sided 95 % interval.
Z_95 = 1.959963984540054
MAX_SAMPLE_SIZE = 2000


def draw_sample(population_ids, size, seed):
    """``size`` ids drawn without replacement from ``population_ids``, the same for the same ids, size and seed.

    The ids are sorted first, so the draw depends on the set only (not on the order a query returned them).
    Returned in the order drawn (the sample's positions). Not for secrets: a reproducible audit sample.
    """
    ordered = sorted(population_ids)
    size = max(0, min(int(size), len(ordered)))
    # A reproducible audit sample, not a secret: the seeded generator is the point.
    rng = random.Random(int(seed))  # noqa: S311  # nosec B311
    return [ordered[i] for i in rng.sample(range(len(ordered)), size)]


def new_seed():
    """A fresh seed for a draw when the administrator gives none (recorded with the draw)."""
    return random.SystemRandom().randrange(1, 2**31)


def overlaps(division_prefix, reviewer_prefixes):
    """Whether a reviewer working under ``reviewer_prefixes`` works in, above or below the division.

    ``None`` (a superuser, unrestricted) overlaps everything.
    """
    if reviewer_prefixes is None:
        return True
    return any(p.startswith(division_prefix) or division_prefix.startswith(p) for p in reviewer_prefixes)


def assign_round_robin(item_ids, reviewer_ids):
    """{item id: reviewer id}, the reviewers taking the items in turn (in the order given)."""
    if not reviewer_ids:
        return {}
    return {item: reviewer_ids[i % len(reviewer_ids)] for i, item in enumerate(item_ids)}


class Interval(NamedTuple):
    low: float
    high: float


def wilson_interval(errors, checked, z=Z_95):
    """The Wilson score interval of the proportion ``errors / checked`` (None when nothing was checked)."""
    if checked <= 0:
        return None
    if not 0 <= errors <= checked:
        raise ValueError("errors must be between 0 and the number checked")
    p = errors / checked
    z2 = z * z
    denominator = 1 + z2 / checked
    centre = (p + z2 / (2 * checked)) / denominator
    half = z * math.sqrt(p * (1 - p) / checked + z2 / (4 * checked * checked)) / denominator
    return Interval(max(0.0, centre - half), min(1.0, centre + half))
