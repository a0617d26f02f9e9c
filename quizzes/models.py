"""A quiz at the end of each section, and the learner's attempts at it.

Content (Quiz, Question, Choice) has natural keys so that the module's quiz
fixture can be loaded again and update rows in place. Attempts are records:
once submitted they are never changed, and they keep their own score, so a
trainer editing a question later never rewrites a learner's history.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from courses import ordering


class QuizQuerySet(models.QuerySet):
    def get_by_natural_key(self, module_slug, section_number):
        return self.get(section__module__slug=module_slug, section__number=section_number)


class Quiz(models.Model):
    section = models.OneToOneField(
        "sections.Section", on_delete=models.CASCADE, related_name="quiz", verbose_name=_("sectie")
    )
    introduction = models.TextField(
        _("inleiding"), blank=True, help_text=_("Korte uitleg boven de vragen (Markdown).")
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("cesuur (%)"), default=70, help_text=_("Het percentage goede antwoorden dat nodig is om te slagen.")
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("maximum aantal pogingen"), null=True, blank=True, help_text=_("Leeg laten voor onbeperkt.")
    )
    shuffle = models.BooleanField(
        _("volgorde husselen"),
        default=True,
        help_text=_(
            "Vragen en antwoorden in willekeurige volgorde, vast per poging. Zet dit uit om de quiz "
            "klassikaal te bespreken: dan ziet iedereen dezelfde volgorde."
        ),
    )
    # The attempt policy (issue 10): each attempt draws its questions from the bank, and attempts are paced.
    draw_count = models.PositiveSmallIntegerField(
        _("vragen per poging"),
        null=True,
        blank=True,
        default=10,
        help_text=_(
            "Zoveel vragen trekt elke poging uit de vragenbank, gespreid over de slides van de sectie. "
            "Leeg laten om altijd alle vragen te stellen."
        ),
    )
    attempts_per_day = models.PositiveSmallIntegerField(
        _("pogingen per dag"),
        null=True,
        blank=True,
        default=3,
        help_text=_("Hoeveel pogingen een deelnemer per kalenderdag mag starten. Leeg laten voor onbeperkt."),
    )
    pause_after_fail = models.PositiveSmallIntegerField(
        _("pauze na een niet-geslaagde poging (minuten)"),
        default=10,
        help_text=_("Zo lang wacht een deelnemer na een niet-geslaagde poging voor de volgende begint. 0 = geen pauze."),
    )

    objects = QuizQuerySet.as_manager()

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzen")
        ordering = ["section__module", "section__number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__gte=1, pass_mark__lte=100), name="quiz_pass_mark_between_1_and_100"
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__isnull=True) | Q(max_attempts__gte=1), name="quiz_max_attempts_positive"
            ),
            models.CheckConstraint(
                condition=Q(draw_count__isnull=True) | Q(draw_count__gte=1), name="quiz_draw_count_positive"
            ),
            models.CheckConstraint(
                condition=Q(attempts_per_day__isnull=True) | Q(attempts_per_day__gte=1),
                name="quiz_attempts_per_day_positive",
            ),
        ]

    def __str__(self):
        return str(_("Quiz bij sectie %(number)s: %(title)s") % {"number": self.section.number, "title": self.section.title})

    def natural_key(self):
        return self.section.natural_key()

    natural_key.dependencies = ["sections.section"]

    def get_absolute_url(self):
        return reverse(
            "quizzes:quiz", kwargs={"module_slug": self.section.module.slug, "number": self.section.number}
        )


class QuestionQuerySet(models.QuerySet):
    def get_by_natural_key(self, module_slug, section_number, slug):
        return self.get(quiz__section__module__slug=module_slug, quiz__section__number=section_number, slug=slug)


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Eén juist antwoord")
        MULTIPLE = "multiple", _("Kies alle juiste antwoorden")
        TRUE_FALSE = "true_false", _("Waar of niet waar")

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions", verbose_name=_("quiz"))
    slug = models.SlugField(_("slug"), max_length=100, help_text=_("Vaste naam van de vraag, voor import en export."))
    position = models.PositiveSmallIntegerField(_("positie"))
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices, default=Kind.SINGLE)
    text = models.TextField(_("vraag"))
    # Many-to-many: what a question tests can be taught over several slides (a list on one, its
    # continuation on the next); the result page links each of them.
    slides = models.ManyToManyField(
        "sections.Slide",
        related_name="questions",
        verbose_name=_("slides met de uitleg"),
        help_text=_("De slides die behandelen wat deze vraag toetst; het resultaat verwijst ernaar."),
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("vraag")
        verbose_name_plural = _("vragen")
        ordering = ["quiz", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "slug"], name="question_unique_slug_per_quiz"),
            models.UniqueConstraint(fields=["quiz", "position"], name="question_unique_position_per_quiz"),
            models.CheckConstraint(condition=Q(position__gte=1), name="question_position_positive"),
        ]

    def __str__(self):
        return f"{self.position}. {self.text[:80]}"

    def natural_key(self):
        return (*self.quiz.natural_key(), self.slug)

    natural_key.dependencies = ["quizzes.quiz", "sections.slide"]

    @property
    def allows_several(self) -> bool:
        return self.kind == self.Kind.MULTIPLE

    def ordered_slides(self) -> list:
        """The question's slides in reading order (uses a ``slides`` prefetch when there is one)."""
        return sorted(self.slides.all(), key=lambda s: (s.section_id, s.position))


