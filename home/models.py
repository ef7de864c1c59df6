"""Page models of the public site: home, notices (通告), posters (张贴画) and the work schedule (工作安排表).

The policy Q&A lives in the `faq` app. Site search (home/search.py) reads each
page's `search_text`, a plain-text copy of what the page says, kept up to date
on every save (publishing saves the page, so live pages always match).
"""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from home.blocks import BodyBlock, SchedulePhaseBlock
from home.chrome import page_chrome
from home.text import plain_text, stream_text

# The work schedule's rows as tracked data (a snippet), imported so that Django finds the models here.
from home.work_items import WorkItem, WorkItemEvidence, schedule_phases  # noqa: F401
from portal.content_memo import ViewRestrictionsMixin, memo, site_key
from portal.page_routing import PathRoutingMixin


class SearchTextMixin(models.Model):
    """Keeps `search_text`, a lower-cased plain-text copy of the page, for substring search.

    Wagtail's database search backend splits words on spaces, which Chinese does
    not have; substring matching over this column finds 参保 or 社保卡 anywhere,
    the same way on SQLite and PostgreSQL.
    """

    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.search_text = " ".join(p for p in (plain_text(part) for part in self.get_search_parts()) if p).lower()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_text" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_text"]
        return super().save(*args, **kwargs)

    def get_search_parts(self):
        """The texts that a visitor's search should look through (override to add fields)."""
        return [self.title, self.search_description]


class HomePage(PathRoutingMixin, ViewRestrictionsMixin, Page):
    """The portal's front page: a clear call to register, the latest notices and the ways into the content."""

    intro = RichTextField(blank=True, verbose_name=_("introduction"), help_text=_("Shown under the page title."))
    call_to_action_text = models.CharField(
        max_length=60,
        blank=True,
        verbose_name=_("call to action"),
        help_text=_("Label of the main button, e.g. 立即登记."),
    )
    call_to_action_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("call to action page"),
        help_text=_("Where the main button leads: the registration page."),
    )
    status_lookup_text = models.CharField(
        max_length=60, blank=True, verbose_name=_("status lookup link text"), help_text=_("e.g. 查询登记进度")
    )
    status_lookup_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("status lookup page"),
        help_text=_("Where residents check their registration. Empty: the built-in /status/ address."),
    )
    notices_heading = models.CharField(max_length=80, blank=True, verbose_name=_("latest notices heading"))
    sections_heading = models.CharField(max_length=80, blank=True, verbose_name=_("sections heading"))

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("call_to_action_text"), FieldPanel("call_to_action_page")], heading=_("Call to action")
        ),
        MultiFieldPanel(
            [FieldPanel("status_lookup_text"), FieldPanel("status_lookup_page")], heading=_("Status lookup")
        ),
        MultiFieldPanel([FieldPanel("notices_heading"), FieldPanel("sections_heading")], heading=_("Headings")),
    ]

    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def status_lookup_url(self, request=None):
        """The status lookup page's URL, or the fixed /status/ address of the active language."""
        return self._linked_urls(request)["status_url"]

    def call_to_action_url(self, request=None):
        """The main button's target in this page's language (None when unset or unpublished)."""
        return self._linked_urls(request)["call_to_action_url"]

    def _linked_urls(self, request):
        """The URLs of the call to action and the status lookup, in this page's language (one query for both)."""
        # Translations keep the Chinese pages in these fields; link to the pages in this page's language.
        urls = _translated_page_urls([self.call_to_action_page_id, self.status_lookup_page_id], self.locale_id, request)
        status_url = urls.get(self.status_lookup_page_id)
        if status_url is None:
            status_url = "/en/status/" if self.locale.language_code == "en" else "/status/"
        return {"call_to_action_url": urls.get(self.call_to_action_page_id), "status_url": status_url}

    def _links(self, request):
        # The sections are the home page's menu: the same query as the main menu's (home/chrome.py).
        sections = page_chrome(request, self)["menu"] if request is not None else []
        latest = (
            NoticePage.objects.live()
            .filter(locale_id=self.locale_id)
            .only("id", "title", "url_path", "issue_date")
            .order_by("-issue_date", "-pk")[:5]
        )
        notices = [{"title": n.title, "url": n.get_url(request), "issue_date": n.issue_date} for n in latest]
        return {"latest_notices": notices, "sections": sections, **self._linked_urls(request)}

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Notices and links change only when something is published: reused until then (portal/content_memo.py).
        context.update(memo.get(request, ("home-links", *site_key(request), self.pk), lambda: self._links(request)))
        return context


def _translated_page_urls(page_ids, locale_id, request):
    """{page id: URL of its live version in locale `locale_id`, else of the page itself} for the set ids."""
    page_ids = [page_id for page_id in page_ids if page_id]
    if not page_ids:
        return {}
    # One query: every live language version of the pages (one per locale).
    sources = Page.objects.filter(pk__in=page_ids).values("translation_key")
    versions = list(
        Page.objects.live().filter(translation_key__in=sources).only("id", "translation_key", "locale_id", "url_path")
    )
    urls = {}
    for page_id in page_ids:
        key = next((p.translation_key for p in versions if p.pk == page_id), None)
        same_key = [p for p in versions if key is not None and p.translation_key == key]
        target = next((p for p in same_key if p.locale_id == locale_id), None)
        target = target or next((p for p in same_key if p.pk == page_id), None)
        if target is not None:
            urls[page_id] = target.get_url(request)
    return urls


