from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from centres import views as centres_views
from config import health, language
from config.admin_widgets import harden_admin_actions

# The admin logs in through allauth, so its log-in gets the same rate limits.
admin.site.login = secure_admin_login(admin.site.login)
# Admin actions with selected rows that are not keys: acted on the valid ones, not a 500 (found by tests/test_fuzz.py).
harden_admin_actions(admin.site)

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("courses.urls")),
    path("", include("sections.urls")),
    path("", include("quizzes.urls")),
    path("", include("progress.urls")),
    path("", include("centres.urls")),
    path("", include("ideas.urls")),
    path("", include("dashboards.urls")),
    path("", include("search.urls")),
    path("", include("reports.urls")),
    path("mijn-leeromgeving/", centres_views.dashboard, name="dashboard"),
    path("account/", include("accounts.urls")),
    path("account/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("taal/<str:code>/", language.language_choose, name="language"),
    path("beheer/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
