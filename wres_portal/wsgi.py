import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wres_portal.settings")
application = get_wsgi_application()

# Import every URL pattern, and so every view, now: with gunicorn's preload_app this runs once in
# the master, and workers forked after a reload answer their first request at once instead of
# spending seconds importing (gunicorn.conf.py).
get_resolver().url_patterns  # noqa: B018