class ChoiceQuerySet(models.QuerySet):
    def get_by_natural_key(self, module_slug, section_number, question_slug, position):
        return self.get(
            question__quiz__section__module__slug=module_slug,
            question__quiz__section__number=section_number,
            question__slug=question_slug,
            position=position,
        )


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("vraag"))
    position = models.PositiveSmallIntegerField(_("positie"))
    text = models.CharField(_("antwoord"), max_length=500)
    is_correct = models.BooleanField(_("juist"), default=False)
    feedback = models.TextField(
        _("feedback"), help_text=_("Waarom dit antwoord juist of onjuist is. De leerling ziet het na het inleveren.")
    )

    objects = ChoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("antwoordkeuze")
        verbose_name_plural = _("antwoordkeuzes")
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="choice_unique_position_per_question"),
            models.CheckConstraint(condition=Q(position__gte=1), name="choice_position_positive"),
        ]

    def __str__(self):
        return self.text

    def natural_key(self):
        return (*self.question.natural_key(), self.position)

    natural_key.dependencies = ["quizzes.question"]


class AttemptQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def open(self):
        return self.filter(submitted_at__isnull=True)

    def submitted(self):
        return self.filter(submitted_at__isnull=False)

    def passed(self):
        return self.filter(passed=True)


class Attempt(models.Model):
    """One go at a quiz. ``layout`` stores the order the learner saw, so a refresh never reshuffles."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("quiz"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts", verbose_name=_("leerling")
    )
    number = models.PositiveSmallIntegerField(_("poging"))
    started_at = models.DateTimeField(_("begonnen"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("ingeleverd"), null=True, blank=True)
    # {"questions": [question ids in the order shown], "choices": {"<question id>": [choice ids]}}
    layout = models.JSONField(_("volgorde"), default=dict)
    correct_count = models.PositiveSmallIntegerField(_("goed beantwoord"), null=True, blank=True)
    question_count = models.PositiveSmallIntegerField(_("aantal vragen"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    pass_mark = models.PositiveSmallIntegerField(_("cesuur bij inleveren (%)"), null=True, blank=True)
    passed = models.BooleanField(_("geslaagd"), null=True, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("poging")
        verbose_name_plural = _("pogingen")
        ordering = ["quiz", "user", "number"]
        constraints = [
            # Two tabs, a refresh or a double click can never open a second attempt.
            models.UniqueConstraint(
                fields=["quiz", "user"], condition=Q(submitted_at__isnull=True), name="attempt_one_open_per_learner"
            ),
            models.UniqueConstraint(fields=["quiz", "user", "number"], name="attempt_unique_number_per_learner"),
            models.CheckConstraint(condition=Q(number__gte=1), name="attempt_number_positive"),
            # A submitted attempt has its result; an open one has none.
            models.CheckConstraint(
                condition=(
                    Q(submitted_at__isnull=True, score__isnull=True, passed__isnull=True, correct_count__isnull=True)
                    | Q(submitted_at__isnull=False, score__isnull=False, passed__isnull=False,
                        correct_count__isnull=False, question_count__isnull=False, pass_mark__isnull=False)
                ),
                name="attempt_result_iff_submitted",
            ),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__lte=100), name="attempt_score_at_most_100"),
        ]
        indexes = [models.Index(fields=["user", "quiz", "passed"], name="attempt_user_quiz_passed")]

    def __str__(self):
        return str(_("Poging %(number)s van %(user)s") % {"number": self.number, "user": self.user_id})

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def get_absolute_url(self):
        section = self.quiz.section
        name = "quizzes:result" if self.is_submitted else "quizzes:attempt"
        return reverse(name, kwargs={"module_slug": section.module.slug, "number": section.number, "attempt_id": self.pk})


class AttemptReset(models.Model):
    """Staff gave a learner a fresh start at a quiz: attempts started before ``reset_at`` no longer
    count for the daily limit, the pause or the maximum. The attempts themselves stay: they are records."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="resets", verbose_name=_("quiz"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_resets", verbose_name=_("leerling")
    )
    reset_at = models.DateTimeField(_("hersteld op"))
    reset_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("hersteld door"),
    )

    class Meta:
        verbose_name = _("herstel van pogingen")
        verbose_name_plural = _("herstel van pogingen")
        ordering = ["quiz", "user", "-reset_at"]
        indexes = [models.Index(fields=["user", "quiz", "-reset_at"], name="attemptreset_user_quiz")]

    def __str__(self):
        return f"{self.quiz_id}/{self.user_id} @ {self.reset_at:%Y-%m-%d %H:%M}"


