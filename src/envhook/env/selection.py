"""Which dependency groups, extras and workspace packages a project's env
gets: the selection. One rule for every backend (each renders it in its
own flags), `envhook status`, `envhook run` and the hook's exports.

It is merged from layers, highest first (README, "Choosing groups, extras
and packages"):

1. "yours": the user's own choice, `envhook use` (kept in envhook's state,
   never in the repository);
2. "environment": uv's variables the user set (UV_NO_GROUP, UV_NO_DEV,
   UV_NO_DEFAULT_GROUPS), not the ones envhook exported itself;
3. "repository": [tool.envhook] groups, extras and all-packages;
4. the tool's own defaults, which are no layer: nothing asked.

Per key: lists of names add up across the layers (as uv concatenates the
arrays of its configuration files); where two layers disagree about one
group (`--group dev` here, `UV_NO_GROUP=dev` there) the higher one wins; a
yes/no key, and which workspace packages, come from the highest layer that
says them.

Standard library only: the hook's entry reads the marker (user_environ)
before anything heavy is imported."""

from __future__ import annotations

YOURS, ENVIRONMENT, REPOSITORY = "yours", "environment", "repository"
WHERE = {YOURS: "`envhook use`", ENVIRONMENT: "your environment", REPOSITORY: "[tool.envhook]"}

# A layer is a dict of these keys (each optional): four lists of names
# ("group", "no-group", "only-group", "extra"), the two yes/no keys, and
# "packages": True (every workspace member) or a list of members.
FLAGS = ("no-default-groups", "all-extras")

# uv's own variables for what a sync selects, which the hook exports so
# that `uv run` and `uv sync` in the shell select the same; the rest of a
# selection has none (UV_NO_SYNC=1 stands in for it).
UV_VARS = ("UV_NO_GROUP", "UV_NO_DEV", "UV_NO_DEFAULT_GROUPS")
# What the hook may set of uv's variables while a selection is in force:
# UV_VARS, and UV_NO_SYNC with them (it goes with the selection's exports then,
# not with the activation, so that it changes as the choices do).
MANAGED = (*UV_VARS, "UV_NO_SYNC")
# What envhook changed of MANAGED in this shell, and what they were before
# (as direnv's DIRENV_DIFF and mise's __MISE_DIFF): NAME=NEW=OLD;… with
# each value "" (unset) or "+" and the value escaped.
MARKER = "_ENVHOOK_UV"


def option(key: str, name: str | None) -> str:
    """One part of a layer as `envhook use` spells it: ("group", "docs") is
    `--group docs`, ("packages", None) `--all-packages`."""
    if key == "packages":
        return "--all-packages" if name is None else f"--package {name}"
    return f"--{key}" if name is None else f"--{key} {name}"


def canonical(name: str) -> str:
    """A group's or an extra's name as uv and the locks compare it (PEP 503)."""
    import re  # only where names are compared

    return re.sub(r"[-_.]+", "-", name).lower()


def _truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("1", "true", "yes", "on", "y", "t")


# -- what the user set, without what envhook exported -----------------------------


def _esc(value: str | None) -> str:
    if value is None:
        return ""
    return "+" + value.replace("%", "%25").replace(";", "%3B").replace("=", "%3D")


def _unesc(field: str) -> str | None:
    if not field.startswith("+"):
        return None
    return field[1:].replace("%3D", "=").replace("%3B", ";").replace("%25", "%")


def marker_value(changed: dict[str, tuple[str | None, str | None]]) -> str:
    """MARKER's value for {NAME: (what envhook set, what the user had)}."""
    return ";".join(f"{n}={_esc(new)}={_esc(old)}" for n, (new, old) in sorted(changed.items()))


def _marker(environ) -> dict[str, tuple[str | None, str | None]]:
    out = {}
    for entry in environ.get(MARKER, "").split(";"):
        parts = entry.split("=")
        if len(parts) == 3 and parts[0] in MANAGED:
            out[parts[0]] = (_unesc(parts[1]), _unesc(parts[2]))
    return out


def user_environ(environ) -> dict[str, str]:
    """MANAGED as the user set them: where envhook's export still holds
    (MARKER), what it replaced; a value the user set since is theirs."""
    marked = _marker(environ)
    out = {}
    for name in MANAGED:
        value = environ.get(name)
        if name in marked and value == marked[name][0]:
            value = marked[name][1]
        if value is not None:
            out[name] = value
    return out


