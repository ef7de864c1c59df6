"""Reaching everyone: the staff screens of data imports, the roster of unregistered people, door-to-door visits
and suspect records (seed items 5, 15-17). Services in ``forms_intake.services``; tables in ``models.outreach``."""
