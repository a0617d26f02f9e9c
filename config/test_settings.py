"""Test settings: the real settings, with fast hashing and mail kept in memory."""
from .settings import *  # noqa: F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Django's test set-up replaces EMAIL_BACKEND with its locmem backend, so most tests see mail in
# django.core.mail.outbox at once; tests of the outbox set EMAIL_BACKEND back to it, and what it
# delivers lands in that same list.
MAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Tests save resources with made-up addresses: no background check unless a test asks for it.
LINK_CHECK_ON_SAVE = False
