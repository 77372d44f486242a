# The hook that bash and zsh share: bash.sh and zsh.sh include it after
# what each says in its own way (_envhook_get, _envhook_copy, _envhook_set,
# _envhook_restore, _envhook_wrap, _envhook_emulate, _envhook_register,
# _envhook_front_later).
#
# The prompt hook answers "did anything change?" with builtins only: string
# compares of $PWD, a cache of which project each directory seen belongs to,
# and [[ -nt ]] of the project's watched files against this shell's stamp.
# Only when the answer is "maybe" does it start Python (`envhook export`),
# which decides, syncs if needed, and prints assignments plus a call of
# _envhook_adopt. Each project visited keeps a numbered slot, so coming back
# to it while nothing changed costs no process either. What activating a
# project changes is not written here: Python renders it into calls of
# _envhook_set and _envhook_path (prompt/shells/base.py, Shell.activation),
# which the slot keeps.

# -- the hook ------------------------------------------------------------------

_envhook_init() {
    _envhook_python=__ENVHOOK_PYTHON__
    _envhook_pypath=(__ENVHOOK_PYPATH__)
    _envhook_entry=__ENVHOOK_ENTRY__
    _envhook_session=__ENVHOOK_SESSION__
    # The `paranoid` setting as it was when this hook was printed (ENVHOOK_PARANOID, when set, wins).
    _envhook_paranoid_cfg=__ENVHOOK_PARANOID__
    # Sourcing the rc twice must not forget what an earlier hook activated,
    # so state survives and only missing variables are initialised.
    : "${_envhook_root=}" "${_envhook_pwd=}" "${_envhook_told=}"
    : "${_envhook_venv=}" "${_envhook_bin=}" "${_envhook_active=}" "${_envhook_saved=}"
    : "${_envhook_broken=}" "${_envhook_cur=}" "${_envhook_nslots=0}" "${_envhook_found=}" "${_envhook_pending=}"
    : "${_envhook_user_fns=}"  # bash: the user's own cd / pushd / popd functions, kept as _envhook_user_NAME
    : "${_envhook_takenover=}"  # bash: set by a take-over, until the first prompt put the env's bin first again
    : "${_envhook_settle=}" "${_envhook_gone=}"  # after an activation or a leave: _envhook_settled
    [[ -n ${_envhook_known+x} ]] || _envhook_known=()
    [[ -n ${_envhook_changed+x} ]] || _envhook_changed=()
    [[ -n ${_envhook_act+x} ]] || _envhook_act=()
    # directory -> its nearest project dir ("-" for none); project dir -> slot
    [[ -n ${_envhook_dirs+x} ]] || typeset -gA _envhook_dirs=()
    [[ -n ${_envhook_slot_of+x} ]] || typeset -gA _envhook_slot_of=()
    # State kept by a hook of another protocol (the rc sourced again after an
    # upgrade): its slots hold what that protocol printed, which this code would
    # misread (and run, where it evals them). They are forgotten; what is active
    # stays ours to undo, and the next prompt asks Python afresh.
    if [[ ${_envhook_protocol-} != __ENVHOOK_PROTOCOL__ ]]; then
        _envhook_slot_of=() _envhook_nslots=0 _envhook_cur= _envhook_act=() _envhook_pwd=
        _envhook_protocol=__ENVHOOK_PROTOCOL__
    fi
    export _ENVHOOK_HOOKED="$$:$_envhook_python"  # which shell loaded the hook, running which envhook: for `envhook doctor`
}

# A shell started inside one where envhook had activated an env (`bash`,
# `exec zsh`, a terminal that inherits the environment) finds that
# activation exported, marked by _ENVHOOK_VENV=NO_SYNC:ENV. It is taken over
# as this shell's own, so leaving the project, or entering another one,
# undoes it here too. What the variables held before the parent activated is
# not exported: envhook only activates where no venv was active, so unset.
_envhook_takeover() {
    [[ -z $_envhook_venv && -n ${_ENVHOOK_VENV-} && ${VIRTUAL_ENV-} == "${_ENVHOOK_VENV#*:}" ]] || return 0
    # What an activation exports (env.activation.Changes), and UV_NO_SYNC
    # when that activation exported it ("1:ENV").
    local v names=(__ENVHOOK_TAKEN__)
    [[ $_ENVHOOK_VENV != 1:* ]] || names+=(__ENVHOOK_TAKEN_NO_SYNC__)
    _envhook_venv=$VIRTUAL_ENV _envhook_bin=$VIRTUAL_ENV/bin _envhook_active=$_ENVHOOK_VENV
    for v in "${names[@]}"; do
        _envhook_get "$v" || continue
        _envhook_saved="$_envhook_saved $v"
        printf -v "_envhook_new_$v" '%s' "$_envhook_val"
    done
    # A login shell rebuilt PATH since (/etc/profile, macOS's path_helper):
    # the env's bin goes back in front, where the activation had put it; and
    # once more at the first prompt, where a shell started here activates:
    # a login file read after this one (Debian's ~/.profile, which sources
    # ~/.bashrc and then prepends ~/.local/bin; ~/.zlogin) may put
    # directories before it, and their python3.X or ruff would run.
    _envhook_front
    _envhook_front_later
}

