"""compose.yaml hands the sign-in settings (docs/team-deploy.md#sign-in) to both app replicas,
and leaves one person's `none` as the default."""

from __future__ import annotations

from test_compose import config


def test_the_sign_in_settings_reach_both_replicas():
    cfg = config({"PATH": "/usr/bin:/bin", "POSTGRES_PASSWORD": "s3cret", "COMET_AUTH": "header",
                  "COMET_ALLOWED_USERS": "@team.example", "COMET_ADMINS": "lead@team.example"})
    for app in ("app1", "app2"):
        env = cfg["services"][app]["environment"]
        assert (env["COMET_AUTH"], env["COMET_ALLOWED_USERS"], env["COMET_ADMINS"]) == (
            "header", "@team.example", "lead@team.example")
    alone = config({"PATH": "/usr/bin:/bin", "POSTGRES_PASSWORD": "s3cret"})["services"]["app1"]["environment"]
    assert alone["COMET_AUTH"] == "none" and alone["COMET_AUTH_HEADER"] == "X-Forwarded-Email"
