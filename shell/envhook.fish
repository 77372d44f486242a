# envhook for fish. `envhook hook fish` prints this file with the values marked
# __LIKE_THIS__ replaced by already-quoted strings; everything else is plain fish.
#
# The hook answers "did anything change?" with builtins only: string compares
# of $PWD, a cache of which project each directory seen belongs to, and
# `test -nt` of the project's watched files against this shell's stamp. Only
# when the answer is "maybe" does it start Python (`envhook export`), which
# decides, syncs if needed, and prints assignments plus a call of
# _envhook_adopt. Each project visited keeps a numbered slot, so coming back
# to it while nothing changed costs no process either. fish has no
# associative arrays: the caches are pairs of lists searched with `contains`.

set -g _envhook_python __ENVHOOK_PYTHON__
set -g _envhook_pypath __ENVHOOK_PYPATH__
set -g _envhook_entry __ENVHOOK_ENTRY__
set -g _envhook_session __ENVHOOK_SESSION__
# The `paranoid` setting as it was when this hook was printed (ENVHOOK_PARANOID, when set, wins).
set -g _envhook_paranoid_cfg __ENVHOOK_PARANOID__

# Sourcing the config twice must not forget what an earlier hook activated.
for _envhook_v in _envhook_root _envhook_pwd _envhook_told _envhook_venv _envhook_bin _envhook_active \
        _envhook_broken _envhook_saved _envhook_known _envhook_changed _envhook_act _envhook_here _envhook_cur \
        _envhook_pending _envhook_dir_keys _envhook_dir_vals _envhook_slot_keys _envhook_slot_vals _envhook_settle \
        _envhook_gone
    set -q $_envhook_v; or set -g $_envhook_v
end
set -q _envhook_nslots; or set -g _envhook_nslots 0
# State kept by a hook of another protocol (the rc sourced again after an
# upgrade): its slots hold what that protocol printed, which this code would
# misread (and run, where it evals them). They are forgotten; what is active
# stays ours to undo, and the next prompt asks Python afresh.
if not set -q _envhook_protocol; or test "$_envhook_protocol" != __ENVHOOK_PROTOCOL__
    set -g _envhook_slot_keys
    set -g _envhook_slot_vals
    set -g _envhook_nslots 0
    set -g _envhook_cur
    set -g _envhook_here
    set -g _envhook_act
    set -g _envhook_pwd
    set -g _envhook_protocol __ENVHOOK_PROTOCOL__
end
set -e _envhook_v
set -gx _ENVHOOK_HOOKED "$fish_pid:$_envhook_python"  # which shell loaded the hook, running which envhook: for `envhook doctor`

# A shell started inside one where envhook had activated an env (`fish`,
# `exec bash`, a terminal that inherits the environment) finds that
# activation exported, marked by _ENVHOOK_VENV=NO_SYNC:ENV. It is taken over
# as this shell's own, so leaving the project, or entering another one,
# undoes it here too. What the variables held before the parent activated is
# not exported: envhook only activates where no venv was active, so unset.
if test -z "$_envhook_venv"; and set -q _ENVHOOK_VENV VIRTUAL_ENV
    and test "$VIRTUAL_ENV" = (string replace -r '^[^:]*:' '' -- $_ENVHOOK_VENV)
    set -g _envhook_venv $VIRTUAL_ENV
    set -g _envhook_bin $VIRTUAL_ENV/bin
    set -g _envhook_active $_ENVHOOK_VENV
    # What an activation exports (env.activation.Changes), and UV_NO_SYNC
    # when that activation exported it ("1:ENV").
    set -l _envhook_names __ENVHOOK_TAKEN__
    string match -q '1:*' -- $_ENVHOOK_VENV; and set -a _envhook_names __ENVHOOK_TAKEN_NO_SYNC__
    for _envhook_v in $_envhook_names
        set -q $_envhook_v; or continue
        set -ga _envhook_saved $_envhook_v
        set -g _envhook_new_$_envhook_v $$_envhook_v
    end
    set -e _envhook_v
    # A login shell rebuilt PATH since (/etc/profile, macOS's path_helper):
    # the env's bin goes back in front, where the activation had put it; and
    # once more at the first prompt, where a shell started here activates:
    # config.fish, read after conf.d, may put directories before it
    # (~/.local/bin), and their python3.X or ruff would run.
    function _envhook_front --on-event fish_prompt
        set -l rc $status  # the prompt reads it after us
        functions -e _envhook_front  # the first prompt only
        if test -n "$_envhook_bin"  # still ours
            set -l i (contains -i -- $_envhook_bin $PATH)
            and set -e PATH[$i]
            set -gx PATH $_envhook_bin $PATH
        end
        return $rc
    end
    set -l _envhook_i (contains -i -- $_envhook_bin $PATH)
    and set -e PATH[$_envhook_i]
    set -gx PATH $_envhook_bin $PATH
