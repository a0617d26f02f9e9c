"""A learner's progress per module, in a fixed number of queries.

Progress counts items: every published slide is one, every section's quiz is
one. A slide counts once it was read; a quiz once it was passed. So 100 %
means exactly "complete": every slide read and every quiz passed. A draft
(unpublished) slide counts for nobody, read or not.
"""
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from datetime import timezone as dt_timezone

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Now
from django.urls import reverse

from centres.access import SITE_STAFF_PERMISSION
from centres.models import CentreStaff, Enrollment
from courses.content_version import Version, version_from_row
from courses.models import ContentVersion, Module
from quizzes.models import Attempt
from sections.models import Section, learner_number_of

from .models import Certificate, SlideView, normalise_code


def _percent(done: int, total: int) -> int:
    # Rounded down, so "100 %" is only ever shown when everything is done.
    return (100 * done) // total if total else 0


@dataclass
class SectionProgress:
    section: Section
    slide_count: int
    read_count: int = 0
    quiz_id: int | None = None
    quiz_passed: bool = False
    quiz_best: int | None = None

    @property
    def items_total(self) -> int:
        return self.slide_count + (1 if self.quiz_id else 0)

    @property
    def items_done(self) -> int:
        return min(self.read_count, self.slide_count) + (1 if self.quiz_id and self.quiz_passed else 0)

    @property
    def percent(self) -> int:
        return _percent(self.items_done, self.items_total)

    @property
    def slides_read(self) -> bool:
        return self.read_count >= self.slide_count

    # The same parts as ModuleProgress, so one template says them in words for both.
    @property
    def slide_total(self) -> int:
        return self.slide_count

    @property
    def quizzes_passed(self) -> int:
        return 1 if self.quiz_id and self.quiz_passed else 0

    @property
    def quiz_total(self) -> int:
        return 1 if self.quiz_id else 0

    @property
    def complete(self) -> bool:
        return self.items_total > 0 and self.items_done == self.items_total

    @property
    def quiz_url(self) -> str | None:
        if not self.quiz_id:
            return None
        return reverse("quizzes:quiz", kwargs={"module_slug": self.section.module.slug, "number": self.section.number})


@dataclass
class ModuleProgress:
    module: Module
    sections: list[SectionProgress]
    read_slide_ids: set[int] = field(default_factory=set)
    last_slide_id: int | None = None
    last_seen: datetime | None = None
    resume_url: str | None = None
    resume_title: str = ""
    resume_section: int | None = None
    resume_position: int | None = None
    certificate: Certificate | None = None

    @property
    def items_total(self) -> int:
        return sum(s.items_total for s in self.sections)

    @property
    def items_done(self) -> int:
        return sum(s.items_done for s in self.sections)

    @property
    def percent(self) -> int:
        return _percent(self.items_done, self.items_total)

    @property
    def complete(self) -> bool:
        return self.items_total > 0 and all(s.complete for s in self.sections)

    @property
    def started(self) -> bool:
        return bool(self.read_slide_ids) or any(s.quiz_best is not None for s in self.sections)

    @property
    def slide_total(self) -> int:
        return sum(s.slide_count for s in self.sections)

    @property
    def read_count(self) -> int:
        return sum(min(s.read_count, s.slide_count) for s in self.sections)

    @property
    def quizzes_passed(self) -> int:
        return sum(1 for s in self.sections if s.quiz_id and s.quiz_passed)

    @property
    def quiz_total(self) -> int:
        return sum(1 for s in self.sections if s.quiz_id)

    def for_section(self, section_id: int) -> SectionProgress | None:
        return next((s for s in self.sections if s.section.pk == section_id), None)

    def mark_read(self, *, slide, when: datetime) -> None:
        """Count ``slide`` as read just now in this in-memory picture (after the viewer recorded it)."""
        if slide.pk not in self.read_slide_ids:
            self.read_slide_ids.add(slide.pk)
            section = self.for_section(slide.section_id)
            if section is not None:
                section.read_count += 1
        self.last_slide_id, self.last_seen = slide.pk, when
        self.resume_url = slide.get_absolute_url()
        self.resume_title = slide.title
        self.resume_section, self.resume_position = slide.section.number, slide.learner_position


