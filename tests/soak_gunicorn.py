"""gunicorn settings of the soak test: each worker runs the cyclic garbage collector
far more often than by default, so that a collection lands inside the pages' large
result sets within a short, bounded test (where CPython 3.11 crashed)."""
import gc


def post_fork(server, worker):
    gc.set_threshold(50, 2, 2)
