"""Block factories for the StreamFields of the public pages (home/blocks.py, faq/models.py).

A StreamField declared with `GeneratedStreamFieldFactory` gets a generated body of every block type
unless the test asks for its own blocks (`body__0__heading__text="…"`, `body__1="paragraph"`),
the wagtail-factories syntax. Texts are Chinese (Faker's zh_CN), like the portal's content.
"""

import factory
import wagtail_factories
from django.utils.html import format_html
from wagtail import blocks
from wagtail.models import Collection
from wagtail.rich_text import RichText

from faq.models import CategoryBlock, QuestionBlock
from home.blocks import (
    BodyBlock,
    CaptionedImageBlock,
    DocumentAttachmentBlock,
    HeadingBlock,
    SchedulePhaseBlock,
    ScheduleRowBlock,
    TranslatableTableBlock,
)

ZH = "zh_CN"


def _root_collection():
    return Collection.get_first_root_node()


class ImageFactory(wagtail_factories.ImageFactory):
    """A small generated PNG in the root collection (wagtail-factories would add a second root)."""

    collection = factory.LazyFunction(_root_collection)
    title = factory.Faker("sentence", nb_words=3, locale=ZH)
    file = factory.django.ImageField(width=60, height=85, color=(160, 16, 27), format="PNG")


class DocumentFactory(wagtail_factories.DocumentFactory):
    """A small PDF-named document in the root collection."""

    collection = factory.LazyFunction(_root_collection)
    title = factory.Faker("sentence", nb_words=3, locale=ZH)
    file = factory.django.FileField(data=b"%PDF-1.4\n% test attachment\n", filename="attachment.pdf")


class ImageChooserBlockFactory(wagtail_factories.ImageChooserBlockFactory):
    image = factory.SubFactory(ImageFactory)


class DocumentChooserBlockFactory(wagtail_factories.DocumentChooserBlockFactory):
    document = factory.SubFactory(DocumentFactory)


class HeadingBlockFactory(wagtail_factories.StructBlockFactory):
    text = factory.Faker("sentence", nb_words=3, locale=ZH)
    level = "h2"

    class Meta:
        model = HeadingBlock


class ParagraphBlockFactory(wagtail_factories.blocks.BlockFactory):
    """A rich-text paragraph: `text` (escaped into one <p>) or `value` (HTML as it is)."""

    class Params:
        text = factory.Faker("paragraph", nb_sentences=2, locale=ZH)

    value = factory.LazyAttribute(lambda o: format_html("<p>{}</p>", o.text))

    class Meta:
        model = blocks.RichTextBlock

    @classmethod
    def _construct_block(cls, block_class, *args, **kwargs):
        return RichText(kwargs["value"])


class TableBlockFactory(wagtail_factories.blocks.BlockFactory):
    """A table with a header row, as the editor's table widget stores it."""

    caption = factory.Faker("sentence", nb_words=3, locale=ZH)
    header = ("阶段", "时间")
    rows = (("准备阶段", "2015年6月"), ("实施阶段", "2015年7月至2016年6月"))

    class Meta:
        model = TranslatableTableBlock

    @classmethod
    def _construct_block(cls, block_class, *args, **kwargs):
        return {
            "data": [list(kwargs["header"]), *[list(row) for row in kwargs["rows"]]],
            "first_row_is_table_header": True,
            "first_col_is_header": False,
            "table_caption": kwargs["caption"],
        }


class CaptionedImageBlockFactory(wagtail_factories.StructBlockFactory):
    image = factory.SubFactory(ImageChooserBlockFactory)
    alt_text = factory.Faker("sentence", nb_words=4, locale=ZH)
    caption = factory.Faker("sentence", nb_words=3, locale=ZH)

    class Meta:
        model = CaptionedImageBlock


class DocumentAttachmentBlockFactory(wagtail_factories.StructBlockFactory):
    document = factory.SubFactory(DocumentChooserBlockFactory)
    title = factory.Sequence(lambda n: f"附件{n}：湖南省未参加社会保险人员登记表")

    class Meta:
        model = DocumentAttachmentBlock


