# envhook for tcsh. tcsh has no functions, and its eval of a backquoted
# multi-line text is fragile, so `envhook hook tcsh` does not print this file:
# it renders it (the values marked __LIKE_THIS__ replaced by already-quoted
# words), splits it at the `#@ NAME` lines into one file per part under
# envhook's state dir (tcsh/HASH/NAME.tcsh, named by their content, so every
# shell of one install shares them), and prints one line that sources
# init.tcsh. Each part is a "function": `source` runs it in this shell, no
# process, with globals as its arguments and results.
#
# A file sourced is code run as you: it is sourced only from a place no one
# else can write. Python checks the whole chain of directories when it prints
# the hook (ssh's StrictModes rule) and hands over $_envhook_guard, one line
# that the precmd and cwdcmd aliases eval instead of sourcing prompt.tcsh: it
# checks with file inquiries that no directory on that chain became a symlink
# or writable by others, and that the hook's directory is untouched since
# (tcsh.py, guard).
#
# The hook answers "did anything change?" with builtins only: string compares
# of $cwd, a walk up the directory tree with -f, and the file inquiry -M
# (mtimes in whole seconds, compared with >=: a file written in the same
# second as this shell's stamp counts as changed, so a change right after an
# evaluation is never missed; the price is one more evaluation until the
# stamp is a second past the files). Only when the answer is "maybe" does it
# start Python, whose output (tcsh assignments and a `source` of adopt.tcsh
# or leave.tcsh) goes to a file that is sourced, never through eval.
#
# tcsh substitutes a one-line `if ( C ) CMD` whole before it tests C, so a
# variable that may be unset is read only inside if/then/endif (or eval).
# Quoting rules the code keeps: a value is only ever used as $var:q (never
# "$var", which breaks on a newline); $var:q of an empty value is no word at
# all, so comparisons are spelled x$a:q == x$b:q and no list holds an empty
# element (the act's four words are read one by one).

#@ init
set _envhook_python = __ENVHOOK_PYTHON__
set _envhook_pypath = ( __ENVHOOK_PYPATH__ )
set _envhook_entry = __ENVHOOK_ENTRY__
# The `paranoid` setting as it was when this hook was printed (ENVHOOK_PARANOID, when set, wins).
set _envhook_paranoid_cfg = __ENVHOOK_PARANOID__
set _envhook_dir = __ENVHOOK_DIR__
# The line `envhook hook tcsh` prints sets the session just before this file.
if ( $?_envhook_new_session ) then
    set _envhook_session = $_envhook_new_session:q
    unset _envhook_new_session
endif
if ( ! $?_envhook_session ) set _envhook_session = ''
set _envhook_out = $_envhook_dir:q/out/$$
# Set by the line that sources this file; without it no prompt sources anything.
if ( ! $?_envhook_guard ) set _envhook_guard = ''
# Sourcing ~/.tcshrc twice must not forget what an earlier hook activated.
if ( ! $?_envhook_root ) set _envhook_root = ''
if ( ! $?_envhook_pwd ) set _envhook_pwd = ''
if ( ! $?_envhook_told ) set _envhook_told = ''
if ( ! $?_envhook_venv ) set _envhook_venv = ''
if ( ! $?_envhook_bin ) set _envhook_bin = ''
if ( ! $?_envhook_active ) set _envhook_active = ''
if ( ! $?_envhook_broken ) set _envhook_broken = ''
if ( ! $?_envhook_front ) set _envhook_front = ''
if ( ! $?_envhook_cur ) set _envhook_cur = ''
if ( ! $?_envhook_protocol ) set _envhook_protocol = ''
# State kept by a hook of another protocol (the rc sourced again after an
# upgrade): its slots hold what that protocol printed, which this code would
# misread (and run, where it evals them). They are forgotten; what is active
# stays ours to undo, and the next prompt asks Python afresh.
if ( x$_envhook_protocol:q != x__ENVHOOK_PROTOCOL__ ) then
    set _envhook_slot_keys = ( )
    set _envhook_slot_vals = ( )
    set _envhook_nslots = 0
    set _envhook_cur = ''
    set _envhook_act = ( - 0 0 0 )
    set _envhook_pwd = ''
    set _envhook_protocol = __ENVHOOK_PROTOCOL__
