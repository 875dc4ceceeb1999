"""The demo shop's Celery app, made when ``STOREFRONT_CELERY_BROKER_URL`` is set: the
plug-in's events, emails and beat jobs then run in a worker (``celery -A worker worker
-B``, see ``worker.py``) instead of in the request. Without it nothing changes and no
broker is needed."""

from __future__ import annotations

from celery import Celery
from flask import Flask

from leadcapture import use_celery


def make_celery(app: Flask) -> Celery:
    config = app.config
    celery = Celery(app.import_name)
    celery.conf.update(
        broker_url=config["STOREFRONT_CELERY_BROKER_URL"],
        broker_connection_retry_on_startup=True,
        # A task whose worker dies before it ends comes back after this many seconds.
        broker_transport_options={
            "visibility_timeout": config["STOREFRONT_CELERY_VISIBILITY_TIMEOUT"]
        },
        task_default_queue=config["STOREFRONT_CELERY_QUEUE"],
        task_ignore_result=True,
        worker_prefetch_multiplier=1,
        timezone="UTC",
    )
    use_celery(celery, app)
    app.extensions["celery"] = celery
    return celery
