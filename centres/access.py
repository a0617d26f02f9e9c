"""Who may open what. Every centre page goes through these helpers.

An object someone may not see gets the very same 404 as one that does not
exist, so that URLs can't be probed for other centres' cohorts or learners.
A page that someone may *see* but not *change* (a trainer on a cohort's
settings) gives 403: the object is theirs to know about.
"""
from django.core.exceptions import PermissionDenied
from django.http import Http404

# is_site_staff is defined in models (the cohort querysets need it) and offered here with the other helpers.
from .models import SITE_STAFF_PERMISSION, CentreStaff, Cohort, Enrollment, Invitation, is_site_staff  # noqa: F401


def can_use_centre_pages(user) -> bool:
    """Centre staff or site staff. Remembered on the user object for the request
    (like Django's permission cache): the page and its navigation both ask."""
    if not user.is_authenticated or not user.is_active:
        return False
    if not hasattr(user, "_centres_staff_cache"):
        user._centres_staff_cache = CentreStaff.objects.filter(user=user).exists() or is_site_staff(user)
    return user._centres_staff_cache


def remember_centre_staff(user, centre_staff: bool) -> None:
    """Remember for this request what ``can_use_centre_pages`` would find (centre staff or site
    staff), read by a query made elsewhere: the slide viewer reads it with the learner's progress
    (progress.selectors.learner_state), so the menu asks the database no more."""
    if user.is_authenticated:
        user._centres_staff_cache = bool(user.is_active and centre_staff)


def can_create_cohorts(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return is_site_staff(user) or CentreStaff.objects.managers().filter(user=user).exists()


def require_centre_staff(user) -> None:
    """Centre pages are for centre staff; a learner who finds the URL gets 403."""
    if not can_use_centre_pages(user):
        raise PermissionDenied


def get_cohort_for_staff_or_404(user, pk, *, queryset=None) -> Cohort:
    """A cohort the user trains or manages (or any, for site staff); else 404."""
    require_centre_staff(user)
    queryset = queryset if queryset is not None else Cohort.objects.select_related("centre", "module")
    try:
        return queryset.filter(pk__in=Cohort.objects.visible_to(user).values("pk")).get(pk=pk)
    except (Cohort.DoesNotExist, ValueError, TypeError):
        raise Http404("No such cohort.") from None


def get_cohort_for_manager_or_404(user, pk, *, queryset=None) -> Cohort:
    """A cohort whose settings the user may change. A trainer of the cohort may
    see it but not change it (403); anyone else gets the same 404 as for a missing one."""
    cohort = get_cohort_for_staff_or_404(user, pk, queryset=queryset)
    if not Cohort.objects.managed_by(user).filter(pk=cohort.pk).exists():
        raise PermissionDenied
    return cohort


def get_enrollment_for_staff_or_404(user, cohort: Cohort, pk) -> Enrollment:
    try:
        return Enrollment.objects.select_related("user").get(cohort=cohort, pk=pk)
    except (Enrollment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such enrolment.") from None


def get_invitation_for_staff_or_404(user, cohort: Cohort, pk) -> Invitation:
    try:
        return Invitation.objects.get(cohort=cohort, pk=pk)
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise Http404("No such invitation.") from None


def get_enrollment_for_learner_or_404(user, pk) -> Enrollment:
    """A learner's own enrolment; someone else's is as missing as a made-up one."""
    try:
        return Enrollment.objects.for_user(user).select_related("cohort__centre", "cohort__module").get(pk=pk)
    except (Enrollment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such enrolment.") from None
