"""Create one demo account per staff role, on development machines only.

The password is generated once, kept in `.local/demo_password` (git-ignored)
and printed with the usernames on every run. Each app gives the demo users its
own data with its own command (the registration app's divisions:
`load_registration_content --demo-divisions`, run after this one by `make run`).
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from portal import roles

DEMO_USERS = [
    ("editor", roles.EDITOR, "宣传编辑（演示）"),
    ("approver", roles.APPROVER, "宣传审核（演示）"),
    ("handler", roles.HANDLER, "经办人（演示）"),
    ("reviewer", roles.REVIEWER, "校核人（演示）"),
    ("admin", roles.PROVINCIAL_ADMIN, "省级管理员（演示）"),
]


class Command(BaseCommand):
    help = "Create demo staff accounts (development only) and print their usernames and password."

    def handle(self, *args, **options):
        if not settings.DEBUG or settings.PORTAL_ENVIRONMENT == "production":
            raise CommandError("Demo accounts exist only on development machines (DEBUG on, not production settings).")
        password = self.demo_password()
        User = get_user_model()
        rows = []
        for username, role, first_name in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username, defaults={"first_name": first_name})
            if created:
                user.set_password(password)
                user.is_staff = True
                # The provincial administrator also manages users and settings.
                user.is_superuser = role == roles.PROVINCIAL_ADMIN
                user.save()
            user.groups.add(Group.objects.get(name=role))
            rows.append((username, role))
        self.stdout.write("Demo accounts (development only) — password: " + password)
        for username, role in rows:
            self.stdout.write(f"  {username:<10} {role}")

    def demo_password(self):
        path = settings.BASE_DIR / ".local" / "demo_password"
        if not path.exists():
            path.parent.mkdir(exist_ok=True)
            path.write_text(secrets.token_urlsafe(12))
            path.chmod(0o600)
        return path.read_text().strip()
