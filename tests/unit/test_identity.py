"""comet.core.identity: the sign-in settings, the allow-list, admins and who owns what."""

from __future__ import annotations

import pytest

from comet import ConfigError
from comet.core.identity import AuthSettings, Identity, cli_user, os_login


def _read(**values):
    return AuthSettings.read(values.get)


def test_unset_is_none_mode_and_a_typo_is_refused_naming_the_fix():
    assert _read().mode == "none"
    assert _read(COMET_AUTH=" Header ").mode == "header"
    with pytest.raises(ConfigError, match="COMET_AUTH = 'hedaer'") as err:
        _read(COMET_AUTH="hedaer")
    assert "none, header or oidc" in err.value.fix


def test_the_allow_list_takes_emails_and_domains_case_insensitively_and_admins_always_come_in():
    conf = _read(COMET_AUTH="header", COMET_ALLOWED_USERS="ana@team.example, @Partner.example",
                 COMET_ADMINS="root@ops.example")
    assert conf.allows("Ana@Team.example")
    assert conf.allows("bo@partner.example")
    assert not conf.allows("eve@team.example.evil")
    assert not conf.allows("eve@elsewhere.example")
    assert conf.allows("root@ops.example")
    assert _read(COMET_AUTH="header").allows("anyone@anywhere.example")  # no list: whoever the proxy let in


def test_admins_and_ownership():
    conf = _read(COMET_ADMINS="boss@team.example")
    boss, ana = conf.person("Boss@team.example"), conf.person("ana@team.example", "Ana")
    assert boss.admin and not ana.admin and ana.label == "Ana"
    assert ana.owns("ana@team.example") and not ana.owns("bo@team.example")
    assert not ana.owns("") and not ana.owns(None)  # a run made before attribution: admins only
    assert boss.owns("bo@team.example") and boss.owns("")
    assert conf.local() == Identity(os_login(), admin=True)  # none mode: one person owns everything


def test_the_proxy_secret_must_match_when_set():
    conf = _read(COMET_AUTH="header", COMET_AUTH_PROXY_SECRET="s3cret")
    assert conf.proxy_ok("s3cret")
    assert not conf.proxy_ok("wrong") and not conf.proxy_ok(None) and not conf.proxy_ok("")
    assert _read(COMET_AUTH="header").proxy_ok(None)
    assert "s3cret" not in repr(conf)


def test_cli_user_is_the_flag_then_comet_user_then_the_os_login():
    assert cli_user("ana@team.example", {"COMET_USER": "bo"}) == "ana@team.example"
    assert cli_user(None, {"COMET_USER": " bo "}) == "bo"
    assert cli_user(None, {}) == os_login()
