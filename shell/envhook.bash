# envhook for bash. `envhook hook bash` prints this file with the values marked
# __LIKE_THIS__ replaced by already-quoted strings; everything else is plain bash.
#
# The prompt hook answers "did anything change?" with builtins only: a string
# compare of $PWD, a walk up the tree with [[ -f ]], and [[ -nt ]] of the watched
# files against this shell's stamp. Only when the answer is "maybe" does it start
# Python (`envhook export bash`), which decides, syncs if needed, and prints
# calls to the functions below.

_envhook_python=__ENVHOOK_PYTHON__
_envhook_session=__ENVHOOK_SESSION__

# Sourcing the rc twice must not forget what an earlier hook activated,
# so state survives and only missing variables are initialised.
: "${_envhook_root=}" "${_envhook_pwd=}" "${_envhook_stamp=}" "${_envhook_told=}"
: "${_envhook_venv=}" "${_envhook_bin=}" "${_envhook_active=}" "${_envhook_saved=}" "${_envhook_broken=}"
[[ -n ${_envhook_known+x} ]] || _envhook_known=()
[[ -n ${_envhook_watch+x} ]] || _envhook_watch=()
[[ -n ${_envhook_absent+x} ]] || _envhook_absent=()

_envhook_hook() {
    # $? belongs to the user's last command; the prompt after us must see it.
    local _envhook_rc=$?
    [[ -n ${ENVHOOK_DISABLE-} || -n $_envhook_broken ]] || _envhook_check
    return $_envhook_rc
}

_envhook_check() {
    local d found
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
    if [[ -z ${found-} ]]; then
        [[ -z $_envhook_root && -z $_envhook_venv ]] || _envhook_leave
        return 0
    fi
    if [[ -n $_envhook_root ]]; then
        for d in "${_envhook_known[@]}"; do
            if [[ $d == "$found" ]]; then
                _envhook_pwd=$PWD
                _envhook_fresh || _envhook_export
                return 0
            fi
        done
    fi
    _envhook_export
}

# True when no watched file is newer than this shell's stamp, none has
# disappeared, and none that was absent has appeared.
_envhook_fresh() {
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
    local out
    if [[ ! -x $_envhook_python ]]; then
        # envhook was uninstalled under a running shell: say so once, then stay quiet.
        printf 'envhook: %s is gone; remove the envhook line from your ~/.bashrc\n' "$_envhook_python" >&2
        _envhook_broken=1
        return 0
    fi
    out=$(_ENVHOOK_SESSION=$_envhook_session _ENVHOOK_TOLD=$_envhook_told \
        _ENVHOOK_ACTIVE=$_envhook_active "$_envhook_python" -I -m envhook export bash) && eval "$out"
}

# Export NAME=VALUE (or unset NAME when no value is given), remembering the
# user's value the first time so that leaving restores exactly that.
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

# Put back what _envhook_set changed, but only where the value is still ours:
# a variable the user changed since is the user's now.
_envhook_restore() {
    local n o w
    for n in $_envhook_saved; do
        o=_envhook_old_$n w=_envhook_new_$n
        if [[ ${!n+x}${!n-} == "${!w+x}${!w-}" ]]; then
            if [[ -n ${!o+x} ]]; then export "$n=${!o}"; else unset "$n"; fi
        fi
        unset "$o" "$w"
    done
    _envhook_saved=
}

_envhook_activate() {  # ENV PROMPT NO_SYNC
    _envhook_deactivate
    _envhook_venv=$1
    _envhook_bin=$1/bin
    _envhook_active=$3:$1
    _envhook_set VIRTUAL_ENV "$1"
    if [[ -n $2 ]]; then _envhook_set VIRTUAL_ENV_PROMPT "$2"; fi
    if [[ -n ${PYTHONHOME+x} ]]; then _envhook_set PYTHONHOME; fi
    if [[ $3 == 1 ]]; then _envhook_set UV_NO_SYNC 1; fi
    PATH=$_envhook_bin${PATH:+:$PATH}
    export PATH
}

_envhook_deactivate() {
    [[ -n $_envhook_venv ]] || return 0
    # Remove only the one PATH entry we added; whatever the user added stays.
    local p=":${PATH-}:"
    p=${p/":$_envhook_bin:"/:}
    p=${p#:}
    PATH=${p%:}
    _envhook_restore
    _envhook_venv= _envhook_bin= _envhook_active=
}

_envhook_leave() {
    _envhook_deactivate
    _envhook_root= _envhook_pwd= _envhook_stamp=
    _envhook_known=() _envhook_watch=() _envhook_absent=()
}

# Run first, so that the user's own prompt commands still see the real $?.
if [[ ";${PROMPT_COMMAND[*]-};" != *";_envhook_hook;"* ]]; then
    if [[ "$(declare -p PROMPT_COMMAND 2>&1)" == "declare -a"* ]]; then
        PROMPT_COMMAND=(_envhook_hook "${PROMPT_COMMAND[@]}")
    else
        PROMPT_COMMAND="_envhook_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
    fi
fi
