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
    # Sourcing the file twice must not forget what an earlier hook activated, nor register twice.
    if ($env.__envhook? | describe | str starts-with "record") {
        $env.__envhook.config = ($config | upsert session $env.__envhook.config.session)
        $env.__envhook.dirs = {}  # also adds it to the record an older hook made
        return
    }
    $env.__envhook = {
        config: $config
        _envhook_root: "", _envhook_pwd: "", _envhook_told: "", _envhook_broken: ""
        _envhook_known: [], _envhook_changed: [], _envhook_act: []
        venv: "", bin: "", active: "", cur: -1, found: ""
        check: {watch: [], absent: [], present: [], stamp: ""}  # _envhook_changed, parsed once
        old: {}, new: {}  # what __envhook_set replaced ({} where it was unset), and what it put there
        dirs: {}          # directory -> its nearest project dir ("-" for none): __envhook_find
        slot_of: {}       # project dir -> slot
        slots: []         # {root, changed, act} per project visited
        said: []          # failures of the hook already reported
    }
    $env._ENVHOOK_HOOKED = $"($nu.pid):($config.python)"  # which shell loaded the hook: for `envhook doctor`

    # A shell started inside one where envhook had activated an env finds that
    # activation exported (_ENVHOOK_VENV=NO_SYNC:ENV) and takes it over.
    let marker = ($env._ENVHOOK_VENV? | default "")
    let virtual = ($env.VIRTUAL_ENV? | default "")
    if $marker != "" and $virtual != "" and $virtual == ($marker | str replace -r '^[^:]*:' '') {
        $env.__envhook.venv = $virtual
        $env.__envhook.bin = $"($virtual)/bin"
        $env.__envhook.active = $marker
        for name in [VIRTUAL_ENV VIRTUAL_ENV_PROMPT ENVHOOK_STATE _ENVHOOK_VENV UV_NO_SYNC] {
            if ($name in $env) and ($name != UV_NO_SYNC or ($marker | str starts-with "1:")) {
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
# one being completed), or null for nushell's own file completion. Literal
# lists, the words of shell/completions/envhook.bash: TAB starts no process.
def __envhook_complete [spans: list<string>] {
    let cur = ($spans | last)
    let before = ($spans | skip 1 | drop 1)
    let prev = ($before | reverse | get -o 0 | default "")
    let shells = [bash zsh fish xonsh nu elvish tcsh]
    let words = ($before | where {|w| not ($w | str starts-with "-") })
    let cmd = ($words | get -o 0 | default "")
    let args = ($words | skip 1)
    let opts = match $cmd {
        "" => [--help --version --quiet]
        hook => [--help --output]
        status => [--help --json --short]
        pin => [--help --tinkered --absent --note]
        sync => [--help --force --reset]
        config => (if ($args | get -o 0) == get { [--help --json] } else { [--help] })
        allow => [--help --config]
        run | exec => [--help --no-sync]
        env => [--help --json --shell --github-actions --no-sync]
        _ => [--help]
    }
    let choices = if $cmd in [run exec] and "--" in $before {
        null  # the command and its arguments
    } else if ($cur | str starts-with "-") {
        $opts
    } else if $cmd == "" {
        [hook status pin unpin sync allow deny config doctor run exec env completion]
    } else if $cmd == hook and $prev not-in [-o --output] and ($args | is-empty) {
        $shells
    } else if $cmd == env and $prev == --shell {
        $shells
    } else if $cmd == completion and ($args | is-empty) {
        [bash zsh fish]
    } else if $cmd == config {
        let keys = [sync trusted_roots paranoid tinkered uv_no_sync_when_pinned uv_no_sync_when_tinkered
                    notify slow_sync_notice disabled_paths]
        let action = ($args | get -o 0 | default "")
        let key = ($args | get -o 1 | default "")
        if ($args | is-empty) {
            [list get set unset]
        } else if ($args | length) == 1 and $action in [get set unset] {
            $keys
        } else if ($args | length) == 2 and $action == set {
            match $key {
                paranoid | uv_no_sync_when_pinned | uv_no_sync_when_tinkered => [true false]
                tinkered => [keep freeze reset]
                sync => [changed missing]
                notify => [once always never]
                _ => null
            }
        }
    }
    if $choices == null { return null }
    $choices | where {|w| $w | str starts-with $cur }
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
        if $env.__envhook._envhook_root != "" or $env.__envhook.venv != "" { __envhook_leave }
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
        _ENVHOOK_ACTIVE: $st.active, _ENVHOOK_PARANOID_CFG: $st.config.paranoid_cfg
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

def --env __envhook_run_steps [steps: list] {
    for step in $steps {
        if ($step | get 0) == set {
            $env.__envhook = ($env.__envhook | upsert ($step | get 1) ($step | get 2))
        } else if ($step | get 1) == _envhook_adopt {
            __envhook_adopt
        } else if ($step | get 1) == _envhook_leave {
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
    $env.__envhook.slots = ($env.__envhook.slots
        | update $s {root: $st._envhook_root, changed: $st._envhook_changed, check: $check, act: $st._envhook_act})
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

# _envhook_act: ENV PROMPT NO_SYNC STATE, the order of env.activation.Activation.
def --env __envhook_apply [] {
    let act = $env.__envhook._envhook_act
    let target = ($act | get -o 0 | default "")
    let virtual = ($env.VIRTUAL_ENV? | default "")
    let ours = $env.__envhook.venv
    if $target == "" {
        __envhook_deactivate
    } else if $virtual != "" and $virtual != $ours {
        if $ours != "" and $ours != $target {
            __envhook_deactivate  # a venv the user activated by hand wins over ours
        }
        if $env.__envhook.venv == "" {
            # A venv activated outside envhook stays as it is; `uv run` must
            # still leave alone what envhook keeps (hand-made changes, a pin).
            __envhook_restore
            if ($act | get -o 2 | default "") == "1" { __envhook_set UV_NO_SYNC "1" }
        }
    } else if $env.__envhook.active != $"($act | get 2):($target)" {
        __envhook_activate ($act | get 0) ($act | get 1) ($act | get 2)
    }
    let state = ($act | get -o 3 | default "")
    if $state != "" { __envhook_set ENVHOOK_STATE $state }
}

# Set (or, without a value, unset) a variable, remembering what it held first.
def --env __envhook_set [name: string, value?: string] {
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

def --env __envhook_activate [venv: string, prompt: string, no_sync: string] {
    __envhook_deactivate
    $env.__envhook.venv = $venv
    $env.__envhook.bin = $"($venv)/bin"
    $env.__envhook.active = $"($no_sync):($venv)"
    __envhook_set VIRTUAL_ENV $venv
    __envhook_set _ENVHOOK_VENV $"($no_sync):($venv)"
    if $prompt != "" { __envhook_set VIRTUAL_ENV_PROMPT $prompt }
    if "PYTHONHOME" in $env { __envhook_set PYTHONHOME }
    if $no_sync == "1" { __envhook_set UV_NO_SYNC "1" }
    $env.PATH = ($env.PATH | prepend $env.__envhook.bin)
}

def --env __envhook_deactivate [] {
    if $env.__envhook.venv != "" {
        $env.PATH = (__envhook_path_without $env.__envhook.bin)
    }
    __envhook_restore  # not only for an env: an untrusted project exported ENVHOOK_STATE alone
    $env.__envhook.venv = ""
    $env.__envhook.bin = ""
    $env.__envhook.active = ""
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
