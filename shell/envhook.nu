# envhook for nushell. `envhook hook nu` prints this file with the values
# marked __LIKE_THIS__ replaced by nushell string literals. nushell cannot eval
# text at run time, so the hook is a file it sources at startup; config.nu
# writes it afresh each time, just before nushell reads its autoload files:
#     envhook hook nu -o ($nu.user-autoload-dirs | first | path join envhook.nu)
#
# The same hook as shell/envhook.sh, in nushell's own commands: "did anything
# change?" is answered in-process (string compares of $env.PWD, `path exists`,
# and `ls -D` for the mtimes of the project's watched files against this
# shell's stamp), so a quiet prompt starts no process. Only when the answer is
# "maybe" does it start envhook's Python (`envhook export`), which prints data,
# not code: a NUON list of ["set", NAME, VALUE] and ["call", NAME] steps
# (prompt/shells/nu.py), read here with `from nuon`.
#
# All state lives in $env.__envhook, a record: hooks may change the
# environment but not the variables they close over, and nushell passes only
# string variables to the commands it starts, so the record stays private.

def --env __envhook_init [] {
    let config = {
        python: __ENVHOOK_PYTHON__
        pypath: [__ENVHOOK_PYPATH__]
        entry: __ENVHOOK_ENTRY__
        # The file is saved once and read by every nushell: each shell needs its own id.
        session: (random chars --length 16)
        # The `paranoid` setting as it was when this hook was printed (ENVHOOK_PARANOID, when set, wins).
        paranoid_cfg: __ENVHOOK_PARANOID__
    }
    let fresh = {
        protocol: __ENVHOOK_PROTOCOL__
        config: $config
        _envhook_root: "", _envhook_pwd: "", _envhook_told: "", _envhook_broken: ""
        _envhook_known: [], _envhook_changed: [], _envhook_act: []
        _envhook_venv: "", bin: "", _envhook_active: "", cur: -1, found: ""
        check: {watch: [], absent: [], present: [], stamp: ""}  # _envhook_changed, parsed once
        old: {}, new: {}  # what __envhook_set replaced ({} where it was unset), and what it put there
        dirs: {}          # directory -> its nearest project dir ("-" for none): __envhook_find
        slot_of: {}       # project dir -> slot
        slots: []         # {root, changed, act} per project visited
        said: []          # failures of the hook already reported
    }
    # Sourcing the file twice must not forget what an earlier hook activated,
    # nor register twice; what a newer hook keeps that the record lacks is added.
    if ($env.__envhook? | describe | str starts-with "record") {
        let older = ($env.__envhook.protocol? | default "") != __ENVHOOK_PROTOCOL__
        $env.__envhook = ($fresh | merge $env.__envhook | merge {dirs: {}}
            | upsert config ($config | upsert session $env.__envhook.config.session))
        if $older {
            # State kept by a hook of another protocol (the rc sourced again after an
            # upgrade): its slots hold what that protocol printed, which this code would
            # misread (and run, where it evals them). They are forgotten; what is active
            # stays ours to undo, and the next prompt asks Python afresh.
            $env.__envhook = ($env.__envhook
                | merge {slot_of: {}, slots: [], cur: -1, _envhook_act: [], _envhook_pwd: "", protocol: __ENVHOOK_PROTOCOL__})
        }
        return
    }
    $env.__envhook = $fresh
    $env._ENVHOOK_HOOKED = $"($nu.pid):($config.python)"  # which shell loaded the hook: for `envhook doctor`

    # A shell started inside one where envhook had activated an env finds that
    # activation exported (_ENVHOOK_VENV=NO_SYNC:ENV) and takes it over.
    let marker = ($env._ENVHOOK_VENV? | default "")
    let virtual = ($env.VIRTUAL_ENV? | default "")
    if $marker != "" and $virtual != "" and $virtual == ($marker | str replace -r '^[^:]*:' '') {
        $env.__envhook._envhook_venv = $virtual
        $env.__envhook.bin = $"($virtual)/bin"
        $env.__envhook._envhook_active = $marker
        # What an activation exports (env.activation.Changes), and UV_NO_SYNC
        # when that activation exported it ("1:ENV").
        let names = ([__ENVHOOK_TAKEN__] | append (if ($marker | str starts-with "1:") { [__ENVHOOK_TAKEN_NO_SYNC__] } else { [] }))
        for name in $names {
            if $name in $env {
                $env.__envhook.old = ($env.__envhook.old | upsert $name {})
                $env.__envhook.new = ($env.__envhook.new | upsert $name {v: ($env | get $name)})
            }
        }
        # A login shell rebuilt PATH since: the env's bin goes back in front.
        $env.PATH = (__envhook_path_without $env.__envhook.bin | prepend $env.__envhook.bin)
    }

    # pre_prompt runs before the prompt is drawn (so a prompt showing the env
    # shows the one just activated) and before nushell's env_change hooks, so it
    # sees every cd; the PWD hook is for a cd it did not see. Neither runs inside
    # a command line: `cd proj; cmd` runs cmd before the env follows.
    $env.config.hooks.pre_prompt = ($env.config.hooks.pre_prompt? | default [] | append {|| __envhook_hook })
    let pwd_hooks = ($env.config.hooks.env_change?.PWD? | default [])
    $env.config.hooks.env_change = ($env.config.hooks.env_change? | default {}
        | upsert PWD ($pwd_hooks | append {|before, after| if $after != $env.__envhook._envhook_pwd { __envhook_hook } }))

    # Completion of envhook's command line, through nushell's external
    # completer, chained to the one config.nu set (carapace, fish...): it
    # answers for `envhook` and hands every other command to that one. Not an
    # `extern "envhook"`: a declared signature changes how nushell parses the
    # arguments of every envhook call (bare `null` or `{a: 1}` fail, typed
    # rests stop expanding globs and ~, declared short flags break `-C/tmp`,
    # a declared --help prints nushell's help instead of envhook's).
    let theirs = ($env.config.completions?.external?.completer?)
    $env.config.completions.external.completer = {|spans|
        if ($spans | first | path basename) == envhook {
            __envhook_complete $spans
        } else if $theirs != null {
            do $theirs $spans
        }
    }
}