end

function _envhook_hook --on-event fish_prompt --on-variable PWD
    # Other handlers and the prompt read $status after us: hand it back untouched.
    set -l rc $status
    if test -z "$ENVHOOK_DISABLE$_envhook_broken"
        if set -q _OLD_VIRTUAL_PATH; and test -n "$_envhook_venv"
            _envhook_disown  # an activate script was sourced over ours
        else if test "$PWD" != "$_envhook_pwd"
            _envhook_cd $argv[1]
        else if test -n "$_envhook_root"
            # Same directory, same project: the watches are the whole cost of a
            # prompt (inlined: a function call costs fish as much as a test).
            if test $_envhook_changed; or begin; not contains -- $PWD $_envhook_known; and test -e "$PWD/pyproject.toml"; end
                _envhook_export $argv[1]
            end
        else if test -f "$PWD/pyproject.toml" -o -f "$PWD/requirements.txt"
            _envhook_export $argv[1]  # a project was created right here (uv init)
        end
    end
    return $rc
end

# DIR's parent, NUL-ended: a command substitution splits at newlines, which a
# directory's name may hold. fish before 3.5 has no `path`: there such a
# name is cut at its newline.
if contains -- path (builtin -n)
    function _envhook_parent
        path dirname -Z -- $argv[1]
    end
else
    function _envhook_parent
        printf '%s\0' (string replace -r '/[^/]*$' '' -- $argv[1])
    end
end

function _envhook_cd  # [EVENT: VARIABLE when PWD changed inside a command line]
    set -g _envhook_pwd $PWD
    # Directories already seen in the current project: a plain `contains`, no
    # command substitution (which costs fish more than the rest of the check).
    if contains -- $PWD $_envhook_here
        _envhook_fresh; or _envhook_export $argv[1]
        return 0
    end
    # Which project is this directory in? A directory seen before answers from
    # the cache, so `cd` costs the same at any depth; a new one walks up only
    # until it meets a directory already known.
    set -l found
    if set -l i (contains -i -- $PWD $_envhook_dir_keys)
        set found $_envhook_dir_vals[$i]
    end
    if test -z "$found"; or begin; test "$found" != "$PWD"; and test -f "$PWD/pyproject.toml" -o -f "$PWD/requirements.txt"; end
        set -l d $PWD
        set -l req
        while true
            if test -f "$d/pyproject.toml"
                set found $d
                test -n "$found"; or set found /
                break
            end
            if test -z "$req"; and test -f "$d/requirements.txt"
                set req $d
                test -n "$req"; or set req /
            end
            if test -z "$d"
                set found -
                break
            end
            set d (_envhook_parent $d | string split0)
            test "$d" != /; or set d ''
            set -l key $d
            test -n "$key"; or set key /
            if set -l j (contains -i -- $key $_envhook_dir_keys)
                set found $_envhook_dir_vals[$j]
                break
            end
        end
        if test (count $_envhook_dir_keys) -ge 4096
            set -g _envhook_dir_keys
            set -g _envhook_dir_vals
        end
        # A requirements.txt makes a project only where no pyproject.toml is
        # above it (docs/requirements.txt belongs to the project): paths.py's rule.
        if test -n "$req"; and begin; test "$found" = -; or not test -f "$found/pyproject.toml"; end
            set found $req
        end
        set -ga _envhook_dir_keys $PWD
        set -ga _envhook_dir_vals $found
    end
    if test "$found" = -
        test "$_envhook_pending" != 2; or set -g _envhook_pending 1
        if test -n "$_envhook_root"; or test -n "$_envhook_venv"
            _envhook_leave
        end
        return 0
    end
    if test "$_envhook_pending" = 2
        # Asked again after a Ctrl-C cut it off, and cut off again: the user
        # wants the prompt now. Ask at the next one.
        set -g _envhook_pending 1
        set -g _envhook_pwd
        return 0
    end
    if test -z "$_envhook_pending"; and set -l k (contains -i -- $found $_envhook_slot_keys)
        set -l slot $_envhook_slot_vals[$k]
        if test "$slot" != "$_envhook_cur"
            _envhook_load $slot
            if _envhook_fresh; and not _envhook_paranoid
                _envhook_apply
                set -ga _envhook_here $PWD
                return 0
            end
        else if _envhook_fresh
            set -ga _envhook_here $PWD
            return 0
        end
    end
    _envhook_export $argv[1]
