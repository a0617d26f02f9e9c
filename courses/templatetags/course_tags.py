from django import template

from courses.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """Render trainer-written Markdown through the site's one sanitising renderer."""
    return render_markdown(text)


class ContentCacheNode(template.Node):
    def __init__(self, nodelist, vary_on):
        self.nodelist = nodelist
        self.vary_on = vary_on

    def render(self, context):
        from django.utils.safestring import mark_safe
        from django.utils.translation import get_language

        from courses import page_cache

        request = context.get("request")
        version = getattr(request, "content_version", None)
        if version is None or context.get("preview"):
            return self.nodelist.render(context)
        parts = [str(value.resolve(context)) for value in self.vary_on]
        html = page_cache.fragment(version, "template", get_language(), *parts,
                                   build=lambda: str(self.nodelist.render(context)))
        return mark_safe(html)  # nosec B308 B703  # our own template's output, kept as it was rendered


@register.tag("contentcache")
def contentcache(parser, token):
    """``{% contentcache "name" value ... %}…{% endcontentcache %}``: a part of a page that shows content only.

    Kept per content version, release and language (courses.content_version) and the values
    given, so it is rendered once per content change. Only for parts that show nothing of the
    visitor: no user, no progress, no CSRF token. Rendered as usual in a staff preview.
    """
    nodelist = parser.parse(("endcontentcache",))
    parser.delete_first_token()
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("contentcache needs a name")
    return ContentCacheNode(nodelist, [parser.compile_filter(bit) for bit in bits])

@register.filter(name="markdown_at")
def markdown_at_filter(text, level):
    """Markdown whose highest heading becomes ``h<level>``: one below the heading the body sits under."""
    return render_markdown(text, top_level=int(level))


class LearnerSlotNode(template.Node):
    def __init__(self, name, key=None):
        self.name = name
        self.key = key

    def render(self, context):
        from courses import page_cache

        name = self.name.resolve(context)
        key = "" if self.key is None else str(self.key.resolve(context))
        nonce = context.get("slot_nonce")
        if nonce:
            return page_cache.slot_marker(nonce, f"{name}#{key}" if key else name)
        with context.push(slot_key=key):
            return context.template.engine.get_template(name).render(context)


@register.tag("learnerslot")
def learnerslot(parser, token):
    """``{% learnerslot "template.html" [key] %}``: a part of a page that is the reader's own (progress, ticks,
    an invitation). Rendered in place as an include; in a page rendered once for every signed-in
    learner (``slot_nonce`` set, courses.page_cache.learner_page) a marker instead, which each request
    fills with that template rendered from its own small context; ``key`` (a section's id, say) reaches
    the template as ``slot_key``. Never inside ``{% contentcache %}``."""
    bits = token.split_contents()
    if len(bits) not in (2, 3):
        raise template.TemplateSyntaxError("learnerslot takes a template name and an optional key")
    return LearnerSlotNode(*(parser.compile_filter(bit) for bit in bits[1:]))
