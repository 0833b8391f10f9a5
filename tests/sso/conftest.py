import pytest

from tests.sso.oidc_op import OpenIDProvider


@pytest.fixture(scope="session")
def op():
    """A real OpenID Connect provider on loopback."""
    provider = OpenIDProvider().start()
    yield provider
    provider.stop()
