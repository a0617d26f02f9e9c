"""What the content admins (sections, slides, quizzes) share with progress: a change that publishes or
unpublishes slides, moves them or adds or removes a quiz changes what "half the module" and "every
quiz" mean for every learner, so each such admin request queues a recount of the learners' progress
rows (``services.recount_when_reshaped``). Every door of those admins is covered: the change form
with its inlines, delete, the list's actions, and restoring an earlier version."""
from . import services


class RecountsProgressAdmin:
    """Mix into a ModelAdmin whose objects decide a module's size."""

    def _reshaping(self, request, view, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        with services.recount_when_reshaped():
            return view(request, *args, **kwargs)

    def changeform_view(self, request, *args, **kwargs):
        return self._reshaping(request, super().changeform_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._reshaping(request, super().delete_view, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._reshaping(request, super().changelist_view, *args, **kwargs)

    def revision_view(self, request, *args, **kwargs):
        return self._reshaping(request, super().revision_view, *args, **kwargs)

    def recover_view(self, request, *args, **kwargs):
        return self._reshaping(request, super().recover_view, *args, **kwargs)
