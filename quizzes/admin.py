"""Quiz authoring in the admin: a quiz with its questions, a question with its choices.

Each question points at the slide that teaches it; the quiz's list and page show
which slides its questions test, so a trainer sees at a glance what is covered.
Attempts are records: visible, never editable.
"""
from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from sections.models import Slide

from .history import QuizHistoryAdmin
from .models import Answer, Attempt, Choice, Question, Quiz
from .validation import question_problems


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["position", "kind", "text", "slide", "slug"]
    extra = 0
    show_change_link = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "slide":
            kwargs["queryset"] = Slide.objects.select_related("section").order_by("section__number", "position")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "text":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 50})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Quiz)
class QuizAdmin(QuizHistoryAdmin):
    compare_fields = ("introduction", "pass_mark", "max_attempts", "shuffle")
    list_display = ["__str__", "pass_mark", "max_attempts_display", "shuffle", "question_count"]
    list_filter = ["section__module", "shuffle"]
    fields = ["section", "introduction", "pass_mark", "max_attempts", "shuffle", "slides_tested"]
    readonly_fields = ["slides_tested"]
    inlines = [QuestionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("section").annotate(n_questions=Count("questions"))

    @admin.display(description=_("aantal vragen"), ordering="n_questions")
    def question_count(self, obj):
        return obj.n_questions

    @admin.display(description=_("pogingen"))
    def max_attempts_display(self, obj):
        return obj.max_attempts or _("onbeperkt")

    @admin.display(description=_("geteste slides"))
    def slides_tested(self, obj):
        if not obj.pk:
            return "—"
        slides = (
            Slide.objects.filter(questions__quiz=obj)
            .select_related("section")
            .annotate(n=Count("questions"))
            .order_by("position")
        )
        if not slides:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">{}.{} {}</a> ({}×)',
            (
                (reverse("admin:sections_slide_change", args=[s.pk]), s.section.number, s.position, s.title, s.n)
                for s in slides
            ),
        )


class ChoiceInlineFormSet(forms.BaseInlineFormSet):
    """The choices must fit the question's kind (one right answer, true/false, ...)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        choices = [
            (form.cleaned_data.get("text", ""), form.cleaned_data.get("is_correct", False))
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problems = question_problems(kind=self.instance.kind, choices=choices)
        if problems:
            raise forms.ValidationError(problems)


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceInlineFormSet
    fields = ["position", "text", "is_correct", "feedback"]
    extra = 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "feedback":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "cols": 60})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class QuestionAdminForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["quiz", "position", "slug", "kind", "text", "slide"]

    def clean(self):
        cleaned = super().clean()
        quiz, slide = cleaned.get("quiz"), cleaned.get("slide")
        if quiz and slide and slide.section_id != quiz.section_id:
            self.add_error("slide", _("Kies een slide uit de sectie van deze quiz."))
        return cleaned


@admin.register(Question)
class QuestionAdmin(QuizHistoryAdmin):
    compare_fields = ("text", "kind", "position")
    form = QuestionAdminForm
    list_display = ["__str__", "kind", "quiz", "slide"]
    list_filter = ["quiz__section__module", "quiz", "kind"]
    search_fields = ["text", "choices__text"]
    list_select_related = ["quiz__section", "slide__section"]
    prepopulated_fields = {"slug": ["text"]}
    inlines = [ChoiceInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "slide":
            kwargs["queryset"] = Slide.objects.select_related("section").order_by(
                "section__module", "section__number", "position"
            )
        if db_field.name == "quiz":
            kwargs["queryset"] = Quiz.objects.select_related("section")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ["question", "chosen", "is_correct"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question").prefetch_related("choices")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("gekozen"))
    def chosen(self, obj):
        return "; ".join(c.text for c in obj.choices.all())


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    """Read-only: a submitted attempt is a record and is never changed."""

    list_display = ["quiz", "user", "number", "started_at", "submitted_at", "score", "passed"]
    list_filter = ["quiz", "passed"]
    search_fields = ["user__email", "user__name"]
    list_select_related = ["quiz__section", "user"]
    readonly_fields = [
        "quiz", "user", "number", "started_at", "submitted_at", "correct_count", "question_count", "score",
        "pass_mark", "passed",
    ]
    exclude = ["layout"]
    inlines = [AnswerInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