def _slide_url(module_slug: str, number: int, position: int) -> str:
    return reverse("sections:slide", kwargs={"module_slug": module_slug, "number": number, "position": position})


def modules_progress(*, user, modules: list[Module], with_certificates: bool = True) -> list[ModuleProgress]:
    """Progress of ``user`` in each of ``modules`` (3 queries, 2 without certificates, whatever their size).

    The slide to resume on is the one read last; its number is the learner's
    number (its rank among the section's published slides), counted in the
    same query.
    """
    if not modules:
        return []
    by_id = {m.pk: m for m in modules}
    passed = Attempt.objects.filter(quiz__section=OuterRef("pk"), user=user, passed=True)
    best = (
        Attempt.objects.filter(quiz__section=OuterRef("pk"), user=user, submitted_at__isnull=False)
        .order_by("-score")
        .values("score")[:1]
    )
    sections = list(
        Section.objects.filter(module_id__in=by_id)
        .order_by("module_id", "number")
        .only("id", "number", "title", "module_id")
        .annotate(
            slide_count=Count("slides", filter=Q(slides__is_published=True)),
            quiz_pk=F("quiz__id"),
            quiz_passed=Exists(passed),
            quiz_best=Subquery(best),
        )
    )
    progress = {
        m.pk: ModuleProgress(module=m, sections=[]) for m in modules
    }
    section_progress = {}
    for section in sections:
        section.module = by_id[section.module_id]
        sp = SectionProgress(
            section=section,
            slide_count=section.slide_count,
            quiz_id=section.quiz_pk,
            quiz_passed=bool(section.quiz_pk and section.quiz_passed),
            quiz_best=section.quiz_best,
        )
        progress[section.module_id].sections.append(sp)
        section_progress[section.pk] = sp

    views = (
        SlideView.objects.filter(user=user, slide__section__module_id__in=by_id, slide__is_published=True)
        .annotate(learner_position=learner_number_of("slide"))
        .values_list("slide_id", "slide__section_id", "slide__section__number", "learner_position", "slide__title",
                     "slide__section__module_id", "last_seen")
    )
    for slide_id, section_id, number, position, title, module_id, last_seen in views:
        mp = progress[module_id]
        mp.read_slide_ids.add(slide_id)
        section_progress[section_id].read_count += 1
        if mp.last_seen is None or last_seen > mp.last_seen:
            mp.last_slide_id, mp.last_seen = slide_id, last_seen
            mp.resume_url = _slide_url(by_id[module_id].slug, number, position)
            mp.resume_title, mp.resume_section, mp.resume_position = title, number, position

    if with_certificates:
        for certificate in Certificate.objects.current().filter(user=user, module_id__in=by_id):
            certificate.module = by_id[certificate.module_id]
            progress[certificate.module_id].certificate = certificate
    return [progress[m.pk] for m in modules]


def module_progress(*, user, module: Module, with_certificate: bool = True) -> ModuleProgress:
    return modules_progress(user=user, modules=[module], with_certificates=with_certificate)[0]


def module_progress_or_none(*, request, module: Module | None, with_certificate: bool = True) -> ModuleProgress | None:
    """Progress for a signed-in reader, ``None`` for anyone else (no query for an anonymous visitor)."""
    if module is None or not request.user.is_authenticated:
        return None
    return module_progress(user=request.user, module=module, with_certificate=with_certificate)


def certificate_by_code(*, code: str) -> Certificate | None:
    """The certificate a verification link or a typed code points to (1 query), or ``None``."""
    normalised = normalise_code(code)
    if not normalised:
        return None
    return Certificate.objects.select_related("module", "replaced_by").filter(code=normalised).first()


def certificate_of_learner(*, user, code: str) -> Certificate | None:
    return Certificate.objects.select_related("module").filter(user=user, code=normalise_code(code)).first()


def certifying_enrollments(*, user, module: Module):
    """The learner's enrolments in cohorts of ``module`` that can carry a certificate: holding a
    place (active or completed), not withdrawn."""
    return Enrollment.objects.holding_a_place().for_user(user).filter(cohort__module=module)