end

# Paranoid mode (ENVHOOK_PARANOID or the setting, read as trust.py reads them) ties trust to
# content, which mtimes cannot vouch for (tar x, rsync -a and cp -a keep old
# ones): entering a project asks Python, whose decision cache also compares
# ctimes and inodes. Moving around inside the project stays builtin-only.
function _envhook_paranoid
    set -l v $_envhook_paranoid_cfg
    set -q ENVHOOK_PARANOID; and set v $ENVHOOK_PARANOID
    switch "$v"
        case '' 0 false False FALSE no No NO off Off OFF
            return 1
    end
    return 0
end

# True when nothing the project's decision depends on has changed: Python
# hands over one `test` expression (a watched path newer than this shell's
# stamp — a directory's mtime shows entries created, deleted or renamed in
# it — an absent path created, a present one gone); and no project was
# created in the directory we stand in.
function _envhook_fresh
    not test $_envhook_changed
    and begin; contains -- $PWD $_envhook_known; or not test -e "$PWD/pyproject.toml"; end
end

function _envhook_export  # [EVENT]
    if not test -x "$_envhook_python"
        # envhook was uninstalled under a running shell: say so once, then stay quiet.
        printf "envhook: this shell's hook has stopped (%s is gone: envhook was uninstalled or moved); open a new shell (or `exec \$SHELL`)\n" $_envhook_python >&2
        _envhook_stop
        return 0
    end
    # Python may have learned of new projects: directories are looked up afresh.
    set -g _envhook_dir_keys
    set -g _envhook_dir_vals
    set -g _envhook_here
    # A Ctrl-C while Python runs (a sync it started, which it stops and
    # records) makes fish cancel this function once Python exits, and with
    # it the state Python printed (`failed`…); the slots and watches left
    # would call the old state fresh. So the call is marked pending, and no
    # PWD is known, until its answer is applied: the prompt drawn after the
    # Ctrl-C asks again (_envhook_cd), at once.
    if test -n "$_envhook_pending"
        set -g _envhook_pending 2
    else
        set -g _envhook_pending 1
    end
    set -g _envhook_pwd
    # At a prompt, though, fish draws the next one after a Ctrl-C without
    # firing fish_prompt again: there a SIGINT handler keeps this function
    # going instead (Python still gets the Ctrl-C: fish's children keep the
    # default). Inside a command line (the PWD event: `cd proj && make`)
    # the line stops, and its prompt asks again.
    if test "$argv[1]" != VARIABLE
        function _envhook_int --on-signal SIGINT
        end
    end
    # The output is one line (newlines inside values are escaped), so the list
    # `out` has one element and eval sees exactly what Python printed.
    set -l out (_ENVHOOK_SESSION=$_envhook_session _ENVHOOK_TOLD=$_envhook_told _ENVHOOK_ACTIVE=$_envhook_active \
        _ENVHOOK_PARANOID_CFG=$_envhook_paranoid_cfg $_envhook_python -I -S -c $_envhook_entry fish $_envhook_pypath)
    set -l rc $status
    functions -q _envhook_int; and functions -e _envhook_int
    switch $rc
        case 0
            eval $out
        case 3
            _envhook_stop  # envhook cannot be imported any more; it said so once
        case '*'
            # Killed (kill -9, OOM) or interrupted before it printed anything: it
            # may have moved this shell's stamp already, so the watches would call
            # the change seen. Look again at the next prompt.
            set -g _envhook_changed -e /
    end
    set -g _envhook_pending
