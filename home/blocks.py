"""The block library of the public pages: one body StreamBlock reused by notices and other content.

Every block here yields translatable segments for wagtail-localize (tested in
tests/home/test_blocks.py), so English pages never keep Chinese text behind.
"""

from django.utils.html import escape, format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.compare import BlockComparison, diff_text
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

# Kept small: notices are plain official documents, not designed layouts.
PARAGRAPH_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul"]


class HeadingBlock(blocks.StructBlock):
    """A section heading inside a body (h2 or h3: the page title is the only h1)."""

    text = blocks.CharBlock(label=_("Heading"), max_length=120)
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Section (h2)")), ("h3", _("Subsection (h3)"))], default="h2", label=_("Level")
    )

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        label = _("Heading")


def _table_rows(value):
    rows = (value or {}).get("data") or []
    return [["" if cell is None else str(cell) for cell in row] for row in rows]


class TableBlockComparison(BlockComparison):
    """Revision comparison of a table: the caption and the cells as a table, changes marked per cell.

    Wagtail's fallback compares the text of `render_basic`, which for a table is the Python dict.
    """

    def _table(self, caption, rows):
        caption_html = format_html("<caption>{}</caption>", caption) if caption else ""
        body = format_html_join(
            "\n", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows)
        )
        return format_html('<table class="portal-compare-table">{}<tbody>{}</tbody></table>', caption_html, body)

    def htmlvalue(self, val):
        rows = [[escape(cell) for cell in row] for row in _table_rows(val)]
        return self._table(escape((val or {}).get("table_caption") or ""), rows)

    def htmldiff(self):
        rows_a, rows_b = _table_rows(self.val_a), _table_rows(self.val_b)
        height = max(len(rows_a), len(rows_b))
        width = max([len(row) for row in rows_a + rows_b] or [0])

        def cell(rows, r, c):
            return rows[r][c] if r < len(rows) and c < len(rows[r]) else ""

        rows = [
            [diff_text(cell(rows_a, r, c), cell(rows_b, r, c)).to_html() for c in range(width)] for r in range(height)
        ]
        caption = diff_text(
            (self.val_a or {}).get("table_caption") or "", (self.val_b or {}).get("table_caption") or ""
        ).to_html()
        return self._table(caption, rows)


class TranslatableTableBlock(TableBlock):
    """Wagtail's table, with its cells and caption offered to wagtail-localize as segments.

    wagtail-localize skips block types it does not know (TableBlock among them),
    which would leave Chinese cells on the English page; these two hooks are the
    extension points it looks for on a block class.
    """

    def get_translatable_segments(self, value):
        from wagtail_localize.segments import StringSegmentValue

        if not value:
            return []
        segments = []
        if value.get("table_caption"):
            segments.append(StringSegmentValue("caption", value["table_caption"]))
        for r, row in enumerate(value.get("data") or []):
            for c, cell in enumerate(row):
                if cell and str(cell).strip():
                    segments.append(StringSegmentValue(f"cell-{r}-{c}", str(cell)))
        return segments

    def restore_translated_segments(self, value, segments):
        value = dict(value)
        data = [list(row) for row in value.get("data") or []]
        for segment in segments:
            text = segment.render_text()
            if segment.path == "caption":
                value["table_caption"] = text
            elif segment.path.startswith("cell-"):
                _prefix, r, c = segment.path.split("-")
                data[int(r)][int(c)] = text
        value["data"] = data
        return value

    def get_comparison_class(self):
        return TableBlockComparison

    class Meta:
        template = "blocks/table_block.html"
        label = _("Table")


class CaptionedImageBlock(blocks.StructBlock):
    """An image with the text alternative a screen reader reads and an optional visible caption."""

    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"), max_length=250, help_text=_("What the image shows, for people who cannot see it.")
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"
        label = _("Image")


class DocumentAttachmentBlock(blocks.StructBlock):
    """A downloadable attachment (附件), e.g. the blank registration form."""

    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(
        label=_("Link text"), max_length=200, help_text=_("e.g. 附件2：湖南省未参加社会保险人员登记表")
    )

    class Meta:
        icon = "doc-full"
        template = "blocks/document_block.html"
        label = _("Attachment")


class BodyBlock(blocks.StreamBlock):
    """The body of notices and other content pages."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=PARAGRAPH_FEATURES, label=_("Paragraph"), template="blocks/paragraph_block.html"
    )
    table = TranslatableTableBlock()
    image = CaptionedImageBlock()
    attachment = DocumentAttachmentBlock()

    class Meta:
        block_counts = {}


class ScheduleRowBlock(blocks.StructBlock):
    """One row of the work schedule (工作安排表), as written in the source document."""

    number = blocks.IntegerBlock(label=_("No."), min_value=1)
    item = blocks.CharBlock(label=_("Work item"), max_length=200)
    requirements = blocks.TextBlock(label=_("Requirements"))
    lead = blocks.CharBlock(label=_("Lead (负责人)"), required=False, max_length=200)
    responsible = blocks.CharBlock(label=_("Responsible (责任人)"), required=False, max_length=300)
    deadline = blocks.CharBlock(
        label=_("Deadline as written"), max_length=60, help_text=_("As in the document, e.g. 2014年12月 or 已完成.")
    )
    status = blocks.ChoiceBlock(
        choices=[("planned", _("Planned")), ("in_progress", _("In progress")), ("done", _("Done"))],
        required=False,
        label=_("Status"),
    )

    class Meta:
        icon = "list-ul"
        label = _("Row")


class SchedulePhaseBlock(blocks.StructBlock):
    """A phase of the work (准备阶段, 实施阶段, 完善阶段) with its rows, shown as one table section."""

    title = blocks.CharBlock(label=_("Phase"), max_length=60)
    rows = blocks.ListBlock(ScheduleRowBlock(), label=_("Rows"))

    class Meta:
        icon = "table"
        label = _("Phase")