def may_get_certificate(*, user, module: Module) -> bool:
    """Whether completing ``module`` gives ``user`` a certificate (1 query)."""
    if not user.is_authenticated:
        return False
    return certifying_enrollments(user=user, module=module).exists()


@dataclass(frozen=True)
class LearnerState:
    """What the slide viewer needs of the learner, read with the content version in one query."""

    version: Version
    views: list[tuple[int, datetime]]  # (slide id, last seen) in the module
    quizzes: dict[int, tuple[int | None, bool]]  # section id → (best score, passed)
    centre_staff: bool  # may use the centre pages: centre staff or site staff (the menu's "Centrum")
    # The user row's few columns a page needs (read in the same query, so no user load is needed):
    # None when the user no longer exists.
    account: "AccountRow | None" = None
    has_certificate: bool = False  # a current certificate in this module (revoked too)
    user_id: int | None = None  # whose state this is
    # Read with a session key: the session's row came too (``session_data``, None if it is not live).
    session_read: bool = False
    session_data: str | None = None


@dataclass(frozen=True)
class AccountRow:
    is_active: bool
    is_staff: bool
    is_superuser: bool
    password: str  # the hash: to check the session's auth hash, as Django's get_user does


_KIND_VERSION, _KIND_VIEW, _KIND_QUIZ, _KIND_STAFF, _KIND_SITE_STAFF, _KIND_ACCOUNT, _KIND_CERTIFICATE = 1, 2, 3, 4, 5, 6, 7
_KIND_SESSION = 8


_USER_SENTINEL = -7_654_321
_SLUG_SENTINEL = "\x00module-slug\x00"
_SESSION_SENTINEL = "\x00session-key\x00"
_state_sql: dict[tuple[str, bool], tuple[str, tuple]] = {}


def _learner_state_queryset(*, user_id, module_slug: str, session_key: str | None = None):
    null_int = Cast(Value(None), IntegerField())
    null_time = Cast(Value(None), DateTimeField())
    null_text = Cast(Value(None), CharField())
    version = ContentVersion.objects.filter(pk=1).order_by().annotate(
        k=Value(_KIND_VERSION, IntegerField()), a=F("number"), b=null_int, c=null_int, t=F("changed_at"), s=null_text
    ).values_list("k", "a", "b", "c", "t", "s")
    views = SlideView.objects.filter(user_id=user_id, slide__section__module__slug=module_slug).order_by().annotate(
        k=Value(_KIND_VIEW, IntegerField()), a=F("slide_id"), b=null_int, c=null_int, t=F("last_seen"), s=null_text
    ).values_list("k", "a", "b", "c", "t", "s")
    quizzes = (
        Attempt.objects.filter(user_id=user_id, submitted_at__isnull=False, quiz__section__module__slug=module_slug)
        .order_by()
        .values("quiz__section_id")
        .annotate(
            k=Value(_KIND_QUIZ, IntegerField()),
            a=F("quiz__section_id"),
            b=Max("score"),
            c=Max(Cast("passed", IntegerField())),
            t=null_time,
            s=null_text,
        )
        .values_list("k", "a", "b", "c", "t", "s")
    )
    staff = (
        CentreStaff.objects.filter(user_id=user_id)
        .order_by()
        .values("user_id")
        .annotate(k=Value(_KIND_STAFF, IntegerField()), a=Count("pk"), b=null_int, c=null_int, t=null_time,
                  s=null_text)
        .values_list("k", "a", "b", "c", "t", "s")
    )
    app_label, codename = SITE_STAFF_PERMISSION.split(".")
    site_staff = (
        Permission.objects.filter(Q(user__id=user_id) | Q(group__user__id=user_id), content_type__app_label=app_label,
                                  codename=codename)
        .order_by()
        .values("codename")
        .annotate(k=Value(_KIND_SITE_STAFF, IntegerField()), a=Count("pk"), b=null_int, c=null_int, t=null_time,
                  s=null_text)
        .values_list("k", "a", "b", "c", "t", "s")
    )
    account = (
        get_user_model().objects.filter(pk=user_id).order_by()
        .annotate(k=Value(_KIND_ACCOUNT, IntegerField()), a=Cast("is_active", IntegerField()),
                  b=Cast("is_staff", IntegerField()), c=Cast("is_superuser", IntegerField()), t=null_time,
                  s=F("password"))
        .values_list("k", "a", "b", "c", "t", "s")
    )
    certificate = (
        Certificate.objects.current().filter(user_id=user_id, module__slug=module_slug).order_by()
        .annotate(k=Value(_KIND_CERTIFICATE, IntegerField()), a=F("pk"), b=null_int, c=null_int, t=null_time,
                  s=null_text)
        .values_list("k", "a", "b", "c", "t", "s")
    )
    parts = [views, quizzes, staff, site_staff, account, certificate]
    if session_key is not None:
        # The session row itself, live ones only, as the session store reads it (accounts.sessions).
        parts.append(
            Session.objects.filter(session_key=session_key, expire_date__gt=Now()).order_by()
            .annotate(k=Value(_KIND_SESSION, IntegerField()), a=null_int, b=null_int, c=null_int, t=null_time,
                      s=F("session_data"))
            .values_list("k", "a", "b", "c", "t", "s")
        )
    return version.union(*parts, all=True)