def environment_layer(environ) -> dict:
    """The user's uv variables as a layer."""
    env = user_environ(environ)
    layer: dict = {}
    no = [canonical(g) for g in env.get("UV_NO_GROUP", "").split() if g]
    if _truthy(env.get("UV_NO_DEV")):
        no.append("dev")
    if no:
        layer["no-group"] = sorted(set(no))
    if "UV_NO_DEFAULT_GROUPS" in env:
        layer["no-default-groups"] = _truthy(env["UV_NO_DEFAULT_GROUPS"])
    return layer


# -- the merge ------------------------------------------------------------------------


class Selection:
    """The merged selection (groups, no_groups, only_groups, extras: sorted
    tuples of canonical names; no_default_groups, all_extras: bools;
    packages: True or a tuple of members), and where each part came from
    (origin: {(key, name or None): layer})."""

    def __init__(self, layers: list[tuple[str, dict]] | None = None):
        self.layers = [(o, dict(layer)) for o, layer in (layers or []) if layer]
        origin: dict = {}
        groups: dict[str, str] = {}
        no_groups: dict[str, str] = {}
        only: dict[str, str] = {}
        extras: dict[str, str] = {}
        flags: dict[str, tuple[bool, str]] = {}
        packages: tuple[bool | tuple, str] | None = None
        for where, layer in reversed(self.layers):  # lowest first: a higher layer overrides
            for g in layer.get("group", ()):
                no_groups.pop(canonical(g), None)
                groups[canonical(g)] = where
            for g in layer.get("no-group", ()):
                groups.pop(canonical(g), None)
                no_groups[canonical(g)] = where
            for g in layer.get("only-group", ()):
                only[canonical(g)] = where
            for e in layer.get("extra", ()):
                extras[canonical(e)] = where
            for key in FLAGS:
                if key in layer:
                    flags[key] = (bool(layer[key]), where)
            if "packages" in layer:
                value = layer["packages"]
                packages = (True if value is True else tuple(value), where)
        self.groups, self.no_groups = tuple(sorted(groups)), tuple(sorted(no_groups))
        self.only_groups, self.extras = tuple(sorted(only)), tuple(sorted(extras))
        self.no_default_groups = flags.get("no-default-groups", (False, ""))[0]
        self.all_extras = flags.get("all-extras", (False, ""))[0]
        self.packages: bool | tuple = packages[0] if packages else ()
        for key, table in (("group", groups), ("no-group", no_groups), ("only-group", only), ("extra", extras)):
            origin.update({(key, n): w for n, w in table.items()})
        origin.update({(key, None): w for key, (on, w) in flags.items() if on})
        if packages and packages[0]:
            origin[("packages", None)] = packages[1]
        self.origin = origin

    @property
    def empty(self) -> bool:
        """Nothing asked: the tool's defaults."""
        return not (self.groups or self.no_groups or self.only_groups or self.extras or self.no_default_groups
                    or self.all_extras or self.packages)

    def key(self) -> str:
        """What the env is synced for, as one line (an input of the sync:
        a change of it makes the env stale); "" for the defaults."""
        if self.empty:
            return ""
        return " ".join(self.args())

    def args(self) -> list[str]:
        """uv's own words for it (also how `envhook use` shows it)."""
        return uv_args(self)

    def group_set(self, defaults: set[str]) -> tuple[set[str], bool]:
        """(the groups a sync installs, whether the project's own
        dependencies come too), from the tool's default groups."""
        if self.only_groups:
            return set(self.only_groups) | set(self.groups), False
        chosen = set() if self.no_default_groups else set(defaults)
        chosen |= set(self.groups)
        return chosen - set(self.no_groups), True



def uv_args(sel: Selection, packages=None) -> list[str]:
    """The selection as `uv sync` options. uv refuses --group beside
    --only-group: with only-groups, the added groups are only-groups too."""
    out = []
    if sel.only_groups:
        out += [x for g in sorted({*sel.only_groups, *sel.groups}) for x in ("--only-group", g)]
    else:
        out += [x for g in sel.groups for x in ("--group", g)]
    out += [x for g in sel.no_groups for x in ("--no-group", g)]
    if sel.no_default_groups:
        out.append("--no-default-groups")
    out += [x for e in sel.extras for x in ("--extra", e)]
    if sel.all_extras:
        out.append("--all-extras")
    packages = sel.packages if packages is None else packages
    out += ["--all-packages"] if packages is True else [x for m in packages for x in ("--package", m)]
    return out


