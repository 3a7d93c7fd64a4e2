import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

django_application = get_wsgi_application()

from cms.cache import CachedPages  # noqa: E402  (needs the settings loaded above)

application = CachedPages(django_application)
