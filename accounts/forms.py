"""Forms for the admin (user creation/change) and for the learner
(sign-up through allauth, and the profile page)."""
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import CompanySector, CompanySize, User


class AdminUserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class AdminUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


PROFILE_FIELDS = ("name", "company_name", "company_sector", "company_size")


def _profile_fields():
    return {
        "name": forms.CharField(
            label=_("Naam"),
            max_length=150,
            widget=forms.TextInput(attrs={"autocomplete": "name"}),
            help_text=_("Zoals je die op je certificaat wilt zien."),
        ),
        "company_name": forms.CharField(
            label=_("Bedrijf"),
            max_length=200,
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "organization"}),
            help_text=_("Het bedrijf waarvoor je deze module volgt."),
        ),
        "company_sector": forms.ChoiceField(
            label=_("Sector"), choices=[("", _("— kies een sector —")), *CompanySector.choices], required=False
        ),
        "company_size": forms.ChoiceField(
            label=_("Grootte van het bedrijf"),
            choices=[("", _("— kies een grootte —")), *CompanySize.choices],
            required=False,
        ),
    }


class SignupForm(AllauthSignupForm):
    """allauth's sign-up (e-mail, password twice) plus the learner's profile."""

    field_order = ["email", "name", "company_name", "company_sector", "company_size", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_profile_fields())
        self.fields["email"].label = _("E-mailadres")
        self.fields["email"].help_text = _("Hiermee log je in. We sturen je een bevestigingslink.")
        # Optional fields say so in their label (issue 9.9): a newcomer shouldn't wonder what they must fill in.
        for field in self.fields.values():
            if not field.required:
                field.label = format_lazy("{} {}", field.label, _("(optioneel)"))
        self.order_fields(self.field_order)

    def custom_signup(self, request, user):
        from .services import update_profile

        update_profile(user=user, **{f: self.cleaned_data.get(f, "") for f in PROFILE_FIELDS})


class LoginForm(AllauthLoginForm):
    """allauth's log-in with "onthoud mij": without it the session ends when the browser closes
    (and after a working week at most, settings.SESSION_COOKIE_AGE); with it, after 30 days."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Onthoud mij")
            self.fields["remember"].help_text = _("Blijf 30 dagen ingelogd op dit apparaat. Niet aanvinken op een gedeelde computer.")

    def _login_with_password(self, request, redirect_url, credentials):
        response = super()._login_with_password(request, redirect_url, credentials)
        if self.cleaned_data.get("remember") and request.user.is_authenticated:
            request.session.set_expiry(settings.SESSION_REMEMBER_AGE)
        return response


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "company_name", "company_sector", "company_size"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in _profile_fields().items():
            self.fields[name] = field
