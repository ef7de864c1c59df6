from tests.home.site_fixture import public_site  # noqa: F401
