# envhook for elvish. `envhook hook elvish` prints this file with the values
# marked __LIKE_THIS__ replaced by elvish string literals; rc.elv loads it with
#     eval (envhook hook elvish | slurp)
#
# The same hook as shell/envhook.fish, in elvish. `eval` runs this code in a
# namespace of its own that nothing keeps once it returns: the hook's state
# lives in the variables below, which the functions registered in
# edit:before-readline and after-chdir capture (closures keep them alive).
#
# The question "did anything change?" is answered without Python: string
# compares of $pwd, a cache of which project each directory seen belongs to
# (path:is-regular, a builtin), and the project's watched paths against this
# shell's stamp. That last part costs ONE process, `test`: elvish 0.19 has no
# builtin that reads a file's mtime (no os:stat; path: and file: only tell a
# file's type), so inside a project a quiet prompt starts exactly one `test`
# of the whole expression Python handed over. A `cd` within the project
# starts none; a `cd` into another project starts one more, in after-chdir,
# so that the command after it on the line (`cd proj; python`) sees a
# checked env. Outside a project a prompt starts none. Only when the
# answer is "maybe" does it start envhook's Python (`envhook export`), and
# eval what it prints (assignments and a call, quoted by
# prompt/shells/elvish.py) in a namespace of their own: the printed code can
# set only those names, and the hook reads them back from there.

use path
use re
use str

var _envhook_config = [
    &python=__ENVHOOK_PYTHON__
    &pypath=[__ENVHOOK_PYPATH__]
    &entry=__ENVHOOK_ENTRY__
    &session=__ENVHOOK_SESSION__
    # The `paranoid` setting as it was when this hook was printed (ENVHOOK_PARANOID, when set, wins).
    &paranoid-cfg=__ENVHOOK_PARANOID__
]

# Loading the rc twice must neither register twice nor forget what the first
# hook activated. Each hook registered marks itself with its options:
# &envhook-reconfig, whose default is how to hand it a new configuration, and
# &envhook-protocol, what its code reads (Shell.protocol). A hook of this
# protocol already there is told, and nothing else happens; an older one
# (after an upgrade) keeps its own configuration, whose entry names its
# protocol: its next call of Python stops it, and it says once that a new
# shell is needed. (An exported marker would be inherited by child shells and
# survive `exec elvish`; the list of prompt hooks belongs to this process alone.)
var _envhook_prev = $nil
var _envhook_prev_protocol = ''
for _envhook_f [$@edit:before-readline] {
    try {
        var names = $_envhook_f[opt-names]
        for i [(range (count $names))] {
            if (eq $names[$i] envhook-reconfig) { set _envhook_prev = $_envhook_f[opt-defaults][$i] }
            if (eq $names[$i] envhook-protocol) { set _envhook_prev_protocol = $_envhook_f[opt-defaults][$i] }
        }
    } catch {
        # a builtin or another kind of callable: not ours
    }
}

