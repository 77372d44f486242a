# envhook for xonsh. `envhook hook xonsh` prints this file with the values
# marked __LIKE_THIS__ replaced by Python literals; ~/.xonshrc loads it with
#     execx($(envhook hook xonsh))
#
# The same hook as shell/envhook.sh, in xonsh's own Python: the question "did
# anything change?" is answered in-process (string compares of $PWD, a cache
# of which project each directory seen belongs to, and the mtimes of the
# project's watched files against this shell's stamp), so a quiet prompt
# starts no process. Only when the answer is "maybe" does it start envhook's
# Python (`envhook export`), apart from xonsh's so that envhook's imports never
# mix with the user's shell, and run what it prints: plain Python assignments
# and a call of _envhook_adopt, executed in this hook's own namespace.

def _envhook_load_hook():
    import os
    import subprocess

    env = __xonsh__.env
    config = {
        "python": __ENVHOOK_PYTHON__,
        "pypath": [__ENVHOOK_PYPATH__],
        "entry": __ENVHOOK_ENTRY__,
        "session": __ENVHOOK_SESSION__,
        # The `paranoid` setting as it was when this hook was printed (ENVHOOK_PARANOID, when set, wins).
        "paranoid_cfg": __ENVHOOK_PARANOID__,
    }
    # Loading the rc twice must not forget what an earlier hook activated, nor
    # register twice. A hook of an older protocol (after an upgrade: its code
    # reads what that protocol printed) keeps its own configuration, whose
    # entry names its protocol: its next call of Python stops it, and it says
    # once that a new shell is needed.
    ns = getattr(__xonsh__, "_envhook_ns", None)
    if ns is not None:
        if ns.get("protocol") == __ENVHOOK_PROTOCOL__:
            ns["config"].update(config)
        _envhook_completion()  # an older hook's completer (after an upgrade) gives way to this one
        return
    MISSING = object()
    ns = {
        "protocol": __ENVHOOK_PROTOCOL__,
        "config": config,
        "_envhook_root": "", "_envhook_pwd": "", "_envhook_told": "", "_envhook_broken": "",
        "_envhook_known": [], "_envhook_changed": [], "_envhook_act": [],
        "_envhook_venv": "", "bin": "", "_envhook_active": "", "cur": None, "found": "", "front": False,
        "old": {}, "new": {},   # what _set replaced (MISSING: unset), and what it put there
        "dirs": {},             # directory -> its nearest project dir ("-" for none)
        "slot_of": {},          # project dir -> slot
        "slots": [],            # (root, changed, act) per project visited
    }
    __xonsh__._envhook_ns = ns
    env["_ENVHOOK_HOOKED"] = f"{os.getpid()}:{config['python']}"  # which shell loaded the hook: for `envhook doctor`
    _envhook_completion()

    def hook(**_):
        if env.get("ENVHOOK_DISABLE") or ns["_envhook_broken"]:
            return
        pwd = env["PWD"]
        if pwd != ns["_envhook_pwd"]:
            cd()
        elif ns["_envhook_root"]:
            if not fresh():
                export()
        elif os.path.isfile(pwd + "/pyproject.toml") or os.path.isfile(pwd + "/requirements.txt"):
            export()  # a project was created right here (uv init)

    def cd():
        pwd = env["PWD"]
        ns["_envhook_pwd"] = pwd
        dirs = ns["dirs"]
        found = dirs.get(pwd)
        if found is None or (found != pwd and (os.path.isfile(pwd + "/pyproject.toml")
                                               or os.path.isfile(pwd + "/requirements.txt"))):
            found, req, d = None, "", pwd.rstrip("/")
            while True:
                if os.path.isfile(d + "/pyproject.toml"):
                    found = d or "/"
                    break
                if not req and os.path.isfile(d + "/requirements.txt"):
                    req = d or "/"
                if not d:
                    found = "-"
                    break
                d = d.rsplit("/", 1)[0]
                found = dirs.get(d or "/")
                if found is not None:
                    break
            # A requirements.txt makes a project only where no pyproject.toml is above it (paths.py's rule).
            if req and (found == "-" or not os.path.isfile(found + "/pyproject.toml")):
                found = req
            if len(dirs) >= 4096:
                dirs.clear()
            dirs[pwd] = found
        ns["found"] = found
        if found == "-":
            if ns["_envhook_root"] or ns["_envhook_venv"]:
                leave()
            return
        slot = ns["slot_of"].get(found)
        if slot is not None:
            if slot != ns["cur"]:
                load(slot)
                if fresh() and not paranoid():
                    apply()
                    return
            elif fresh():
                return
        export()

    def paranoid():
        value = env.get("ENVHOOK_PARANOID", ns["config"]["paranoid_cfg"])
        return str(value).lower() not in ("", "0", "false", "no", "off")

    def mtime(path):
        try:
            return os.stat(path).st_mtime_ns
        except OSError:
            return None

    def fresh():
        # The one `test` expression Python hands over (emit.change_test):
        # PATH -nt STAMP, -e PATH, ! -e PATH, joined by -o; true = changed.
        # A path dated in the future is also compared the other way, PATH
        # -ot ITS_STAMP; both as test(1) means them when a side is missing.
        words, i = ns["_envhook_changed"], 0
        while i < len(words):
            if words[i] == "!":
                if not os.path.exists(words[i + 2]):
                    return False
                i += 3
            elif words[i] == "-e":
                if os.path.exists(words[i + 1]):
                    return False
                i += 2
            else:
                path, stamp = mtime(words[i]), mtime(words[i + 2])
                if words[i + 1] == "-ot":
                    if stamp is not None and (path is None or path < stamp):
                        return False
                elif path is not None and (stamp is None or path > stamp):
                    return False
                i += 3
            i += 1  # the -o between terms
        pwd = env["PWD"]
        return ns["found"] == pwd or not os.path.exists(pwd + "/pyproject.toml")

    def export():
        python = ns["config"]["python"]
        if not os.access(python, os.X_OK):
            print(f"envhook: this shell's hook has stopped ({python} is gone: envhook was uninstalled or moved); "
                  "open a new shell (or `exec $SHELL`)", file=__import__("sys").stderr)
            stop()
            return
        ns["dirs"].clear()  # Python may have learned of new projects
        child_env = env.detype()
        child_env.update(_ENVHOOK_SESSION=ns["config"]["session"], _ENVHOOK_TOLD=ns["_envhook_told"],
                         _ENVHOOK_ACTIVE=ns["_envhook_active"], _ENVHOOK_PARANOID_CFG=ns["config"]["paranoid_cfg"])
        try:
            child = subprocess.Popen([python, "-I", "-S", "-c", ns["config"]["entry"], "xonsh",
                                      *ns["config"]["pypath"]], stdout=subprocess.PIPE, env=child_env, cwd=env["PWD"])
        except KeyboardInterrupt:
            child = None
        code = None if child is None else finish(child)
        if code == 0:
            exec(child.out.decode("utf-8", "surrogateescape"), ns)
        elif code == 3:
            stop()  # envhook cannot be imported any more; it said so once
        else:
            # Killed or interrupted before it printed anything: it may have moved
            # this shell's stamp already. Look again at the next prompt.
            ns["_envhook_changed"] = ["-e", "/"]

    def finish(child):
        # Read envhook's output and wait for it, as bash waits for its $(…):
        # Ctrl-C reached it too (it runs in this shell's process group, the
        # terminal's foreground one), and it stops the sync's own group,
        # records and says the interruption, then prints the assignments.
        # subprocess.run would kill it 0.25 s into a Ctrl-C instead: before it
        # could stop uv (which went on in the background) or record anything
        # (the record stayed "running", so the next prompt synced again). A
        # KeyboardInterrupt between two reads loses nothing: os.read either
        # returned its data or raised.
        chunks, fd = [], child.stdout.fileno()
        while True:
            try:
                data = os.read(fd, 65536)
            except KeyboardInterrupt:
                continue
            if not data:
                break
            chunks.append(data)
        child.stdout.close()
        child.out = b"".join(chunks)
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:
                continue

    def adopt():
        root = ns["_envhook_root"]
        slot = ns["slot_of"].get(root)
        if slot is None:
            slot = len(ns["slots"])
            ns["slots"].append(None)
        ns["cur"] = slot
        for d in ns["_envhook_known"]:
            ns["slot_of"][d] = slot
        ns["slots"][slot] = (root, list(ns["_envhook_changed"]), list(ns["_envhook_act"]))
        apply()

    def load(slot):
        ns["cur"] = slot
        root, changed, act = ns["slots"][slot]
        ns["_envhook_root"], ns["_envhook_changed"], ns["_envhook_act"] = root, list(changed), list(act)

    def apply():
        # _envhook_act: KEY ON ASIDE STATE, the project's activation rendered by
        # Python (Shell.activation): activate (ON) unless KEY is
        # already active; a venv activated outside envhook wins over ours, and
        # only ASIDE (UV_NO_SYNC: `uv run` must still leave alone what envhook
        # keeps) goes beside it. STATE exports ENVHOOK_STATE either way.
        key, on, aside, state = ns["_envhook_act"]
        virtual, venv = env.get("VIRTUAL_ENV", ""), ns["_envhook_venv"]
        if virtual and virtual != venv:
            if not venv or venv != key.partition(":")[2]:
                deactivate()
                exec(aside, ns)
        elif ns["_envhook_active"] != key:
            deactivate()
            exec(on, ns)
        exec(state, ns)

    def path(bin_):
        # ON's PATH step: DIR first on PATH, the one entry leaving takes out again.
        ns["bin"] = bin_
        env["PATH"].insert(0, bin_)

    def setvar(name, *value):
        if not value and name not in env:
            return  # unsetting what is not set changes nothing, and leaves nothing to restore
        if name not in ns["old"]:
            ns["old"][name] = env[name] if name in env else MISSING
        if value:
            env[name] = value[0]
            ns["new"][name] = value[0]
        else:
            env.pop(name, None)
            ns["new"][name] = MISSING

    def restore():
        # Only where the value is still ours: a variable the user changed since is the user's now.
        for name, old in ns["old"].items():
            now = env[name] if name in env else MISSING
            if now is ns["new"].get(name, MISSING) or now == ns["new"].get(name, MISSING):
                if old is MISSING:
                    env.pop(name, None)
                else:
                    env[name] = old
        ns["old"].clear()
        ns["new"].clear()

    def deactivate():
        if ns["_envhook_venv"]:
            path = env["PATH"]
            if ns["bin"] in path:
                path.remove(ns["bin"])  # only the one entry we added; the user's stay
            # A venv's activate script, sourced by hand over ours, saved PATH with
            # our entry in it: its `deactivate` would bring the entry back.
            saved = env.get("_OLD_VIRTUAL_PATH")
            if isinstance(saved, str):
                env["_OLD_VIRTUAL_PATH"] = ":".join(p for p in saved.split(":") if p != ns["bin"])
            elif saved is not None and ns["bin"] in saved:
                saved.remove(ns["bin"])
        restore()  # not only for an env: an untrusted project exported the state alone
        ns["_envhook_venv"] = ns["bin"] = ns["_envhook_active"] = ""

    def leave():
        deactivate()
        ns["_envhook_root"], ns["cur"] = "", None
        ns["_envhook_known"], ns["_envhook_changed"], ns["_envhook_act"] = [], [], []

    def stop():
        # The hook cannot go on (envhook gone, or no longer importable by the
        # Python this hook was printed with): what it activated is undone at
        # once, so the rest of this command line does not run in a stale env,
        # and no prompt asks Python again.
        leave()
        ns["_envhook_broken"] = "1"

    def front():
        # The taken-over env's bin first on PATH (once, wherever it was), while it is still ours.
        if ns["bin"]:
            path = env["PATH"]
            if ns["bin"] in path:
                path.remove(ns["bin"])
            path.insert(0, ns["bin"])

    ns["_envhook_adopt"], ns["_envhook_leave"] = adopt, leave
    ns["_envhook_set"], ns["_envhook_path"] = setvar, path  # what the rendered activation calls

    # A shell started inside one where envhook had activated an env finds that
    # activation exported (_ENVHOOK_VENV=NO_SYNC:ENV) and takes it over.
    marker, virtual = env.get("_ENVHOOK_VENV", ""), env.get("VIRTUAL_ENV", "")
    if marker and virtual and virtual == marker.partition(":")[2]:
        ns["_envhook_venv"], ns["bin"], ns["_envhook_active"] = virtual, virtual + "/bin", marker
        # What an activation exports (env.activation.Changes), and UV_NO_SYNC when it exported it ("1:ENV").
        for name in [__ENVHOOK_TAKEN__, *([__ENVHOOK_TAKEN_NO_SYNC__] if marker.startswith("1:") else [])]:
            if name in env:
                ns["old"][name], ns["new"][name] = MISSING, env[name]
        front()  # a login shell rebuilt PATH since: the env's bin goes back in front
        # And once more at the first prompt, where a shell started here
        # activates: rc lines after the hook's may put directories before it
        # (~/.local/bin), and their python3.X or ruff would run.
        ns["front"] = True

    said = set()

    def guarded(prompt=False):
        # Never a traceback at the prompt: one line per distinct failure, then quiet.
        try:
            if prompt and ns["front"]:
                ns["front"] = False  # the first prompt after a take-over
                front()
            hook()
        except Exception as e:  # noqa: BLE001
            what = f"{type(e).__name__}: {e}"
            if what not in said:
                said.add(what)
                print(f"envhook: the hook failed ({what}); `envhook doctor` may say why", file=__import__("sys").stderr)

    # Before the prompt is drawn, so that a prompt showing $VIRTUAL_ENV (the
    # default one does) shows what was just activated; xonsh before 0.12 has
    # only on_pre_prompt.
    prompt_event = events.on_pre_prompt_format if "on_pre_prompt_format" in dir(events) else events.on_pre_prompt
    prompt_event(lambda **_: guarded(prompt=True))
    # A `cd` inside a command line (`cd proj && python …`) is seen before the command after it.
    events.on_chdir(lambda **_: guarded())


