# envhook for zsh. `envhook hook zsh` prints this file with the values marked
# __LIKE_THIS__ replaced by already-quoted strings; everything else is plain zsh.
#
# The hook answers "did anything change?" with builtins only: string compares
# of $PWD, a cache of which project each directory seen belongs to, and
# [[ -nt ]] of the project's watched files against this shell's stamp. Only
# when the answer is "maybe" does it start Python (`envhook export`), which
# decides, syncs if needed, and prints assignments plus a call of
# _envhook_adopt. Each project visited keeps a numbered slot, so coming back
# to it while nothing changed costs no process either. Every function starts
# with `emulate -L zsh`, so the user's options (ksh_arrays, sh_word_split,
# nounset…) do not leak in.

typeset -g _envhook_python=__ENVHOOK_PYTHON__
typeset -ga _envhook_pypath
_envhook_pypath=(__ENVHOOK_PYPATH__)
typeset -g _envhook_entry=__ENVHOOK_ENTRY__
typeset -g _envhook_session=__ENVHOOK_SESSION__
# The `paranoid` setting as it was when this hook was printed (ENVHOOK_PARANOID, when set, wins).
typeset -g _envhook_paranoid_cfg=__ENVHOOK_PARANOID__

# Sourcing the rc twice must not forget what an earlier hook activated.
typeset -g _envhook_root="${_envhook_root-}" _envhook_pwd="${_envhook_pwd-}"
typeset -g _envhook_told="${_envhook_told-}"
typeset -g _envhook_venv="${_envhook_venv-}" _envhook_bin="${_envhook_bin-}" _envhook_active="${_envhook_active-}"
typeset -g _envhook_saved="${_envhook_saved-}" _envhook_broken="${_envhook_broken-}"
typeset -g _envhook_cur="${_envhook_cur-}" _envhook_nslots="${_envhook_nslots-0}" _envhook_found="${_envhook_found-}"
(( ${+_envhook_known} )) || typeset -ga _envhook_known
(( ${+_envhook_changed} )) || typeset -ga _envhook_changed
(( ${+_envhook_act} )) || typeset -ga _envhook_act
# directory -> its nearest project dir ("-" for none); project dir -> slot
(( ${+_envhook_dirs} )) || typeset -gA _envhook_dirs
(( ${+_envhook_slot_of} )) || typeset -gA _envhook_slot_of
export _ENVHOOK_HOOKED="$$:$_envhook_python"  # which shell loaded the hook, running which envhook: for `envhook doctor`

