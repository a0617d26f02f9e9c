"""Writes about accounts that don't go through allauth's own forms."""
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction


@transaction.atomic
def create_verified_user(*, email: str, password: str, name: str = "", company_name: str = ""):
    """An account whose address is already proven (the person followed a link sent to it).

    Also records the address as verified and primary for allauth, so that the
    mandatory e-mail verification doesn't ask for it a second time.
    """
    User = get_user_model()
    user = User.objects.create_user(email=email, password=password, name=name, company_name=company_name)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


@transaction.atomic
def update_profile(*, user, name: str, company_name: str, company_sector: str, company_size: str):
    user.name = name
    user.company_name = company_name
    user.company_sector = company_sector
    user.company_size = company_size
    user.save(update_fields=["name", "company_name", "company_sector", "company_size"])
    return user
