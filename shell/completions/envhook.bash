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

# @generated@

# Complete by kind ($1, as the generated functions give it) the word $2; $3:
# the setting named before it (for setting-value).
_envhook_kind() {
    local REPLY
    case $1 in
        =*) _envhook_words "${1#=}" "$2" ;;
        dir) _envhook_dirs "$2" ;;
        file) compopt -o default 2>/dev/null ;;
        package)
            case $2 in
                */* | .*) _envhook_dirs "$2" ;;  # a directory names the project
                *) _envhook_words "$(_envhook_packages)" "$2" ;;
            esac
            ;;
        command)
            local w
            while IFS= read -r w; do COMPREPLY+=("$w"); done < <(compgen -c -- "$2")
            ;;
        setting) _envhook_settings && _envhook_words "$REPLY" "$2" ;;
        setting-value) _envhook_setting "$3" && _envhook_kind "$REPLY" "$2" ;;
    esac
}

_envhook() {
    local cur=${COMP_WORDS[COMP_CWORD]} REPLY
    COMPREPLY=()
    # Walk the words before the cursor as argparse would: subcommands deepen
    # the level, an option that takes a value takes the next word (or the
    # one after bash's `=` word), the rest are positionals, counted; past a
    # command's start (run -- CMD) every word is the command's.
    local i w level= n=0 want= setting= incmd=
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ -n $incmd ]]; then
            incmd=$((incmd + 1))
            continue
        fi
        case $w in
            --)
                _envhook_arg "$level $n"
                [[ $REPLY == command ]] && incmd=1
                continue
                ;;
            -*)
                _envhook_option_value "$level $w"
                [[ -z $REPLY ]] && continue
                [[ ${COMP_WORDS[i + 1]-} == = ]] && ((i++))
                if ((i + 1 == COMP_CWORD)); then want=$REPLY; fi
                ((i++))
                continue
                ;;
        esac
        _envhook_commands "$level"
        if [[ -n $REPLY ]] && ((n == 0)); then
            level=${level:+$level }$w
            continue
        fi
        _envhook_arg "$level $n"
        case $REPLY in
            command) incmd=2 ;;  # the command's first word, typed: its arguments follow
            setting) setting=$w ;;
        esac
        n=$((n + 1))
    done

    if [[ -n $want ]]; then
        _envhook_kind "$want" "$cur" "$setting"
    elif [[ $incmd == 1 ]]; then
        _envhook_kind command "$cur"
    elif [[ -n $incmd ]]; then
        compopt -o default 2>/dev/null  # the command's arguments: file names
    elif [[ $cur == -* ]]; then
        _envhook_options "$level"
        _envhook_words "$REPLY" "$cur"
    else
        _envhook_commands "$level"
        if [[ -n $REPLY ]] && ((n == 0)); then
            _envhook_words "$REPLY" "$cur"
        else
            _envhook_arg "$level $n"
            _envhook_kind "$REPLY" "$cur" "$setting"
        fi
    fi
    return 0
}

complete -F _envhook envhook