# The words that may follow `envhook ...` (spans: the words so far, the last
# one being completed), or null for nushell's own completion: envhook answers
# at Tab (`envhook __complete`, the parser's walk, commands/completion.py).
def __envhook_complete [spans: list<string>] {
    let out = (do { ^envhook __complete ...($spans | skip 1) } | complete)
    let lines = ($out.stdout | lines)
    if $out.exit_code != 0 or ($lines | is-empty) or ($lines | first) != words { return null }
    $lines | skip 1 | each {|l| let p = ($l | split row -n 2 "\t"); {value: ($p | first), description: ($p | last)} }
}

def --env __envhook_hook [] {
    # The user's last exit code is theirs: what the hook runs must not replace it.
    let rc = ($env.LAST_EXIT_CODE? | default 0)
    try {
        __envhook_step
    } catch {|e|
        # Never an error report at every prompt: one line per distinct failure, then quiet.
        let what = ($e.msg? | default "unknown error")
        if $what not-in $env.__envhook.said {
            $env.__envhook.said = ($env.__envhook.said | append $what)
            print -e $"envhook: the hook failed \(($what)\); `envhook doctor` may say why"
        }
    }
    $env.LAST_EXIT_CODE = $rc
}

def --env __envhook_step [] {
    let st = $env.__envhook
    let pwd = $env.PWD
    if ($env.ENVHOOK_DISABLE? | default "") != "" or $st._envhook_broken != "" {
        return
    }
    if $pwd != $st._envhook_pwd {
        __envhook_cd
    } else if $st._envhook_root != "" {
        if not (__envhook_fresh) { __envhook_export }
    } else if (__envhook_isfile $"($pwd)/pyproject.toml") or (__envhook_isfile $"($pwd)/requirements.txt") {
        __envhook_export  # a project was created right here (uv init)
    }
}

# A regular file, or a symlink to one (`path type` alone names the link).
# Only a link is expanded: `path expand` costs more the longer the path (and
# resolves $env.PWD, see __envhook_fresh), and the walk below asks at every level.
def __envhook_isfile [p: string] {
    let t = ($p | path type)
    $t == file or ($t == symlink and (do { cd /; $p | path expand | path type }) == file)
}

