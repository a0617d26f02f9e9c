"""What the cohort dashboard keeps of its own: the reminders it sent.

Everything else it shows is read from progress, quizzes and centres. A
reminder is recorded so that a learner gets at most one a week, whoever
sends it and from whichever cohort: the inbox is the learner's, not the
cohort's. ``week_start`` (the Monday of the UTC week it was sent in) lets the
database refuse a second reminder in the same week even if two requests race;
two reminders seven days apart always fall in different UTC weeks, so the
constraint never blocks a reminder the seven-day rule allows.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderQuerySet(models.QuerySet):
    def since(self, moment):
        return self.filter(sent_at__gt=moment)


class Reminder(models.Model):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("deelnemer")
    )
    cohort = models.ForeignKey(
        "centres.Cohort", on_delete=models.CASCADE, related_name="reminders", verbose_name=_("cohort")
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verstuurd door"),
    )
    sent_at = models.DateTimeField(_("verstuurd op"))
    week_start = models.DateField(_("week (maandag, UTC)"))
    inactive_days = models.PositiveSmallIntegerField(_("niet actief sinds (dagen)"))

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("herinnering")
        verbose_name_plural = _("herinneringen")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "week_start"], name="reminder_one_per_learner_per_week"),
            models.CheckConstraint(condition=models.Q(inactive_days__gte=1), name="reminder_inactive_days_positive"),
        ]
        indexes = [models.Index(fields=["learner", "-sent_at"], name="reminder_learner_sent_at")]

    def __str__(self):
        return f"{self.learner_id} · {self.sent_at:%Y-%m-%d}"