def uv_default_groups(pyproject: dict | None) -> set[str]:
    """The groups `uv sync` installs unasked: [tool.uv] default-groups, else
    dev (when the project has it)."""
    groups = {canonical(k) for k in ((pyproject or {}).get("dependency-groups") or {}) if isinstance(k, str)}
    tool = (pyproject or {}).get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    chosen = uv.get("default-groups") if isinstance(uv, dict) else None
    if chosen == "all":
        return groups
    if isinstance(chosen, list):
        return {canonical(g) for g in chosen if isinstance(g, str)}
    return {"dev"}


# -- what the hook exports for uv -------------------------------------------------------


def uv_exports(sel: Selection, environ, pyproject: dict | None, no_sync: bool = False) -> tuple[dict, bool]:
    """What the hook exports so that `uv run` and `uv sync` in the shell do
    what envhook does: ({NAME: value, or None to unset} for MANAGED and
    MARKER; whether the selection has what uv has no variable for, so that
    UV_NO_SYNC=1 stands in). `no_sync`: UV_NO_SYNC=1 is due anyway (a pin,
    hand-made changes, sync = "missing"); while a selection is exported, it
    goes with it. Only what differs from the user's own variables is set;
    what envhook set before (MARKER) and no longer needs goes back to the
    user's value."""
    user = user_environ(environ)
    defaults = uv_default_groups(pyproject)
    want_no = sorted(set(sel.no_groups) - set(sel.groups))
    # A group uv installs unasked is said by not refusing it; any other
    # addition, only-groups, extras and packages have no variable.
    added = set(sel.groups) - (set() if sel.no_default_groups else defaults)
    needs = bool(added or sel.only_groups or sel.extras or sel.all_extras or sel.packages)
    exports: dict[str, str | None] = {}
    mine = Selection([(ENVIRONMENT, environment_layer(user))])
    if set(mine.no_groups) != set(want_no) or mine.no_default_groups != sel.no_default_groups:
        exports.update({"UV_NO_GROUP": " ".join(want_no) or None, "UV_NO_DEV": None,
                        "UV_NO_DEFAULT_GROUPS": "1" if sel.no_default_groups else None})
    if not (exports or needs or MARKER in environ):
        # No selection to export: UV_NO_SYNC (pins, hand-made changes) is the
        # activation's own, exactly as before selections existed (Changes).
        return {}, needs
    if (needs or no_sync) and not _truthy(user.get("UV_NO_SYNC")):
        exports["UV_NO_SYNC"] = "1"
    for name in _marker(environ):
        exports.setdefault(name, user.get(name))  # set by envhook before, not needed now: the user's again
    changed = {n: (v, user.get(n)) for n, v in exports.items() if v != user.get(n)}
    if changed:
        exports[MARKER] = marker_value(changed)
    elif MARKER in environ:
        exports[MARKER] = None
    return exports, needs


def as_words(exports: dict[str, str | None]) -> list[str]:
    """Exports as words (NAME=VALUE, or NAME to unset), for the Activation."""
    return [f"{n}={v}" if v is not None else n for n, v in exports.items()]


def from_words(words: list[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for w in words:
        name, eq, value = w.partition("=")
        out[name] = value if eq else None
    return out


def names() -> tuple[str, ...]:
    """Every variable the exports may touch."""
    return (*MANAGED, MARKER)


def describe(sel: Selection) -> list[tuple[str, str]]:
    """Each choice in force as uv's option, and where it comes from (for
    `envhook use` and `envhook status`)."""
    def where(key: str, name: str | None) -> str:
        layer = sel.origin.get((key, name), "")
        if layer == ENVIRONMENT:
            return {"no-group": "UV_NO_GROUP or UV_NO_DEV", "no-default-groups": "UV_NO_DEFAULT_GROUPS"}[key] + \
                " in your environment"
        return WHERE.get(layer, layer)

    out = [(option(key, n), where(key, n)) for key, names in
           (("group", sel.groups), ("only-group", sel.only_groups), ("no-group", sel.no_groups)) for n in names]
    if sel.no_default_groups:
        out.append((option("no-default-groups", None), where("no-default-groups", None)))
    out += [(option("extra", e), where("extra", e)) for e in sel.extras]
    if sel.all_extras:
        out.append((option("all-extras", None), where("all-extras", None)))
    members = [None] if sel.packages is True else list(sel.packages)
    out += [(option("packages", m), where("packages", None)) for m in members]
    return out
