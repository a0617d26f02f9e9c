"""The site's browser security policy in one place: CSP, Permissions-Policy, cookies, sessions.

``config.settings`` star-imports this module. The CSP is written as django-csp 4's
``CONTENT_SECURITY_POLICY`` dictionary; ``CSP_DIRECTIVES`` is the same policy in the shape
Django 6's built-in ``SECURE_CSP`` takes (directive → list of sources), so moving to Django 6
means ``SECURE_CSP = CSP_DIRECTIVES`` and swapping the middleware, nothing else.

The policy is strict and *enforced*, on every page including the admin and the Markdown
editor: no inline script or style anywhere (the templates, the admin overrides and the
editor's own script keep to static files), images only from the site itself (uploaded
images; outside images in Markdown are refused when saved, see courses.markdown), and
``data:`` images because browsers' own form controls and the admin's icons use them.
"""
from datetime import timedelta

SELF = "'self'"
NONE = "'none'"

CSP_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [NONE],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}

CONTENT_SECURITY_POLICY = {"DIRECTIVES": CSP_DIRECTIVES}

# Features no page of the site uses: closed for the page and anything it could embed.
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
    "serial": [],
    "bluetooth": [],
    "hid": [],
    "midi": [],
    "magnetometer": [],
    "gyroscope": [],
    "accelerometer": [],
    "display-capture": [],
}

# No script of ours reads the CSRF cookie: forms carry the token, and the Markdown editor
# falls back to the form's hidden field (markdownx's utils.getCookie → input[name=csrfmiddlewaretoken]).
CSRF_COOKIE_HTTPONLY = True

# A session lasts a working week; "onthoud mij" at log-in keeps it for 30 days (accounts.forms.LoginForm).
# Without "onthoud mij" the cookie also ends when the browser closes.
SESSION_COOKIE_AGE = int(timedelta(days=5).total_seconds())
SESSION_REMEMBER_AGE = int(timedelta(days=30).total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Passwords: at least 10 characters, not a common password (Django's list of 20,000 plus
# the Dutch ones people pick here: Welkom, Zomer2026, Voorjaar2025!, …), not like the
# account's own name or address, not only digits.
PASSWORD_MIN_LENGTH = 10
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.passwords.DutchCommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
