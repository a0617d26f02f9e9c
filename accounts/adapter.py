"""django-allauth, adapted: its mails leave through the site's one door (``accounts.mail.send``)."""
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site

from . import mail


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """As allauth's own (the same context and templates), but sent through ``accounts.mail.send``."""
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        mail.send(self.render_mail(template_prefix, email, ctx))