class BodyBlockFactory(wagtail_factories.StreamBlockFactory):
    """The notices' body StreamBlock (home.blocks.BodyBlock)."""

    heading = factory.SubFactory(HeadingBlockFactory)
    paragraph = factory.SubFactory(ParagraphBlockFactory)
    table = factory.SubFactory(TableBlockFactory)
    image = factory.SubFactory(CaptionedImageBlockFactory)
    attachment = factory.SubFactory(DocumentAttachmentBlockFactory)

    class Meta:
        model = BodyBlock


class GeneratedStreamFieldFactory(wagtail_factories.StreamFieldFactory):
    """A StreamFieldFactory that generates `default` blocks when the test declares none."""

    def __init__(self, block_types, default, **kwargs):
        super().__init__(block_types, **kwargs)
        self.default = tuple(default)

    def evaluate(self, instance, step, extra):
        if not extra:
            extra = {str(i): name for i, name in enumerate(self.default)}
        return super().evaluate(instance, step, extra)


class GeneratedListBlockFactory(wagtail_factories.ListBlockFactory):
    """A ListBlockFactory that generates `size` items when the test declares none."""

    def __init__(self, factory_, size=3, **kwargs):
        super().__init__(factory_, **kwargs)
        self.size = size

    def evaluate(self, instance, step, extra):
        if extra:
            return super().evaluate(instance, step, extra)
        subfactory = self.get_factory()
        values = [step.recurse(subfactory, {}) for _ in range(self.size)]
        return blocks.list_block.ListValue(blocks.ListBlock(subfactory._meta.model()), values)


# --- work schedule -------------------------------------------------------------------------


class ScheduleRowBlockFactory(wagtail_factories.StructBlockFactory):
    number = factory.Sequence(lambda n: n + 1)
    item = factory.Faker("sentence", nb_words=3, locale=ZH)
    requirements = factory.Faker("sentence", nb_words=8, locale=ZH)
    lead = "省人社厅"
    responsible = "各市州人社局"
    deadline = "2015年12月"
    status = "planned"

    class Meta:
        model = ScheduleRowBlock


class SchedulePhaseBlockFactory(wagtail_factories.StructBlockFactory):
    title = factory.Iterator(["准备阶段", "实施阶段", "完善阶段"])
    rows = GeneratedListBlockFactory(ScheduleRowBlockFactory, size=3)

    class Meta:
        model = SchedulePhaseBlock


class PhasesBlock(blocks.StreamBlock):
    """The StreamBlock of SchedulePage.phases, which the model declares as a list of (name, block)."""

    phase = SchedulePhaseBlock()


class PhasesBlockFactory(wagtail_factories.StreamBlockFactory):
    phase = factory.SubFactory(SchedulePhaseBlockFactory)

    class Meta:
        model = PhasesBlock


# --- policy Q&A ----------------------------------------------------------------------------


class QuestionBlockFactory(wagtail_factories.StructBlockFactory):
    question = factory.Sequence(lambda n: f"测试问题{n}：怎样办理全民参保登记？")
    answer = factory.LazyAttribute(lambda o: RichText(format_html("<p>{}</p>", o.answer_text)))

    class Params:
        answer_text = factory.Faker("paragraph", nb_sentences=2, locale=ZH)

    class Meta:
        model = QuestionBlock


class CategoryBlockFactory(wagtail_factories.StructBlockFactory):
    title = factory.Sequence(lambda n: f"测试分类{n}")
    questions = GeneratedListBlockFactory(QuestionBlockFactory, size=3)

    class Meta:
        model = CategoryBlock


class CategoriesBlock(blocks.StreamBlock):
    """The StreamBlock of FaqPage.categories, which the model declares as a list of (name, block)."""

    category = CategoryBlock()


class CategoriesBlockFactory(wagtail_factories.StreamBlockFactory):
    category = factory.SubFactory(CategoryBlockFactory)

    class Meta:
        model = CategoriesBlock
