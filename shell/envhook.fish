# envhook for fish. `envhook hook fish` prints this file with the values marked
# __LIKE_THIS__ replaced by already-quoted strings; everything else is plain fish.
#
# The hook answers "did anything change?" with builtins only: a string compare
# of $PWD, a walk up the tree with `test -f`, and `test -nt` of the watched
# files against this shell's stamp. Only when the answer is "maybe" does it
# start Python (`envhook export fish`), which decides, syncs if needed, and
# prints calls to the functions below.

set -g _envhook_python __ENVHOOK_PYTHON__
set -g _envhook_session __ENVHOOK_SESSION__

# Sourcing the config twice must not forget what an earlier hook activated.
for _envhook_v in _envhook_root _envhook_pwd _envhook_stamp _envhook_told _envhook_venv _envhook_bin _envhook_active _envhook_broken _envhook_saved _envhook_known _envhook_watch _envhook_absent
    set -q $_envhook_v; or set -g $_envhook_v
end
set -e _envhook_v

function _envhook_hook --on-event fish_prompt --on-variable PWD
    # fish keeps $status for the prompt itself, but other handlers and the
    # prompt function read it after us, so hand it back untouched.
    set -l rc $status
    if test -z "$ENVHOOK_DISABLE$_envhook_broken"
        _envhook_check
    end
    return $rc
end

function _envhook_check
    if test -n "$_envhook_root"; and test "$PWD" = "$_envhook_pwd"
        _envhook_fresh; or _envhook_export
        return 0
    end
    # The nearest pyproject.toml at or above $PWD decides which project we are in.
    set -l d $PWD
    set -l found
    while true
        if test -f "$d/pyproject.toml"
            set found $d
            test -n "$found"; or set found /
            break
        end
        test -n "$d"; or break
        set d (string replace -r '/[^/]*$' '' -- $d)
    end
    if test -z "$found"
        if test -n "$_envhook_root"; or test -n "$_envhook_venv"
            _envhook_leave
        end
        return 0
    end
    if test -n "$_envhook_root"; and contains -- $found $_envhook_known
        set -g _envhook_pwd $PWD
        _envhook_fresh; or _envhook_export
        return 0
    end
    _envhook_export
end

# True when no watched file is newer than this shell's stamp, none has
# disappeared, and none that was absent has appeared.
function _envhook_fresh
    for f in $_envhook_watch
        test -e $f; or return 1
        test $f -nt $_envhook_stamp; and return 1
    end
    for f in $_envhook_absent
        test -e $f; and return 1
    end
    return 0
end

function _envhook_export
    if not test -x "$_envhook_python"
        # envhook was uninstalled under a running shell: say so once, then stay quiet.
        printf 'envhook: %s is gone; remove the envhook line from your fish config\n' $_envhook_python >&2
        set -g _envhook_broken 1
        return 0
    end
    set -l out (_ENVHOOK_SESSION=$_envhook_session _ENVHOOK_TOLD=$_envhook_told _ENVHOOK_ACTIVE=$_envhook_active $_envhook_python -I -m envhook export fish)
    # The output is one line (newlines inside values are escaped), so the list
    # `out` has one element and eval sees exactly what Python printed.
    and eval $out
end

# Export NAME=VALUE (or erase NAME when no value is given), remembering the
# user's value the first time so that leaving restores exactly that.
function _envhook_set
    set -l n $argv[1]
    if not contains -- $n $_envhook_saved
        set -ga _envhook_saved $n
        if set -q $n
            set -g _envhook_old_$n $$n
        else
            set -e _envhook_old_$n
        end
    end
    if set -q argv[2]
        set -gx $n $argv[2]
        set -g _envhook_new_$n $argv[2]
    else
        set -e $n
        set -e _envhook_new_$n
    end
end

# Put back what _envhook_set changed, but only where the value is still ours:
# a variable the user changed since is the user's now.
function _envhook_restore
    for n in $_envhook_saved
        set -l o _envhook_old_$n
        set -l w _envhook_new_$n
        set -l now_set (set -q $n; and echo 1)
        set -l ours_set (set -q $w; and echo 1)
        if test "$now_set" = "$ours_set"; and test "$$n" = "$$w"
            if set -q $o
                set -gx $n $$o
            else
                set -e $n
            end
        end
        set -e $o
        set -e $w
    end
    set -g _envhook_saved
end

function _envhook_activate --argument-names env prompt no_sync
    _envhook_deactivate
    set -g _envhook_venv $env
    set -g _envhook_bin $env/bin
    set -g _envhook_active "$no_sync:$env"
    _envhook_set VIRTUAL_ENV $env
    test -n "$prompt"; and _envhook_set VIRTUAL_ENV_PROMPT $prompt
    set -q PYTHONHOME; and _envhook_set PYTHONHOME
    test "$no_sync" = 1; and _envhook_set UV_NO_SYNC 1
    set -gx PATH $_envhook_bin $PATH
end

function _envhook_deactivate
    test -n "$_envhook_venv"; or return 0
    # Remove only the one PATH entry we added; whatever the user added stays.
    set -l i (contains -i -- $_envhook_bin $PATH)
    and set -e PATH[$i[1]]
    _envhook_restore
    set -g _envhook_venv
    set -g _envhook_bin
    set -g _envhook_active
end

function _envhook_leave
    _envhook_deactivate
    set -g _envhook_root
    set -g _envhook_pwd
    set -g _envhook_stamp
    set -g _envhook_known
    set -g _envhook_watch
    set -g _envhook_absent
end
