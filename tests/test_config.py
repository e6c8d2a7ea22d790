"""Configuration: required keys outside debug, defaults, and the environment."""

import pytest
from cryptography.fernet import Fernet

from dashboard import ConfigError, create_app
from dashboard.config import MAX_BODY_BYTES, build_config

KEY = Fernet.generate_key().decode()
SETTINGS = ("SECRET_KEY", "ENCRYPTION_KEYS", "FLASK_DEBUG", "DATABASE_URL")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def database(tmp_path) -> dict:
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/config.db"}


@pytest.mark.parametrize("secret_key", [None, ""], ids=["unset", "empty"])
def test_missing_secret_key_refuses_to_start(database, monkeypatch, secret_key):
    if secret_key is not None:
        monkeypatch.setenv("SECRET_KEY", secret_key)
    monkeypatch.setenv("ENCRYPTION_KEYS", KEY)

    with pytest.raises(ConfigError) as caught:
        create_app(database)

    message = str(caught.value)
    assert message.startswith("SECRET_KEY is not set")
    assert "secrets.token_hex(32)" in message


@pytest.mark.parametrize("keys", [None, ""], ids=["unset", "empty"])
def test_missing_encryption_keys_refuse_to_start(database, monkeypatch, keys):
    if keys is not None:
        monkeypatch.setenv("ENCRYPTION_KEYS", keys)
    monkeypatch.setenv("SECRET_KEY", "a-secret")

    with pytest.raises(ConfigError) as caught:
        create_app(database)

    message = str(caught.value)
    assert message.startswith("ENCRYPTION_KEYS is not set")
    assert "Fernet.generate_key()" in message
    assert "the first key encrypts" in message


def test_encryption_keys_of_only_commas_refuse_to_start(database, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-secret")
    monkeypatch.setenv("ENCRYPTION_KEYS", " , ")

    with pytest.raises(ConfigError, match="ENCRYPTION_KEYS is unusable"):
        create_app(database)


def test_settings_are_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("ENCRYPTION_KEYS", KEY)
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/elsewhere.db")

    config = build_config(None, str(tmp_path))

    assert config["SECRET_KEY"] == "from-env"
    assert config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/elsewhere.db"
    assert config["DEBUG"] is False
    assert config["KEY_RING"].decrypt(config["KEY_RING"].encrypt("x")) == "x"


def test_overrides_win_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-env")

    config = build_config({"SECRET_KEY": "given", "ENCRYPTION_KEYS": KEY}, tmp_path)

    assert config["SECRET_KEY"] == "given"


def test_database_defaults_to_a_file_in_the_instance_folder(tmp_path):
    config = build_config({"SECRET_KEY": "s", "ENCRYPTION_KEYS": KEY}, str(tmp_path))

    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/dashboard.db"


def test_request_bodies_are_limited_to_one_mib(tmp_path):
    config = build_config({"SECRET_KEY": "s", "ENCRYPTION_KEYS": KEY}, str(tmp_path))

    assert config["MAX_CONTENT_LENGTH"] == MAX_BODY_BYTES == 1024 * 1024


@pytest.mark.parametrize("flag", ["1", "true", "yes", "on"])
def test_debug_runs_start_with_throwaway_keys_and_say_so(monkeypatch, tmp_path, flag):
    monkeypatch.setenv("FLASK_DEBUG", flag)

    with pytest.warns(UserWarning) as warned:
        config = build_config(None, str(tmp_path))

    assert config["DEBUG"] is True
    assert config["SECRET_KEY"]
    assert config["KEY_RING"].decrypt(config["KEY_RING"].encrypt("x")) == "x"
    messages = [str(w.message) for w in warned]
    assert "SECRET_KEY is not set; using a throwaway key" in messages
    assert "ENCRYPTION_KEYS is not set; using a throwaway key" in messages


@pytest.mark.parametrize("flag", ["0", "false", "no", ""])
def test_other_debug_values_do_not_enable_throwaway_keys(monkeypatch, tmp_path, flag):
    monkeypatch.setenv("FLASK_DEBUG", flag)

    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        build_config(None, str(tmp_path))


def test_debug_keeps_keys_that_are_given(tmp_path):
    config = build_config(
        {"DEBUG": True, "SECRET_KEY": "kept", "ENCRYPTION_KEYS": KEY}, str(tmp_path)
    )

    assert config["SECRET_KEY"] == "kept"
    assert config["ENCRYPTION_KEYS"] == KEY