# A shell started inside one where envhook had activated an env (`zsh`,
# `exec bash`, a terminal that inherits the environment) finds that
# activation exported, marked by _ENVHOOK_VENV=NO_SYNC:ENV. It is taken over
# as this shell's own, so leaving the project, or entering another one,
# undoes it here too. What the variables held before the parent activated is
# not exported: envhook only activates where no venv was active, so unset.
if [[ -z $_envhook_venv && -n ${_ENVHOOK_VENV-} && ${VIRTUAL_ENV-} == "${_ENVHOOK_VENV#*:}" ]]; then
    _envhook_venv=$VIRTUAL_ENV _envhook_bin=$VIRTUAL_ENV/bin _envhook_active=$_ENVHOOK_VENV
    () {
        local v
        for v in VIRTUAL_ENV VIRTUAL_ENV_PROMPT ENVHOOK_STATE _ENVHOOK_VENV UV_NO_SYNC; do
            (( ${(P)+v} )) || continue
            [[ $v != UV_NO_SYNC || $_ENVHOOK_VENV == 1:* ]] || continue
            _envhook_saved="$_envhook_saved $v"
            typeset -g "_envhook_new_$v=${(P)v}"
        done
        # A login shell rebuilt PATH since (/etc/profile, macOS's path_helper in
        # .zprofile): the env's bin goes back in front, where the activation put it.
        local p=":$PATH:"
        p=${p/":$_envhook_bin:"/:}
        p=${p#:}
        p=${p%:}
        export PATH="$_envhook_bin${p:+:$p}"
    }
fi

_envhook_hook() {
    # $? belongs to the user's last command; precmd functions after us must see it.
    local _envhook_rc=$?
    emulate -L zsh
    if [[ -z ${ENVHOOK_DISABLE-}$_envhook_broken ]]; then
        if [[ $PWD != "$_envhook_pwd" ]]; then
            _envhook_cd
        elif [[ -n $_envhook_root ]]; then
            # Same directory, same project: the watches are the whole cost of a prompt.
            _envhook_fresh || _envhook_export
        elif [[ -f $PWD/pyproject.toml || -f $PWD/requirements.txt ]]; then
            _envhook_export  # a project was created right here (uv init)
        fi
    elif [[ -n $_envhook_broken && -n $_envhook_root && $PWD != "$_envhook_root" && $PWD != "${_envhook_root%/}"/* ]]; then
        # envhook was uninstalled under this shell: nothing can be decided any
        # more, but leaving the project still undoes what it activated.
        _envhook_leave
    fi
    return $_envhook_rc
}

_envhook_cd() {
    emulate -L zsh
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
        (( ${#_envhook_dirs} < 4096 )) || _envhook_dirs=()
        _envhook_dirs[$PWD]=$found
    fi
    _envhook_found=$found
    if [[ $found == - ]]; then
        [[ -z $_envhook_root && -z $_envhook_venv ]] || _envhook_leave
        return 0
    fi
    slot=${_envhook_slot_of[$found]-}
    if [[ -n $slot ]]; then
        if [[ $slot != "$_envhook_cur" ]]; then
            _envhook_load "$slot"
            if _envhook_fresh && ! _envhook_paranoid; then _envhook_apply; return 0; fi
        elif _envhook_fresh; then
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
# created in the directory we stand in. Only ever called from functions that
# already did `emulate -L zsh`.
_envhook_fresh() {
    ! test "${_envhook_changed[@]}" && [[ $_envhook_found == "$PWD" || ! -e $PWD/pyproject.toml ]]
}

_envhook_export() {
    emulate -L zsh
    local out
    if [[ ! -x $_envhook_python ]]; then
        # envhook was uninstalled under a running shell: say so once, then stay quiet.
        print -ru2 -- "envhook: envhook is no longer installed here ($_envhook_python is gone); this shell's hook has stopped"
        _envhook_broken=1
        return 0
    fi
    # Python may have learned of new projects: directories are looked up afresh.
    _envhook_dirs=()
    out=$(_ENVHOOK_SESSION=$_envhook_session _ENVHOOK_TOLD=$_envhook_told _ENVHOOK_ACTIVE=$_envhook_active \
        _ENVHOOK_PARANOID_CFG=$_envhook_paranoid_cfg "$_envhook_python" -I -S -c "$_envhook_entry" zsh "${_envhook_pypath[@]}")
    case $? in
        0) eval "$out" ;;
        3) _envhook_broken=1 ;;  # envhook cannot be imported any more; it said so once
        # Killed (kill -9, OOM) or interrupted before it printed anything: it may
        # have moved this shell's stamp already, so the watches would call the
        # change seen. Look again at the next prompt.
        *) _envhook_changed=(-e /) ;;
    esac
}

# Called by Python's output: file the state just assigned under the
# project's slot (a new one for a new project), then act on it.
_envhook_adopt() {
    emulate -L zsh
    local a s=${_envhook_slot_of[$_envhook_root]-}
    [[ -n $s ]] || s=$((++_envhook_nslots))
    _envhook_cur=$s
    for a in "${_envhook_known[@]}"; do _envhook_slot_of[$a]=$s; done
    typeset -g "_envhook_s${s}_root=$_envhook_root"
    set -A "_envhook_s${s}_changed" "${_envhook_changed[@]}"
    set -A "_envhook_s${s}_act" "${_envhook_act[@]}"
    _envhook_apply
}

_envhook_load() {
    emulate -L zsh
    local n=_envhook_s$1
    _envhook_cur=$1
    _envhook_root=${(P)${:-${n}_root}}
    _envhook_changed=("${(@P)${:-${n}_changed}}")
    _envhook_act=("${(@P)${:-${n}_act}}")
}

# Act on the project's slot (ENV PROMPT NO_SYNC STATE): activate ENV, or
# nothing when it is empty; a venv the user activated by hand wins over
# ours. ENVHOOK_STATE is exported either way, for the user's prompt.
_envhook_apply() {
    emulate -L zsh
    if [[ -z ${_envhook_act[1]-} ]]; then
        _envhook_deactivate
    elif [[ -n ${VIRTUAL_ENV-} && $VIRTUAL_ENV != "$_envhook_venv" ]]; then
        [[ -z $_envhook_venv || $_envhook_venv == "${_envhook_act[1]}" ]] || _envhook_deactivate
    elif [[ $_envhook_active != "${_envhook_act[3]}:${_envhook_act[1]}" ]]; then
        _envhook_activate "${_envhook_act[@]}"
    fi
    if [[ -n ${_envhook_act[4]-} ]]; then _envhook_set ENVHOOK_STATE "${_envhook_act[4]}"; fi
}

# Export NAME=VALUE (or unset NAME when no value is given), remembering the
# user's value the first time so that leaving restores exactly that.
_envhook_set() {
    emulate -L zsh
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
    emulate -L zsh
    local n o w
    for n in ${(s: :)_envhook_saved}; do  # on spaces, whatever the user's IFS
        o=_envhook_old_$n w=_envhook_new_$n
        if [[ ${(P)+n}${(P)n-} == "${(P)+w}${(P)w-}" ]]; then
            if (( ${(P)+o} )); then export "$n=${(P)o}"; else unset "$n"; fi
        fi
        unset "$o" "$w"
    done
    _envhook_saved=
}

_envhook_activate() {  # ENV PROMPT NO_SYNC [STATE]
    emulate -L zsh
    _envhook_deactivate
    _envhook_venv=$1
    _envhook_bin=$1/bin
    _envhook_active=$3:$1
    _envhook_set VIRTUAL_ENV "$1"
    _envhook_set _ENVHOOK_VENV "$3:$1"
    if [[ -n $2 ]]; then _envhook_set VIRTUAL_ENV_PROMPT "$2"; fi
    if (( ${+PYTHONHOME} )); then _envhook_set PYTHONHOME; fi
    if [[ $3 == 1 ]]; then _envhook_set UV_NO_SYNC 1; fi
    export PATH="$_envhook_bin${PATH:+:$PATH}"
}

_envhook_deactivate() {
    emulate -L zsh
    if [[ -n $_envhook_venv ]]; then
        # Remove only the one PATH entry we added; whatever the user added stays.
        local p=":${PATH-}:"
        p=${p/":$_envhook_bin:"/:}
        p=${p#:}
        export PATH="${p%:}"
        # A venv's activate script, sourced by hand over ours, saved PATH with
        # our entry in it: its `deactivate` would bring the entry back.
        if (( $+_OLD_VIRTUAL_PATH )); then
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
    emulate -L zsh
    _envhook_deactivate
    _envhook_root= _envhook_cur=
    _envhook_known=() _envhook_changed=() _envhook_act=()
}

# precmd covers every prompt, chpwd a `cd` inside a command line
# (`cd proj && python …`); add-zsh-hook keeps a re-sourced rc from
# registering twice.
autoload -Uz add-zsh-hook
add-zsh-hook precmd _envhook_hook
add-zsh-hook chpwd _envhook_hook

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
