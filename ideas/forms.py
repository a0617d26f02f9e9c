"""Forms of the idea wall. Every field is plain text or a number: nothing is rendered as Markdown or HTML."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import IDEA_MAX_LENGTH, MAX_DOT_BUDGET, PHASE_ORDER, Kind, Session

# The module's own example (slide 2.12), offered as the first problem statement.
EXAMPLE_PROBLEM = _("Hoe kunnen we sterkere klantenrelaties opbouwen en tegelijk onze reisgerelateerde voetafdruk verminderen?")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = ["kind", "problem", "goal", "dot_budget", "ends_at"]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
            "ends_at": DateTimeInput(),
        }
        help_texts = {"ends_at": _("Optioneel. Daarna kan niemand nog iets plaatsen.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].min_value = 1
        self.fields["goal"].widget.attrs.update({"min": 1, "max": 500})
        self.fields["dot_budget"].widget.attrs.update({"min": 1, "max": MAX_DOT_BUDGET})
        self.fields["ends_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if not self.is_bound:
            self.initial.setdefault("problem", EXAMPLE_PROBLEM)

    def clean_goal(self):
        goal = self.cleaned_data["goal"]
        if not 1 <= goal <= 500:
            raise forms.ValidationError(_("Kies een doel tussen 1 en 500 ideeën."))
        return goal

    def clean_dot_budget(self):
        budget = self.cleaned_data["dot_budget"]
        if not 1 <= budget <= MAX_DOT_BUDGET:
            raise forms.ValidationError(_("Kies tussen 1 en %(max)s stippen.") % {"max": MAX_DOT_BUDGET})
        return budget

    def clean_kind(self):
        kind = self.cleaned_data["kind"]
        if kind not in Kind.values:
            raise forms.ValidationError(_("Kies een soort sessie."))
        return kind


class IdeaForm(forms.Form):
    text = forms.CharField(
        label=_("Jouw idee"),
        max_length=IDEA_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": IDEA_MAX_LENGTH}),
        help_text=_("Gewone tekst, hoogstens 500 tekens."),
    )
    is_wild = forms.BooleanField(label=_("Wild idee (regel 3: durf groot te denken)"), required=False)
    is_anonymous = forms.BooleanField(
        label=_("Anoniem voor de groep (de trainer ziet wel wie het schreef)"), required=False
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Reden (de schrijver ziet die)"), max_length=200)


class MergeForm(forms.Form):
    into = forms.IntegerField(label=_("Dubbel van idee nummer"), min_value=1)


class ClusterForm(forms.Form):
    name = forms.CharField(label=_("Naam van het nieuwe cluster"), max_length=80)


class PhaseForm(forms.Form):
    to = forms.ChoiceField(choices=[(p, p) for p in PHASE_ORDER])


class NextStepsForm(forms.Form):
    next_steps = forms.CharField(
        label=_("Volgende stappen"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000})
    )
