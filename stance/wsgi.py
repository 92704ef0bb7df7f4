"""The WSGI entry point for gunicorn: `gunicorn stance.wsgi:app`."""

from stance.app import create_app

app = create_app()
