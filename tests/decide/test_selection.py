"""The selection's rule (env/selection.py), on its own: the layers'
precedence as README's table says it, the marker that tells envhook's own
exports from the user's variables, and what the hook exports for uv (issue 32).
The same rule in real shells and real tools: tests/decide/test_choices.py."""

from __future__ import annotations

import pytest

from envhook.env.selection import (
    ENVIRONMENT,
    MARKER,
    REPOSITORY,
    YOURS,
    Selection,
    describe,
    environment_layer,
    user_environ,
    uv_args,
    uv_exports,
)


def sel(yours=None, environ=None, repository=None) -> Selection:
    return Selection([(YOURS, yours or {}), (ENVIRONMENT, environment_layer(environ or {})),
                      (REPOSITORY, repository or {})])


# The README's precedence table, one row each: (yours, the environment, [tool.envhook]) -> uv's options.
PRECEDENCE = [
    ({}, {}, {}, []),
    ({}, {}, {"group": ["lint"]}, ["--group", "lint"]),
    ({}, {"UV_NO_GROUP": "lint"}, {"group": ["lint"]}, ["--no-group", "lint"]),  # the environment over the repository
    ({"group": ["lint"]}, {"UV_NO_GROUP": "lint"}, {}, ["--group", "lint"]),  # yours over the environment
    ({"no-group": ["lint"]}, {}, {"group": ["lint"]}, ["--no-group", "lint"]),  # yours over the repository
    # Merged per key: a group of yours adds to the repository's all-packages and groups.
    ({"group": ["docs"]}, {}, {"packages": True, "group": ["lint"]}, ["--group", "docs", "--group", "lint",
                                                                      "--all-packages"]),
    # Workspace packages and the yes/no keys: the highest layer that says them.
    ({"packages": ["api"]}, {}, {"packages": True}, ["--package", "api"]),
    ({}, {"UV_NO_DEFAULT_GROUPS": "1"}, {}, ["--no-default-groups"]),
    ({"no-default-groups": False}, {"UV_NO_DEFAULT_GROUPS": "1"}, {}, []),
    ({}, {"UV_NO_DEV": "1", "UV_NO_GROUP": "docs"}, {}, ["--no-group", "dev", "--no-group", "docs"]),
    # uv refuses --group beside --only-group: the added groups are only-groups too.
    ({"only-group": ["docs"]}, {}, {"group": ["lint"]}, ["--only-group", "docs", "--only-group", "lint"]),
    ({"extra": ["fancy"], "all-extras": True}, {}, {"extra": ["Other_Name"]},
     ["--extra", "fancy", "--extra", "other-name", "--all-extras"]),
]


@pytest.mark.parametrize(("yours", "environ", "repository", "args"), PRECEDENCE)
def test_the_precedence_rows(yours, environ, repository, args):
    s = sel(yours, environ, repository)
    assert uv_args(s) == args
    assert s.empty == (args == [])
    assert s.key() == " ".join(args)


def test_where_each_choice_comes_from():
    s = sel({"group": ["docs"]}, {"UV_NO_GROUP": "lint", "UV_NO_DEFAULT_GROUPS": "yes"}, {"packages": True})
    assert describe(s) == [("--group docs", "`envhook use`"),
                           ("--no-group lint", "UV_NO_GROUP or UV_NO_DEV in your environment"),
                           ("--no-default-groups", "UV_NO_DEFAULT_GROUPS in your environment"),
                           ("--all-packages", "[tool.envhook]")]


def test_what_envhook_exported_is_not_read_back_as_the_users():
    user = {"UV_NO_GROUP": "lint"}
    s = sel({"no-group": ["docs"]}, user)
    exports, no_sync = uv_exports(s, user, {})
    assert not no_sync
    assert exports["UV_NO_GROUP"] == "docs lint" and exports["UV_NO_DEV"] is None
    # The shell after the export: what the user set is still seen as theirs alone.
    shell = {**user, **{k: v for k, v in exports.items() if v is not None}}
    assert user_environ(shell) == {"UV_NO_GROUP": "lint"}
    assert environment_layer(shell) == {"no-group": ["lint"]}
    # Without the choice (`envhook use --reset`): their value back, and no marker.
    back, _ = uv_exports(sel({}, shell), shell, {})
    assert back == {"UV_NO_GROUP": "lint", MARKER: None}
    # A value the user sets while inside is theirs, not envhook's.
    mine = {**shell, "UV_NO_GROUP": "typing"}
    assert user_environ(mine) == {"UV_NO_GROUP": "typing"}


def test_nothing_is_exported_where_the_users_variables_already_say_it():
    user = {"UV_NO_GROUP": "lint", "UV_NO_DEV": "1"}
    assert uv_exports(sel({}, user), user, {}) == ({}, False)
    assert uv_exports(sel(), {}, {}) == ({}, False)
    # A pin wants UV_NO_SYNC=1: without a selection to export, that is the activation's own, as it
    # always was (env.activation.Changes), and the user's group variables are left as they are.
    assert uv_exports(sel({}, user), user, {}, no_sync=True) == ({}, False)


def test_what_uv_has_no_variable_for_needs_uv_no_sync():
    for yours in ({"extra": ["fancy"]}, {"group": ["docs"]}, {"only-group": ["docs"]}, {"packages": True},
                  {"all-extras": True}):
        exports, needs = uv_exports(sel(yours), {}, {})
        assert needs and exports["UV_NO_SYNC"] == "1", yours
    # The user's own UV_NO_SYNC comes back with theirs when the choice goes.
    user = {"UV_NO_SYNC": "0"}
    exports, _ = uv_exports(sel({"extra": ["fancy"]}), user, {})
    shell = {**user, **{k: v for k, v in exports.items() if v is not None}}
    assert shell["UV_NO_SYNC"] == "1"
    assert uv_exports(sel({}), shell, {})[0]["UV_NO_SYNC"] == "0"
    # …unless pins or hand-made changes want it anyway.
    assert uv_exports(sel({}), shell, {}, no_sync=True)[0]["UV_NO_SYNC"] == "1"
    # A default group asked for is said by not refusing it: no UV_NO_SYNC.
    user = {"UV_NO_GROUP": "dev"}
    exports, no_sync = uv_exports(sel({"group": ["dev"]}, user), user, {})
    assert not no_sync and exports["UV_NO_GROUP"] is None
    # …unless the project's default groups are others ([tool.uv] default-groups).
    assert uv_exports(sel({"group": ["dev"]}), {}, {"tool": {"uv": {"default-groups": ["lint"]}}})[1]


@pytest.mark.parametrize("value", ["a=b;c", "%3D", "", "x y", "+", "é;=%"])
def test_the_marker_carries_any_value_the_user_had(value):
    user = {"UV_NO_DEFAULT_GROUPS": value}
    s = sel({"no-group": ["docs"], "no-default-groups": True}, user)
    exports, _ = uv_exports(s, user, {})
    shell = {**user, **{k: v for k, v in exports.items() if v is not None}}
    assert shell["UV_NO_DEFAULT_GROUPS"] == "1"
    assert user_environ(shell) == user
