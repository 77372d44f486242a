# bash completion for envhook: `envhook completion bash`.
#
# Load it with `source <(envhook completion bash)`, or let bash-completion
# find it: install.sh puts it at
# ${XDG_DATA_HOME:-~/.local/share}/bash-completion/completions/envhook.
# Plain `complete -F` and `compgen`: it needs nothing from bash-completion,
# and it runs no program (package names come from the active env's
# *.dist-info directories).

# The canonical names of the packages in the active env ($VIRTUAL_ENV).
_envhook_packages() {
    [[ -n ${VIRTUAL_ENV-} ]] || return 0
    # Glob whatever the user's options: no failglob, nullglob, no `set -f`.
    local restore f name
    restore=$(shopt -p nullglob failglob)
    [[ $- == *f* ]] && restore+="; set -f"
    shopt -s nullglob
    shopt -u failglob
    set +f
    local files=("$VIRTUAL_ENV"/lib/*/site-packages/*.dist-info)
    eval "$restore"
    for f in ${files[@]+"${files[@]}"}; do
        [[ -d $f ]] || continue
        name=${f##*/}
        name=${name%%-*}
        name=${name%.dist-info}
        # compgen -W expands its words: pass only what a name can hold.
        [[ -n $name && $name != *[!A-Za-z0-9._]* ]] || continue
        name=${name//[_.]/-}
        if ((BASH_VERSINFO[0] >= 4)); then name=${name,,}; fi
        printf '%s\n' "$name"
    done
}

# Add the directories that start with $1 to COMPREPLY (quoted by readline).
_envhook_dirs() {
    local dir
    compopt -o filenames 2>/dev/null
    while IFS= read -r dir; do
        COMPREPLY+=("$dir")
    done < <(compgen -d -- "$1")
}

# Add the words in $1 that start with $2 to COMPREPLY.
_envhook_words() {
    local word
    while IFS= read -r word; do
        COMPREPLY+=("$word")
    done < <(IFS=$' \t\n' compgen -W "$1" -- "$2")
}

_envhook() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()

    # The subcommand, and the positional words typed after it.
    local i w cmd=
    local -a args=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
            -*) ;;
            *)
                if [[ -z $cmd ]]; then cmd=$w; else args+=("$w"); fi
                ;;
        esac
    done

    if [[ -z $cmd ]]; then
        case $cur in
            -*) _envhook_words "--help --version --quiet" "$cur" ;;
            *) _envhook_words "hook status pin unpin sync allow deny config doctor run exec env completion" "$cur" ;;
        esac
        return 0
    fi

    local opts="--help"
    case $cmd in
        hook) opts="--help --output" ;;
        status) opts="--help --json --short" ;;
        pin) opts="--help --tinkered --absent --note" ;;
        sync) opts="--help --force --reset" ;;
        allow) opts="--help --config" ;;
        config) [[ ${args[0]-} == get ]] && opts="--help --json" ;;
        run | exec) opts="--help --no-sync" ;;
        env) opts="--help --json --shell --github-actions --no-sync" ;;
    esac
    if [[ $cmd == run || $cmd == exec ]]; then
        # After `--` (or the first word that is not an option): CMD and its arguments.
        for ((i = 2; i < COMP_CWORD; i++)); do
            if [[ ${COMP_WORDS[i]} == -- ]]; then
                if ((i == COMP_CWORD - 1)); then
                    while IFS= read -r w; do COMPREPLY+=("$w"); done < <(compgen -c -- "$cur")
                else
                    compopt -o default 2>/dev/null
                fi
                return 0
            fi
        done
        if [[ $prev == -C ]]; then
            _envhook_dirs "$cur"
            return 0
        fi
    fi
    if [[ $cur == -* ]]; then
        _envhook_words "$opts" "$cur"
        return 0
    fi

    case $cmd in
        hook)
            if [[ $prev == -o || $prev == --output ]]; then
                compopt -o default 2>/dev/null  # a file name
            elif ((${#args[@]} == 0)); then
                _envhook_words "bash zsh fish xonsh nu elvish tcsh" "$cur"
            fi
            ;;
        completion)
            ((${#args[@]} == 0)) && _envhook_words "bash zsh fish" "$cur"
            ;;
        status | sync | allow | deny)
            if [[ $cmd == allow && $prev == --config ]]; then
                compopt -o default 2>/dev/null  # a file name
            else
                ((${#args[@]} == 0)) && _envhook_dirs "$cur"
            fi
            ;;
        env)
            if [[ $prev == --shell ]]; then
                _envhook_words "bash zsh fish xonsh nu elvish tcsh" "$cur"
            elif ((${#args[@]} == 0)); then
                _envhook_dirs "$cur"
            fi
            ;;
        pin | unpin)
            # --note's value (bash splits `--note=x` at the =).
            [[ $prev == --note ]] && return 0
            ((COMP_CWORD > 1)) && [[ $prev == = && ${COMP_WORDS[COMP_CWORD - 2]} == --note ]] && return 0
            case $cur in
                */* | .*) _envhook_dirs "$cur" ;;
                *) _envhook_words "$(_envhook_packages)" "$cur" ;;
            esac
            ;;
        config)
            if ((${#args[@]} == 0)); then
                _envhook_words "list get set unset" "$cur"
            elif ((${#args[@]} == 1)); then
                case ${args[0]} in
                    get | set | unset)
                        _envhook_words "sync trusted_roots paranoid tinkered uv_no_sync_when_pinned uv_no_sync_when_tinkered notify slow_sync_notice disabled_paths" "$cur"
                        ;;
                esac
            elif [[ ${args[0]} == set ]]; then
                case ${args[1]} in
                    paranoid | uv_no_sync_when_pinned | uv_no_sync_when_tinkered)
                        ((${#args[@]} == 2)) && _envhook_words "true false" "$cur"
                        ;;
                    tinkered) ((${#args[@]} == 2)) && _envhook_words "keep freeze reset" "$cur" ;;
                    sync) ((${#args[@]} == 2)) && _envhook_words "changed missing" "$cur" ;;
                    notify) ((${#args[@]} == 2)) && _envhook_words "once always never" "$cur" ;;
                    trusted_roots | disabled_paths) _envhook_dirs "$cur" ;;
                esac
            fi
            ;;
    esac
    return 0
}

complete -F _envhook envhook