endif
if ( ! $?_envhook_saved ) set _envhook_saved = ( )
if ( ! $?_envhook_known ) set _envhook_known = ( )
if ( ! $?_envhook_changed ) set _envhook_changed = ( )
if ( ! $?_envhook_expr ) set _envhook_expr = ''
if ( ! $?_envhook_act ) set _envhook_act = ( - 0 0 0 )
if ( ! $?_envhook_slot_keys ) set _envhook_slot_keys = ( )
if ( ! $?_envhook_slot_vals ) set _envhook_slot_vals = ( )
if ( ! $?_envhook_nslots ) set _envhook_nslots = 0
setenv _ENVHOOK_HOOKED $$':'$_envhook_python:q
# For `envhook doctor` (tcsh has no function to wrap it in): which shell, and whether it is a login one.
# shellingham may name the login shell from inside tcsh; a child shell's own hook overwrites this.
if ( $?loginsh ) then
    setenv _ENVHOOK_SHELL_INFO 'shell=tcsh login=1 completion=loaded'
else
    setenv _ENVHOOK_SHELL_INFO 'shell=tcsh login=0 completion=loaded'
endif
# A shell started inside one where envhook had activated an env finds that
# activation exported (_ENVHOOK_VENV=NO_SYNC:ENV) and takes it over as its own.
if ( x$_envhook_venv:q == x && $?_ENVHOOK_VENV && $?VIRTUAL_ENV ) then
    if ( x$_ENVHOOK_VENV:q == x0:$VIRTUAL_ENV:q || x$_ENVHOOK_VENV:q == x1:$VIRTUAL_ENV:q ) then
        set _envhook_venv = $VIRTUAL_ENV:q
        set _envhook_bin = $VIRTUAL_ENV:q/bin
        set _envhook_active = $_ENVHOOK_VENV:q
        # What an activation exports (env.activation.Changes), and UV_NO_SYNC
        # when that activation exported it ("1:ENV").
        set _envhook_names = ( __ENVHOOK_TAKEN__ )
        if ( x$_ENVHOOK_VENV:q =~ x1:* ) set _envhook_names = ( $_envhook_names __ENVHOOK_TAKEN_NO_SYNC__ )
        foreach _envhook_n ( $_envhook_names )
            set _envhook_y = 0
            eval 'if ( $?'$_envhook_n' ) set _envhook_y = 1'
            if ( $_envhook_y ) then
                set _envhook_saved = ( $_envhook_saved $_envhook_n )
                eval 'set _envhook_new_'$_envhook_n' = $'$_envhook_n':q'
            endif
        end
        # A login shell rebuilt PATH since: the env's bin goes back in front;
        # and once more when the hook next runs, at the first prompt (or the
        # first cd) where a shell started here activates: ~/.login, read
        # after ~/.tcshrc, may put directories before it (~/.local/bin), and
        # their python3.X or ruff would run.
        source $_envhook_dir:q/unpath.tcsh
        set path = ( $_envhook_bin:q $path:q )
        set _envhook_front = 1
    endif