end

# Called by Python's output: file the state just assigned under the
# project's slot (a new one for a new project), then act on it.
function _envhook_adopt
    set -l s
    if set -l k (contains -i -- $_envhook_root $_envhook_slot_keys)
        set s $_envhook_slot_vals[$k]
    else
        set -g _envhook_nslots (math $_envhook_nslots + 1)
        set s $_envhook_nslots
    end
    set -g _envhook_cur $s
    set -g _envhook_here $PWD
    for a in $_envhook_known
        if set -l k (contains -i -- $a $_envhook_slot_keys)
            set _envhook_slot_vals[$k] $s
        else
            set -ga _envhook_slot_keys $a
            set -ga _envhook_slot_vals $s
        end
    end
    set -g _envhook_s{$s}_root $_envhook_root
    set -g _envhook_s{$s}_known $_envhook_known
    set -g _envhook_s{$s}_changed $_envhook_changed
    set -g _envhook_s{$s}_act $_envhook_act
    _envhook_apply
end

function _envhook_load --argument-names s
    set -g _envhook_cur $s
    set -g _envhook_here
    for part in root known changed act
        set -l n _envhook_s{$s}_$part
        set -g _envhook_$part $$n
    end
end

# Act on the project's slot, `_envhook_act` (KEY ON ASIDE STATE: its
# activation rendered by Python, Shell.activation; read only here):
# activate (ON) unless KEY is already active; a venv activated outside
# envhook wins over ours, and only ASIDE (UV_NO_SYNC: `uv run` must still
# leave alone what envhook keeps) goes beside it. STATE exports
# ENVHOOK_STATE either way, for the user's prompt.
function _envhook_apply
    if test -n "$VIRTUAL_ENV"; and test "$VIRTUAL_ENV" != "$_envhook_venv"
        set -l env (string replace -r '^[^:]*:' '' -- "$_envhook_act[1]")
        if test -z "$_envhook_venv"; or test "$_envhook_venv" != "$env"
            _envhook_deactivate
            eval $_envhook_act[3]
        end
    else if test "$_envhook_active" != "$_envhook_act[1]"
        _envhook_deactivate
        eval $_envhook_act[2]
    end
    eval $_envhook_act[4]
end

# ON's PATH step: DIR first on PATH, the one entry leaving takes out again.
function _envhook_path
    set -g _envhook_bin $argv[1]
    set -gx PATH $argv[1] $PATH
    set -g _envhook_settle 1
end

# Export NAME=VALUE (or erase NAME when no value is given), remembering the
# user's value the first time so that leaving restores exactly that.
function _envhook_set
    set -l n $argv[1]
    # Unsetting what is not set changes nothing, and leaves nothing to restore.
    set -q argv[2]; or set -q $n; or return 0
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
        set -l ours
        if set -q $w
            set -q $n; and test "$$n" = "$$w"; and set ours 1
        else
            set -q $n; or set ours 1
        end
        if test -n "$ours"
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

function _envhook_deactivate
    if test -n "$_envhook_venv"
        set -g _envhook_gone $_envhook_bin
        set -g _envhook_settle 1
        # Remove only the PATH entry we added; whatever the user added stays. fish
        # splits PATH at ':', so a bin dir holding one went in as several entries.
        for piece in (string split -- : $_envhook_bin)
            set -l i (contains -i -- $piece $PATH)
            and set -e PATH[$i[1]]
            # A venv's activate.fish, sourced by hand over ours, saved PATH
            # with our entry in it: its `deactivate` would bring it back.
            set -q _OLD_VIRTUAL_PATH
            and set i (contains -i -- $piece $_OLD_VIRTUAL_PATH)
            and set -e _OLD_VIRTUAL_PATH[$i[1]]
        end
    end
    # Not only for an env: an untrusted project exported ENVHOOK_STATE alone.
    _envhook_restore
    set -g _envhook_venv
    set -g _envhook_bin
    set -g _envhook_active
