# envhook for zsh: what zsh says in its own way (variable indirection:
# reading, copying, saving and restoring by name; how the hook is
# registered; `envhook doctor`'s questions), then the hook that bash and zsh
# share (envhook.sh). `envhook hook zsh` prints the two as one, with the
# values marked __LIKE_THIS__ replaced by already-quoted strings.
#
# Every function runs with zsh's own options plus ksh_arrays and
# sh_word_split (sticky emulation, set up by _envhook_emulate), so arrays
# count from 0 and words split as in bash, and the user's options (nounset,
# ksh_arrays or not…) do not leak in.


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
    # Unsetting what is not set changes nothing, and leaves nothing to restore.
    (( $# > 1 || ${(P)+n} )) || return 0
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


# @include envhook.sh