def _envhook_completion():
    """Complete envhook's command line: a completer registered once with the
    hook (in front of xonsh's own) that asks envhook at Tab (`envhook
    __complete`: the parser's walk, commands/completion.py). Where it names a
    file or a command, xonsh's own completers answer."""
    try:
        from xonsh.completers.commands import complete_command
        from xonsh.completers.completer import add_one_completer
        from xonsh.completers.path import complete_dir
        from xonsh.completers.tools import RichCompletion, contextual_command_completer_for
    except ImportError:  # a xonsh older than the contextual completers (0.10): no completion
        return
    import subprocess

    @contextual_command_completer_for("envhook")
    def complete(command):
        words = [a.value for a in command.args[1:command.arg_index]] + [command.prefix]
        try:
            out = subprocess.run(["envhook", "__complete", *words], env=__xonsh__.env.detype(),
                                 capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        what, _, found = out.partition("\n")
        if what == "words":
            return {RichCompletion(w, description=h, append_space=True)
                    for w, _, h in (line.partition("\t") for line in found.splitlines())}
        if what.startswith("command ") and command.arg_index == int(what.split()[1]) + 1:
            return set(complete_command(command))  # the command run is named: as xonsh completes one
        return complete_dir(command) if what == "dir" else None

    # Replaced, not added again, when the hook is loaded again (add_one_completer keeps an existing one).
    __xonsh__.completers.pop("envhook", None)
    add_one_completer("envhook", complete, "start")


_envhook_load_hook()
del _envhook_load_hook, _envhook_completion