# The project a directory belongs to: the nearest pyproject.toml above it, or
# else the nearest requirements.txt (paths.py's rule); "" for none. A
# directory seen before answers from the cache (directory -> project, "-" for
# none), so `cd` costs the same at any depth; a new one walks up only until
# it meets a directory already known (envhook.sh's _envhook_cd).
def --env __envhook_find [pwd: string] {
    mut found = ($env.__envhook.dirs | get -o $pwd)
    if $found == null or ($found != $pwd and ((__envhook_isfile $"($pwd)/pyproject.toml") or (__envhook_isfile $"($pwd)/requirements.txt"))) {
        mut d = $pwd
        mut req = ""
        loop {
            if (__envhook_isfile $"($d)/pyproject.toml") { $found = $d; break }
            if $req == "" and (__envhook_isfile $"($d)/requirements.txt") { $req = $d }
            if $d == "/" { $found = "-"; break }
            $d = ($d | path dirname)
            $found = ($env.__envhook.dirs | get -o $d)
            if $found != null { break }
        }
        # A requirements.txt makes a project only where no pyproject.toml is
        # above it (docs/requirements.txt belongs to the project).
        if $req != "" and ($found == "-" or not (__envhook_isfile $"($found)/pyproject.toml")) { $found = $req }
        if ($env.__envhook.dirs | columns | length) >= 4096 { $env.__envhook.dirs = {} }
        $env.__envhook.dirs = ($env.__envhook.dirs | upsert $pwd $found)
    }
    if $found == "-" { "" } else { $found }
}

def --env __envhook_cd [] {
    let pwd = $env.PWD
    $env.__envhook._envhook_pwd = $pwd
    let found = (__envhook_find $pwd)
    $env.__envhook.found = $found
    if $found == "" {
        if $env.__envhook._envhook_root != "" or $env.__envhook._envhook_venv != "" { __envhook_leave }
        return
    }
    let slot = ($env.__envhook.slot_of | get -o $found)
    if $slot != null {
        if $slot != $env.__envhook.cur {
            __envhook_load $slot
            if (__envhook_fresh) and not (__envhook_paranoid) {
                __envhook_apply
                return
            }
        } else if (__envhook_fresh) {
            return
        }
    }
    __envhook_export
}

def __envhook_paranoid [] {
    let value = ($env.ENVHOOK_PARANOID? | default $env.__envhook.config.paranoid_cfg | into string | str downcase)
    $value not-in ["", "0", "false", "no", "off"]
}

# The one `test` expression Python hands over (emit.change_test), read once
# when a slot is filed: PATH -nt STAMP, -e PATH, ! -e PATH, joined by -o. A
# path dated in the future comes as `PATH -nt S -o PATH -ot S`, S carrying its
# mtime: kept in `marks` as PATH S, a change when the two mtimes differ.
def __envhook_parse [words: list<string>] {
    mut out = {watch: [], absent: [], present: [], stamp: "", marks: []}
    mut i = 0
    let n = ($words | length)
    while $i < $n {
        let w = ($words | get $i)
        if $w == "!" {
            $out.present = ($out.present | append ($words | get ($i + 2)))
            $i += 4
        } else if $w == "-e" {
            $out.absent = ($out.absent | append ($words | get ($i + 1)))
            $i += 3
        } else if ($words | get -o ($i + 5)) == "-ot" {
            $out.marks = ($out.marks | append [$w ($words | get ($i + 2))])
            $i += 8
        } else {
            $out.watch = ($out.watch | append $w)
            $out.stamp = ($words | get ($i + 2))
            $i += 4
        }
    }
    $out
}

