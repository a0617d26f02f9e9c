"""The cohort's idea wall: a brainstorm, the "slechtste idee" icebreaker or one design-sprint stage.

A :class:`Session` belongs to one cohort and moves through phases that only the
trainer moves. The rules of a brainstorm (module 6, slides 2.7 and 2.8) are in the
data where they can be: an idea is plain text of at most 500 characters, a build
("voortbouwen", rule 4) or a turn-around (the icebreaker, slide 2.14) always has a
parent, and the dot budget of a learner is a check constraint on their
:class:`Participant` row, so that no race can spend a dot twice. Writes go through
``services.py``; every write bumps ``Session.version``, which is the ETag of the
live lists (``views.live``).
"""
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

IDEA_MAX_LENGTH = 500
DEFAULT_DOT_BUDGET = 5
MAX_DOT_BUDGET = 20


class Kind(models.TextChoices):
    BRAINSTORM = "brainstorm", _("Brainstorm")
    WORST_IDEA = "worst_idea", _("IJsbreker: het slechtste idee")
    SPRINT_UNDERSTAND = "sprint_1", _("Ontwerpsprint 01: Begrijpen")
    SPRINT_DEFINE = "sprint_2", _("Ontwerpsprint 02: Definiëren")
    SPRINT_IDEATE = "sprint_3", _("Ontwerpsprint 03: Idee")
    SPRINT_PROTOTYPE = "sprint_4", _("Ontwerpsprint 04: Prototype")
    SPRINT_TEST = "sprint_5", _("Ontwerpsprint 05: Test")


class Phase(models.TextChoices):
    """In this order; the trainer moves one step forward (or back) at a time."""

    COLLECT = "collect", _("Verzamelen")
    REVEAL = "reveal", _("Onthullen")
    BUILD = "build", _("Voortbouwen")
    CLUSTER = "cluster", _("Clusteren")
    VOTE = "vote", _("Stemmen")
    ACTIONS = "actions", _("Acties")
    CLOSED = "closed", _("Gesloten")


PHASE_ORDER = [p.value for p in Phase]


class SessionQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(phase=Phase.CLOSED)


class Session(models.Model):
    cohort = models.ForeignKey(
        "centres.Cohort", on_delete=models.CASCADE, related_name="idea_sessions", verbose_name=_("cohort")
    )
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices, default=Kind.BRAINSTORM)
    problem = models.CharField(_("probleemstelling"), max_length=300)
    phase = models.CharField(_("fase"), max_length=20, choices=Phase.choices, default=Phase.COLLECT)
    goal = models.PositiveSmallIntegerField(
        _("doel: aantal ideeën"), default=30, help_text=_("Regel 1: zoveel mogelijk ideeën. Het doel staat in beeld tijdens het verzamelen.")
    )
    dot_budget = models.PositiveSmallIntegerField(
        _("stippen per deelnemer"), default=DEFAULT_DOT_BUDGET, help_text=_("Ligt vast zodra het stemmen begint.")
    )
    ends_at = models.DateTimeField(_("eindtijd"), null=True, blank=True)
    next_steps = models.TextField(_("volgende stappen"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("aangemaakt door")
    )
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    phase_changed_at = models.DateTimeField(_("fase gewijzigd op"), auto_now_add=True)
    # Bumped by every write to the session, its ideas, clusters, votes or participants: the ETag of the live lists.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("ideeënsessie")
        verbose_name_plural = _("ideeënsessies")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dot_budget__gte=1) & Q(dot_budget__lte=MAX_DOT_BUDGET), name="ideas_session_dot_budget_range"
            ),
            models.CheckConstraint(condition=Q(phase__in=PHASE_ORDER), name="ideas_session_phase_valid"),
        ]

    def __str__(self):
        return self.problem

    def get_absolute_url(self):
        return reverse("ideas:session", kwargs={"pk": self.pk})

    @property
    def phase_index(self) -> int:
        return PHASE_ORDER.index(self.phase)

    @property
    def is_icebreaker(self) -> bool:
        return self.kind == Kind.WORST_IDEA

    def phase_at_least(self, phase) -> bool:
        return self.phase_index >= PHASE_ORDER.index(phase)


