"""StreamField blocks for guidance: headings, rich text, documents, FAQ items and contacts."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("text"), max_length=255)
    level = blocks.ChoiceBlock(
        label=_("level"), choices=[("h2", "H2"), ("h3", "H3"), ("h4", "H4")], default="h2"
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "portal/blocks/heading.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    title = blocks.CharBlock(label=_("title"), required=False, max_length=255)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "portal/blocks/document.html"


class FaqItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("question"), max_length=500)
    answer = blocks.RichTextBlock(label=_("answer"), features=["bold", "italic", "link", "ul"])

    class Meta:
        icon = "help"
        label = _("FAQ item")
        template = "portal/blocks/faq_item.html"


class ContactBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("name or unit"), max_length=255)
    role = blocks.CharBlock(label=_("role"), required=False, max_length=255)
    phone = blocks.CharBlock(label=_("phone"), required=False, max_length=32)
    email = blocks.EmailBlock(label=_("e-mail"), required=False)
    hours = blocks.CharBlock(label=_("reception hours"), required=False, max_length=255)

    class Meta:
        icon = "user"
        label = _("Contact")
        template = "portal/blocks/contact.html"


class GuidanceStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Text"),
        icon="pilcrow",
        features=["bold", "italic", "link", "document-link", "ol", "ul", "h3", "h4"],
    )
    document = DocumentBlock()
    faq = FaqItemBlock()
    contact = ContactBlock()
