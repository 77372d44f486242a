# envhook for bash (4.2 or newer) and zsh. `envhook hook bash|zsh` prints
# this file with the values marked __LIKE_THIS__ replaced by already-quoted
# strings; everything else is plain shell code that both shells read.
#
# The prompt hook answers "did anything change?" with builtins only: string
# compares of $PWD, a cache of which project each directory seen belongs to,
# and [[ -nt ]] of the project's watched files against this shell's stamp.
# Only when the answer is "maybe" does it start Python (`envhook export`),
# which decides, syncs if needed, and prints assignments plus a call of
# _envhook_adopt. Each project visited keeps a numbered slot, so coming back
# to it while nothing changed costs no process either.
#
# The file reads top to bottom: what bash and zsh say differently (variable
# indirection: reading, copying, saving and restoring by name; how the hook is
# registered; `envhook doctor`'s questions), then
# the hook itself, written once. In zsh every function runs with zsh's own
# options plus ksh_arrays and sh_word_split (sticky emulation, set up by
# _envhook_register), so arrays count from 0 and words split as in bash, and
# the user's options (nounset, ksh_arrays or not…) do not leak in.

# Older bash (macOS's /bin/bash is 3.2) lacks what this file uses (declare -g,
# associative arrays): it says so once and defines nothing. An `if` rather
# than `return`, because `return` inside the rc file's eval would end the
# rc file itself. The body below stays unindented to read as the file it is.
if [[ __ENVHOOK_SHELL__ == bash ]] && (( BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 402 )); then
    printf 'envhook: bash %s is too old for the hook (4.2 or newer needed): install a newer bash (macOS: brew install bash) and make it your shell, or use zsh; envhook run works meanwhile\n' "$BASH_VERSION" >&2
else

# -- what bash and zsh say differently -------------------------------------------

if [[ __ENVHOOK_SHELL__ == zsh ]]; then

# _envhook_get NAME: true when NAME is set, its value left in _envhook_val.
_envhook_get() { (( ${(P)+1} )) && _envhook_val=${(P)1}; }

# The three that read variables by name on every activation and leave are
# written per shell, with the shell's own indirection: a helper call per
# variable (sticky emulation makes each zsh call dearer) cost a re-entry
# 40-60 % in zsh.

# _envhook_copy TO FROM: the array FROM copied into the array TO (names are ours).
_envhook_copy() { set -A "$1" "${(@P)${:-$2[@]}}"; }

