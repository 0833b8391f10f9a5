"""The yardstick of `make bench`: a bare Flask "hello", served exactly as fgc is."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
@app.route("/healthz")
def hello():
    return "Hello"
