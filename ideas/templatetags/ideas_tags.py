"""The slide page's hook into the idea wall: one tag, one template, one selector.

Slides 2.7/2.8 (the ground rules), 2.10–2.16 (the sprint stages) and 2.14 (the
icebreaker) invite a learner in a cohort to their group's open session ("Doe mee in
je groep"); a visitor without a cohort reads what the wall is for. Other slides pay
nothing (no query)."""
from django import template

from ideas import selectors

register = template.Library()


@register.inclusion_tag("ideas/_slide_invite.html", takes_context=True)
def wall_invite(context, slide):
    # ``learner``: the signed-in reader as the slide viewer's fast path knows them (no user row loaded).
    user = context.get("learner") or getattr(context.get("request"), "user", None)
    if user is None or context.get("preview"):
        return {"invite": None}
    return {"invite": selectors.slide_invite(user=user, slide_slug=slide.slug), "user": user}