# True when nothing changed: no watched path newer than the stamp (or gone),
# no absent path created, no present one gone, no marked path's mtime other
# than its stamp's. One `ls` for all the mtimes: nushell's ls is its only
# reader of them, and each call costs more than the paths it lists (it lists
# them in the order given). `path exists` and `ls` resolve $env.PWD on every
# call, a readlink per level (0.2 s each 1,500 levels down): every path here
# is absolute, so they run from /.
def __envhook_fresh [] {
    let c = $env.__envhook.check
    let unchanged = do {
        cd /
        if ($c.absent | path exists | any {|x| $x }) { return false }
        if not ($c.present | path exists | all {|x| $x }) { return false }
        let marks = ($c.marks? | default [])  # a check set before any parse has none
        if ($c.watch | is-not-empty) or ($marks | is-not-empty) {
            # No stamp was parsed when every watched path is marked: "/" stands in.
            let first = (if $c.stamp == "" { "/" } else { $c.stamp })
            let times = (try { ls -D $first ...$c.watch ...$marks | get modified } catch { return false })
            let stamp = ($times | first)
            let n = ($c.watch | length)
            if ($times | skip 1 | take $n | any {|m| $m > $stamp }) { return false }
            if ($marks | is-not-empty) and ($times | skip ($n + 1) | chunks 2 | any {|m| ($m | first) != ($m | last) }) {
                return false
            }
        }
        true
    }
    let pwd = $env.PWD
    $unchanged and ($env.__envhook.found == $pwd or not (__envhook_isfile $"($pwd)/pyproject.toml"))
}

def --env __envhook_export [] {
    let st = $env.__envhook
    let python = $st.config.python
    if not ($python | path exists) {
        print -e $"envhook: this shell's hook has stopped \(($python) is gone: envhook was uninstalled or moved\); open a new shell \(or `exec $SHELL`\)"
        __envhook_stop
        return
    }
    # Python may have learned of new projects: directories are looked up afresh.
    $env.__envhook.dirs = {}
    let vars = {
        _ENVHOOK_SESSION: $st.config.session, _ENVHOOK_TOLD: $st._envhook_told
        _ENVHOOK_ACTIVE: $st._envhook_active, _ENVHOOK_PARANOID_CFG: $st.config.paranoid_cfg
    }
    # stderr goes on to the terminal as it is written (what envhook and uv say
    # while syncing); only stdout, the steps, is captured. >> so that nothing
    # already written to a redirected stderr is truncated.
    let r = (with-env $vars { ^$python -I -S -c $st.config.entry nu ...$st.config.pypath e>> /dev/stderr | complete })
    if $r.exit_code == 0 {
        __envhook_run_steps ($r.stdout | from nuon | default [])
    } else if $r.exit_code == 3 {
        __envhook_stop  # envhook cannot be imported any more; it said so once
    } else {
        # Killed or interrupted before it printed anything: it may have moved
        # this shell's stamp already. Look again at the next prompt.
        $env.__envhook.check = {watch: [], absent: ["/"], present: [], stamp: ""}
    }
}

# The steps Python printed, and those of an activation it rendered
# (Shell.activation: calls of _envhook_set NAME [VALUE] and
# _envhook_path DIR, which the hook's state names go with).
def --env __envhook_run_steps [steps: list] {
    for step in $steps {
        let what = ($step | get 1)
        if ($step | get 0) == set {
            $env.__envhook = ($env.__envhook | upsert $what ($step | get 2))
        } else if $what == _envhook_set {
            __envhook_set ($step | get 2) ($step | get -o 3)
        } else if $what == _envhook_path {
            # ON's PATH step: DIR first on PATH, the one entry leaving takes out again.
            $env.__envhook.bin = ($step | get 2)
            $env.PATH = ($env.PATH | prepend ($step | get 2))
        } else if $what == _envhook_adopt {
            __envhook_adopt
        } else if $what == _envhook_leave {
            __envhook_leave
        }
    }
}

def --env __envhook_adopt [] {
    let st = $env.__envhook
    mut slot = ($st.slot_of | get -o $st._envhook_root)
    if $slot == null {
        $slot = ($st.slots | length)
        $env.__envhook.slots = ($st.slots | append {})
    }
    let s = $slot
    $env.__envhook.cur = $s
    for d in $st._envhook_known {
        $env.__envhook.slot_of = ($env.__envhook.slot_of | upsert $d $s)
    }
    let check = (__envhook_parse $st._envhook_changed)
    $env.__envhook.check = $check
    # KEY ON ASIDE STATE, the steps read once here.
    let act = ($st._envhook_act | enumerate | each {|w| if $w.index == 0 { $w.item } else { $w.item | from nuon } })
    $env.__envhook._envhook_act = $act
    $env.__envhook.slots = ($env.__envhook.slots
        | update $s {root: $st._envhook_root, changed: $st._envhook_changed, check: $check, act: $act})
    __envhook_apply
}