class Answer(models.Model):
    """The learner's answer to one question of a submitted attempt (written once, at submission)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers", verbose_name=_("poging"))
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("vraag"))
    choices = models.ManyToManyField(Choice, related_name="+", verbose_name=_("gekozen antwoorden"))
    is_correct = models.BooleanField(pgettext_lazy("answer", "goed"))

    class Meta:
        verbose_name = _("antwoord")
        verbose_name_plural = _("antwoorden")
        ordering = ["attempt", "id"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="answer_unique_per_question"),
        ]

    def __str__(self):
        return f"{self.attempt_id}/{self.question_id}"


class FirstAttemptAnswer(models.Model):
    """An answer given at a learner's first attempt at a quiz (attempt number 1), with what the outcome
    reports filter on copied beside it: who, which question, when the attempt was submitted, right or not.

    The reports count first attempts per question ("most often wrong the first time"); counted from
    these narrow rows by one index, not from every answer joined to its attempt. Written with the
    attempt's answers, in the same transaction (``services.attempt_submit``), and never changed, as
    the answer and its attempt are never changed: it goes when its answer goes. A reset of the
    attempts (``AttemptReset``) does not make a later attempt a first one: attempts keep counting up.
    Records loaded in bulk get theirs from ``services.first_attempt_answers_fill`` (the progress
    recount calls it), and the migration that created the table filled it from the answers so far.
    """

    answer = models.OneToOneField(
        Answer, on_delete=models.CASCADE, primary_key=True, related_name="first_attempt", verbose_name=_("antwoord")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("leerling")
    )
    # The attempt's quiz (the reports take the module from it, as from the attempt) and the question,
    # both in the reports' index.
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("quiz"))
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("vraag")
    )
    submitted_at = models.DateTimeField(_("ingeleverd"))
    is_correct = models.BooleanField(pgettext_lazy("answer", "goed"))

    class Meta:
        verbose_name = _("antwoord bij een eerste poging")
        verbose_name_plural = _("antwoorden bij een eerste poging")
        # The reports' counts per question, wrong ones (is_correct false) or all, by the period's end, of
        # the learners counted and the module's quizzes, read from the index alone. No unique (learner,
        # question): a question moved to another quiz may be answered again at a first attempt there.
        indexes = [
            models.Index(
                fields=["question", "is_correct", "submitted_at", "user", "quiz"], name="firstattemptanswer_counts"
            )
        ]

    def __str__(self):
        return f"{self.user_id}/{self.question_id}"


# Positions 1..n per parent, one rule for every write that moves them (courses.ordering).
ordering.register(Question, group_by="quiz_id")
ordering.register(Choice, group_by="question_id")
