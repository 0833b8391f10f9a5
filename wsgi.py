import gc
import os

from fgc import create_app, load_once

app = create_app()
if not os.environ.get("FLASK_RUN_FROM_CLI"):  # served (gunicorn), not a `flask --app wsgi …` command
    # What every request uses is loaded before the first one (compiled templates, catalogues),
    # then the garbage collector is told to leave it be: a full collection scans only what
    # requests made, not the application's own 150,000 objects (it cost a page a third of its time).
    load_once(app)
    gc.freeze()