def _compiled_state_sql(connection, *, with_session: bool) -> tuple[str, tuple]:
    """The UNION's SQL, compiled by the ORM once per database (compiling it is most of its cost)."""
    key = (connection.alias, with_session)
    if key not in _state_sql:
        queryset = _learner_state_queryset(user_id=_USER_SENTINEL, module_slug=_SLUG_SENTINEL,
                                           session_key=_SESSION_SENTINEL if with_session else None)
        sql, params = queryset.query.get_compiler(connection=connection).as_sql()
        _state_sql[key] = (sql, tuple(params))
    return _state_sql[key]


def learner_state(*, user_id: int, module_slug: str, session_key: str | None = None) -> LearnerState:
    """The content version, the learner's slide views and quiz results in the module, whether they
    may use the centre pages (the menu asks) and the few columns of their user row that a page
    needs: 1 query, a UNION ALL of six small selects.

    One round trip instead of five keeps a signed-in slide at three queries in all (two with the
    session's row read here): the session, this, and at most one write (the user row is not loaded: ``accounts.session_auth``
    checks the session against the password hash read here). The SQL is the ORM's, compiled once.
    With ``session_key`` the session's row comes in the same round trip (``session_data``, ``None``
    if it is not live): two queries in all, when the caller knows whose session it is likely to be
    (``progress.reader``), which the row then confirms or not.
    """
    connection = connections[router.db_for_read(SlideView)]
    sql, template = _compiled_state_sql(connection, with_session=session_key is not None)
    values = {_USER_SENTINEL: user_id, _SLUG_SENTINEL: module_slug, _SESSION_SENTINEL: session_key}
    params = [values.get(p, p) if isinstance(p, (int, str)) and not isinstance(p, bool) else p for p in template]
    number = changed_at = account = session_data = None
    rows_views, rows_quizzes, centre_staff, has_certificate = [], {}, False, False
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and settings.PG_PREPARE:
            _execute_prepared(connection, cursor, sql, params)
        else:
            cursor.execute(sql, params)
        rows = cursor.fetchall()
    converter = _datetime_converter(connection)
    for kind, a, b, c, t, s in rows:
        if kind == _KIND_VERSION:
            number, changed_at = a, converter(t)
        elif kind == _KIND_VIEW:
            rows_views.append((a, converter(t)))
        elif kind == _KIND_QUIZ:
            rows_quizzes[a] = (b, bool(c))
        elif kind in (_KIND_STAFF, _KIND_SITE_STAFF):
            centre_staff = centre_staff or bool(a)
        elif kind == _KIND_ACCOUNT:
            account = AccountRow(is_active=bool(a), is_staff=bool(b), is_superuser=bool(c), password=s or "")
        elif kind == _KIND_CERTIFICATE:
            has_certificate = True
        elif kind == _KIND_SESSION:
            session_data = s
    if account is not None and account.is_superuser:
        centre_staff = True
    return LearnerState(
        version=version_from_row(number, changed_at),
        views=rows_views,
        quizzes=rows_quizzes,
        centre_staff=centre_staff,
        account=account,
        has_certificate=has_certificate,
        user_id=user_id,
        session_read=session_key is not None,
        session_data=session_data,
    )


