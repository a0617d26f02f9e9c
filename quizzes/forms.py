"""The quiz form: one field per question of the attempt, built from the stored order.

An option's value is its place in the list the learner sees (1, 2, 3 ...), not
the choice's database id: ids follow the order in which a trainer typed the
answers, and many put the right one first. Only the places of the question's
own options are valid, so a made-up or foreign value is a form error, as is an
unanswered question.
"""
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Question


def field_name(question: Question) -> str:
    return f"vraag-{question.pk}"


class AttemptForm(forms.Form):
    def __init__(self, *args, questions: list[Question], **kwargs):
        kwargs.setdefault("auto_id", "id_%s")
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, 1):
            choices = [(str(place), c.text) for place, c in enumerate(question.ordered_choices, 1)]
            label = _("Vraag %(number)s") % {"number": number}
            if question.allows_several:
                field = forms.MultipleChoiceField(
                    label=label,
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    error_messages={
                        "required": _("Kies bij vraag %(number)s minstens één antwoord.") % {"number": number},
                        "invalid_choice": _("Bij vraag %(number)s is een antwoord gekozen dat niet bij deze vraag hoort.")
                        % {"number": number},
                        "invalid_list": _("Bij vraag %(number)s is het antwoord ongeldig.") % {"number": number},
                    },
                )
            else:
                field = forms.ChoiceField(
                    label=label,
                    choices=choices,
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": _("Kies bij vraag %(number)s een antwoord.") % {"number": number},
                        "invalid_choice": _("Bij vraag %(number)s is een antwoord gekozen dat niet bij deze vraag hoort.")
                        % {"number": number},
                    },
                )
            field.question = question
            field.number = number
            self.fields[field_name(question)] = field

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            # A single-answer question sent twice (a crafted request) is not a second answer.
            sent = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data.get(name)]
            if not field.question.allows_several and len(sent) > 1:
                self.add_error(name, _("Bij vraag %(number)s hoort één antwoord.") % {"number": field.number})
        return cleaned

    def items(self):
        """(question, bound field) pairs in the order shown."""
        return [(self.fields[name].question, self[name]) for name in self.fields]

    @property
    def selections(self) -> dict[int, set[int]]:
        """The chosen choice ids per question id (only when valid)."""
        result = {}
        for name, field in self.fields.items():
            value = self.cleaned_data[name]
            places = value if isinstance(value, list) else [value]
            options = field.question.ordered_choices
            result[field.question.pk] = {options[int(place) - 1].pk for place in places}
        return result
