"""The shop's Celery worker, for ``celery -A worker worker -B`` (``-B`` runs beat in it:
the sweep, retries and reminders without cron). Needs ``FLASK_STOREFRONT_CELERY_BROKER_URL``
(e.g. ``redis://127.0.0.1:6379/0``), set for the web workers too."""

from storefront import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
