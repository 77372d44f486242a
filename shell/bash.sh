# envhook for bash (4.2 or newer): what bash says in its own way (variable
# indirection; the cd/pushd/popd wrapper, as bash has no hook on a directory
# change; how the hook is registered; `envhook doctor`'s questions), then the
# hook that bash and zsh share (envhook.sh). `envhook hook bash` prints the
# two as one, with the values marked __LIKE_THIS__ replaced by already-quoted
# strings.

# Older bash (macOS's /bin/bash is 3.2) lacks what this file uses (declare -g,
# associative arrays): it says so once and defines nothing. An `if` rather
# than `return`, because `return` inside the rc file's eval would end the
# rc file itself. The body below stays unindented to read as the file it is.
if (( BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 402 )); then
    printf 'envhook: bash %s is too old for the hook (4.2 or newer needed): install a newer bash (macOS: brew install bash) and make it your shell, or use zsh; envhook run works meanwhile\n' "$BASH_VERSION" >&2
else


_envhook_get() { [[ -n ${!1+x} ]] && _envhook_val=${!1}; }

_envhook_copy() { eval "$1=(\"\${$2[@]}\")"; }  # the names are ours; the values are not evaluated

_envhook_set() {
    local n=$1 o=_envhook_old_$1
    # Unsetting what is not set changes nothing, and leaves nothing to restore.
    [[ $# -gt 1 || -n ${!n+x} ]] || return 0
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


# @include envhook.sh

fi
