import pytest

from contracts.signing import demo_certificate_create


@pytest.fixture(scope="session")
def signing_pair(tmp_path_factory):
    """A self-signed key and certificate made once for the session, outside the repository's var/."""
    return demo_certificate_create(directory=tmp_path_factory.mktemp("signing") / "pair",
                                   common_name="揭榜挂帅平台（测试证书）")


@pytest.fixture(autouse=True)
def _signing_settings(settings, signing_pair, tmp_path):
    """Task books are signed with the test pair; a demo pair, if anything asked for one, lands in tmp."""
    key_path, cert_path = signing_pair
    settings.SIGNING_KEY_FILE, settings.SIGNING_CERT_FILE = str(key_path), str(cert_path)
    settings.SIGNING_KEY_PASSPHRASE = ""
    settings.VAR_DIR = tmp_path / "var"
