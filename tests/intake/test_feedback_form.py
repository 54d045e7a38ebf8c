"""The plain feedback form page: Wagtail's form builder, stored as form submissions."""

import pytest
from django.test import Client
from wagtail.contrib.forms.models import FormSubmission

from intake.models import FeedbackFormField, FeedbackFormPage
from portal.models import HomePage

pytestmark = pytest.mark.django_db


def test_a_feedback_form_takes_an_answer(client: Client) -> None:
    home = HomePage.objects.get(locale__language_code="en")
    page = FeedbackFormPage(
        title="Tell us",
        slug="tell-us",
        form_fields=[
            FeedbackFormField(label="Your opinion", field_type="multiline", required=True)
        ],
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    client.cookies["language"] = "en"
    form = client.get(page.url)
    assert 'name="your_opinion"' in form.content.decode()
    assert client.post(page.url, {}).status_code == 200  # the error page keeps the form
    assert not FormSubmission.objects.filter(page=page).exists()
    thanks = client.post(page.url, {"your_opinion": "Yaxshi"})
    assert "Thank you" in thanks.content.decode()
    assert FormSubmission.objects.get(page=page).get_data()["your_opinion"] == "Yaxshi"
