# fish completion for envhook: `envhook completion fish`.
#
# fish autoloads it from ${XDG_CONFIG_HOME:-~/.config}/fish/completions/envhook.fish,
# where install.sh puts it; `envhook completion fish | source` loads it by hand.
# It runs no program: package names come from the active env's *.dist-info
# directories.

# The words typed after `envhook` that are not options, up to the cursor.
function __envhook_args
    for w in (commandline -opc)[2..-1]
        string match -q -- '-*' $w; or echo $w
    end
end

# True if the positional words before the cursor start with $argv, each a
# pattern ("set", "get|set|unset", ".*").
function __envhook_in
    set -l args (__envhook_args)
    test (count $args) -ge (count $argv); or return 1
    set -l i 1
    for pattern in $argv
        string match -qr -- "^($pattern)\$" $args[$i]; or return 1
        set i (math $i + 1)
    end
end

# True if the positional words before the cursor are exactly $argv (patterns).
function __envhook_at
    test (count (__envhook_args)) -eq (count $argv); and __envhook_in $argv
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

# Before a subcommand.
complete -c envhook -n __envhook_at -s h -l help -d 'show the help and exit'
complete -c envhook -n __envhook_at -l version -d 'show the version and exit'
complete -c envhook -n __envhook_at -s q -l quiet -d 'say only what went wrong'
complete -c envhook -n __envhook_at -a hook -d 'print the shell hook: eval "$(envhook hook bash)"'
complete -c envhook -n __envhook_at -a status -d 'explain the state of the project\'s env and what the hook will do'
complete -c envhook -n __envhook_at -a pin -d 'freeze the env as tinkered (never synced), or only some packages in it'
complete -c envhook -n __envhook_at -a unpin -d 'follow the lock again: the next prompt syncs if needed'
complete -c envhook -n __envhook_at -a sync -d 'sync the env now, even if nothing looks stale'
complete -c envhook -n __envhook_at -a allow -d 'trust the project: let envhook sync and activate its env'
complete -c envhook -n __envhook_at -a deny -d 'distrust the project: envhook will not sync or activate it'
complete -c envhook -n __envhook_at -a config -d 'read or change your settings (config.toml; comments are kept)'
complete -c envhook -n __envhook_at -a doctor -d 'check that the hook, the tools and envhook\'s dirs work; say how to fix what does not'
complete -c envhook -n __envhook_at -a run -d 'run CMD in the project\'s env, synced as the hook would (scripts, Makefiles, CI)'
complete -c envhook -n __envhook_at -a exec -d 'the same as run'
complete -c envhook -n __envhook_at -a env -d 'print what activating the project\'s env changes, for other tools'
complete -c envhook -n __envhook_at -a completion -d 'print the completion script for a shell'

# After one: its options and arguments.
complete -c envhook -n '__envhook_in ".*"' -s h -l help -d 'show the help and exit'

complete -c envhook -n '__envhook_at hook' -a 'bash zsh fish xonsh nu elvish tcsh' -d shell
complete -c envhook -n '__envhook_in hook' -s o -l output -r -F -d 'write the hook to FILE instead of printing it'
complete -c envhook -n '__envhook_at completion' -a 'bash zsh fish' -d shell

complete -c envhook -n '__envhook_in status' -l json -d 'machine-readable output'
complete -c envhook -n '__envhook_in status' -l short -d 'print the state alone, one word (for scripts and prompts)'
complete -c envhook -n '__envhook_in sync' -l force -d 'also sync a pinned env (and unpin it)'
complete -c envhook -n '__envhook_in sync' -l reset -d 'reset hand-made changes to the lock (what it does anyway unless sync = "missing")'
complete -c envhook -n '__envhook_in allow' -l config -r -F -d "accept another user's tool config file (a parent uv.toml…) or path source's file for this project, as it is now"
complete -c envhook -n '__envhook_at "status|sync|allow|deny"' -a '(__fish_complete_directories)'

