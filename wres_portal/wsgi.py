import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wres_portal.settings")
application = get_wsgi_application()

# Import every URL pattern, and so every view, now: with gunicorn's preload_app this runs once in
# the master, and workers forked after a reload answer their first request at once instead of
# spending seconds importing (gunicorn.conf.py).
get_resolver().url_patterns  # noqa: B018

# Build the API schema the JSON gate checks bodies against (wres_portal/api_types.py) now too, once
# in the master: 0.5-0.8 s once the views are imported (measured on a busy 2-core machine; a rebuild
# in a warm process takes 0.1 s), with no database query or connection, so nothing is shared with
# the forks but the finished dict. Every worker starts with it, instead of its first JSON request
# paying for it while the worker's other threads wait on the lock.
from wres_portal.api_types import published_schema  # noqa: E402  # needs the settings set up above

published_schema()
