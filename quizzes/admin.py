"""Quiz authoring in the admin: a quiz with its questions, a question with its choices.

Each question points at the slides that teach it; the quiz's list and page show
which slides its questions test, so a trainer sees at a glance what is covered, and
for every question how often attempts drew it and the share answered right.
Attempts are records: visible, never editable.
"""
from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from progress.admin_hooks import RecountsProgressAdmin
from sections.models import Slide

from .history import QuizHistoryAdmin
from .models import Answer, Attempt, Choice, Question, Quiz
from .validation import question_problems


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["position", "kind", "text", "slug", "times_drawn", "share_right"]
    readonly_fields = ["times_drawn", "share_right"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        # Item statistics over every submitted answer, whatever the draw (one grouped query).
        return super().get_queryset(request).annotate(
            n_drawn=Count("answers", filter=Q(answers__attempt__submitted_at__isnull=False)),
            n_right=Count("answers", filter=Q(answers__attempt__submitted_at__isnull=False, answers__is_correct=True)),
        )

    @admin.display(description=_("keer getrokken"))
    def times_drawn(self, obj):
        return getattr(obj, "n_drawn", 0)

    @admin.display(description=_("aandeel goed"))
    def share_right(self, obj):
        drawn = getattr(obj, "n_drawn", 0)
        if not drawn:
            return "—"
        return f"{round(100 * obj.n_right / drawn)}%"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "text":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 50})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Quiz)
class QuizAdmin(RecountsProgressAdmin, QuizHistoryAdmin):
    compare_fields = (
        "introduction", "pass_mark", "draw_count", "attempts_per_day", "pause_after_fail", "max_attempts", "shuffle",
    )
    list_display = ["__str__", "pass_mark", "draw_count", "attempts_per_day", "max_attempts_display", "question_count"]
    list_filter = ["section__module", "shuffle"]
    fields = [
        "section", "introduction", "pass_mark", "draw_count", "attempts_per_day", "pause_after_fail", "max_attempts",
        "shuffle", "slides_tested",
    ]
    readonly_fields = ["slides_tested"]
    inlines = [QuestionInline]
    plain_choice_fields = ("section",)

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
        fields = ["quiz", "position", "slug", "kind", "text", "slides"]

    def clean(self):
        cleaned = super().clean()
        quiz, slides = cleaned.get("quiz"), cleaned.get("slides")
        if quiz and slides is not None and any(slide.section_id != quiz.section_id for slide in slides):
            self.add_error("slides", _("Kies slides uit de sectie van deze quiz."))
        return cleaned


@admin.register(Question)
class QuestionAdmin(QuizHistoryAdmin):
    compare_fields = ("text", "kind", "position")
    form = QuestionAdminForm
    list_display = ["__str__", "kind", "quiz", "slide_list"]
    list_filter = ["quiz__section__module", "quiz", "kind"]
    search_fields = ["text", "choices__text"]
    list_select_related = ["quiz__section"]
    prepopulated_fields = {"slug": ["text"]}
    filter_horizontal = ["slides"]
    inlines = [ChoiceInline]
    plain_choice_fields = ("quiz",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("slides__section")

    @admin.display(description=_("slides"))
    def slide_list(self, obj):
        return ", ".join(f"{s.section.number}.{s.position}" for s in obj.ordered_slides())

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "slides":
            kwargs["queryset"] = Slide.objects.select_related("section").order_by(
                "section__module", "section__number", "position"
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
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