_PG_TYPES = {bool: "boolean", int: "bigint", str: "text"}


def _execute_prepared(connection, cursor, sql: str, params: list) -> None:
    """PostgreSQL plans the six-part UNION anew for every execution, and planning costs several times
    what running it does (1.7 ms against 0.3 ms prepared, on the bench's database). So it is prepared
    once per database session (``PREPARE``; a new connection prepares again) and executed by name.
    Not for a pooler in transaction mode (PgBouncer), which may hand each query another session: set
    ``DJANGO_PG_PREPARE=false`` there."""
    raw = connection.connection
    name = "learner_state_" + hashlib.sha256(sql.encode()).hexdigest()[:12]
    prepared = getattr(connection, "_learner_state_prepared", None)  # (the connection, names prepared on it)
    if prepared is None or prepared[0] is not raw:
        prepared = connection._learner_state_prepared = (raw, set())
    if name not in prepared[1]:  # with and without the session's row: two statements
        numbered = iter(range(1, len(params) + 1))
        text = re.sub(r"%s", lambda _m: f"${next(numbered)}", sql).replace("%%", "%")
        # The parameters' types said (left to PostgreSQL, a constant kind like 1 would be taken as text).
        types = ", ".join(_PG_TYPES[type(p)] for p in params)
        cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f"PREPARE {name} ({types}) AS {text}")  # nosec B608  # the ORM's SQL, compiled from our queryset
        prepared[1].add(name)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)  # nosec B608  # placeholders only


def _datetime_converter(connection):
    """Raw rows: SQLite gives text, PostgreSQL aware datetimes; both become aware UTC datetimes."""
    if connection.vendor == "sqlite":
        from django.utils.dateparse import parse_datetime

        def convert(value):
            if value is None or isinstance(value, datetime):
                return value
            parsed = parse_datetime(value)
            return parsed.replace(tzinfo=dt_timezone.utc) if parsed.tzinfo is None else parsed

        return convert
    return lambda value: value


def module_progress_from_state(*, skeleton, state: LearnerState) -> ModuleProgress:
    """The learner's progress from the cached module skeleton and their state (no query).

    Counts as ``modules_progress`` does: published slides read, quizzes passed.
    """
    module = skeleton.module
    progress = ModuleProgress(module=module, sections=[])
    by_section = {}
    for section in skeleton.sections:
        quiz_best, quiz_passed = state.quizzes.get(section.pk, (None, False))
        sp = SectionProgress(
            section=section,
            slide_count=section.slide_count,
            quiz_id=section.quiz_pk,
            quiz_passed=bool(section.quiz_pk and quiz_passed),
            quiz_best=quiz_best if section.quiz_pk else None,
        )
        progress.sections.append(sp)
        by_section[section.pk] = sp
    for slide_id, last_seen in state.views:
        place = skeleton.slides.get(slide_id)
        if place is None:  # a draft now, or another module's
            continue
        progress.read_slide_ids.add(slide_id)
        by_section[place[0]].read_count += 1
        if progress.last_seen is None or last_seen > progress.last_seen:
            progress.last_slide_id, progress.last_seen = slide_id, last_seen
    if progress.last_slide_id is not None:  # one URL built, not one per slide read
        _section_id, number, position, title = skeleton.slides[progress.last_slide_id]
        progress.resume_url = _slide_url(module.slug, number, position)
        progress.resume_title, progress.resume_section, progress.resume_position = title, number, position
    return progress


def certificate_trainer_names(*, certificate: Certificate) -> tuple[str, ...]:
    """The trainers of the cohort named on ``certificate`` (1 query): the learner's enrolment in a cohort
    of this module with that centre and name. None when the certificate names no cohort."""
    from django.contrib.auth import get_user_model

    if not certificate.cohort_name:
        return ()
    users = (
        get_user_model().objects.filter(
            trained_cohorts__enrollments__user_id=certificate.user_id,
            trained_cohorts__module_id=certificate.module_id,
            trained_cohorts__name=certificate.cohort_name,
            trained_cohorts__centre__name=certificate.centre_name,
        )
        .order_by("name", "email")
        .distinct()
    )
    return tuple(u.name or u.email for u in users)
