"""Page factories of the public site (home/models.py, faq/models.py), each with a parent and a generated body.

Each factory places its page where the site's tree has it (a notice under the Chinese notice index, the
Q&A page under the Chinese home page, …), validates it and publishes a revision, as an editor's publish
would: `NoticePageFactory()` is a live notice with a heading, paragraphs, a table, an image and an
attachment. `draft=True` saves a revision without publishing. Pass `parent=` to place a page elsewhere,
and the wagtail-factories syntax to choose the body (`body__0__paragraph__text="…"`).

The default parents are the seeded site's pages (the `public_site` or `portal_content` fixture).
"""

import datetime

import factory
import wagtail_factories
from wagtail.models import Locale, Page

from faq.models import FaqPage
from home.models import HomePage, NoticeIndexPage, NoticePage, PosterIndexPage, PosterPage, SchedulePage
from tests.factories.blocks import (
    ZH,
    BodyBlockFactory,
    CategoriesBlockFactory,
    DocumentFactory,
    GeneratedStreamFieldFactory,
    ImageFactory,
    PhasesBlockFactory,
)


def _zh(model):
    """The Chinese (source) page of a type that the seeded site has once per language."""
    return lambda: model.objects.get(locale__language_code="zh-hans")


def _intro(text):
    return f"<p>{text}</p>"


class PublicPageFactory(wagtail_factories.PageFactory):
    """Base of the page factories: Chinese texts, the parent's locale, validated and published."""

    title = factory.Faker("sentence", nb_words=4, locale=ZH)
    slug = factory.Sequence(lambda n: f"test-page-{n}")
    locale = factory.LazyAttribute(lambda o: o.parent.locale if o.parent else Locale.get_default())
    search_description = factory.Faker("sentence", nb_words=6, locale=ZH)

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    class Params:
        draft = factory.Trait(live=False)

    @factory.post_generation
    def publish(obj, create, extracted, **kwargs):
        """Validate and publish a revision (drafts skip validation in Wagtail, so clean first)."""
        if not create:
            return
        obj.full_clean()
        revision = obj.save_revision()
        if obj.live:
            revision.publish()
            obj.refresh_from_db()


class HomePageFactory(PublicPageFactory):
    """A home page under the tree's root (a new site's root page; the seeded one is `HomePage` zh)."""

    parent = factory.LazyFunction(lambda: Page.get_first_root_node())
    intro = factory.LazyAttribute(lambda o: _intro(o.intro_text))
    call_to_action_text = "立即登记"
    status_lookup_text = "查询登记进度"
    notices_heading = "最新通告"
    sections_heading = "栏目"

    class Params:
        intro_text = factory.Faker("sentence", nb_words=8, locale=ZH)

    class Meta:
        model = HomePage


class NoticeIndexPageFactory(PublicPageFactory):
    parent = factory.LazyFunction(_zh(HomePage))
    title = "通知公告"
    intro = factory.LazyAttribute(lambda o: _intro(o.intro_text))

    class Params:
        intro_text = factory.Faker("sentence", nb_words=8, locale=ZH)

    class Meta:
        model = NoticeIndexPage


class NoticePageFactory(PublicPageFactory):
    """A notice under the Chinese notice index, issued today (after the seed's notices), with a full body."""

    parent = factory.LazyFunction(_zh(NoticeIndexPage))
    slug = factory.Sequence(lambda n: f"factory-notice-{n}")
    issuing_authority = "湖南省人力资源和社会保障厅"
    document_number = factory.Sequence(lambda n: f"湘人社函〔2016〕{n + 1}号")
    issue_date = factory.LazyFunction(datetime.date.today)
    summary = factory.Faker("sentence", nb_words=12, locale=ZH)
    body = GeneratedStreamFieldFactory(
        BodyBlockFactory, default=["heading", "paragraph", "table", "image", "paragraph", "attachment"]
    )

    class Meta:
        model = NoticePage


class PosterIndexPageFactory(PublicPageFactory):
    parent = factory.LazyFunction(_zh(HomePage))
    title = "宣传张贴画"
    intro = factory.LazyAttribute(lambda o: _intro(o.intro_text))

    class Params:
        intro_text = factory.Faker("sentence", nb_words=8, locale=ZH)

    class Meta:
        model = PosterIndexPage


class PosterPageFactory(PublicPageFactory):
    """A poster under the Chinese poster gallery, with a generated image and a print file."""

    parent = factory.LazyFunction(_zh(PosterIndexPage))
    slug = factory.Sequence(lambda n: f"factory-poster-{n}")
    image = factory.SubFactory(ImageFactory)
    alt_text = factory.Faker("sentence", nb_words=6, locale=ZH)
    caption = factory.Faker("sentence", nb_words=6, locale=ZH)
    print_file = factory.SubFactory(DocumentFactory)

    class Meta:
        model = PosterPage


class SchedulePageFactory(PublicPageFactory):
    """A work schedule of three phases of three rows (place it under a home page without one: `parent=`)."""

    parent = factory.LazyFunction(_zh(HomePage))
    title = "工作安排表"
    intro = factory.LazyAttribute(lambda o: _intro(o.intro_text))
    phases = GeneratedStreamFieldFactory(PhasesBlockFactory, default=["phase", "phase", "phase"])

    class Params:
        intro_text = factory.Faker("sentence", nb_words=8, locale=ZH)

    class Meta:
        model = SchedulePage


class FaqPageFactory(PublicPageFactory):
    """A policy Q&A page of two categories of three questions."""

    parent = factory.LazyFunction(_zh(HomePage))
    title = "政策问答"
    intro = factory.LazyAttribute(lambda o: _intro(o.intro_text))
    categories = GeneratedStreamFieldFactory(CategoriesBlockFactory, default=["category", "category"])

    class Params:
        intro_text = factory.Faker("sentence", nb_words=8, locale=ZH)

    class Meta:
        model = FaqPage