end

# Take the first PATH entry for DIR out (fish splits PATH at ':', so a dir
# holding one went in as several entries); the user's copies stay.
function _envhook_unpath --argument-names dir
    for piece in (string split -- : $dir)
        set -l i (contains -i -- $piece $PATH)
        and set -e PATH[$i[1]]
    end
end

# envhook acts when PWD changes, before any prompt; direnv acts at the prompt,
# after: loading an .envrc that adds to PATH, it puts that in front of the
# env's bin (its python3 would run); unloading, it puts back the PATH it
# saved while the env was active, the env's bin in it. So before the first
# command after an activation or a leave (fish_preexec: every prompt handler
# has run), the env's bin goes first again, or out again, as it is in zsh
# (where direnv's hooks run before envhook's). Only then: PATH changes at
# other times are the user's.
function _envhook_after --on-event fish_preexec
    test -z "$_envhook_settle"; or _envhook_settled
end

function _envhook_settled
    set -g _envhook_settle
    set -l gone (string split -- : $_envhook_gone)
    if test -n "$_envhook_gone"; and test "$_envhook_gone" != "$_envhook_bin"
        and test "$VIRTUAL_ENV/bin" != "$_envhook_gone"; and contains -- $gone[1] $PATH
        _envhook_unpath $_envhook_gone
    end
    set -g _envhook_gone
    set -l bin (string split -- : $_envhook_bin)
    if test -n "$_envhook_bin"; and test "$VIRTUAL_ENV" = "$_envhook_venv"; and test "$PATH[1]" != "$bin[1]"
        _envhook_unpath $_envhook_bin
        set -gx PATH $bin $PATH
    end
end

# An activate script sourced over envhook's activation (by you, or by an
# editor: VS Code's Python extension types `source …/activate.fish` into new
# terminals) makes that activation its own: its `deactivate` undoes it, not
# leaving the project. envhook gives up what was its alone: its PATH entry
# (where the script, activating the same env, put one of its own in front),
# the variables the script now holds are forgotten, not restored, the rest
# (_ENVHOOK_VENV, UV_NO_SYNC, ENVHOOK_STATE) restored; then Python decides
# again, as for a venv activated outside envhook, and says so once.
function _envhook_disown
    set -l at
    set -l i 1
    for p in $PATH
        test "$p" = "$_envhook_bin"; and set -a at $i
        set i (math $i + 1)
    end
    if test (count $at) -ge 2
        set -e PATH[$at[2]]
    else
        _envhook_unpath $_envhook_bin
    end
    for piece in (string split -- : $_envhook_bin)
        set -l j (contains -i -- $piece $_OLD_VIRTUAL_PATH)
        and set -e _OLD_VIRTUAL_PATH[$j[1]]
    end
    set -e _envhook_new_VIRTUAL_ENV _envhook_new_VIRTUAL_ENV_PROMPT
    _envhook_restore
    set -g _envhook_venv
    set -g _envhook_bin
    set -g _envhook_active
    _envhook_export
end

function _envhook_leave
    _envhook_deactivate
    set -g _envhook_root
    set -g _envhook_cur
    set -g _envhook_here
    set -g _envhook_known
    set -g _envhook_changed
    set -g _envhook_act
end

# The hook cannot go on (envhook gone, or no longer importable by the Python
# this hook was printed with): what it activated is undone at once, so the
# rest of this command line (`cd other; python …`) does not run in a stale
# env, and no prompt asks Python again.
function _envhook_stop
    _envhook_leave
    set -g _envhook_broken 1
end

# `envhook doctor` checks what only this shell knows: whether it is a login
# shell and whether envhook's completion can load here.
function envhook
    if test "$argv[1]" = doctor
        set -l login 0
        status is-login; and set login 1
        set -l completion none
        if complete -c envhook | string length -q
            set completion loaded
        end
        begin
            set -lx _ENVHOOK_SHELL_INFO "login=$login completion=$completion"
            set -lx --path _ENVHOOK_COMPLETE_PATH $fish_complete_path  # exported joined by ":"
            command envhook $argv
        end
    else
        command envhook $argv
    end
end
