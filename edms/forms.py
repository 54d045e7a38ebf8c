"""Workspace forms: registering a document, writing a resolution, sending, returning.

Free text (titles, names, addresses, resolutions) refuses the invisible characters that change
the direction of text (``core.validators``)."""

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.params import MAX_TEXT, id_field
from core.validators import reject_bidi_controls
from edms.access import documents_visible_to
from edms.calendar import add_working_days
from edms.models import Department, Dispatch, Document, Draft, Journal, Office

JOURNAL_KIND_TO_DOCUMENT = {
    Journal.Kind.INCOMING: Document.Kind.INCOMING,
    Journal.Kind.OUTGOING: Document.Kind.OUTGOING,
    Journal.Kind.INTERNAL: Document.Kind.INTERNAL,
    Journal.Kind.APPLICATIONS: Document.Kind.APPLICATION,
}


def office_staff(office: Office) -> QuerySet[User]:
    return (
        get_user_model()
        .objects.filter(is_active=True, position__office=office)
        .select_related("position")
        .order_by("last_name", "first_name")
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        position = getattr(obj, "position", None)
        return f"{position.full_name}, {position.title}" if position else obj.get_username()


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return StaffChoiceField.label_from_instance(self, obj)  # type: ignore[arg-type]


TEXT = [reject_bidi_controls]


class DocumentRegisterForm(forms.Form):
    journal = forms.ModelChoiceField(queryset=Journal.objects.none(), label=_("Journal"))
    title = forms.CharField(label=_("Title"), max_length=500, validators=TEXT)
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        validators=TEXT,
    )
    correspondent_kind = forms.ChoiceField(
        label=_("Correspondent is"),
        choices=[("", "—"), *Document.CorrespondentKind.choices],
        required=False,
    )
    correspondent_name = forms.CharField(
        label=_("Correspondent"), max_length=255, required=False, validators=TEXT
    )
    correspondent_office = forms.ModelChoiceField(
        queryset=Office.objects.all(), label=_("Correspondent office"), required=False
    )
    channel = forms.ChoiceField(
        label=_("Arrived as"),
        choices=[
            (Document.Channel.PAPER, Document.Channel.PAPER.label),
            (Document.Channel.CREATED, Document.Channel.CREATED.label),
        ],
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.none(), label=_("Department"), required=False
    )
    deadline_working_days = forms.IntegerField(
        label=_("Deadline in working days"), min_value=1, max_value=365, required=False
    )
    due_date = forms.DateField(
        label=_("or due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    is_confidential = forms.BooleanField(label=_("Confidential"), required=False)
    reply_to_number = forms.CharField(
        label=_("In reply to (number)"),
        max_length=64,
        required=False,
        validators=TEXT,
        help_text=_("The registration number of the document this one answers."),
    )
    scan = forms.FileField(
        label=_("Scan or file"),
        required=False,
        help_text=_("The scanned letter or the document's file; more files can be added later."),
    )

    def __init__(self, *args: Any, office: Office, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.office = office
        self.user = user
        self.fields["journal"].queryset = office.journals.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["department"].queryset = office.departments.all()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        days, due = data.get("deadline_working_days"), data.get("due_date")
        if days and due:
            self.add_error(None, _("Give the deadline in working days or as a date, not both."))
        if due and due < timezone.localdate():
            self.add_error("due_date", _("The due date cannot be in the past."))
        kind = data.get("correspondent_kind")
        if kind == Document.CorrespondentKind.OFFICE and not data.get("correspondent_office"):
            self.add_error("correspondent_office", _("Choose the office."))
        if kind in (
            Document.CorrespondentKind.PERSON,
            Document.CorrespondentKind.ORGANISATION,
        ) and not (data.get("correspondent_name") or self.has_error("correspondent_name")):
            self.add_error("correspondent_name", _("Enter the correspondent's name."))
        number = (data.get("reply_to_number") or "").strip()
        data["reply_to"] = None
        if number:
            # Numbers repeat across offices and years: the office's own, newest, comes first.
            found = documents_visible_to(self.user).filter(reg_number__iexact=number)
            data["reply_to"] = (
                found.filter(office=self.office).order_by("-reg_date").first()
                or found.order_by("-reg_date").first()
            )
            if data["reply_to"] is None:
                self.add_error(
                    "reply_to_number",
                    _("No document numbered %(number)s that you can see.") % {"number": number},
                )
        return data

    def due(self, today: date) -> date | None:
        days = self.cleaned_data.get("deadline_working_days")
        if days:
            return add_working_days(today, days, office=self.office)
        due: date | None = self.cleaned_data.get("due_date")
        return due


class ResolutionForm(forms.Form):
    text = forms.CharField(
        label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}), validators=TEXT
    )
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    lead_executor = StaffChoiceField(
        queryset=get_user_model().objects.none(), label=_("Lead executor")
    )
    co_executors = StaffMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        label=_("Co-executors"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    controller = StaffChoiceField(
        queryset=get_user_model().objects.none(), label=_("Controller"), required=False
    )

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = office_staff(office)
        for name in ("lead_executor", "co_executors", "controller"):
            self.fields[name].queryset = staff  # type: ignore[attr-defined]


class DispatchForm(forms.Form):
    channel = forms.ChoiceField(label=_("Send"), choices=Dispatch.Channel.choices)
    recipient_office = forms.ModelChoiceField(
        queryset=Office.objects.filter(is_active=True), label=_("Office"), required=False
    )
    recipient_name = forms.CharField(
        label=_("Addressee"), max_length=255, required=False, validators=TEXT
    )
    recipient_email = forms.EmailField(label=_("Addressee e-mail"), required=False)
    recipient_address = forms.CharField(
        label=_("Postal address"), max_length=500, required=False, validators=TEXT
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), validators=TEXT
    )


class DraftForm(forms.Form):
    """An answer or letter: its text for the letterhead, or a file, and for an answer to a
    citizen's application the decision."""

    outcome = forms.ChoiceField(label=_("Decision"), choices=Draft.Outcome.choices)
    title = forms.CharField(label=_("Subject"), max_length=500, validators=TEXT)
    correspondent_name = forms.CharField(
        label=_("Addressee"), max_length=255, required=False, validators=TEXT
    )
    correspondent_office = forms.ModelChoiceField(
        queryset=Office.objects.filter(is_active=True),
        label=_("Addressee office (on the system)"),
        required=False,
    )
    body = forms.CharField(
        label=_("Text (printed on the office's letterhead)"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        validators=TEXT,
    )
    upload = forms.FileField(
        label=_("Or upload the prepared file (PDF is signed inside; other files get a .p7s)"),
        required=False,
    )

    def __init__(self, *args: Any, is_answer: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not is_answer:
            del self.fields["outcome"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("body") or "").strip() and not data.get("upload"):
            raise forms.ValidationError(_("Write the text of the letter, or upload its file."))
        return data


class RouteStepForm(forms.Form):
    position = forms.IntegerField(label=_("Order"), min_value=1, max_value=20)
    approver = StaffChoiceField(queryset=get_user_model().objects.none(), label=_("Approver"))
    days = forms.IntegerField(label=_("Working days"), min_value=1, max_value=30, initial=2)

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["approver"].queryset = office_staff(office)  # type: ignore[attr-defined]


class BaseRouteFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        people = [form.cleaned_data["approver"] for form in self.forms if form.cleaned_data]
        if len(people) != len({person.pk for person in people}):
            raise forms.ValidationError(_("Each person appears on the route once."))


RouteFormSet = forms.formset_factory(
    RouteStepForm, formset=BaseRouteFormSet, extra=2, max_num=10, validate_max=True
)


class SignerForm(forms.Form):
    signer = StaffChoiceField(queryset=get_user_model().objects.none(), label=_("Signer"))
    signer_days = forms.IntegerField(
        label=_("Working days to sign"), min_value=1, max_value=30, initial=2
    )

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["signer"].queryset = office_staff(office)  # type: ignore[attr-defined]


class PassphraseForm(forms.Form):
    """Only the passphrase: it opens the signer's key for this one signature."""

    passphrase = forms.CharField(
        label=_("Passphrase of your signing key"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CertificateImportForm(forms.Form):
    key_file = forms.FileField(label=_("Key file (PKCS#12: .p12 or .pfx)"))
    passphrase = forms.CharField(
        label=_("Its passphrase"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )


class CertificateIssueForm(forms.Form):
    """A certificate from the demo authority; the holder alone chooses its passphrase."""

    new_passphrase = forms.CharField(
        label=_("Choose a passphrase for your key (at least 8 characters)"),
        strip=False,
        min_length=8,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )
    new_passphrase_again = forms.CharField(
        label=_("The passphrase again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_passphrase") != data.get("new_passphrase_again"):
            self.add_error("new_passphrase_again", _("The two passphrases differ."))
        return data


class StepForm(forms.Form):
    """What a route's step posts: the passphrase (for a visa or the signature) and a comment."""

    passphrase = forms.CharField(
        label=_("Passphrase"), max_length=1024, strip=False, required=False
    )
    comment = forms.CharField(label=_("Comment"), max_length=MAX_TEXT, required=False)


class AssignmentStepForm(forms.Form):
    """What an assignment's steps post; each step says which of these it needs."""

    executor = id_field(label=_("Executor"))
    deadline = forms.DateField(label=_("Deadline"), required=False)
    text = forms.CharField(label=_("Text"), max_length=MAX_TEXT, required=False)
    accept = forms.ChoiceField(
        label=_("Decision"), choices=[("yes", _("Yes")), ("no", _("No"))], required=False
    )


def text_form(name: str, label: str, max_length: int = MAX_TEXT) -> type[forms.Form]:
    """A form of one optional free-text field posted with a step (a reason, a comment)."""
    field = forms.CharField(label=label, max_length=max_length, required=False)
    return type("TextForm", (forms.Form,), {name: field})
