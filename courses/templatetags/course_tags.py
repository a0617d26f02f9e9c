from django import template

from courses.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """Render trainer-written Markdown through the site's one sanitising renderer."""
    return render_markdown(text)
