"""The WSGI entry point for gunicorn: `gunicorn stance.wsgi:app`."""

import gc

from stance.app import create_app

app = create_app()

# What is loaded by now (the model, the lexicons, the app) lives as long as the process: keep it
# out of the cyclic collector's walks (gc.freeze). A full collection no longer visits ~120,000
# long-lived objects (in the analysis benchmark, collector time went from ~0.8 to ~0.2 ms per
# article), and forked workers stop writing to the pages they share with the master when the
# collector would have touched those objects (copy-on-write). gunicorn loads this module in the
# master before forking (preload_app).
gc.collect()
gc.freeze()
