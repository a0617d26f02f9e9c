"""Template helpers for progress: look up one section's progress in a module's."""
from django import template

register = template.Library()


@register.filter
def section_progress(progress, section_id):
    """``{% with sp=progress|section_progress:section.pk %}``: that section's progress, or None."""
    if not progress:
        return None
    return progress.for_section(int(section_id))  # a slot key (courses.page_cache.splice) is text
