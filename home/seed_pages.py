"""Seed step for the public pages: posters, notices, policy Q&A, work schedule, English translations, workflow.

`seed_public_pages` is listed in home.seed_content.EXTRA_STEPS. It is
idempotent: it looks up each page, image, document and workflow before creating
it, and creates English translations only where they are missing.
"""

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

from home import poster_images
from home import seed_pages_content as content
from home import seed_schedule_content as schedule
from home.seeding import save_and_publish, translate_instance

WORKFLOW_NAME = "宣传审核流程"
TASK_NAME = "宣传审核"


def _log(command, message):
    if command is not None and getattr(command, "stdout", None) is not None:
        command.stdout.write(message)


def ensure_poster_files(poster):
    """The poster's image (PNG) and print file (SVG document), created once, found by title afterwards."""
    image_model, document_model = get_image_model(), get_document_model()
    title = poster["title"][0]
    image = image_model.objects.filter(title=title).first()
    if image is None:
        from io import BytesIO

        image = image_model(title=title)
        image.file = ImageFile(BytesIO(poster_images.poster_png(poster)), name=f"{poster['slug']}.png")
        image.save()
    document = document_model.objects.filter(title=title).first()
    if document is None:
        document = document_model(title=title)
        document.file = ContentFile(poster_images.poster_svg(poster), name=f"{poster['slug']}-print.svg")
        document.save()
    return image, document


def ensure_child(parent, model, slug, fields, zh, en, translations):
    """The page `slug` under `parent` (created and published if missing), translated into English if missing."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, locale=zh, **fields)
        parent.add_child(instance=page)
        save_and_publish(page)
        page.refresh_from_db()
    if not page.has_translation(en):
        translate_instance(page, en, translations)
    return page


def ensure_workflow(home_pages):
    """Workflow 宣传审核流程 with one task that the 宣传审核 group approves, on every home page tree."""
    from django.contrib.auth.models import Group

    from portal.roles import APPROVER

    approvers = Group.objects.get(name=APPROVER)
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.add(approvers)
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for page in home_pages:
        WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
    return workflow


def seed_public_pages(command, home_page, zh, en):
    """Create the public content of issue 3 in Chinese and English (idempotent)."""
    from faq.models import FaqPage
    from home import seed_content
    from home.models import HomePage, NoticeIndexPage, NoticePage, PosterIndexPage, PosterPage, SchedulePage
    from home.work_items_seed import seed_work_items
    from portal.roles import ensure_roles

    home = HomePage.objects.get(pk=home_page.pk)
    en_text = content.EN
    # Build the raw data first: it also registers every text in EN.
    faq_data = content.faq_categories_data()
    schedule_data = schedule.schedule_phases_data()
    poster_files = [ensure_poster_files(poster) for poster in content.POSTERS]
    campaign_body = content.campaign_notice_body(attachment_document=poster_files[0][1])
    visit_body = content.home_visit_notice_body()
    translations = {**seed_content.HOME_PAGE_EN, **en_text}

    def section(model, data, **extra):
        fields = {k: v for k, v in data.items() if k != "slug"}
        return ensure_child(home, model, data["slug"], {**fields, "show_in_menus": True, **extra}, zh, en, translations)

    notices = section(NoticeIndexPage, content.NOTICE_INDEX)
    for notice, body in ((content.CAMPAIGN_NOTICE, campaign_body), (content.HOME_VISIT_NOTICE, visit_body)):
        fields = {k: v for k, v in notice.items() if k != "slug"}
        ensure_child(notices, NoticePage, notice["slug"], {**fields, "body": body}, zh, en, translations)

    section(FaqPage, content.FAQ_PAGE, categories=faq_data)

    posters = section(PosterIndexPage, content.POSTER_INDEX)
    for poster, (image, document) in zip(content.POSTERS, poster_files, strict=True):
        fields = {
            "title": poster["title"][0],
            "image": image,
            "alt_text": poster["alt"][0],
            "caption": poster["caption"][0],
            "print_file": document,
        }
        ensure_child(posters, PosterPage, poster["slug"], fields, zh, en, translations)

    section(SchedulePage, content.SCHEDULE_PAGE, phases=schedule_data)
    # The page shows the work items (snippets, tracked by the provincial office), seeded from the same rows.
    seed_work_items()

    home = HomePage.objects.get(pk=home_page.pk)  # other steps may have saved it meanwhile
    status_page = home.get_children().filter(slug="status").first()
    if not home.status_lookup_text or (status_page is not None and home.status_lookup_page_id is None):
        for field, value in content.HOME_EXTRA.items():
            setattr(home, field, value)
        if status_page is not None:
            home.status_lookup_page = status_page
        save_and_publish(home)
        translate_instance(home, en, translations)

    en_home = home.get_translation_or_none(en)
    homes = [home] + ([en_home] if en_home is not None else [])
    # Editors and approvers work on both language trees.
    ensure_roles(root_pages=homes)
    ensure_workflow(homes)
    _log(command, "Public pages (notices, Q&A, posters, work schedule) are in place.")