class Cluster(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="clusters", verbose_name=_("sessie"))
    name = models.CharField(_("naam"), max_length=80)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "name"], name="ideas_cluster_unique_name")]

    def __str__(self):
        return self.name


class Idea(models.Model):
    class Relation(models.TextChoices):
        NEW = "new", _("nieuw idee")
        BUILD = "build", _("bouwt voort op")
        TURNAROUND = "turnaround", _("omgekeerd uit")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="ideas", verbose_name=_("sessie"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ideas", verbose_name=_("auteur")
    )
    text = models.TextField(_("idee"), max_length=IDEA_MAX_LENGTH)
    is_anonymous = models.BooleanField(_("anoniem voor de groep"), default=False)
    is_wild = models.BooleanField(_("wild idee"), default=False)
    relation = models.CharField(_("soort"), max_length=12, choices=Relation.choices, default=Relation.NEW)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("bouwt voort op")
    )
    cluster = models.ForeignKey(
        Cluster, on_delete=models.SET_NULL, null=True, blank=True, related_name="ideas", verbose_name=_("cluster")
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates", verbose_name=_("samengevoegd met")
    )
    hidden_reason = models.CharField(_("reden van verbergen"), max_length=200, blank=True)
    is_hidden = models.BooleanField(_("verborgen"), default=False)
    is_chosen = models.BooleanField(_("gekozen"), default=False)
    # A fixed random number per idea: the "shuffled" order of the reveal, the same on every reload.
    shuffle_key = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("geplaatst op"), auto_now_add=True)

    class Meta:
        verbose_name = _("idee")
        verbose_name_plural = _("ideeën")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(GreaterThanOrEqual(Length("text"), 1), LessThanOrEqual(Length("text"), IDEA_MAX_LENGTH)),
                name="ideas_idea_text_length"
            ),
            # Rule 4 in the data: a build or a turn-around always says what it responds to.
            models.CheckConstraint(
                condition=Q(relation="new", parent__isnull=True) | (~Q(relation="new") & Q(parent__isnull=False)),
                name="ideas_idea_parent_matches_relation",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="ideas_idea_not_own_parent"),
            models.CheckConstraint(condition=~Q(merged_into=F("pk")), name="ideas_idea_not_merged_into_itself"),
        ]
        indexes = [models.Index(fields=["session", "author", "created_at"], name="ideas_idea_author_time_idx")]

    def __str__(self):
        return self.text[:60]


class Participant(models.Model):
    """A learner in a session: "Ik ben klaar", and their dots.

    ``dots_budget`` is copied from the session when the learner first votes, so the
    budget is fixed once voting starts; ``dots_used`` counts their :class:`Vote` rows and
    the check constraint is the last line of defence against spending more."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="participants", verbose_name=_("sessie"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_participations", verbose_name=_("deelnemer")
    )
    is_ready = models.BooleanField(_("klaar"), default=False)
    dots_budget = models.PositiveSmallIntegerField(_("stippen"), default=0)
    dots_used = models.PositiveSmallIntegerField(_("gebruikte stippen"), default=0)

    class Meta:
        verbose_name = _("deelnemer aan een sessie")
        verbose_name_plural = _("deelnemers aan sessies")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="ideas_participant_unique"),
            models.CheckConstraint(condition=Q(dots_used__lte=F("dots_budget")), name="ideas_participant_within_budget"),
        ]

    def __str__(self):
        return f"{self.user} — {self.session}"

    @property
    def dots_left(self) -> int:
        return self.dots_budget - self.dots_used


class Vote(models.Model):
    """One dot. A learner may put more than one dot on an idea (dot voting as done on paper)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="votes", verbose_name=_("sessie"))
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes", verbose_name=_("idee"))
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes", verbose_name=_("deelnemer"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stip")
        verbose_name_plural = _("stippen")