endif
# Register once: a precmd or cwdcmd alias that already runs ours is left
# alone; the user's own alias text is kept and runs after ours, with $status
# handed back first: `source` starts its file with $status 0, so the alias
# itself saves it (tcsh 6.24 restores $status after precmd, but the user's
# text after ours reads it, and cwdcmd runs inside cd, which `cd proj && cmd` reads).
# The alias evals the guard, which sources prompt.tcsh once it checked where it is.
# An older hook's part (it sourced prompt.tcsh unchecked) is taken out of the
# text first, so a shell that loads this hook again stops using it.
# Reading an alias takes a backquote, a fork: here, once per load, never at a prompt.
set _envhook_a = "`alias precmd`"
set _envhook_a = "$_envhook_a:s%set _envhook_rc = $status; source $_envhook_dir:q/prompt.tcsh; set status = $_envhook_rc; %%"
if ( x$_envhook_a:q !~ *_envhook_guard* ) then
    alias precmd 'set _envhook_rc = $status; eval $_envhook_guard:q; set status = $_envhook_rc; '$_envhook_a:q
endif
# cwdcmd runs right after cd, pushd and popd, so `cd proj && cmd` sees proj's env.
set _envhook_a = "`alias cwdcmd`"
set _envhook_a = "$_envhook_a:s%set _envhook_rc = $status; source $_envhook_dir:q/prompt.tcsh; set status = $_envhook_rc; %%"
if ( x$_envhook_a:q !~ *_envhook_guard* ) then
    alias cwdcmd 'set _envhook_rc = $status; eval $_envhook_guard:q; set status = $_envhook_rc; '$_envhook_a:q
endif
unset _envhook_a
# Completion of envhook's command line: tcsh's `complete` builtin, set (again)
# at each load from rules rendered from envhook's parser (tcsh.complete_rules):
# Tab starts no process, a prompt pays nothing.
complete envhook __ENVHOOK_COMPLETE_RULES__

#@ prompt
# $status is saved and handed back by the precmd/cwdcmd alias around this file.
if ( x$_envhook_front != x ) then
    # The first run after a take-over (init): the env's bin first again, while it is still ours.
    set _envhook_front = ''
    if ( x$_envhook_bin:q != x ) then
        source $_envhook_dir:q/unpath.tcsh
        set path = ( $_envhook_bin:q $path:q )
    endif
endif
set _envhook_off = ''
if ( $?ENVHOOK_DISABLE ) then
    set _envhook_off = $ENVHOOK_DISABLE:q
endif
if ( x$_envhook_off:q$_envhook_broken == x ) then
    if ( x$cwd:q != x$_envhook_pwd:q ) then
        source $_envhook_dir:q/cd.tcsh
    else if ( x$_envhook_root:q != x ) then
        source $_envhook_dir:q/fresh.tcsh
        if ( ! $_envhook_fresh ) source $_envhook_dir:q/export.tcsh
    else if ( -f $cwd:q/pyproject.toml || -f $cwd:q/requirements.txt ) then
        source $_envhook_dir:q/export.tcsh
    endif
endif

#@ cd
set _envhook_pwd = $cwd:q
# Which project is this directory in: walk up with -f, builtins only.
set _envhook_d = $cwd:q
if ( x$_envhook_d:q == x/ ) set _envhook_d = ''
set _envhook_found = ''
set _envhook_req = ''
while ( 1 )
    if ( -f $_envhook_d:q/pyproject.toml ) then
        set _envhook_found = $_envhook_d:q
        if ( x$_envhook_found:q == x ) set _envhook_found = /
        break
    endif
    if ( x$_envhook_req:q == x && -f $_envhook_d:q/requirements.txt ) then
        set _envhook_req = $_envhook_d:q
        if ( x$_envhook_req:q == x ) set _envhook_req = /
    endif
    if ( x$_envhook_d:q == x ) break
    # :q, as everywhere: a directory's name may hold a newline.
    set _envhook_d = $_envhook_d:h:q
end
# A requirements.txt makes a project only where no pyproject.toml is above it (paths.py's rule).
if ( x$_envhook_found:q == x ) set _envhook_found = $_envhook_req:q
set _envhook_go = 1
if ( x$_envhook_found:q == x ) then
    set _envhook_go = 0
    if ( x$_envhook_root:q != x || x$_envhook_venv:q != x ) source $_envhook_dir:q/leave.tcsh
