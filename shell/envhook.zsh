# envhook for zsh. `envhook hook zsh` prints this file with the values marked
# __LIKE_THIS__ replaced by already-quoted strings; everything else is plain zsh.
#
# The hook answers "did anything change?" with builtins only: a string compare
# of $PWD, a walk up the tree with [[ -f ]], and [[ -nt ]] of the watched files
# against this shell's stamp. Only when the answer is "maybe" does it start
# Python (`envhook export zsh`), which decides, syncs if needed, and prints
# calls to the functions below. Every function starts with `emulate -L zsh`,
# so the user's options (ksh_arrays, sh_word_split, nounset…) do not leak in.

typeset -g _envhook_python=__ENVHOOK_PYTHON__
typeset -g _envhook_session=__ENVHOOK_SESSION__

# Sourcing the rc twice must not forget what an earlier hook activated.
typeset -g _envhook_root="${_envhook_root-}" _envhook_pwd="${_envhook_pwd-}"
typeset -g _envhook_stamp="${_envhook_stamp-}" _envhook_told="${_envhook_told-}"
typeset -g _envhook_venv="${_envhook_venv-}" _envhook_bin="${_envhook_bin-}" _envhook_active="${_envhook_active-}"
typeset -g _envhook_saved="${_envhook_saved-}" _envhook_broken="${_envhook_broken-}"
(( ${+_envhook_known} )) || typeset -ga _envhook_known
(( ${+_envhook_watch} )) || typeset -ga _envhook_watch
(( ${+_envhook_absent} )) || typeset -ga _envhook_absent

_envhook_hook() {
    # $? belongs to the user's last command; precmd functions after us must see it.
    local _envhook_rc=$?
    emulate -L zsh
    [[ -n ${ENVHOOK_DISABLE-} || -n $_envhook_broken ]] || _envhook_check
    return $_envhook_rc
}

_envhook_check() {
    emulate -L zsh
    local d found=
    if [[ -n $_envhook_root && $PWD == "$_envhook_pwd" ]]; then
        _envhook_fresh || _envhook_export
        return 0
    fi
    # The nearest pyproject.toml at or above $PWD decides which project we are in.
    d=$PWD
    while :; do
        if [[ -f $d/pyproject.toml ]]; then found=${d:-/}; break; fi
        [[ -n $d ]] || break
        d=${d%/*}
    done
    if [[ -z $found ]]; then
        [[ -z $_envhook_root && -z $_envhook_venv ]] || _envhook_leave
        return 0
    fi
    if [[ -n $_envhook_root && ${_envhook_known[(Ie)$found]} -gt 0 ]]; then
        _envhook_pwd=$PWD
        _envhook_fresh || _envhook_export
        return 0
    fi
    _envhook_export
}

# True when no watched file is newer than this shell's stamp, none has
# disappeared, and none that was absent has appeared.
_envhook_fresh() {
    emulate -L zsh
    local f
    for f in "${_envhook_watch[@]}"; do
        [[ -e $f && ! $f -nt $_envhook_stamp ]] || return 1
    done
    for f in "${_envhook_absent[@]}"; do
        [[ ! -e $f ]] || return 1
    done
    return 0
}

_envhook_export() {
    emulate -L zsh
    local out
    if [[ ! -x $_envhook_python ]]; then
        # envhook was uninstalled under a running shell: say so once, then stay quiet.
        print -ru2 -- "envhook: $_envhook_python is gone; remove the envhook line from your ~/.zshrc"
        _envhook_broken=1
        return 0
    fi
    out=$(_ENVHOOK_SESSION=$_envhook_session _ENVHOOK_TOLD=$_envhook_told \
        _ENVHOOK_ACTIVE=$_envhook_active "$_envhook_python" -I -m envhook export zsh) && eval "$out"
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
    for n in ${=_envhook_saved}; do
        o=_envhook_old_$n w=_envhook_new_$n
        if [[ ${(P)+n}${(P)n-} == "${(P)+w}${(P)w-}" ]]; then
            if (( ${(P)+o} )); then export "$n=${(P)o}"; else unset "$n"; fi
        fi
        unset "$o" "$w"
    done
    _envhook_saved=
}

_envhook_activate() {  # ENV PROMPT NO_SYNC
    emulate -L zsh
    _envhook_deactivate
    _envhook_venv=$1
    _envhook_bin=$1/bin
    _envhook_active=$3:$1
    _envhook_set VIRTUAL_ENV "$1"
    if [[ -n $2 ]]; then _envhook_set VIRTUAL_ENV_PROMPT "$2"; fi
    if (( ${+PYTHONHOME} )); then _envhook_set PYTHONHOME; fi
    if [[ $3 == 1 ]]; then _envhook_set UV_NO_SYNC 1; fi
    export PATH="$_envhook_bin${PATH:+:$PATH}"
}

_envhook_deactivate() {
    emulate -L zsh
    [[ -n $_envhook_venv ]] || return 0
    # Remove only the one PATH entry we added; whatever the user added stays.
    local p=":${PATH-}:"
    p=${p/":$_envhook_bin:"/:}
    p=${p#:}
    export PATH="${p%:}"
    _envhook_restore
    _envhook_venv= _envhook_bin= _envhook_active=
}

_envhook_leave() {
    emulate -L zsh
    _envhook_deactivate
    _envhook_root= _envhook_pwd= _envhook_stamp=
    _envhook_known=() _envhook_watch=() _envhook_absent=()
}

# precmd covers every prompt, chpwd a `cd` inside a command line
# (`cd proj && python …`); the membership test keeps a re-sourced rc from
# registering twice.
autoload -Uz add-zsh-hook
add-zsh-hook precmd _envhook_hook
add-zsh-hook chpwd _envhook_hook