# Export NAME=VALUE (or unset NAME when no value is given), remembering the
# user's value the first time so that leaving restores exactly that.
_envhook_set() {
    local n=$1 o=_envhook_old_$1 w=_envhook_new_$1
    if [[ " $_envhook_saved " != *" $n "* ]]; then
        _envhook_saved="$_envhook_saved $n"
        if (( ${(P)+n} )); then typeset -g "$o=${(P)n}"; else unset "$o"; fi
    fi
    if (( $# > 1 )); then
        export "$n=$2"
        typeset -g "$w=$2"
    else
        unset "$n" "$w"
    fi
}

# Put back what _envhook_set changed, but only where the value is still ours:
# a variable the user changed since is the user's now.
_envhook_restore() {
    local n o w IFS=' '  # the names are split on spaces whatever the user's IFS
    for n in $_envhook_saved; do
        o=_envhook_old_$n w=_envhook_new_$n
        if [[ ${(P)+n}${(P)n-} == "${(P)+w}${(P)w-}" ]]; then
            if (( ${(P)+o} )); then export "$n=${(P)o}"; else unset "$n"; fi
        fi
        unset "$o" "$w"
    done
    _envhook_saved=
}

# zsh sees every directory change (chpwd): no cd to wrap.
_envhook_wrap() { :; }

# chpwd runs inside a command line (`cd proj && make`): a Ctrl-C there stops
# the line, as it always did (_envhook_export sets its trap only at a prompt).
_envhook_chpwd() {
    local _envhook_line=1
    _envhook_hook
}

# Run once every function below is defined, before any of them runs:
# redefined inside `emulate … -c`, each gets sticky emulation, i.e. runs with
# those options and gives the user's back on return (what `emulate -L` at
# the top of each would do), whatever was set when the rc file ran.
# no_aliases: a user's alias must not rewrite our code when it is read again;
# local_traps: a trap one of them sets ends with it.
_envhook_emulate() {
    emulate zsh -o ksh_arrays -o sh_word_split -o no_aliases -o local_traps -c '
        local f
        for f in ${(k)functions[(I)_envhook_*]}; do eval "$f() { ${functions[$f]} }"; done'
}

_envhook_register() {
    # precmd covers every prompt, chpwd a `cd` inside a command line
    # (`cd proj && python …`); add-zsh-hook keeps a re-sourced rc from
    # registering twice.
    autoload -Uz add-zsh-hook
    add-zsh-hook precmd _envhook_hook
    add-zsh-hook chpwd _envhook_chpwd
}

# After a take-over, the env's bin goes first again at the first prompt
# (_envhook_takeover says why): a precmd hook that removes itself, as
# _envhook_hook also runs on chpwd, and a `cd` in ~/.zlogin is no prompt.
_envhook_front_later() {
    autoload -Uz add-zsh-hook
    add-zsh-hook precmd _envhook_front_once
}
_envhook_front_once() {
    local rc=$?
    add-zsh-hook -d precmd _envhook_front_once
    [[ -z $_envhook_bin ]] || _envhook_front  # only while that env is still ours
    return $rc
}

# `envhook doctor` checks what only this shell knows: whether it is a login
# shell, which ZDOTDIR it read, and whether envhook's completion is loaded.
envhook() {
    if [[ ${1-} == doctor ]]; then
        local login=0 completion=none
        [[ ! -o login ]] || login=1
        if (( $+_comps )) && (( ${+_comps[envhook]} )); then
            completion=loaded
        elif (( $+functions[compdef] )); then
            completion=compinit  # compinit ran, but found no _envhook on $fpath
        fi
        _ENVHOOK_SHELL_INFO="login=$login completion=$completion" _ENVHOOK_ZDOTDIR=${ZDOTDIR-} command envhook "$@"
    else
        command envhook "$@"
    fi
}

else  # bash

_envhook_get() { [[ -n ${!1+x} ]] && _envhook_val=${!1}; }

_envhook_copy() { eval "$1=(\"\${$2[@]}\")"; }  # the names are ours; the values are not evaluated

_envhook_set() {
    local n=$1 o=_envhook_old_$1
    if [[ " $_envhook_saved " != *" $n "* ]]; then
        _envhook_saved="$_envhook_saved $n"
        if [[ -n ${!n+x} ]]; then printf -v "$o" '%s' "${!n}"; else unset "$o"; fi
    fi
    if [[ $# -gt 1 ]]; then
        export "$n=$2"
        printf -v "_envhook_new_$n" '%s' "$2"
    else
        unset "$n" "_envhook_new_$n"
    fi
}

_envhook_restore() {
    # The names are split on spaces whatever the user's IFS ("strict mode" rc files set $'\n\t').
    local n o w IFS=' '
    for n in $_envhook_saved; do
        o=_envhook_old_$n w=_envhook_new_$n
        if [[ ${!n+x}${!n-} == "${!w+x}${!w-}" ]]; then
            if [[ -n ${!o+x} ]]; then export "$n=${!o}"; else unset "$n"; fi
        fi
        unset "$o" "$w"
    done
    _envhook_saved=
}

# bash has no hook on a directory change, so `cd dir && cmd` would run cmd
# in the previous project's env until the next prompt. cd, pushd and popd are
# wrapped (as mise and RVM do); a user's own function of that name, defined
# before or after the hook line, is kept as _envhook_user_NAME and called in
# place of the builtin.
_envhook_chdir() {  # NAME ARGS...
    local _envhook_rc
    # A user function that calls the cd it replaced (ours) must reach the builtin.
    if [[ -n ${_envhook_in_chdir-} ]]; then builtin "$@"; return; fi
    _envhook_in_chdir=1
    if [[ " $_envhook_user_fns " == *" $1 "* ]]; then "_envhook_user_$1" "${@:2}"; else builtin "$@"; fi
    _envhook_rc=$?
    _envhook_in_chdir=
    # A subshell ($(cd x && pwd)) decides nothing: whatever it activated would
    # vanish with it, and its Python run would move this shell's stamp.
    # (ENVHOOK_DISABLE: the prompt after the command line handles it; a stopped hook left its env already.)
    if [[ $PWD != "$_envhook_pwd" && -z ${ENVHOOK_DISABLE-}$_envhook_broken && $BASHPID == "$$" ]]; then
        _envhook_cd chdir
    fi
    return $_envhook_rc
}

# Reading a function's text takes a subshell: this runs when the hook is
# loaded and when PWD changed behind our back, never on a plain prompt; one
# subshell when all three are still ours.
_envhook_wrap() {
    local n f
    f=$(declare -f cd pushd popd 2>/dev/null)
    [[ $f != *"_envhook_chdir cd "*"_envhook_chdir pushd "*"_envhook_chdir popd "* ]] || return 0
    for n in cd pushd popd; do
        if declare -F "$n" >/dev/null; then
            f=$(declare -f "$n")
            [[ $f != *"_envhook_chdir $n "* ]] || continue
            eval "_envhook_user_$n${f#"$n"}"
            [[ " $_envhook_user_fns " == *" $n "* ]] || _envhook_user_fns="$_envhook_user_fns $n"
        fi
        eval "$n() { _envhook_chdir $n \"\$@\"; }"
    done
}

# bash's functions run with the user's options; the code below is written for that.
_envhook_emulate() { :; }

_envhook_register() {
    _envhook_wrap
    # The commands PROMPT_COMMAND runs, as words: whether a string (";" or
    # newlines between them) or an array.
    local pc=" ${PROMPT_COMMAND[*]-} "
    pc=${pc//[$'\n;']/ }
    # Run first, so that the user's own prompt commands still see the real $?.
    if [[ $pc != *" _envhook_hook "* ]]; then
        if [[ "$(declare -p PROMPT_COMMAND 2>&1)" == "declare -a"* ]]; then
            PROMPT_COMMAND=(_envhook_hook "${PROMPT_COMMAND[@]}")
        else
            PROMPT_COMMAND="_envhook_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
        fi
    fi
    # And _envhook_after last, after the prompt commands of other tools
    # (direnv puts its own first); a newline, as the user's text may end in ";".
    if [[ $pc != *" _envhook_after "* ]]; then
        if [[ "$(declare -p PROMPT_COMMAND 2>&1)" == "declare -a"* ]]; then
            PROMPT_COMMAND+=(_envhook_after)
        else
            PROMPT_COMMAND="${PROMPT_COMMAND:+$PROMPT_COMMAND$'\n'}_envhook_after"
        fi
    fi
}

# bash acts at `cd` (the wrapper), before any prompt command; direnv acts in
# its prompt command, after: loading an .envrc that adds to PATH, it puts that
# in front of the env's bin (its python3 would run); unloading, it puts back
# the PATH it saved while the env was active, the env's bin in it. So after
# the prompt commands of the prompt that follows an activation or a leave,
# the env's bin goes first again, or out again, as it is in zsh (where
# direnv's hooks run before envhook's). Only then: PATH changes at other
# times are the user's.
_envhook_after() {
    local rc=$?
    [[ -z $_envhook_settle ]] || _envhook_settled
    return $rc
}

# After a take-over, the env's bin goes first again at the first prompt
# (_envhook_takeover says why): _envhook_hook, which only PROMPT_COMMAND runs, looks.
_envhook_front_later() { _envhook_takenover=1; }

# `envhook doctor` checks what only this shell knows: whether it is a login
# shell and whether envhook's completion can load here.
envhook() {
    if [[ ${1-} == doctor ]]; then
        local login=0 completion=none
        ! shopt -q login_shell || login=1
        if complete -p envhook >/dev/null 2>&1; then
            completion=loaded
        elif declare -F _completion_loader >/dev/null || declare -F __load_completion >/dev/null; then
            completion=on-demand  # bash-completion loads it at the first <Tab>
        fi
        _ENVHOOK_SHELL_INFO="login=$login completion=$completion" command envhook "$@"
    else
        command envhook "$@"
    fi
}

fi

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
    local v
    _envhook_venv=$VIRTUAL_ENV _envhook_bin=$VIRTUAL_ENV/bin _envhook_active=$_ENVHOOK_VENV
    for v in VIRTUAL_ENV VIRTUAL_ENV_PROMPT ENVHOOK_STATE _ENVHOOK_VENV UV_NO_SYNC; do
        _envhook_get "$v" && [[ $v != UV_NO_SYNC || $_ENVHOOK_VENV == 1:* ]] || continue
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

# Act on the project's slot, `_envhook_act` (ENV PROMPT NO_SYNC STATE, the
# order of env.activation.Activation; read only here): activate ENV, or nothing when it
# is empty; a venv the user activated by hand wins over ours. ENVHOOK_STATE
# is exported either way, for the user's prompt.
_envhook_apply() {
    if [[ -z ${_envhook_act[0]-} ]]; then
        _envhook_deactivate
    elif [[ -n ${VIRTUAL_ENV-} && $VIRTUAL_ENV != "$_envhook_venv" ]]; then
        [[ -z $_envhook_venv || $_envhook_venv == "${_envhook_act[0]}" ]] || _envhook_deactivate
        if [[ -z $_envhook_venv ]]; then
            # A venv activated outside envhook stays as it is; `uv run` must
            # still leave alone what envhook keeps (hand-made changes, a pin).
            _envhook_restore
            if [[ ${_envhook_act[2]-} == 1 ]]; then _envhook_set UV_NO_SYNC 1; fi
        fi
    elif [[ $_envhook_active != "${_envhook_act[2]}:${_envhook_act[0]}" ]]; then
        _envhook_activate "${_envhook_act[@]}"
    fi
    if [[ -n ${_envhook_act[3]-} ]]; then _envhook_set ENVHOOK_STATE "${_envhook_act[3]}"; fi
}

_envhook_activate() {  # ENV PROMPT NO_SYNC [STATE]
    _envhook_deactivate
    _envhook_venv=$1
    _envhook_bin=$1/bin
    _envhook_active=$3:$1
    _envhook_set VIRTUAL_ENV "$1"
    _envhook_set _ENVHOOK_VENV "$3:$1"
    if [[ -n $2 ]]; then _envhook_set VIRTUAL_ENV_PROMPT "$2"; fi
    if [[ -n ${PYTHONHOME+x} ]]; then _envhook_set PYTHONHOME; fi
    if [[ $3 == 1 ]]; then _envhook_set UV_NO_SYNC 1; fi
    export PATH="$_envhook_bin${PATH:+:$PATH}"
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

fi
