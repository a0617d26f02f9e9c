"""Forms of the centre pages, the join flow and invitations."""
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courses.models import Module

from . import bulk
from .models import Centre, CentreStaff, Cohort, Enrollment


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CohortForm(forms.ModelForm):
    """Create or change a cohort. The centres offered are those the user manages;
    the trainers offered are the staff of the chosen centre."""

    capacity = forms.IntegerField(
        label=_("Maximum aantal deelnemers"),
        min_value=1,
        max_value=10000,
        required=False,
        help_text=_("Leeg laten als er geen maximum is."),
    )

    class Meta:
        model = Cohort
        fields = ["centre", "module", "name", "start_date", "end_date", "capacity", "is_open", "trainers"]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "trainers": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres
        self.fields["centre"].empty_label = None
        self.fields["module"].queryset = Module.objects.order_by("number")
        self.fields["module"].empty_label = None
        if self.instance.pk:
            # A cohort stays with its centre: its learners and staff belong there.
            del self.fields["centre"]
        staff_users = get_user_model().objects.filter(
            centre_roles__centre__in=[self.instance.centre_id] if self.instance.pk else centres
        )
        self.fields["trainers"].queryset = staff_users.distinct().order_by("name", "email")
        self.fields["trainers"].required = False
        self.fields["trainers"].help_text = _("Trainers zien dit cohort en zijn deelnemers op hun centrumpagina.")
        self.fields["name"].help_text = _("Bijvoorbeeld: Voorjaar 2026, dinsdagavond.")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("De einddatum mag niet vóór de startdatum liggen."))
        centre = cleaned.get("centre") or (self.instance.centre if self.instance.pk else None)
        trainers = cleaned.get("trainers")
        if centre and trainers:
            outsiders = [t for t in trainers if not CentreStaff.objects.filter(centre=centre, user=t).exists()]
            if outsiders:
                self.add_error("trainers", _("Kies alleen trainers die voor dit centrum werken."))
        name = cleaned.get("name")
        if centre and name:
            clash = Cohort.objects.filter(centre=centre, name=name).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("name", _("Dit centrum heeft al een cohort met deze naam."))
        return cleaned


class BulkEnrollForm(forms.Form):
    """A pasted list or a CSV file; exactly one of the two."""

    addresses = forms.CharField(
        label=_("Plak e-mailadressen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_("Eén deelnemer per regel: alleen het adres, of 'adres, naam, bedrijf'."),
        max_length=bulk.MAX_UPLOAD_BYTES,
    )
    csv_file = forms.FileField(
        label=_("Of upload een CSV-bestand"),
        required=False,
        help_text=_("Met een kopregel: e-mail, naam, bedrijf. Hoogstens 1 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_csv_file(self):
        upload = self.cleaned_data.get("csv_file")
        if upload and upload.size > bulk.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("Het bestand is te groot (%(size)s MB); het maximum is 1 MB.") % {"size": f"{upload.size / 1024 / 1024:.1f}"}
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        text = (cleaned.get("addresses") or "").strip()
        upload = cleaned.get("csv_file")
        if self.errors:
            return cleaned
        if text and upload:
            raise forms.ValidationError(_("Plak een lijst óf upload een bestand, niet allebei."))
        if not text and not upload:
            raise forms.ValidationError(_("Plak een lijst met e-mailadressen of kies een CSV-bestand."))
        try:
            if upload:
                cleaned["rows"] = bulk.parse_csv(upload.read())
                cleaned["source"], cleaned["filename"] = "csv", upload.name or ""
            else:
                cleaned["rows"] = bulk.parse_pasted(text)
                cleaned["source"], cleaned["filename"] = "paste", ""
        except bulk.BulkInputError as error:
            self.add_error("csv_file" if upload else "addresses", error.message)
            return cleaned
        if not cleaned["rows"]:
            self.add_error("addresses", _("De lijst bevat geen e-mailadressen."))
        return cleaned


class EnrollmentStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(Enrollment.Status.WITHDRAWN, ""), (Enrollment.Status.ACTIVE, "")])


class InvitationSignupForm(forms.Form):
    """Completing an invitation: the address is known, the person picks a password."""

    name = forms.CharField(label=_("Naam"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    company_name = forms.CharField(
        label=_("Bedrijf"), max_length=200, required=False, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    password1 = forms.CharField(
        label=_("Wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Wachtwoord (nogmaals)"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("De twee wachtwoorden zijn niet gelijk."))
        elif p1:
            user = get_user_model()(email=self.email, name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(p1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def managed_centres(user):
    """The centres in which a user may create cohorts."""
    from .access import is_site_staff

    if is_site_staff(user):
        return Centre.objects.all()
    return Centre.objects.filter(Q(staff__user=user, staff__role=CentreStaff.Role.MANAGER)).distinct()
