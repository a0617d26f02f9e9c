from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("courses.urls")),
    path("", include("sections.urls")),
    path("", include("quizzes.urls")),
    path("", include("progress.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("markdownx/", include("markdownx.urls")),
    path("beheer/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
