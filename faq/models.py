"""Policy Q&A page models (政策问答).

One FaqPage holds categories of questions in a StreamField, so editors reorder
and translate them as one document. Each question's anchor is its block id:
stable across edits and identical on the Chinese and English pages (translations
keep block ids), so a link to /qa/#q-… keeps working in both languages.
"""

from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from home.models import SearchTextMixin
from home.text import plain_text, stream_text
from portal.content_memo import ViewRestrictionsMixin, memo, site_key


class QuestionBlock(blocks.StructBlock):
    """A question and its answer."""

    question = blocks.CharBlock(label=_("Question"), max_length=200)
    answer = blocks.RichTextBlock(features=["bold", "link", "ol", "ul"], label=_("Answer"))

    class Meta:
        icon = "help"
        label = _("Question")


class CategoryBlock(blocks.StructBlock):
    """A category of questions, e.g. 谁需要登记."""

    title = blocks.CharBlock(label=_("Category"), max_length=80)
    questions = blocks.ListBlock(QuestionBlock(), label=_("Questions"))

    class Meta:
        icon = "folder-open-inverse"
        label = _("Category")


def _matches(question, terms):
    return all(t in f"{question['question']} {question['text']}".lower() for t in terms)


def question_anchor(block_id):
    """The fragment id of a question: "q-" and the first 8 characters of its block id."""
    return f"q-{str(block_id)[:8]}"


class FaqPage(ViewRestrictionsMixin, SearchTextMixin, Page):
    """The policy Q&A: categories of questions, each with its own anchor, filterable and in FAQPage JSON-LD."""

    intro = RichTextField(blank=True, verbose_name=_("introduction"))
    categories = StreamField([("category", CategoryBlock())], verbose_name=_("categories"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("categories")]
    search_fields = Page.search_fields + [index.SearchField("categories")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("policy Q&A")

    def get_search_parts(self):
        return [*super().get_search_parts(), self.intro, stream_text(self.categories)]

    def question_list(self):
        """[(category title, [{anchor, question, answer (RichText), text}])] in page order."""
        result = []
        for category in self.categories:
            items = []
            for bound in category.value["questions"].bound_blocks:
                items.append(
                    {
                        "anchor": question_anchor(bound.id),
                        "question": bound.value["question"],
                        "answer": bound.value["answer"],
                        "text": plain_text(bound.value["answer"]),
                    }
                )
            result.append({"title": category.value["title"], "anchor": f"c-{str(category.id)[:8]}", "questions": items})
        return result

    def matching_questions(self, query):
        """The questions whose question or answer contains every whitespace-separated term (case-insensitive)."""
        terms = [t.lower() for t in query.split() if t]
        found = []
        for category in self.question_list():
            for item in category["questions"]:
                haystack = f"{item['question']} {item['text']}".lower()
                if terms and all(t in haystack for t in terms):
                    found.append(item)
        return found

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Questions (answers rendered) and JSON-LD change only on publishing: reused until then.
        key = ("faq", *site_key(request), self.pk)
        categories, jsonld = memo.get(request, key, self._rendered_questions)
        query = (request.GET.get("q") or "").strip()[:100]
        if query:
            terms = [t.lower() for t in query.split()]
            categories = [
                {**category, "questions": [q for q in category["questions"] if _matches(q, terms)]}
                for category in categories
            ]
            categories = [c for c in categories if c["questions"]]
        context["faq_query"] = query
        context["faq_categories"] = categories
        context["faq_count"] = sum(len(c["questions"]) for c in categories)
        context["faq_jsonld"] = jsonld
        return context

    def _rendered_questions(self):
        categories = self.question_list()
        jsonld = self.jsonld(categories)
        for category in categories:
            for item in category["questions"]:
                item["answer"] = mark_safe(str(item["answer"]))  # noqa: S308 # nosec B308 B703 - Wagtail's rich text HTML
        return categories, jsonld

    def jsonld(self, categories=None):
        """schema.org FAQPage data (rendered with json_script, so it is escaped for a <script> element)."""
        return {
            "@context": "https://schema.org",
            "@type": "FAQPage",
            "mainEntity": [
                {
                    "@type": "Question",
                    "name": q["question"],
                    "acceptedAnswer": {"@type": "Answer", "text": q["text"]},
                }
                for c in (categories if categories is not None else self.question_list())
                for q in c["questions"]
            ],
        }

