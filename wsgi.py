"""The shop for ``flask --app wsgi run`` and WSGI servers such as gunicorn."""

from storefront import create_app

app = create_app()