# Take the first PATH entry DIR out (only that one: the user's copies stay).
_envhook_unpath() {
    local p=":${PATH-}:"
    p=${p/":$1:"/:}
    p=${p#:}
    export PATH="${p%:}"
}

# The env's bin first on PATH (once, wherever it was): the take-over's, now
# and at the first prompt; after other tools' prompt commands (_envhook_after).
_envhook_front() {
    _envhook_unpath "$_envhook_bin"
    export PATH="$_envhook_bin${PATH:+:$PATH}"
}

# After the prompt commands that followed an activation or a leave
# (_envhook_after, fish's preexec): the env's bin first, unless a venv
# activated outside envhook is in front; the one just left out again, unless
# such a venv is that one.
_envhook_settled() {
    _envhook_settle=
    if [[ -n $_envhook_gone && $_envhook_gone != "$_envhook_bin" && ${VIRTUAL_ENV-}/bin != "$_envhook_gone" &&
        ":$PATH:" == *":$_envhook_gone:"* ]]; then
        _envhook_unpath "$_envhook_gone"
    fi
    _envhook_gone=
    if [[ -n $_envhook_bin && ${VIRTUAL_ENV-} == "$_envhook_venv" && $PATH != "$_envhook_bin" &&
        $PATH != "$_envhook_bin":* ]]; then
        _envhook_front
    fi
}

# An activate script sourced over envhook's activation (by you, or by an
# editor: VS Code's Python extension types `source …/activate` into new
# terminals) makes that activation its own: its `deactivate` undoes it, not
# leaving the project. envhook gives up what was its alone: its PATH entry
# (where the script, activating the same env, put one of its own in front),
# the variables the script now holds are forgotten, not restored, the rest
# (_ENVHOOK_VENV, UV_NO_SYNC, ENVHOOK_STATE) restored; then Python decides
# again, as for a venv activated outside envhook, and says so once.
_envhook_disown() {
    local p=":$PATH:" head
    if [[ $p == *":$_envhook_bin:"*":$_envhook_bin:"* ]]; then
        head=${p%%":$_envhook_bin:"*}
        p=":${p#*":$_envhook_bin:"}"
        p="$head:$_envhook_bin${p/":$_envhook_bin:"/:}"
        p=${p#:}
        export PATH="${p%:}"
    else
        _envhook_unpath "$_envhook_bin"
    fi
    p=":$_OLD_VIRTUAL_PATH:"
    p=${p/":$_envhook_bin:"/:}
    p=${p#:}
    _OLD_VIRTUAL_PATH=${p%:}
    unset _envhook_new_VIRTUAL_ENV _envhook_new_VIRTUAL_ENV_PROMPT
    _envhook_restore
    _envhook_venv= _envhook_bin= _envhook_active=
    _envhook_export
}

_envhook_hook() {
    # $? belongs to the user's last command; the prompt after us must see it.
    local _envhook_rc=$?
    if [[ -n $_envhook_takenover ]]; then
        # bash: the first prompt after a take-over (_envhook_front_later); only while that env is still ours.
        _envhook_takenover=
        [[ -z $_envhook_bin ]] || _envhook_front
    fi
    if [[ -z ${ENVHOOK_DISABLE-}$_envhook_broken ]]; then
        if [[ -n $_envhook_venv && -n ${_OLD_VIRTUAL_PATH+x} ]]; then
            _envhook_disown  # an activate script was sourced over ours
        elif [[ $PWD != "$_envhook_pwd" ]]; then
            # bash: not through our cd wrapper (which keeps _envhook_pwd
            # current): a cd function defined after the hook line took its
            # place, or something ran `builtin cd` (zoxide); wrap again if need be.
            _envhook_wrap
            _envhook_cd
        elif [[ -n $_envhook_root ]]; then
            # Same directory, same project: the watches are the whole cost of a prompt.
            _envhook_fresh || _envhook_export
        elif [[ -f $PWD/pyproject.toml || -f $PWD/requirements.txt ]]; then
            _envhook_export  # a project was created right here (uv init)
        fi
    fi
    return $_envhook_rc
}

_envhook_cd() {  # [chdir: called by bash's cd wrapper, a prompt follows]
    local d found slot req
    _envhook_pwd=$PWD
    # Which project is this directory in? A directory seen before answers from
    # the cache, so `cd` costs the same at any depth; a new one walks up only
    # until it meets a directory already known.
    found=${_envhook_dirs[$PWD]-}
    if [[ -z $found || ( $found != "$PWD" && ( -f $PWD/pyproject.toml || -f $PWD/requirements.txt ) ) ]]; then
        d=$PWD req=
        while :; do
            if [[ -f $d/pyproject.toml ]]; then found=${d:-/}; break; fi
            [[ -n $req || ! -f $d/requirements.txt ]] || req=${d:-/}
            if [[ -z $d ]]; then found=-; break; fi
            d=${d%/*}
            found=${_envhook_dirs[${d:-/}]-}
            [[ -z $found ]] || break
        done
        # A requirements.txt makes a project only where no pyproject.toml is
        # above it (docs/requirements.txt belongs to the project): paths.py's rule.
        if [[ -n $req && ( $found == - || ! -f $found/pyproject.toml ) ]]; then found=$req; fi
        (( ${#_envhook_dirs[@]} < 4096 )) || _envhook_dirs=()
        _envhook_dirs[$PWD]=$found
    fi
    _envhook_found=$found
    if [[ $found == - ]]; then
        [[ $_envhook_pending != 2 ]] || _envhook_pending=1
        [[ -z $_envhook_root && -z $_envhook_venv ]] || _envhook_leave
        return 0
    fi
    if [[ $_envhook_pending == 2 ]]; then
        # Asked again after a Ctrl-C cut it off, and cut off again: the user
        # wants the prompt now. Ask at the next one.
        _envhook_pending=1 _envhook_pwd=
        return 0
    fi
    slot=${_envhook_slot_of[$found]-}
    if [[ -n $slot && -z $_envhook_pending ]]; then
        if [[ $slot != "$_envhook_cur" ]]; then
            _envhook_load "$slot"
            if _envhook_fresh && ! _envhook_paranoid; then _envhook_apply; return 0; fi
        elif [[ ${1-} == chdir ]] || _envhook_fresh; then
            # Same project: what is active stays right for the rest of the
            # command line, and the prompt after it looks at the watches.
            return 0
        fi
    fi
    _envhook_export
}

# Paranoid mode (ENVHOOK_PARANOID or the setting, read as trust.py reads them) ties trust to
# content, which mtimes cannot vouch for (tar x, rsync -a and cp -a keep old
# ones): entering a project asks Python, whose decision cache also compares
# ctimes and inodes. Moving around inside the project stays builtin-only.
_envhook_paranoid() {
    case ${ENVHOOK_PARANOID-$_envhook_paranoid_cfg} in
        ''|0|[Ff][Aa][Ll][Ss][Ee]|[Nn][Oo]|[Oo][Ff][Ff]) return 1 ;;
    esac
}

# True when nothing the project's decision depends on has changed: Python
# hands over one `test` expression (a watched path newer than this shell's
# stamp — a directory's mtime shows entries created, deleted or renamed in
# it — an absent path created, a present one gone); and no project was
# created in the directory we stand in.
_envhook_fresh() {
    ! test "${_envhook_changed[@]}" && [[ $_envhook_found == "$PWD" || ! -e $PWD/pyproject.toml ]]
}

_envhook_export() {
    local out
    if [[ ! -x $_envhook_python ]]; then
        # envhook was uninstalled under a running shell: say so once, then stay quiet.
        printf "envhook: this shell's hook has stopped (%s is gone: envhook was uninstalled or moved); open a new shell (or \`exec \$SHELL\`)\n" "$_envhook_python" >&2
        _envhook_stop
        return 0
    fi
    # Python may have learned of new projects: directories are looked up afresh.
    _envhook_dirs=()
    # A Ctrl-C while Python runs (a sync it started, which it stops and
    # records) makes bash and zsh abandon this function once Python exits,
    # and with it the state Python printed (`failed`…); the slots and
    # watches left would call the old state fresh. So the call is marked
    # pending, and no PWD is known, until its answer is applied: the prompt
    # drawn after the Ctrl-C asks again (_envhook_cd), at once. (In bash a
    # trap would keep the function going, but putting the user's own INT
    # trap back after it takes a subshell.)
    if [[ -n $_envhook_pending ]]; then _envhook_pending=2; else _envhook_pending=1; fi
    _envhook_pwd=
    # zsh, though, draws the prompt after a Ctrl-C in precmd without running
    # precmd again: there a trap keeps this function going instead (Python
    # still gets the Ctrl-C: a trap is not inherited), and local_traps
    # (_envhook_emulate) ends it with the function. Inside a command line
    # (chpwd: `cd proj && make`) the line stops, and its prompt asks again.
    if [[ __ENVHOOK_SHELL__ == zsh && -z ${_envhook_line-} ]]; then trap : INT; fi
    out=$(_ENVHOOK_SESSION=$_envhook_session _ENVHOOK_TOLD=$_envhook_told _ENVHOOK_ACTIVE=$_envhook_active \
        _ENVHOOK_PARANOID_CFG=$_envhook_paranoid_cfg "$_envhook_python" -I -S -c "$_envhook_entry" __ENVHOOK_SHELL__ "${_envhook_pypath[@]}")
    case $? in
        0) eval "$out" ;;
        3) _envhook_stop ;;  # envhook cannot be imported any more; it said so once
        # Killed (kill -9, OOM) or interrupted before it printed anything: it may
        # have moved this shell's stamp already, so the watches would call the
        # change seen. Look again at the next prompt.
        *) _envhook_changed=(-e /) ;;
    esac
    _envhook_pending=
}

# Called by Python's output: file the state just assigned under the
# project's slot (a new one for a new project), then act on it.
_envhook_adopt() {
    local a s=${_envhook_slot_of[$_envhook_root]-}
    [[ -n $s ]] || s=$((++_envhook_nslots))
    _envhook_cur=$s
    for a in "${_envhook_known[@]}"; do _envhook_slot_of[$a]=$s; done
    printf -v "_envhook_s${s}_root" '%s' "$_envhook_root"
    _envhook_copy "_envhook_s${s}_changed" _envhook_changed
    _envhook_copy "_envhook_s${s}_act" _envhook_act
    _envhook_apply
}

_envhook_load() {
    _envhook_cur=$1
    _envhook_get "_envhook_s${1}_root"
    _envhook_root=$_envhook_val
    _envhook_copy _envhook_changed "_envhook_s${1}_changed"
    _envhook_copy _envhook_act "_envhook_s${1}_act"
}

# Act on the project's slot, `_envhook_act` (KEY ON ASIDE STATE: its
# activation rendered by Python, Shell.activation; read only here):
# activate (ON) unless KEY is already active; a venv activated outside
# envhook wins over ours, and only ASIDE (UV_NO_SYNC: `uv run` must still
# leave alone what envhook keeps) goes beside it. STATE exports
# ENVHOOK_STATE either way, for the user's prompt.
_envhook_apply() {
    if [[ -n ${VIRTUAL_ENV-} && $VIRTUAL_ENV != "$_envhook_venv" ]]; then
        if [[ -z $_envhook_venv || $_envhook_venv != "${_envhook_act[0]#*:}" ]]; then
            _envhook_deactivate
            eval "${_envhook_act[2]}"
        fi
    elif [[ $_envhook_active != "${_envhook_act[0]}" ]]; then
        _envhook_deactivate
        eval "${_envhook_act[1]}"
    fi
    eval "${_envhook_act[3]}"
}

# ON's PATH step: DIR first on PATH, the one entry leaving takes out again.
_envhook_path() {
    _envhook_bin=$1
    export PATH="$1${PATH:+:$PATH}"
    _envhook_settle=1
}

_envhook_deactivate() {
    if [[ -n $_envhook_venv ]]; then
        # Remove only the one PATH entry we added; whatever the user added stays.
        _envhook_unpath "$_envhook_bin"
        _envhook_gone=$_envhook_bin _envhook_settle=1
        local p
        # A venv's activate script, sourced by hand over ours, saved PATH with
        # our entry in it: its `deactivate` would bring the entry back.
        if [[ -n ${_OLD_VIRTUAL_PATH+x} ]]; then
            p=":$_OLD_VIRTUAL_PATH:"
            p=${p/":$_envhook_bin:"/:}
            p=${p#:}
            _OLD_VIRTUAL_PATH=${p%:}
        fi
    fi
    # Not only for an env: an untrusted project exported ENVHOOK_STATE alone.
    _envhook_restore
    _envhook_venv= _envhook_bin= _envhook_active=
}

_envhook_leave() {
    _envhook_deactivate
    _envhook_root= _envhook_cur=
    _envhook_known=() _envhook_changed=() _envhook_act=()
}

# The hook cannot go on (envhook gone, or no longer importable by the Python
# this hook was printed with): what it activated is undone at once, so the
# rest of this command line (`cd other; python …`) does not run in a stale
# env, and no prompt asks Python again.
_envhook_stop() {
    _envhook_leave
    _envhook_broken=1
}

_envhook_emulate
_envhook_init
_envhook_takeover
_envhook_register

