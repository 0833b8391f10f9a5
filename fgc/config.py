"""Configuration from the environment.

`FGC_ENV` chooses the class: production (the default, so a forgotten setting
fails closed), development or testing.
"""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("FGC_INSTANCE_PATH", ROOT / "instance"))


def _database_url():
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{INSTANCE / 'fgc.sqlite'}"
    # Accept the common postgres:// spelling and use psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Links in e-mails are built from this, since mail is rendered outside requests.
    PUBLIC_URL = os.environ.get("FGC_PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")

    LANGUAGES = ("da", "kl", "en")
    BABEL_DEFAULT_LOCALE = "da"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "8025"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "fgc <no-reply@fgc.invalid>")
    MAIL_TIMEOUT = 10
    # How long a mail worker holds a message it is sending before another may take it:
    # far longer than one SMTP conversation (see fgc/core/mail.py).
    MAIL_CLAIM_SECONDS = int(os.environ.get("MAIL_CLAIM_SECONDS", "600"))
    MAIL_SUPPRESS_SEND = False  # tests deliver to a real SMTP server too

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_ACCOUNT = "5 per minute;20 per hour"
    LOGIN_LIMIT_PER_ADDRESS = "20 per minute;100 per hour"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "fgc_session"
    PERMANENT_SESSION_LIFETIME = 8 * 3600  # from signing in, not from the last request
    SESSION_REFRESH_EACH_REQUEST = False  # so the cookie is sent again only when the session changes
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024  # the largest form is text; nothing is uploaded
    WTF_CSRF_TIME_LIMIT = None  # bound to the session, which expires by itself

    # fgc's SAML key pair (PEM files); without them one is made once in the instance folder.
    SAML_SP_KEY_FILE = os.environ.get("SAML_SP_KEY_FILE")
    SAML_SP_CERT_FILE = os.environ.get("SAML_SP_CERT_FILE")

    PASSWORD_RESET_MAX_AGE = 3600
    ACCOUNT_ACTIVATION_MAX_AGE = 3 * 24 * 3600
    DEFAULT_TIMEZONE = "Europe/Copenhagen"
    # How long the audit log keeps an entry (`flask fgc prune-audit`); never under six months.
    AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "730"))


class ProductionConfig(Config):
    ENV_NAME = "production"
    # The browser sends a __Host- cookie only over HTTPS, to this host and path /: no
    # subdomain or plain-HTTP page can set or overwrite it.
    SESSION_COOKIE_NAME = "__Host-fgc_session"


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SESSION_COOKIE_SECURE = False


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-secret"
    SESSION_COOKIE_SECURE = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_STORAGE_URI = "memory://"


CONFIGS = {
    "production": ProductionConfig,
    "development": DevelopmentConfig,
    "testing": TestingConfig,
}


def config_from_environment():
    name = os.environ.get("FGC_ENV", "production")
    if name not in CONFIGS:
        raise RuntimeError(f"FGC_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