class NoticeIndexPage(ViewRestrictionsMixin, Page):
    """The list of notices (通知公告), newest first, ten to a page, with an RSS/Atom feed."""

    intro = RichTextField(blank=True, verbose_name=_("introduction"))
    per_page = 10

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.NoticePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("notice index")

    def notices(self):
        return NoticePage.objects.child_of(self).live().order_by("-issue_date", "-pk")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        paginator = Paginator(self.notices(), self.per_page)
        try:
            notices = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            notices = paginator.page(1)
        except EmptyPage:
            notices = paginator.page(paginator.num_pages)
        context["notices"] = notices
        return context


class NoticePage(ViewRestrictionsMixin, SearchTextMixin, Page):  # noqa: DJ008 (Page.__str__ is the title)
    """An official notice (通告): who issued it, its document number, dates and the text with attachments."""

    issuing_authority = models.CharField(max_length=200, verbose_name=_("issuing authority"))
    document_number = models.CharField(
        max_length=100, blank=True, verbose_name=_("document number"), help_text=_("文号, e.g. 湘人社函〔2015〕12号")
    )
    issue_date = models.DateField(verbose_name=_("issue date"))
    effective_date = models.DateField(null=True, blank=True, verbose_name=_("effective date"))
    summary = models.TextField(
        max_length=400,
        verbose_name=_("summary"),
        help_text=_("One or two sentences for lists, feeds and link previews."),
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"))

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("issuing_authority"),
                FieldPanel("document_number"),
                FieldRowPanel([FieldPanel("issue_date"), FieldPanel("effective_date")]),
            ],
            heading=_("Document details"),
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("issue_date"),
    ]
    parent_page_types = ["home.NoticeIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("notice")

    def get_search_parts(self):
        parts = [self.issuing_authority, self.document_number, self.summary, stream_text(self.body)]
        return [*super().get_search_parts(), *parts]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The link back to the list: the notice's parent, from the breadcrumbs (home/chrome.py).
        ancestors = page_chrome(request, self)["ancestors"]
        context["index_url"] = ancestors[-1]["url"] if ancestors else None
        return context


class PosterIndexPage(ViewRestrictionsMixin, Page):
    """The gallery of posters (宣传张贴画) with their print files."""

    intro = RichTextField(blank=True, verbose_name=_("introduction"))

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.PosterPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("poster gallery")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["posters"] = list(
            PosterPage.objects.child_of(self).live().select_related("image", "print_file").order_by("path")
        )
        return context


class PosterPage(ViewRestrictionsMixin, SearchTextMixin, Page):  # noqa: DJ008 (Page.__str__ is the title)
    """A poster: the image shown on the site (with alt text) and a print-quality file to download."""

    image = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.PROTECT, related_name="+", verbose_name=_("image")
    )
    alt_text = models.CharField(
        max_length=250,
        verbose_name=_("alternative text"),
        help_text=_("What the poster shows and says, for screen readers."),
    )
    caption = models.TextField(blank=True, verbose_name=_("caption"))
    print_file = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("print file"),
        help_text=_("The print-quality file (PDF or SVG) that offices download and print."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("image"),
        FieldPanel("alt_text"),
        FieldPanel("caption"),
        FieldPanel("print_file"),
    ]
    search_fields = Page.search_fields + [index.SearchField("alt_text"), index.SearchField("caption")]
    parent_page_types = ["home.PosterIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("poster")

    def get_search_parts(self):
        return [*super().get_search_parts(), self.alt_text, self.caption]


class SchedulePage(ViewRestrictionsMixin, SearchTextMixin, Page):  # noqa: DJ008 (Page.__str__ is the title)
    """The work schedule (工作安排表): rows of structured data grouped by phase, shown as one accessible table."""

    intro = RichTextField(blank=True, verbose_name=_("introduction"))
    phases = StreamField([("phase", SchedulePhaseBlock())], verbose_name=_("phases"))

    # The rows shown are the work items (home/work_items.py, edited under "Work schedule items" by the
    # provincial office); `phases` keeps the seed's copy of the document for the page's search text.
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("work schedule")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The active language follows the page's locale (its URL prefix); reading self.locale costs a query.
        english = (translation.get_language() or "").startswith("en")
        context["schedule_phases"] = memo.get(request, ("work-schedule", english), lambda: schedule_phases(english))
        return context

    def get_search_parts(self):
        return [*super().get_search_parts(), self.intro, stream_text(self.phases)]


class InformationPage(ViewRestrictionsMixin, SearchTextMixin, Page):  # noqa: DJ008 (Page.__str__ is the title)
    """A page of plain content (the privacy notice, the accessibility statement): a summary and a body."""

    summary = models.TextField(
        max_length=400,
        blank=True,
        verbose_name=_("summary"),
        help_text=_("One or two sentences shown under the title, in search results and link previews."),
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"))

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("information page")

    def get_search_parts(self):
        return [*super().get_search_parts(), self.summary, stream_text(self.body)]
