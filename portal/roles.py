"""Staff roles as Wagtail groups, and the demo accounts of development machines.

The roles (documented in README.md):
- 宣传编辑 communications editor: writes pages and submits them for review;
- 宣传审核 content approver: reviews and publishes pages;
- 经办人 registration handler: claims and processes submissions in their divisions;
- 校核人 registration reviewer: checks a handler's work (never their own);
- 省级管理员 provincial administrator: everything, including re-routing and users.
Other apps add their permissions to these groups through `ROLE_PERMISSIONS`.
"""

from django.contrib.auth.models import Group, Permission
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

EDITOR = "宣传编辑"
APPROVER = "宣传审核"
HANDLER = "经办人"
REVIEWER = "校核人"
PROVINCIAL_ADMIN = "省级管理员"
ROLES = [EDITOR, APPROVER, HANDLER, REVIEWER, PROVINCIAL_ADMIN]

_CONTENT_MEDIA = [
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
]

# Wagtail checks image and document permissions per collection, not on the group alone:
# the communications roles get them on the root collection (every image and document).
ROLE_COLLECTION_PERMISSIONS = {
    EDITOR: _CONTENT_MEDIA,
    APPROVER: _CONTENT_MEDIA,
    # Evidence documents of the work items (uploaded and chosen in the work item's form).
    PROVINCIAL_ADMIN: ["wagtaildocs.add_document", "wagtaildocs.choose_document"],
}

# Registrations (forms_intake): what each moderation role may do; the divisions
# a user works in are StaffDivision rows (see forms_intake/scope.py).
_SUBMISSIONS_HANDLER = [
    "forms_intake.view_submission",
    "forms_intake.add_submission",  # assisted entry of paper forms
    "forms_intake.change_submission",  # corrections
    "forms_intake.claim_submission",
    "forms_intake.reveal_id_number",
    # The roster of unregistered people and door-to-door visits in their divisions (issue 12).
    "forms_intake.view_rosterentry",
    "forms_intake.visit_rosterentry",
]
_SUBMISSIONS_REVIEWER = [
    "forms_intake.view_submission",
    "forms_intake.review_submission",
    "forms_intake.reveal_id_number",
]
# Suspect insured records (疑点信息): seen and verified in one's own divisions.
_SUSPECTS = ["forms_intake.view_suspectrecord", "forms_intake.change_suspectrecord"]

# Model permissions ("app_label.codename") per role. Permissions that do not
# exist yet (an app not migrated) are skipped, so this works on any schema.
ROLE_PERMISSIONS = {
    EDITOR: ["wagtailadmin.access_admin", "wagtail_localize.submit_translation", *_CONTENT_MEDIA],
    APPROVER: ["wagtailadmin.access_admin", "wagtail_localize.submit_translation", *_CONTENT_MEDIA],
    HANDLER: ["wagtailadmin.access_admin", *_SUBMISSIONS_HANDLER, *_SUSPECTS],
    REVIEWER: ["wagtailadmin.access_admin", *_SUBMISSIONS_REVIEWER],
    PROVINCIAL_ADMIN: [
        "wagtailadmin.access_admin",
        *_SUBMISSIONS_HANDLER,
        *_SUBMISSIONS_REVIEWER,
        "forms_intake.reroute_submission",
        "forms_intake.export_unmasked",
        # Which divisions each staff user works in.
        "forms_intake.view_staffdivision",
        "forms_intake.add_staffdivision",
        "forms_intake.change_staffdivision",
        "forms_intake.delete_staffdivision",
        # Insured, population and employer files (issue 12), and their suspect records.
        "forms_intake.import_outreach_data",
        *_SUSPECTS,
        # The business systems' API (issue 13): clients, webhooks, failed deliveries, cards.
        "forms_intake.view_apiclient",
        "forms_intake.add_apiclient",
        "forms_intake.change_apiclient",
        "forms_intake.view_subscription",
        "forms_intake.add_subscription",
        "forms_intake.change_subscription",
        "forms_intake.change_delivery",
        # Spot checks (issue 15): draw, see and assign; re-checking is the reviewers' (review_submission).
        "forms_intake.add_spotcheck",
        "forms_intake.view_spotcheck",
        "forms_intake.assign_spotcheck",
        # The campaign's work items (home.WorkItem, issue 15): tracked by the provincial office only.
        "home.view_workitem",
        "home.add_workitem",
        "home.change_workitem",
        "wagtaildocs.add_document",
        "wagtaildocs.choose_document",
    ],
}

# Page-tree permissions on the home pages, per role.
ROLE_PAGE_PERMISSIONS = {
    EDITOR: ["add_page", "change_page"],
    APPROVER: ["add_page", "change_page", "publish_page", "unlock_page"],
}


def _permissions(names):
    found = []
    for name in names:
        app_label, codename = name.split(".", 1)
        found.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
    return found


def ensure_roles(root_pages=()):
    """Create the five role groups with their permissions; idempotent. Returns {name: group}."""
    groups = {}
    for name in ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(ROLE_PERMISSIONS[name]))
        for root in root_pages:
            for codename in ROLE_PAGE_PERMISSIONS.get(name, []):
                permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
                GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)
        _ensure_collection_permissions(group, ROLE_COLLECTION_PERMISSIONS.get(name, []))
        groups[name] = group
    return groups


def _ensure_collection_permissions(group, names):
    root = Collection.get_first_root_node()
    if root is None:
        return
    for permission in _permissions(names):
        GroupCollectionPermission.objects.get_or_create(group=group, collection=root, permission=permission)