if (not-eq $_envhook_prev $nil) {
    if (eq $_envhook_prev_protocol __ENVHOOK_PROTOCOL__) { $_envhook_prev $_envhook_config }
} else {
    var config = $_envhook_config
    # What Python assigned last (the names emit.py prints), and this hook's own.
    var root = ''
    var last-pwd = ''
    var told = ''
    var known = []
    var changed = []
    var act = []
    var broken = ''
    var front = ''      # set by a take-over, until the first prompt put the env's bin first again
    var venv = ''
    var bin = ''
    var active = ''
    var cur = ''
    var here = []       # directories seen in the current project since its last check
    var dirs = [&]      # directory -> its nearest project dir ("-" for none)
    var slot-of = [&]   # project dir -> slot
    var slots = []      # [&root= &known= &changed= &act=] per project visited
    var old = [&]       # what set-var replaced: name -> [value], or [] when it was unset
    var new = [&]       # what set-var put there, the same way
    var said = [&]      # the hook's own failures, said once each
    # The one process of a quiet prompt inside a project (see the top), found
    # now: the user's PATH (an env's bin first) must not change which one runs.
    var test-bin = /usr/bin/test
    try { set test-bin = (search-external test) } catch { }
    var run-test = (external $test-bin)
    set-env _ENVHOOK_HOOKED $pid':'$config[python]  # which shell loaded the hook, running which envhook: for `envhook doctor`

    fn is-file {|p| path:is-regular &follow-symlink $p }

    fn project-here {|d| or (is-file $d/pyproject.toml) (is-file $d/requirements.txt) }

    # Paranoid mode (ENVHOOK_PARANOID or the setting, read as trust.py reads them)
    # ties trust to content, which mtimes cannot vouch for (tar x, rsync -a and
    # cp -a keep old ones): entering a project asks Python, whose decision cache
    # also compares ctimes and inodes. Moving around inside the project does not.
    fn paranoid {
        var v = $config[paranoid-cfg]
        if (has-env ENVHOOK_PARANOID) { set v = $E:ENVHOOK_PARANOID }
        not (has-value ['' 0 false no off] (str:to-lower $v))
    }

    # True when nothing the project's decision depends on has changed: Python
    # hands over one `test` expression (a watched path newer than this shell's
    # stamp — a directory's mtime shows entries created, deleted or renamed in
    # it — an absent path created, a present one gone; true means changed),
    # and no project was created in the directory we stand in.
    fn fresh {
        if (eq $changed []) { put $true; return }
        var same = $true
        try {
            $run-test $@changed
            set same = $false
        } catch {
            # false (exit 1): nothing changed (a `return` in here would be caught too)
        }
        if $same { put (or (has-value $known $pwd) (not (is-file $pwd/pyproject.toml))) } else { put $false }
    }

    # Export NAME=VALUE (or unset NAME when no value is given), remembering the
    # user's value the first time so that leaving restores exactly that.
    fn set-var {|n @v|
        # Unsetting what is not set changes nothing, and leaves nothing to restore.
        if (and (eq $v []) (not (has-env $n))) { return }
        if (not (has-key $old $n)) {
            if (has-env $n) { set old[$n] = [(get-env $n)] } else { set old[$n] = [] }
        }
        if (eq $v []) { unset-env $n } else { set-env $n $v[0] }
        set new[$n] = $v
    }

    # Put back what set-var changed, but only where the value is still ours: a
    # variable the user changed since is the user's now.
    fn restore {
        for n [(keys $old)] {
            var now = []
            if (has-env $n) { set now = [(get-env $n)] }
            if (eq $now $new[$n]) {
                var o = $old[$n]
                if (eq $o []) { unset-env $n } else { set-env $n $o[0] }
            }
        }
        set old = [&]
        set new = [&]
    }

    # The env's bin dir in $E:PATH, by string: a dir holding ":" is one entry to
    # us, though $paths would split it.
    fn path-add {|d|
        if (eq $E:PATH '') { set E:PATH = $d } else { set E:PATH = $d':'$E:PATH }
    }

    # No string slicing anywhere: elvish refuses an index that is not at a
    # rune boundary, which a byte that is not UTF-8 (a directory name can
    # hold one) puts in the way; str: and path: work on bytes.
    fn path-remove {|d|
        var p = ':'$E:PATH':'
        if (str:contains $p ':'$d':') {
            set p = (str:replace &max=1 ':'$d':' ':' $p)
            set E:PATH = (str:trim-suffix (str:trim-prefix $p ':') ':')
        }
    }

    fn deactivate {
        if (not-eq $venv '') { path-remove $bin }  # only the entry we added; the user's stay
        restore  # not only for an env: an untrusted project exported the state alone
        set venv = ''
        set bin = ''
        set active = ''
    }

    # ON's PATH step: DIR first on PATH, the one entry leaving takes out again.
    fn path-on {|d|
        set bin = $d
        path-add $d
    }

    # Where the activation Python rendered runs (created once: a namespace
    # costs more than the eval): it can call the two primitives and set the
    # two names read back below, nothing else.
    var act-ns = (ns [&_envhook_set~=$set-var~ &_envhook_path~=$path-on~ &_envhook_venv='' &_envhook_active=''])

    # Act on the project's slot, `act` (KEY ON ASIDE STATE: its activation
    # rendered by Python, Shell.activation): activate (ON) unless KEY
    # is already active; a venv activated outside envhook wins over ours, and
    # only ASIDE (UV_NO_SYNC: `uv run` must still leave alone what envhook
    # keeps) goes beside it. STATE exports ENVHOOK_STATE either way.
    fn apply {
        if (and (not-eq $E:VIRTUAL_ENV '') (not-eq $E:VIRTUAL_ENV $venv)) {
            if (or (eq $venv '') (not-eq $venv (str:trim-prefix (str:trim-prefix $act[0] 0:) 1:))) {
                deactivate
                eval $act[2] &ns=$act-ns
            }
        } elif (not-eq $active $act[0]) {
            deactivate
            # Nothing to activate (no KEY) is no code: act-ns still holds the
            # names the last activation set, which are not this one's.
            if (not-eq $act[0] '') {
                eval $act[1] &ns=$act-ns
                set venv = $act-ns[_envhook_venv]
                set active = $act-ns[_envhook_active]
            }
        }
        eval $act[3] &ns=$act-ns
    }

    fn leave {
        deactivate
        set root = ''
        set cur = ''
        set here = []
        set known = []
        set changed = []
        set act = []
    }

    # The hook cannot go on (envhook gone, or no longer importable by the
    # Python this hook was printed with): what it activated is undone at once,
    # so the rest of this command line does not run in a stale env, and no
    # prompt asks Python again.
    fn stop {
        leave
        set broken = 1
    }

    # Called after Python's output was read: file the state under the
    # project's slot (a new one for a new project), then act on it.
    fn adopt {
        var s = (count $slots)
        if (has-key $slot-of $root) { set s = $slot-of[$root] } else { set slots = [$@slots [&]] }
        set cur = $s
        set here = [$pwd]
        for d $known { set slot-of[$d] = $s }
        set slots[$s] = [&root=$root &known=$known &changed=$changed &act=$act]
        apply
    }

    fn load {|s|
        set cur = $s
        set here = []
        var slot = $slots[$s]
        set root = $slot[root]
        set known = $slot[known]
        set changed = $slot[changed]
        set act = $slot[act]
    }

    fn export {
        var python = $config[python]
        if (not (is-file $python)) {
            # envhook was uninstalled under a running shell: say so once, then stay quiet.
            echo >&2 'envhook: this shell''s hook has stopped ('$python' is gone: envhook was uninstalled or moved); open a new shell (or `exec $SHELL`)'
            stop
            return
        }
        set dirs = [&]  # Python may have learned of new projects
        set here = []
        # The child's environment: these for this call only, and PWD as $pwd
        # says it (elvish updates $E:PWD after the after-chdir hooks ran).
        var vars = [&_ENVHOOK_SESSION=$config[session] &_ENVHOOK_TOLD=$told &_ENVHOOK_ACTIVE=$active
                    &_ENVHOOK_PARANOID_CFG=$config[paranoid-cfg]]
        set E:PWD = $pwd
        var saved = [&]
        for n [(keys $vars)] {
            if (has-env $n) { set saved[$n] = [(get-env $n)] } else { set saved[$n] = [] }
            set-env $n $vars[$n]
        }
        var out = $nil
        var rc = -1
        try {
            set out = ((external $python) -I -S -c $config[entry] elvish (all $config[pypath]) | slurp)
            set rc = 0
        } catch e {
            try {
                if (eq $e[reason][type] external-cmd/exited) { set rc = (num $e[reason][exit-status]) }
            } catch { }
        } finally {
            for n [(keys $saved)] {
                var o = $saved[$n]
                if (eq $o []) { unset-env $n } else { set-env $n $o[0] }
            }
        }
        if (== $rc 0) {
            var call = ''
            var box = (ns [&_envhook_root=$root &_envhook_pwd=$last-pwd &_envhook_known=$known
                           &_envhook_changed=$changed &_envhook_act=$act &_envhook_told=$told
                           &_envhook_adopt~={ set call = adopt } &_envhook_leave~={ set call = leave }])
            eval $out &ns=$box
            set told = $box[_envhook_told]
            if (eq $call adopt) {
                set root = $box[_envhook_root]
                set last-pwd = $box[_envhook_pwd]
                set known = $box[_envhook_known]
                set changed = $box[_envhook_changed]
                set act = $box[_envhook_act]
                adopt
            } elif (eq $call leave) {
                leave
            }
        } elif (== $rc 3) {
            stop  # envhook cannot be imported any more; it said so once
        } else {
            # Killed or interrupted before it printed anything: it may have moved
            # this shell's stamp already. Look again at the next prompt.
            set changed = [-e /]
        }
    }

    # Which project is directory P in ("-" for none)? Left in $walked (no
    # output capture: the cd path stays cheap). A directory seen before
    # answers from the cache, so `cd` costs the same at any depth; a new one
    # walks up only until it meets a directory already known.
    var walked = ''
    fn walk {|p|
        var f = ''
        if (has-key $dirs $p) { set f = $dirs[$p] }
        if (or (eq $f '') (and (not-eq $f $p) (project-here $p))) {
            set f = ''
            var req = ''
            var d = $p
            while $true {
                if (is-file $d/pyproject.toml) { set f = $d; break }
                if (and (eq $req '') (is-file $d/requirements.txt)) { set req = $d }
                if (eq $d /) { set f = -; break }
                set d = (path:dir $d)
                if (has-key $dirs $d) { set f = $dirs[$d]; break }
            }
            # A requirements.txt makes a project only where no pyproject.toml is
            # above it (docs/requirements.txt belongs to the project): paths.py's rule.
            if (and (not-eq $req '') (or (eq $f -) (not (is-file $f/pyproject.toml)))) { set f = $req }
            if (>= (count $dirs) 4096) { set dirs = [&] }
            set dirs[$p] = $f
        }
        set walked = $f
    }

    fn on-cd {
        set last-pwd = $pwd
        # Directories already seen in the current project: nothing to decide
        # (the prompt that follows checks the watches, once).
        if (has-value $here $pwd) { return }
        walk $pwd
        var f = $walked
        if (eq $f -) {
            if (or (not-eq $root '') (not-eq $venv '')) { leave }
            return
        }
        if (has-key $slot-of $f) {
            var s = $slot-of[$f]
            if (not-eq $s $cur) {
                load $s
                if (and (fresh) (not (paranoid))) {
                    apply
                    set here = [$@here $pwd]
                    return
                }
            } else {
                # The same project: what is active stays; the prompt checks the watches.
                set here = [$@here $pwd]
                return
            }
        }
        export
    }

    fn hook {|&from-cd=$false|
        # Each (…) below is an output capture, elvish's costliest builtin step
        # (tens of µs): the quiet paths take as few as they can.
        if (not-eq $E:ENVHOOK_DISABLE$broken '') {
            # off (ENVHOOK_DISABLE), or stopped: a stopped hook left its env already
        } elif (not-eq $pwd $last-pwd) {
            on-cd
        } elif $from-cd {
            # `cd .`, or a cd that came back before the prompt: nothing moved
        } elif (not-eq $root '') {
            if (not (fresh)) { export }
        } elif (path:is-regular &follow-symlink $pwd/pyproject.toml) {
            export  # a project was created right here (uv init)
        } elif (path:is-regular &follow-symlink $pwd/requirements.txt) {
            export
        }
    }

    # Never an exception into the user's prompt or command line: one line per
    # distinct failure, then quiet.
    fn guarded {|&from-cd=$false|
        try {
            if (not-eq $front '') {  # one capture a prompt: it is the quiet path
                if (not $from-cd) {
                    set front = ''  # the first prompt after a take-over (below)
                    if (not-eq $bin '') { path-remove $bin; path-add $bin }
                }
            }
            hook &from-cd=$from-cd
        } catch e {
            # "[eval 7]" counts elvish's evals: the same failure says the same line.
            var what = (re:replace '\[eval \d+\]' '[eval]' (to-string $e[reason]))
            if (not (has-key $said $what)) {
                set said[$what] = $true
                echo >&2 'envhook: the hook failed ('$what'); `envhook doctor` may say why'
            }
        }
    }

    # A shell started inside one where envhook had activated an env (`elvish`,
    # a terminal that inherits the environment) finds that activation
    # exported, marked by _ENVHOOK_VENV=NO_SYNC:ENV, and takes it over as its
    # own, so leaving the project, or entering another one, undoes it here too.
    # What the variables held before the parent activated is not exported:
    # envhook only activates where no venv was active, so unset.
    var marker = $E:_ENVHOOK_VENV
    var marked = [(str:split &max=2 : $marker) '']
    if (and (not-eq $marker '') (not-eq $E:VIRTUAL_ENV '') (eq $E:VIRTUAL_ENV $marked[1])) {
        set venv = $E:VIRTUAL_ENV
        set bin = $venv/bin
        set active = $marker
        # What an activation exports (env.activation.Changes), and UV_NO_SYNC
        # when that activation exported it ("1:ENV").
        var names = [__ENVHOOK_TAKEN__]
        if (str:has-prefix $marker '1:') { set names = [$@names __ENVHOOK_TAKEN_NO_SYNC__] }
        for n $names {
            if (has-env $n) {
                set old[$n] = []
                set new[$n] = [(get-env $n)]
            }
        }
        # A login shell rebuilt PATH since: the env's bin goes back in front;
        # and once more at the first prompt, where a shell started here
        # activates: rc lines after the hook's may put directories before it
        # (~/.local/bin), and their python3.X or ruff would run.
        path-remove $bin
        path-add $bin
        set front = 1
    }

    fn reconfig {|c|
        set config = $c
        set-env _ENVHOOK_HOOKED $pid':'$c[python]
    }

    # Before each prompt; and after each `cd`, so that `cd proj; cmd` on one
    # line runs cmd in proj's env. The user's own hooks stay where they are.
    # &envhook-walk: the walk above, for tests/prompt/test_walkup.py to hold to Python's rule.
    set edit:before-readline = [$@edit:before-readline {|&envhook-reconfig=$reconfig~ &envhook-protocol=__ENVHOOK_PROTOCOL__ &envhook-walk={|p| walk $p; put $walked }| guarded }]
    set after-chdir = [$@after-chdir {|dir| guarded &from-cd }]

    # Completion of envhook's command line: envhook answers at Tab (`envhook
    # __complete`, the parser's walk, commands/completion.py): words (each
    # followed by a space once chosen, as a file is), or which of elvish's own
    # completions to use. elvish keeps the candidates that match the word typed.
    fn complete {|@words|
        var out = [(try { e:envhook __complete (all $words[1..]) 2>/dev/null } catch { })]
        if (== (count $out) 0) {
            return
        } elif (eq $out[0] words) {
            for l $out[1..] { edit:complex-candidate (str:split &max=2 "\t" $l | take 1) &code-suffix=' ' }
        } elif (eq $out[0] dir) {
            # edit:complete-filename's candidates for a directory end in "/".
            edit:complete-filename $words[-1] | each {|c| if (str:has-suffix $c[stem] /) { put $c } }
        } elif (eq $out[0] file) {
            edit:complete-filename $words[-1]
        } elif (str:has-prefix $out[0] 'command ') {
            edit:complete-sudo sudo (all $words[(+ 1 (str:trim-prefix $out[0] 'command '))..])
        }
    }

    # A completer the user set for envhook before the hook loaded is theirs,
    # and stays: envhook's goes in only where there is none. (Loading the
    # hook again reconfigures the first one, above, and never gets here.)
    if (not (has-key $edit:completion:arg-completer envhook)) {
        set edit:completion:arg-completer[envhook] = $complete~
    }

    # `envhook doctor` checks what only this shell knows: whether it is a
    # login shell (elvish tells none apart but by a "-" before its argv[0]),
    # and whether envhook's command line completes here.
    edit:add-var envhook~ {|@args|
        if (and (> (count $args) 0) (eq $args[0] doctor)) {
            var login = 0
            try {
                if (str:has-prefix (slurp < /proc/$pid/cmdline) -) { set login = 1 }
            } catch { }
            var completion = none
            if (has-key $edit:completion:arg-completer envhook) { set completion = loaded }
            tmp E:_ENVHOOK_SHELL_INFO = 'login='$login' completion='$completion
            e:envhook $@args
        } else {
            e:envhook $@args
        }
    }
}
