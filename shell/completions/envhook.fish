# fish completion for envhook: `envhook completion fish`.
#
# fish autoloads it from ${XDG_CONFIG_HOME:-~/.config}/fish/completions/envhook.fish,
# where install.sh puts it; `envhook completion fish | source` loads it by hand.
# It runs no program: package names come from the active env's *.dist-info
# directories.

# Walk the words before the cursor as argparse would, and print: the level
# (the subcommands typed, joined by a space), the positionals typed after it,
# 1 if the cursor is at an option's value, and where a command line given to
# `run` starts (its first token's index; 0: none), and the setting named
# (`config set KEY VALUE…`).
# Every `complete` line's condition asks it: one walk per command line,
# kept in a global until the line changes.
function __envhook_walk
    set -l key (commandline -c)
    if set -q __envhook_walked; and test "$__envhook_walked_for" = "$key"
        printf '%s\n' $__envhook_walked
        return
    end
    set -g __envhook_walked (__envhook_walk_words)
    set -g __envhook_walked_for $key
    printf '%s\n' $__envhook_walked
end

function __envhook_walk_words
    set -l words (commandline -opc)
    set -l level ''
    set -l n 0
    set -l value 0
    set -l cmd 0
    set -l setting ''
    set -l i 1
    while test $i -lt (count $words)
        set i (math $i + 1)
        set -l w $words[$i]
        if test $cmd -gt 0
            continue
        end
        if test $value = 1
            set value 0
            continue
        end
        switch $w
            case --
                test (__envhook_arg "$level" $n) = command; and set cmd (math $i + 1)
                continue
            case '--*=*'
                continue
            case '-*'
                set -l takes (__envhook_option_value "$level" $w)
                test -n "$takes"; and set value 1
                continue
        end
        set -l commands (__envhook_commands "$level")
        if test $n = 0; and test -n "$commands"
            set level (string trim -- "$level $w")
            continue
        end
        switch (__envhook_arg "$level" $n)
            case command
                set cmd $i
            case setting
                set setting $w
        end
        set n (math $n + 1)
    end
    printf '%s\n' "$level" $n $value $cmd "$setting"
end

# True at level $argv[1] (its options), outside a command line given to run.
function __envhook_in
    set -l at (__envhook_walk)
    test "$at[1]" = "$argv[1]"; and test $at[4] = 0
end

# True at positional $argv[2] of level $argv[1] (N, or N+ for N and after).
function __envhook_at
    set -l at (__envhook_walk)
    test "$at[1]" = "$argv[1]"; and test $at[3] = 0; and test $at[4] = 0; or return 1
    switch $argv[2]
        case '*+'
            test $at[2] -ge (string trim -r -c + -- $argv[2])
        case '*'
            test $at[2] = $argv[2]
    end
end

# Complete the command line given to `run`/`exec` as fish completes that
# command (0 from the walk: the command starts at the cursor, where an
# option is envhook's own).
function __envhook_command
    set -l start (__envhook_walk)[4]
    set -l cur (commandline -ct)
    set -l words (commandline -opc)
    # (A range past the end would run backwards in fish: none then.)
    if test $start -gt 0 -a $start -le (count $words)
        set words $words[$start..-1]
    else
        test $start = 0; and string match -q -- '-*' $cur; and return
        set words
    end
    set -l line (string join ' ' -- (string escape -- $words) $cur)
    complete -C"$line"
end

# The canonical names of the packages in the active env ($VIRTUAL_ENV).
function __envhook_packages
    set -q VIRTUAL_ENV[1]; or return
    set -l found $VIRTUAL_ENV/lib/*/site-packages/*.dist-info
    for f in $found
        string replace -r -- '^.*/([^/-]+)(-[^/]*)?\.dist-info$' '$1' $f | string lower | string replace -ra -- '[_.]' -
    end
end

complete -c envhook -f
# Inside a command line given to run/exec: that command's own completions.
complete -c envhook -n 'test (__envhook_walk)[4] -gt 0' -a '(__envhook_command)'

# @generated@