complete -c envhook -n '__envhook_in "run|exec"; and not contains -- -- (commandline -opc)' -s C -x -a '(__fish_complete_directories)' -d 'the project of DIR, and run CMD there'
complete -c envhook -n '__envhook_in "run|exec"; and not contains -- -- (commandline -opc)' -l no-sync -d 'only activate: create or sync nothing'
complete -c envhook -n '__envhook_in "run|exec"; and contains -- -- (commandline -opc)' -a '(__fish_complete_subcommand --fcs-skip=3)'
complete -c envhook -n '__envhook_in env' -l json -d 'print {"set", "unset", "path_prepend", "state"}'
complete -c envhook -n '__envhook_in env' -l shell -x -a 'bash zsh fish xonsh nu elvish tcsh' -d 'shell code to eval'
complete -c envhook -n '__envhook_in env' -l github-actions -d 'append to $GITHUB_ENV and $GITHUB_PATH'
complete -c envhook -n '__envhook_in env' -l no-sync -d 'only look: create or sync nothing'
complete -c envhook -n '__envhook_at env' -a '(__fish_complete_directories)'

complete -c envhook -n '__envhook_in pin' -l tinkered -d 'pin the packages that differ from the lock'
complete -c envhook -n '__envhook_in pin' -l absent -d 'pin packages that are not installed, to keep them out'
complete -c envhook -n '__envhook_in pin' -l note -x -d 'why it is pinned (shown by status)'
complete -c envhook -n '__envhook_in "pin|unpin"; and not string match -q -- "*/*" (commandline -ct)' -a '(__envhook_packages)' -d package
complete -c envhook -n '__envhook_in "pin|unpin"; and string match -q -- "*/*" (commandline -ct)' -a '(__fish_complete_directories)'

complete -c envhook -n '__envhook_at config' -a list -d 'every setting, its value and where it comes from'
complete -c envhook -n '__envhook_at config' -a get -d 'print one setting\'s bare value (a list: one item a line)'
complete -c envhook -n '__envhook_in config get' -l json -d 'print it as JSON instead'
complete -c envhook -n '__envhook_at config' -a set -d 'set one setting (several values for a list)'
complete -c envhook -n '__envhook_at config' -a unset -d 'remove one setting (back to its default)'
complete -c envhook -n '__envhook_at config "get|set|unset"' -a sync -d 'when the hook syncs: whenever the inputs changed, or only to create a missing (or empty) env'
complete -c envhook -n '__envhook_at config "get|set|unset"' -a trusted_roots -d 'projects under these directories are trusted without `envhook allow`'
complete -c envhook -n '__envhook_at config "get|set|unset"' -a paranoid -d 'trust follows the inputs\' content, as ENVHOOK_PARANOID=1'
complete -c envhook -n '__envhook_at config "get|set|unset"' -a tinkered -d 'when the inputs change under hand-made changes: sync the rest and keep them, freeze the whole env, or reset them'
complete -c envhook -n '__envhook_at config "get|set|unset"' -a uv_no_sync_when_pinned -d 'export UV_NO_SYNC=1 in a pinned project, so `uv run` leaves it'
complete -c envhook -n '__envhook_at config "get|set|unset"' -a uv_no_sync_when_tinkered -d 'export UV_NO_SYNC=1 while the env carries hand-made changes (or package pins), so `uv run` keeps them'
complete -c envhook -n '__envhook_at config "get|set|unset"' -a notify -d 'hand-made change notices: once across shells, once in every shell, or never'
complete -c envhook -n '__envhook_at config "get|set|unset"' -a slow_sync_notice -d 'say "still syncing…" after this many seconds (0: never)'
complete -c envhook -n '__envhook_at config "get|set|unset"' -a disabled_paths -d 'envhook does nothing in projects under these directories'
complete -c envhook -n '__envhook_at config set "paranoid|uv_no_sync_when_pinned|uv_no_sync_when_tinkered"' -a 'true false'
complete -c envhook -n '__envhook_at config set tinkered' -a 'keep freeze reset'
complete -c envhook -n '__envhook_at config set sync' -a 'changed missing'
complete -c envhook -n '__envhook_at config set notify' -a 'once always never'
complete -c envhook -n '__envhook_in config set "trusted_roots|disabled_paths"' -a '(__fish_complete_directories)'