else
    set _envhook_key = $_envhook_found:q
    source $_envhook_dir:q/slot.tcsh
    if ( x$_envhook_s != x ) then
        if ( x$_envhook_s != x$_envhook_cur ) then
            source $_envhook_dir:q/load.tcsh
            source $_envhook_dir:q/fresh.tcsh
            if ( $_envhook_fresh ) then
                source $_envhook_dir:q/paranoid.tcsh
                if ( ! $_envhook_paranoid ) then
                    source $_envhook_dir:q/apply.tcsh
                    set _envhook_go = 0
                endif
            endif
        else
            source $_envhook_dir:q/fresh.tcsh
            if ( $_envhook_fresh ) set _envhook_go = 0
        endif
    endif
endif
if ( $_envhook_go ) source $_envhook_dir:q/export.tcsh

#@ slot
# The slot filed under $_envhook_key (its index in the keys: _envhook_k), or ''.
set _envhook_s = ''
set _envhook_k = 1
while ( $_envhook_k <= $#_envhook_slot_keys )
    if ( x$_envhook_slot_keys[$_envhook_k]:q == x$_envhook_key:q ) then
        set _envhook_s = $_envhook_slot_vals[$_envhook_k]
        break
    endif
    @ _envhook_k++
end

#@ paranoid
# Paranoid mode ties trust to content, which mtimes cannot vouch for: entering
# a project asks Python. Read as trust.py reads it.
set _envhook_v = $_envhook_paranoid_cfg:q
if ( $?ENVHOOK_PARANOID ) then
    set _envhook_v = $ENVHOOK_PARANOID:q
endif
set _envhook_paranoid = 1
switch ( x$_envhook_v:q )
    case x:
    case x0:
    case xfalse:
    case xFalse:
    case xFALSE:
    case xno:
    case xNo:
    case xNO:
    case xoff:
    case xOff:
    case xOFF:
        set _envhook_paranoid = 0
        breaksw
endsw

#@ fresh
# _envhook_fresh: 1 when nothing the decision depends on changed. Python hands
# over one `test` expression (emit.change_test): P -nt STAMP, -e P, ! -e P,
# joined by -o (and P -nt S -o P -ot S for a P dated in the future); here
# each term is asked with tcsh's own file inquiries.
set _envhook_fresh = 1
set _envhook_c = ( )
if ( x$_envhook_expr:q != x ) then
    # The same, as one expression Python wrote (Tcsh.change_expression): one eval.
    eval 'if ( '$_envhook_expr:q' ) set _envhook_fresh = 0'
else
    set _envhook_c = ( $_envhook_changed:q )
endif
while ( $#_envhook_c > 0 && $_envhook_fresh )
    if ( x$_envhook_c[1]:q == x\! ) then
        if ( ! -e $_envhook_c[3]:q ) set _envhook_fresh = 0
        shift _envhook_c
        shift _envhook_c
    else if ( x$_envhook_c[1]:q == x-e ) then
        if ( -e $_envhook_c[2]:q ) set _envhook_fresh = 0
        shift _envhook_c
    else
        set _envhook_pair = 0
        if ( $#_envhook_c > 5 ) then
            if ( x$_envhook_c[6]:q == x-ot ) set _envhook_pair = 1
        endif
        if ( $_envhook_pair ) then
            # P -nt S -o P -ot S: P is dated in the future and S carries its
            # mtime, so any other mtime of P is a change (-M of a missing P is -1).
            if ( -M $_envhook_c[1]:q != -M $_envhook_c[3]:q ) set _envhook_fresh = 0
            shift _envhook_c
            shift _envhook_c
            shift _envhook_c
            shift _envhook_c
        else if ( -e $_envhook_c[1]:q ) then
            # Whole seconds: >=, so a change in the stamp's own second counts.
            if ( -M $_envhook_c[1]:q >= -M $_envhook_c[3]:q ) set _envhook_fresh = 0
        endif
        shift _envhook_c
        shift _envhook_c
    endif
    shift _envhook_c
    if ( $#_envhook_c > 0 ) shift _envhook_c
end
# A project created in the directory we stand in is news too.
if ( $_envhook_fresh && -e $cwd:q/pyproject.toml ) then
    set _envhook_fresh = 0
    foreach _envhook_e ( $_envhook_known:q )
        if ( x$_envhook_e:q == x$cwd:q ) set _envhook_fresh = 1
    end
endif

#@ export
if ( ! -x $_envhook_python:q ) then
    # envhook was uninstalled under a running shell: say so once, then stay quiet.
    echo 'envhook: this shell'\''s hook has stopped ('$_envhook_python:q' is gone: envhook was uninstalled or moved); open a new shell (or `exec $SHELL`)' > /dev/stderr
    source $_envhook_dir:q/stop.tcsh
else
    # tcsh has no `NAME=VALUE cmd`: exported for the one command, then removed.
    setenv _ENVHOOK_SESSION $_envhook_session:q
    setenv _ENVHOOK_TOLD $_envhook_told:q
    setenv _ENVHOOK_ACTIVE $_envhook_active:q
    setenv _ENVHOOK_PARANOID_CFG $_envhook_paranoid_cfg:q
    # Ctrl-C stops this whole file, not only Python, which may have moved the
    # stamp already: until its output is sourced, the next prompt looks again.
    set _envhook_changed = ( -e / )
    set _envhook_expr = ''
    # The output is a file sourced as it is: newlines in values need no eval.
    $_envhook_python:q -I -S -c $_envhook_entry:q tcsh $_envhook_pypath:q >! $_envhook_out:q
    set _envhook_x = $status
    unsetenv _ENVHOOK_SESSION _ENVHOOK_TOLD _ENVHOOK_ACTIVE _ENVHOOK_PARANOID_CFG
    if ( $_envhook_x == 0 ) then
        source $_envhook_out:q
    else if ( $_envhook_x == 3 ) then
        # envhook cannot be imported any more; it said so once
        source $_envhook_dir:q/stop.tcsh
    else
        # Killed or interrupted before it printed anything: it may have moved
        # this shell's stamp already. Look again at the next prompt.
        set _envhook_changed = ( -e / )
        set _envhook_expr = ''
    endif
endif

#@ adopt
# Called by Python's output: file the state just assigned under the project's
# slot (a new one for a new project), then act on it.
set _envhook_key = $_envhook_root:q
source $_envhook_dir:q/slot.tcsh
if ( x$_envhook_s == x ) then
    @ _envhook_nslots++
    set _envhook_s = $_envhook_nslots
endif
set _envhook_cur = $_envhook_s
foreach _envhook_key ( $_envhook_known:q )
    set _envhook_t = $_envhook_s
    source $_envhook_dir:q/slot.tcsh
    if ( x$_envhook_s != x ) then
        set _envhook_slot_vals[$_envhook_k] = $_envhook_t
    else
        set _envhook_slot_keys = ( $_envhook_slot_keys:q $_envhook_key:q )
        set _envhook_slot_vals = ( $_envhook_slot_vals $_envhook_t )
    endif
    set _envhook_s = $_envhook_t
end
set _envhook_s${_envhook_s}_root = $_envhook_root:q
set _envhook_s${_envhook_s}_known = ( $_envhook_known:q )
set _envhook_s${_envhook_s}_changed = ( $_envhook_changed:q )
set _envhook_s${_envhook_s}_expr = $_envhook_expr:q
set _envhook_s${_envhook_s}_act = ( $_envhook_act:q )
source $_envhook_dir:q/apply.tcsh

#@ load
# Make slot $_envhook_s the current project's state (eval reads a variable
# named by another; the text eval parses holds names only, never a value).
set _envhook_cur = $_envhook_s
eval 'set _envhook_root = $_envhook_s'$_envhook_s'_root:q'
eval 'set _envhook_known = ( $_envhook_s'$_envhook_s'_known:q )'
eval 'set _envhook_changed = ( $_envhook_s'$_envhook_s'_changed:q )'
eval 'set _envhook_expr = $_envhook_s'$_envhook_s'_expr:q'
eval 'set _envhook_act = ( $_envhook_s'$_envhook_s'_act:q )'

#@ apply
# Act on the current slot, $_envhook_act: the project's activation as
# Python rendered it (Tcsh.activation): KEY ("-" for none), the number of steps of ON,
# ASIDE and STATE, then their steps, three words each (steps.tcsh).
# Activate (ON) unless KEY is already active; a venv activated outside
# envhook wins over ours, and only ASIDE (UV_NO_SYNC: `uv run` must still
# leave alone what envhook keeps) goes beside it. STATE exports
# ENVHOOK_STATE either way, for the user's prompt.
set _envhook_ve = ''
if ( $?VIRTUAL_ENV ) then
    set _envhook_ve = $VIRTUAL_ENV:q
endif
set _envhook_k = $_envhook_act[1]:q
if ( x$_envhook_k:q == x- ) set _envhook_k = ''
@ _envhook_a = 5 + 3 * $_envhook_act[2]
@ _envhook_b = $_envhook_a + 3 * $_envhook_act[3]
if ( x$_envhook_ve:q != x && x$_envhook_ve:q != x$_envhook_venv:q ) then
    if ( x$_envhook_venv:q == x || ( x0:$_envhook_venv:q != x$_envhook_k:q && x1:$_envhook_venv:q != x$_envhook_k:q ) ) then
        source $_envhook_dir:q/deactivate.tcsh
        source $_envhook_dir:q/steps.tcsh $_envhook_a $_envhook_act[3]
    endif
else if ( x$_envhook_active:q != x$_envhook_k:q ) then
    source $_envhook_dir:q/deactivate.tcsh
    source $_envhook_dir:q/steps.tcsh 5 $_envhook_act[2]
endif
source $_envhook_dir:q/steps.tcsh $_envhook_b $_envhook_act[4]

#@ steps
# steps.tcsh FROM N: carry out N steps, three words each from word FROM of
# $_envhook_act (tcsh's eval cannot hold a newline, which a value may):
# `own NAME VALUE` sets the hook's own NAME; `set NAME VALUE` and
# `unset NAME -` go through set.tcsh; `path DIR -` puts DIR first on $path.
@ _envhook_i = $argv[1]
@ _envhook_end = $_envhook_i + 3 * $argv[2]
while ( $_envhook_i < $_envhook_end )
    @ _envhook_j = $_envhook_i + 1
    @ _envhook_k = $_envhook_i + 2
    set _envhook_op = $_envhook_act[$_envhook_i]
    if ( $_envhook_op == own ) then
        set $_envhook_act[$_envhook_j] = $_envhook_act[$_envhook_k]:q
    else if ( $_envhook_op == set ) then
        source $_envhook_dir:q/set.tcsh $_envhook_act[$_envhook_j] $_envhook_act[$_envhook_k]:q
    else if ( $_envhook_op == unset ) then
        source $_envhook_dir:q/set.tcsh $_envhook_act[$_envhook_j]
    else
        set _envhook_bin = $_envhook_act[$_envhook_j]:q
        set path = ( $_envhook_bin:q $path:q )
    endif
    @ _envhook_i += 3
end

#@ set
# set.tcsh NAME [VALUE]: export NAME=VALUE (or remove NAME), remembering the
# user's value the first time, so that leaving restores exactly that.
set _envhook_n = $argv[1]
set _envhook_y = 0
foreach _envhook_e ( $_envhook_saved )
    if ( $_envhook_e == $_envhook_n ) set _envhook_y = 1
end
if ( ! $_envhook_y ) then
    set _envhook_saved = ( $_envhook_saved $_envhook_n )
    unset _envhook_old_$_envhook_n
    set _envhook_had = 0
    eval 'if ( $?'$_envhook_n' ) set _envhook_had = 1'
    if ( $_envhook_had ) eval 'set _envhook_old_'$_envhook_n' = $'$_envhook_n':q'
endif
if ( $#argv > 1 ) then
    setenv $_envhook_n $argv[2]:q
    set _envhook_new_$_envhook_n = $argv[2]:q
else
    unsetenv $_envhook_n
    unset _envhook_new_$_envhook_n
endif

#@ restore
# Put back what set.tcsh changed, but only where the value is still ours: a
# variable the user changed since is the user's now.
foreach _envhook_n ( $_envhook_saved )
    set _envhook_now = 0
    set _envhook_nowv = ''
    eval 'if ( $?'$_envhook_n' ) set _envhook_now = 1'
    if ( $_envhook_now ) eval 'set _envhook_nowv = $'$_envhook_n':q'
    set _envhook_y = 0
    set _envhook_had = 0
    eval 'if ( $?_envhook_new_'$_envhook_n' ) set _envhook_had = 1'
    if ( $_envhook_had ) then
        eval 'set _envhook_newv = $_envhook_new_'$_envhook_n':q'
        if ( $_envhook_now ) then
            if ( x$_envhook_nowv:q == x$_envhook_newv:q ) set _envhook_y = 1
        endif
    else if ( ! $_envhook_now ) then
        set _envhook_y = 1
    endif
    if ( $_envhook_y ) then
        set _envhook_had = 0
        eval 'if ( $?_envhook_old_'$_envhook_n' ) set _envhook_had = 1'
        if ( $_envhook_had ) then
            eval 'setenv '$_envhook_n' $_envhook_old_'$_envhook_n':q'
        else
            unsetenv $_envhook_n
        endif
    endif
    unset _envhook_old_$_envhook_n _envhook_new_$_envhook_n
end
set _envhook_saved = ( )

#@ unpath
# Take the first $_envhook_bin out of $path (only the entry we added: the user's stay).
set _envhook_p = ( )
set _envhook_y = 0
foreach _envhook_e ( $path:q )
    if ( ! $_envhook_y && x$_envhook_e:q == x$_envhook_bin:q ) then
        set _envhook_y = 1
    else
        set _envhook_p = ( $_envhook_p:q $_envhook_e:q )
    endif
end
set path = ( $_envhook_p:q )

#@ deactivate
if ( x$_envhook_venv:q != x ) then
    source $_envhook_dir:q/unpath.tcsh
    # A venv's activate.csh, sourced by hand over ours, saved PATH with our
    # entry in it: its `deactivate` would bring the entry back. $path is
    # PATH split at its colons, so the entry leaves it as from $path.
    if ( $?_OLD_VIRTUAL_PATH ) then
        set _envhook_keep = ( $path:q )
        setenv PATH "$_OLD_VIRTUAL_PATH:q"
        source $_envhook_dir:q/unpath.tcsh
        set _OLD_VIRTUAL_PATH = "$PATH:q"
        set path = ( $_envhook_keep:q )
    endif
endif
# Not only for an env: an untrusted project exported ENVHOOK_STATE alone.
source $_envhook_dir:q/restore.tcsh
set _envhook_venv = ''
set _envhook_bin = ''
set _envhook_active = ''

#@ leave
source $_envhook_dir:q/deactivate.tcsh
set _envhook_root = ''
set _envhook_cur = ''
set _envhook_known = ( )
set _envhook_changed = ( )
set _envhook_expr = ''
set _envhook_act = ( - 0 0 0 )

#@ stop
# The hook cannot go on (envhook gone, or no longer importable by the Python
# this hook was printed with): what it activated is undone at once, so the
# rest of this command line does not run in a stale env, and no prompt asks
# Python again.
source $_envhook_dir:q/leave.tcsh
set _envhook_broken = 1