def --env __envhook_load [slot: int] {
    let s = ($env.__envhook.slots | get $slot)
    $env.__envhook.cur = $slot
    $env.__envhook._envhook_root = $s.root
    $env.__envhook._envhook_changed = $s.changed
    $env.__envhook.check = $s.check
    $env.__envhook._envhook_act = $s.act
}

# Act on the project's slot, `_envhook_act` (KEY ON ASIDE STATE: its
# activation rendered by Python as steps): activate (ON) unless KEY is
# already active; a venv activated outside envhook wins over ours, and only
# ASIDE (UV_NO_SYNC: `uv run` must still leave alone what envhook keeps)
# goes beside it. STATE exports ENVHOOK_STATE either way.
def --env __envhook_apply [] {
    let act = $env.__envhook._envhook_act
    let virtual = ($env.VIRTUAL_ENV? | default "")
    let ours = $env.__envhook._envhook_venv
    if $virtual != "" and $virtual != $ours {
        if $ours == "" or $ours != ($act | get 0 | str replace -r '^[^:]*:' '') {
            __envhook_deactivate
            __envhook_run_steps ($act | get 2)
        }
    } else if $env.__envhook._envhook_active != ($act | get 0) {
        __envhook_deactivate
        __envhook_run_steps ($act | get 1)
    }
    __envhook_run_steps ($act | get 3)
}

# Set (or, without a value, unset) a variable, remembering what it held first.
def --env __envhook_set [name: string, value?: string] {
    # Unsetting what is not set changes nothing, and leaves nothing to restore.
    if $value == null and $name not-in $env { return }
    if $name not-in $env.__envhook.old {
        let was = if $name in $env { {v: ($env | get $name)} } else { {} }
        $env.__envhook.old = ($env.__envhook.old | upsert $name $was)
    }
    if $value != null {
        load-env {$name: $value}
        $env.__envhook.new = ($env.__envhook.new | upsert $name {v: $value})
    } else {
        hide-env -i $name
        $env.__envhook.new = ($env.__envhook.new | upsert $name {})
    }
}

def --env __envhook_restore [] {
    # Only where the value is still ours: a variable the user changed since is the user's now.
    let st = $env.__envhook
    for name in ($st.old | columns) {
        let now = if $name in $env { {v: ($env | get $name)} } else { {} }
        if $now == ($st.new | get -o $name | default {}) {
            let was = ($st.old | get $name)
            if ($was | is-empty) { hide-env -i $name } else { load-env {$name: $was.v} }
        }
    }
    $env.__envhook.old = {}
    $env.__envhook.new = {}
}

def __envhook_path_without [bin: string] {
    let path = $env.PATH
    let i = ($path | enumerate | where item == $bin | get -o 0.index)
    if $i == null { $path } else { $path | drop nth $i }  # only the one entry we added; the user's stay
}

def --env __envhook_deactivate [] {
    if $env.__envhook._envhook_venv != "" {
        $env.PATH = (__envhook_path_without $env.__envhook.bin)
    }
    __envhook_restore  # not only for an env: an untrusted project exported the state alone
    $env.__envhook._envhook_venv = ""
    $env.__envhook.bin = ""
    $env.__envhook._envhook_active = ""
}

def --env __envhook_leave [] {
    __envhook_deactivate
    $env.__envhook._envhook_root = ""
    $env.__envhook.cur = -1
    $env.__envhook._envhook_known = []
    $env.__envhook._envhook_changed = []
    $env.__envhook._envhook_act = []
    $env.__envhook.check = {watch: [], absent: [], present: [], stamp: ""}
}

# The hook cannot go on (envhook gone, or no longer importable by the Python
# this hook was printed with): what it activated is undone at once, and no
# prompt asks Python again.
def --env __envhook_stop [] {
    __envhook_leave
    $env.__envhook._envhook_broken = "1"
}

__envhook_init
