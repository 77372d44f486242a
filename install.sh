#!/bin/sh
# install.sh: install envhook for the current user from this clone and hook
# your shell.  Run `./install.sh --help` for the options.
#
# With uv on PATH (or in ~/.local/bin):  uv tool install --force --reinstall <this clone>
#                   (not when this clone's build is installed already; an
#                   upgrade stays on the Python envhook runs on)
# Without uv:       a venv at ${XDG_DATA_HOME:-~/.local/share}/envhook/venv
#                   holding envhook and uv, linked into ~/.local/bin.
# Then a marked block in ~/.bashrc (and in the file a login bash reads
# instead: ~/.bash_profile, ~/.bash_login or ~/.profile), ${ZDOTDIR:-~}/.zshrc or
# ${XDG_CONFIG_HOME:-~/.config}/fish/conf.d/envhook.fish, xonsh's rc.d or elvish's
# rc.elv, and the shell's
# completion where it looks for it (the zsh block puts its dir on $fpath);
# `--uninstall` undoes all of it and leaves the rest of those files byte for
# byte as it was (and removes the directories it made, once empty).
#
# Writes only under $HOME and the XDG dirs (and uv's own UV_TOOL_DIR /
# UV_TOOL_BIN_DIR if you set them).  POSIX sh.
set -eu

START_MARK='# >>> envhook >>>'
END_MARK='# <<< envhook <<<'
ABOUT_LINE="# Added by envhook's install.sh; \`install.sh --uninstall\` removes this block."
# Extra comment lines that remember how to undo the edit byte for byte.
CREATED_LINE='# (install.sh created this file: uninstalling deletes it if nothing else is left.)'
NOEOL_LINE='# (install.sh ended the last line above with a newline: uninstalling removes it.)'

usage() {
    cat <<'EOF'
Usage: ./install.sh [--shell bash|zsh|fish|xonsh|nu|elvish|tcsh] [--python PATH] [--no-modify-rc]
       ./install.sh --uninstall [--no-modify-rc]

Install envhook for the current user from this clone and hook your shell.

  With uv on PATH (or in ~/.local/bin), envhook becomes a uv tool
  (`uv tool install`; it lands in `uv tool dir --bin`, usually ~/.local/bin).
  Run again, it keeps an install of this clone's same content, and upgrades
  one from another on the Python it runs on (--python to change it), so that
  open shells' hooks keep working.
  Without uv, envhook and uv are installed into a venv at
  ${XDG_DATA_HOME:-~/.local/share}/envhook/venv (Python >= 3.11 needed) and
  linked into ~/.local/bin.

  Then a marked block is added to (or replaced in) your shell's rc file:
    bash  ~/.bashrc, and the file a login shell (bash -l) reads instead:
          the first of ~/.bash_profile, ~/.bash_login, ~/.profile that
          exists (~/.profile is created when none does)
    zsh   ${ZDOTDIR:-~}/.zshrc (ZDOTDIR as zsh itself sets it, .zshenv included)
    fish  ${XDG_CONFIG_HOME:-~/.config}/fish/conf.d/envhook.fish
    xonsh ${XDG_CONFIG_HOME:-~/.config}/xonsh/rc.d/envhook.xsh
    nu    ${XDG_CONFIG_HOME:-~/.config}/nushell/config.nu (its line writes the
          hook to nushell/autoload/envhook.nu, which --uninstall deletes too)
    elvish ~/.elvish/rc.elv when it exists (elvish 0.19 reads that one then),
          else ${XDG_CONFIG_HOME:-~/.config}/elvish/rc.elv
    tcsh  ~/.tcshrc (tcsh reads ~/.cshrc only when there is no ~/.tcshrc)

  And the shell's completion (`envhook completion SHELL`) where it looks:
    bash  ${XDG_DATA_HOME:-~/.local/share}/bash-completion/completions/envhook
          (loaded by the bash-completion package)
    zsh   ${XDG_DATA_HOME:-~/.local/share}/zsh/site-functions/_envhook
          (the rc block puts that dir on $fpath)
    fish  ${XDG_CONFIG_HOME:-~/.config}/fish/completions/envhook.fish
    (xonsh, nu, elvish and tcsh: their hooks set it up themselves)

Options:
  --shell SHELL    hook this shell (default: the basename of $SHELL, else bash)
  --python PATH    Python interpreter for envhook (the venv's, or uv's --python)
  --no-modify-rc   leave rc files alone; print the line to add by hand (the
                   completion file is still installed: it is not an rc file)
  --uninstall      remove envhook, its completions and the rc blocks again
  -h, --help       show this help
EOF
}

say() { printf '%s\n' "$*"; }
warn() { printf 'install.sh: warning: %s\n' "$*" >&2; }
die() {
    printf 'install.sh: error: %s\n' "$*" >&2
    exit 1
}

# --- arguments ---------------------------------------------------------------

action=install
shell_name=
python=
modify_rc=1
while [ $# -gt 0 ]; do
    case $1 in
        --shell)
            [ $# -ge 2 ] || die "--shell needs a value: bash, zsh, fish, xonsh, nu, elvish or tcsh"
            shell_name=$2
            shift 2
            ;;
        --shell=*)
            shell_name=${1#*=}
            shift
            ;;
        --python)
            [ $# -ge 2 ] || die "--python needs a path to a Python interpreter"
            python=$2
            shift 2
            ;;
        --python=*)
            python=${1#*=}
            shift
            ;;
        --no-modify-rc)
            modify_rc=0
            shift
            ;;
        --uninstall)
            action=uninstall
            shift
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        *) die "unknown argument: $1 (see ./install.sh --help)" ;;
    esac
done

case $shell_name in
    '' | bash | zsh | fish | xonsh | nu | elvish | tcsh) ;;
    nushell) shell_name=nu ;;
    *) die "--shell must be bash, zsh, fish, xonsh, nu, elvish or tcsh, not '$shell_name'" ;;
esac
if [ -z "${HOME:-}" ] || [ ! -d "$HOME" ]; then
    die "HOME is not set to a directory"
fi

# --- where things go -----------------------------------------------------------

data_home=${XDG_DATA_HOME:-$HOME/.local/share}
config_home=${XDG_CONFIG_HOME:-$HOME/.config}
venv=$data_home/envhook/venv
local_bin=$HOME/.local/bin
# The ZDOTDIR zsh itself ends up with: often set in ~/.zshenv, which this sh never read.
zdotdir=${ZDOTDIR:-}
if [ -z "$zdotdir" ] && command -v zsh >/dev/null 2>&1; then
    zdotdir=$(zsh -c 'printf %s "${ZDOTDIR-}"' </dev/null 2>/dev/null) || zdotdir=
fi
case $0 in
    */*) here=${0%/*} ;;
    *) here=. ;;
esac
repo=$(cd -- "$here" && pwd -P) || die "cannot find the directory install.sh is in"
rc_table=$repo/shell/rc-files
[ -f "$rc_table" ] || die "$rc_table is missing; run install.sh from inside an envhook clone (./install.sh)"

# rc_files SHELL KIND: the files shell/rc-files lists (doctor reads the same
# table), expanded, one per line.
rc_files() {
    while read -r _s _k _files; do
        [ "$_s" = "$1" ] && [ "$_k" = "$2" ] || continue
        set -f  # a listed glob stays a word (only doctor expands those)
        for _f in $_files; do
            case $_f in
                '~/'*) _f=$HOME/${_f#'~/'} ;;
                '$ZDOTDIR/'*) _f=${zdotdir:-$HOME}/${_f#'$ZDOTDIR/'} ;;
                '$XDG_CONFIG_HOME/'*) _f=$config_home/${_f#'$XDG_CONFIG_HOME/'} ;;
            esac
            printf '%s\n' "$_f"
        done
        set +f
    done < "$rc_table"
}
bashrc=$(rc_files bash block)
zshrc=$(rc_files zsh block)
fishrc=$(rc_files fish block)
xonshrc=$(rc_files xonsh block)
nurc=$(rc_files nu block)
# elvish 0.19 reads ~/.elvish/rc.elv instead of the XDG one when it exists: the
# block goes where elvish reads (rc-files: the first that exists, else the last).
elvishrc=
while IFS= read -r _f; do
    elvishrc=$_f
    [ ! -f "$_f" ] || break
done <<EOF
$(rc_files elvish block)
EOF
tcshrc=$(rc_files tcsh block)
# Where each shell looks for completions (bash: bash-completion's user dir).
bash_completion=$data_home/bash-completion/completions/envhook
zsh_functions=$data_home/zsh/site-functions
zsh_completion=$zsh_functions/_envhook
fish_completion=$config_home/fish/completions/envhook.fish
# A line of every completion script (shell/completions/), telling it is ours.
COMPLETION_ID='completion for envhook: `envhook completion'

# $HOME/... shown as ~/... in messages.
tilde() {
    # shellcheck disable=SC2088 # a literal ~, for people to read
    case $1 in
        "$HOME"/*) printf '~/%s' "${1#"$HOME"/}" ;;
        *) printf '%s' "$1" ;;
    esac
}

# Quote $1 for sh/bash/zsh: '...' with each ' written as '\''.
sh_quote() {
    _rest=$1
    _out=
    while :; do
        case $_rest in
            *\'*)
                _out=$_out${_rest%%\'*}"'\\''"
                _rest=${_rest#*\'}
                ;;
            *) break ;;
        esac
    done
    printf "'%s%s'" "$_out" "$_rest"
}

# Quote $1 as a nushell double-quoted string: \ and " backslash-escaped.
nu_quote() {
    printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
}

# Quote $1 for fish, or as a Python string literal (xonsh): both are '...'
# with \ and ' backslash-escaped (a bin dir holds no newline: refused below).
sq_quote() {
    printf "'%s'" "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g")"
}

# Quote $1 for elvish: '...' with each ' written twice; nothing else is special there.
elv_quote() {
    printf "'%s'" "$(printf '%s' "$1" | sed -e "s/'/''/g")"
}

# Quote $1 for tcsh: '...', with ' and ! (history substitution sees it even
# inside single quotes) spliced in outside, backslash-escaped; a backslash
# inside tcsh's single quotes is literal (a bin dir holds no newline: refused below).
tcsh_quote() {
    printf "'%s'" "$(printf '%s' "$1" | sed -e "s/'/'\\\\''/g" -e "s/!/'\\\\!'/g")"
}

# The uv on PATH, if it runs (a pyenv shim may exist without a uv behind it);
# else ~/.local/bin/uv, where uv's own installer puts it, maybe not on PATH yet.
find_uv() {
    uv_bin=$(command -v uv 2>/dev/null || true)
    case $uv_bin in
        /*) "$uv_bin" --version >/dev/null 2>&1 || uv_bin= ;;
        *) uv_bin= ;;
    esac
    if [ -z "$uv_bin" ] && [ -x "$local_bin/uv" ] && "$local_bin/uv" --version >/dev/null 2>&1; then
        uv_bin=$local_bin/uv
    fi
}

# Is $1 the uv that an earlier venv install put into our venv (or its link)?
is_our_uv() {
    [ "$1" = "$venv/bin/uv" ] || { [ -L "$1" ] && [ "$(readlink "$1")" = "$venv/bin/uv" ]; }
}

# Remove the links in ~/.local/bin that point into our venv.
unlink_venv() {
    for _name in envhook uv uvx; do
        _link=$local_bin/$_name
        if [ -L "$_link" ] && [ "$(readlink "$_link")" = "$venv/bin/$_name" ]; then
            rm -f "$_link"
            say "Removed the link $(tilde "$_link")"
        fi
    done
}

remove_venv() {
    unlink_venv
    if [ -d "$venv" ]; then
        if [ -f "$venv/pyvenv.cfg" ]; then
            rm -rf "$venv"
            say "Removed the venv $(tilde "$venv")"
            rmdir "$data_home/envhook" 2>/dev/null || true
        else
            warn "$venv does not look like a venv (no pyvenv.cfg); left it alone"
        fi
    fi
}

# --- which build is installed --------------------------------------------------
#
# Open shells run the hook they printed at start: envhook's interpreter by its
# path, with envhook's site-packages on the import path. Reinstalling pulls
# that from under them, so a rerun (another shell's block) keeps an install
# of the same build, and an upgrade stays on the interpreter they run. "The
# same build" is the same content (the version string does not change with
# every commit): this clone's files that go into the wheel, and the files the
# install put in place (envhook's RECORD, which lists them with their hashes),
# as written down in BUILD_FILE in the tool's own venv, which goes with it.
BUILD_FILE=.envhook-build

# SHA-256 of stdin where a tool for it exists (cksum, POSIX, else).
digest() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum | cut -d ' ' -f 1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 | cut -d ' ' -f 1
    else
        cksum | tr ' ' -
    fi
}

# The digest of what a build from this clone is made of: every file of
# pyproject.toml, README.md, src/ and shell/ (bytecode aside), named and counted.
source_digest() {
    for _t in find sort wc cat; do
        command -v "$_t" >/dev/null 2>&1 || return 1
    done
    (
        cd "$repo" || exit 1
        find pyproject.toml README.md src shell -type f ! -name '*.pyc' ! -path '*/__pycache__/*' 2>/dev/null |
            LC_ALL=C sort | while IFS= read -r _f; do
                printf '%s\n' "$_f"
                wc -c <"$_f"
                cat "$_f"
            done
    ) | digest
}

# The digest of envhook's RECORD in the venv $1; fails when there is none.
installed_record() {
    for _r in "$1"/lib/python3*/site-packages/envhook-*.dist-info/RECORD; do
        [ -f "$_r" ] || continue
        digest <"$_r"
        return 0
    done
    return 1
}

# The interpreter the venv $1 runs (its real path), if it runs and is >= 3.11.
venv_base() {
    [ -x "$1/bin/python" ] || return 1
    "$1/bin/python" -I -c 'import os, sys
sys.version_info >= (3, 11) or sys.exit(1)
print(os.path.realpath(sys._base_executable))' 2>/dev/null
}

# Does the venv $1 hold this clone's build, installed by install.sh (and, with
# --python, on that interpreter)?
same_build() {
    [ -n "$build" ] && [ -f "$1/$BUILD_FILE" ] || return 1
    _rec=$(installed_record "$1") || return 1
    [ "$(cat "$1/$BUILD_FILE")" = "$build $_rec" ] || return 1
    [ -z "$python" ] || [ "$(venv_base "$1")" = "$("$python" -I -c 'import os, sys
print(os.path.realpath(sys.executable))' 2>/dev/null)" ]
}

# Write down that the venv $1 holds this clone's build.
record_build() {
    [ -n "$build" ] || return 0
    _rec=$(installed_record "$1") || return 0
    printf '%s %s\n' "$build" "$_rec" >"$1/$BUILD_FILE" 2>/dev/null || true
}

# --- directories ----------------------------------------------------------------
#
# --uninstall removes the directories install.sh made (~/.config/fish/conf.d,
# ~/.config/nushell, a completion's dir…) once they are empty again, and no
# others: each one made is written down in DIRS_FILE, one path a line.
DIRS_FILE=$data_home/envhook/install-dirs

# The directories `mkdir -p $1` would make, parents first, one a line (no newline after the last).
missing_dirs() {
    _d=$1
    _out=
    while [ ! -d "$_d" ] && [ ! -L "$_d" ]; do
        _out="$_d
$_out"
        _d=$(dirname "$_d")
    done
    printf '%s' "$_out"
}

# mkdir -p $1, writing down what it made (and the dir of DIRS_FILE, if made for it).
# (Its variables are its own, _md_*: sh has no locals, and its callers have theirs.)
make_dirs() {
    _md_new=$(missing_dirs "$1")
    mkdir -p "$1" || return 1
    [ -n "$_md_new" ] || return 0
    # A newline inside a path would make two lines, that is, other paths: such a one is not written down.
    case $1 in *'
'*) return 0 ;; esac
    _md_own=$(missing_dirs "${DIRS_FILE%/*}")
    mkdir -p "${DIRS_FILE%/*}" 2>/dev/null || return 0
    printf '%s\n%s\n' "$_md_own" "$_md_new" | while IFS= read -r _md_d; do
        [ -n "$_md_d" ] || continue
        grep -qxF -- "$_md_d" "$DIRS_FILE" 2>/dev/null || printf '%s\n' "$_md_d" >>"$DIRS_FILE"
    done
}

# Remove the directories install.sh made that are empty now, deepest first;
# then DIRS_FILE itself.
remove_made_dirs() {
    [ -f "$DIRS_FILE" ] || return 0
    _list=$(cat "$DIRS_FILE")
    rm -f "$DIRS_FILE"
    _removed=$(printf '%s\n' "$_list" | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f 2- |
        while IFS= read -r _d; do
            [ -n "$_d" ] && [ -d "$_d" ] && [ ! -L "$_d" ] || continue
            ! rmdir "$_d" 2>/dev/null || printf '%s, ' "$(tilde "$_d")"
        done)
    [ -z "$_removed" ] || say "Removed the directories install.sh had made, empty now: ${_removed%, }"
}

# --- completions -------------------------------------------------------------

completion_file() {
    case $1 in
        bash) printf '%s' "$bash_completion" ;;
        zsh) printf '%s' "$zsh_completion" ;;
        fish) printf '%s' "$fish_completion" ;;
    esac
}

# Write `envhook completion $1` (the installed envhook's) to where shell $1
# looks for it, unless it is there already.
install_completion() {
    _file=$(completion_file "$1")
    _new=$("$envhook" completion "$1" && printf x) || die "\`$envhook completion $1\` failed"
    if [ -f "$_file" ] && [ "$(cat "$_file" && printf x)" = "$_new" ]; then
        say "$(tilde "$_file") already has the $1 completion"
        return 0
    fi
    make_dirs "$(dirname "$_file")" || die "cannot make the directory for $_file"
    printf '%s' "${_new%x}" >"$_file"
    say "Installed the $1 completion as $(tilde "$_file")"
}

# Remove the completion files install.sh put in place (they carry COMPLETION_ID);
# their dirs go with the others install.sh made (remove_made_dirs).
remove_completions() {
    for _file in "$bash_completion" "$zsh_completion" "$fish_completion"; do
        [ -f "$_file" ] || continue
        if grep -qF "$COMPLETION_ID" "$_file"; then
            rm -f "$_file"
            say "Removed $(tilde "$_file")"
        else
            warn "$_file is not envhook's completion from install.sh; left it alone"
        fi
    done
}

# Is the bash-completion package (which loads $bash_completion) installed?
have_bash_completion() {
    for _f in /usr/share/bash-completion/bash_completion /etc/bash_completion \
        /usr/local/share/bash-completion/bash_completion /opt/homebrew/share/bash-completion/bash_completion \
        /usr/local/etc/profile.d/bash_completion.sh /opt/homebrew/etc/profile.d/bash_completion.sh; do
        [ -f "$_f" ] && return 0
    done
    return 1
}

# --- rc files ----------------------------------------------------------------

# The file a login bash reads in place of ~/.bashrc: the first that exists,
# as bash looks for them; ~/.profile (read by sh too) when none does.
bash_login_file() {
    _last=
    while IFS= read -r _f; do
        if [ -f "$_f" ]; then
            printf '%s' "$_f"
            return 0
        fi
        _last=$_f
    done <<EOF
$(rc_files bash login)
EOF
    printf '%s' "$_last"
}

# Print the file $1 with the envhook block(s) removed (mode remove) or the
# first one replaced by $ENVHOOK_BLOCK and any others removed (mode replace),
# keeping every other byte; then an "x", so that $(...) keeps trailing newlines.
# Fails (status 3) if a block has no end marker.
rewrite_rc() {
    if [ -z "$(tail -c 1 "$2")" ]; then _eol=1; else _eol=0; fi
    awk -v mode="$1" -v eol="$_eol" -v start="$START_MARK" -v stop="$END_MARK" \
        -v noeol_line="$NOEOL_LINE" '
        inblk {
            if ($0 == noeol_line) noeol = 1
            if ($0 == stop) inblk = 0
            next
        }
        $0 == start {
            inblk = 1
            tail_is_block = 1
            if (mode == "replace" && !done) {
                out[++n] = ENVIRON["ENVHOOK_BLOCK"]
                isblk[n] = 1
                done = 1
            } else if (n > 0 && out[n] == "" && !isblk[n]) {
                n--  # the blank line install.sh put before the block
            }
            next
        }
        {
            out[++n] = $0
            isblk[n] = 0
            tail_is_block = 0
        }
        END {
            if (inblk) exit 3
            for (i = 1; i <= n; i++) printf "%s%s", out[i], (i < n ? "\n" : "")
            if (n == 0) nl = 0
            else if (!tail_is_block) nl = eol
            else if (mode == "replace") nl = 1
            else nl = !noeol
            if (nl) printf "\n"
        }' "$2" && printf x
}

# Put the block (header + $2) into the rc file $1: replace an existing block in
# place, else append it.  Sets rc_change to created/added/updated/unchanged.
install_block() {
    _rc=$1
    _flags=
    if [ -f "$_rc" ] && grep -qxF "$START_MARK" "$_rc"; then
        grep -qxF "$CREATED_LINE" "$_rc" && _flags="$_flags
$CREATED_LINE"
        grep -qxF "$NOEOL_LINE" "$_rc" && _flags="$_flags
$NOEOL_LINE"
        _block="$START_MARK
$ABOUT_LINE$_flags
$2
$END_MARK"
        _old=$(cat "$_rc" && printf x) || die "cannot read $_rc"
        ENVHOOK_BLOCK=$_block
        export ENVHOOK_BLOCK
        _new=$(rewrite_rc replace "$_rc") ||
            die "$_rc has a '$START_MARK' line without a matching '$END_MARK'; fix it by hand, then rerun"
        if [ "$_new" = "$_old" ]; then
            rc_change=unchanged
        else
            printf '%s' "${_new%x}" >"$_rc"
            rc_change=updated
        fi
        return 0
    fi
    if [ ! -e "$_rc" ] && [ ! -L "$_rc" ]; then
        make_dirs "$(dirname "$_rc")" || die "cannot make the directory for $_rc"
        printf '%s\n%s\n%s\n%s\n%s\n' "$START_MARK" "$ABOUT_LINE" "$CREATED_LINE" "$2" "$END_MARK" >"$_rc"
        rc_change=created
    elif [ ! -s "$_rc" ]; then
        printf '%s\n%s\n%s\n%s\n' "$START_MARK" "$ABOUT_LINE" "$2" "$END_MARK" >>"$_rc"
        rc_change=added
    elif [ -z "$(tail -c 1 "$_rc")" ]; then
        printf '\n%s\n%s\n%s\n%s\n' "$START_MARK" "$ABOUT_LINE" "$2" "$END_MARK" >>"$_rc"
        rc_change=added
    else
        printf '\n\n%s\n%s\n%s\n%s\n%s\n' "$START_MARK" "$ABOUT_LINE" "$NOEOL_LINE" "$2" "$END_MARK" >>"$_rc"
        rc_change=added
    fi
}

# Take the envhook block(s) out of the rc file $1 (if any).
remove_block() {
    _rc=$1
    [ -f "$_rc" ] && grep -qxF "$START_MARK" "$_rc" || return 0
    _created=0
    grep -qxF "$CREATED_LINE" "$_rc" && _created=1
    _new=$(rewrite_rc remove "$_rc") ||
        die "$_rc has a '$START_MARK' line without a matching '$END_MARK'; remove the block by hand"
    _new=${_new%x}
    if [ -z "$_new" ] && [ "$_created" = 1 ]; then
        rm -f "$_rc"
        say "Removed $(tilde "$_rc") (install.sh had created it)"
    else
        printf '%s' "$_new" >"$_rc"
        say "Removed the envhook block from $(tilde "$_rc")"
    fi
}

# --- uninstall -----------------------------------------------------------------

if [ "$action" = uninstall ]; then
    find_uv
    if [ -n "$uv_bin" ]; then
        _tool_dir=$("$uv_bin" tool dir 2>/dev/null || true)
        if [ -n "$_tool_dir" ] && [ -d "$_tool_dir/envhook" ]; then
            "$uv_bin" tool uninstall --quiet envhook
            say "Removed the uv tool envhook"
        fi
    fi
    remove_venv
    remove_completions
    if [ -e "$local_bin/envhook" ] || [ -L "$local_bin/envhook" ]; then
        warn "$local_bin/envhook is still there (installed some other way, or with a uv that is not on PATH now); remove it by hand"
    fi
    if [ "$modify_rc" = 1 ]; then
        while IFS= read -r rc; do
            remove_block "$rc" </dev/null
        done <<EOF
$(for s in bash zsh fish xonsh nu elvish tcsh; do for k in block login cleanup; do rc_files "$s" "$k"; done; done)
EOF
        # The file nushell's hook line writes and then sources: only ever envhook's.
        while IFS= read -r made; do
            if [ -f "$made" ] && head -n 1 "$made" | grep -q '^# envhook for nushell'; then
                rm -f "$made"
                say "Removed $(tilde "$made") (written by the hook line)"
            fi
        done <<EOF
$(rc_files nu made)
EOF
    else
        say "Left your rc files alone (--no-modify-rc): remove the envhook lines from them by hand."
    fi
    remove_made_dirs
    state_dir=${XDG_STATE_HOME:-$HOME/.local/state}/envhook
    if [ -d "$state_dir" ]; then
        say "Kept envhook's state (trust decisions, pins) in $(tilde "$state_dir"); delete it if you like."
    fi
    say "envhook is uninstalled; open a new shell to drop the hook from this one."
    exit 0
fi

# --- install -------------------------------------------------------------------

if [ ! -f "$repo/pyproject.toml" ] || ! grep -q '^name = "envhook"' "$repo/pyproject.toml"; then
    die "$repo is not an envhook clone; run install.sh from inside one (./install.sh)"
fi

if [ -z "$shell_name" ]; then
    shell_name=${SHELL:-}
    shell_name=${shell_name##*/}
    case $shell_name in
        bash | zsh | fish | xonsh | nu | elvish | tcsh) ;;
        *)
            warn "cannot tell your shell from SHELL='${SHELL:-}'; hooking bash (use --shell to choose)"
            shell_name=bash
            ;;
    esac
fi

if [ -n "$python" ]; then
    case $python in
        */*) ;;
        *) python=$(command -v "$python" 2>/dev/null) || die "--python: '$python' is not on PATH" ;;
    esac
    [ -x "$python" ] || die "--python: $python is not an executable"
fi

# Without the tools for it (find, sort, a hasher), every run reinstalls, as before.
build=$(source_digest 2>/dev/null) || build=
keep_build=
find_uv
if [ -n "$uv_bin" ] && ! is_our_uv "$uv_bin"; then
    # --- the uv route
    tool_venv=$("$uv_bin" tool dir 2>/dev/null)/envhook || tool_venv=
    bindir=$("$uv_bin" tool dir --bin) || die "uv tool dir --bin failed"
    envhook=$bindir/envhook
    if [ -n "$tool_venv" ] && same_build "$tool_venv" && version=$("$envhook" --version 2>&1); then
        say "$version from $repo is already installed as a uv tool ($(tilde "$envhook")): kept it as it is"
    else
        set -- tool install --force --reinstall --quiet
        if [ -n "$python" ]; then
            set -- "$@" --python "$python"
            say "Installing envhook from $repo with uv tool install ..."
        elif [ -n "$tool_venv" ] && kept=$(venv_base "$tool_venv"); then
            # An upgrade: uv may pick another Python now, and a venv on another
            # Python moves the site-packages that open shells import envhook from.
            set -- "$@" --python "$kept"
            say "Upgrading envhook from $repo with uv tool install, on the Python it runs on ($kept; --python PATH for another) ..."
        else
            say "Installing envhook from $repo with uv tool install ..."
        fi
        "$uv_bin" "$@" "$repo" || die "uv tool install failed (see above)"
        [ -x "$envhook" ] || die "uv tool install did not create $envhook"
        version=$("$envhook" --version 2>&1) || die "the installed $envhook does not run: $version"
        [ -z "$tool_venv" ] || record_build "$tool_venv"
        say "Installed $version as a uv tool: $(tilde "$envhook")"
    fi
    # An earlier install without uv left a venv: the uv tool replaces it.
    [ ! -d "$venv" ] || remove_venv
else
    # --- the venv route (also when the only uv is the one in our venv)
    if [ -z "$python" ] && [ -f "$venv/pyvenv.cfg" ] &&
        "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        # Update the existing venv in place (no --python asked for, and it works).
        if same_build "$venv"; then
            keep_build=1
            say "Updating uv in $(tilde "$venv"); envhook there is this clone's build already: kept it as it is ..."
        else
            say "Updating envhook and uv in $(tilde "$venv") ..."
        fi
    else
        py=${python:-python3}
        case $py in
            */*) ;;
            *) py=$(command -v "$py" 2>/dev/null) ||
                die "uv is not on PATH and neither is $py: install Python >= 3.11 (or uv: https://docs.astral.sh/uv/), or pass --python PATH" ;;
        esac
        pyver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) ||
            die "cannot run $py"
        case $pyver in
            [0-9]*.[0-9]*) ;;
            *) die "cannot tell the version of $py" ;;
        esac
        if [ "${pyver%%.*}" -lt 3 ] || { [ "${pyver%%.*}" -eq 3 ] && [ "${pyver#*.}" -lt 11 ]; }; then
            die "$py is Python $pyver, envhook needs Python >= 3.11: pass --python /path/to/python3.11-or-newer (or install uv)"
        fi
        if [ -n "$uv_bin" ]; then
            say "Recreating $(tilde "$venv") with $py (Python $pyver) for envhook and uv ..."
        else
            say "uv is not on PATH: installing envhook and uv in $(tilde "$venv") with $py (Python $pyver) ..."
        fi
        make_dirs "$data_home/envhook" || die "cannot make $data_home/envhook"
        "$py" -m venv --clear "$venv" ||
            die "$py -m venv failed (on Debian/Ubuntu: apt install python3-venv; or install uv)"
    fi
    # --upgrade: rerunning install.sh also brings uv (and envhook's deps) up to date.
    if [ -n "$keep_build" ]; then
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade uv ||
            die "pip install into $venv failed (see above)"
    else
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "$repo" uv ||
            die "pip install into $venv failed (see above)"
        record_build "$venv"
    fi
    make_dirs "$local_bin" || die "cannot make $local_bin"
    for name in envhook uv uvx; do
        [ -e "$venv/bin/$name" ] || continue
        if [ -e "$local_bin/$name" ] && [ ! -L "$local_bin/$name" ]; then
            warn "$local_bin/$name exists and is not a link; replacing it"
        fi
        rm -f "$local_bin/$name"
        ln -s "$venv/bin/$name" "$local_bin/$name"
    done
    bindir=$local_bin
    envhook=$local_bin/envhook
    version=$("$envhook" --version 2>&1) || die "the installed $envhook does not run: $version"
    say "Installed $version in $(tilde "$venv"), linked as $(tilde "$envhook")"
    say "Installed $("$local_bin/uv" --version) there too (envhook syncs envs with it), linked as $(tilde "$local_bin/uv")"
fi

case $bindir in
    *'
'*) die "the bin dir $bindir contains a newline; cannot write it into an rc file" ;;
esac

# --- the completion (not an rc file: also with --no-modify-rc) ---------------------

case $shell_name in
    xonsh | nu | elvish | tcsh) ;;
    *) install_completion "$shell_name" ;;
esac
if [ "$shell_name" = bash ] && ! have_bash_completion; then
    say "bash loads it through the bash-completion package, which is not installed here:"
    say "install that, or add this line to $(tilde "$bashrc"):"
    say ""
    say "    source $(sh_quote "$bash_completion")"
    say ""
fi

# --- hook the shell --------------------------------------------------------------

case $shell_name in
    nu)
        rc=$nurc
        qbin=$(nu_quote "$bindir")
        qenvhook=$(nu_quote "$envhook")
        # config.nu is read by interactive nushells, before their autoload
        # files: the hook it writes there is sourced in the same start.
        body="if $qbin not-in \$env.PATH { \$env.PATH = (\$env.PATH | prepend $qbin) }
^$qenvhook hook nu -o (\$nu.user-autoload-dirs | first | path join envhook.nu)"
        line="^$qenvhook hook nu -o (\$nu.user-autoload-dirs | first | path join envhook.nu)"
        hand_rc=$(rc_files nu rc)
        ;;
    elvish)
        rc=$elvishrc
        qbin=$(elv_quote "$bindir")
        qenvhook=$(elv_quote "$envhook")
        # elvish reads rc.elv in interactive shells only (not for scripts or -c).
        body="if (not (has-value \$paths $qbin)) { set paths = [$qbin \$@paths] }
eval ($qenvhook hook elvish | slurp)"
        line="eval ($qenvhook hook elvish | slurp)"
        hand_rc=$elvishrc
        ;;
    tcsh)
        rc=$tcshrc
        qbin=$(tcsh_quote "$bindir")
        qenvhook=$(tcsh_quote "$envhook")
        # $?prompt: interactive shells only (the hook sets precmd and cwdcmd).
        body="if ( \":\${PATH}:\" !~ *:$qbin:* ) setenv PATH $qbin\":\${PATH}\"
if ( \$?prompt ) then
    eval \"\`$qenvhook hook tcsh\`\"
endif"
        line="eval \"\`$qenvhook hook tcsh\`\""
        hand_rc=$(rc_files tcsh rc)
        ;;
    xonsh)
        rc=$xonshrc
        qbin=$(sq_quote "$bindir")
        qenvhook=$(sq_quote "$envhook")
        # rc.d files run in interactive xonsh only.
        body="if $qbin not in \$PATH: \$PATH.insert(0, $qbin)
execx(\$($qenvhook hook xonsh))"
        line="execx(\$($qenvhook hook xonsh))"
        hand_rc=$(rc_files xonsh rc)
        ;;
    fish)
        rc=$fishrc
        qbin=$(sq_quote "$bindir")
        qenvhook=$(sq_quote "$envhook")
        body="contains -- $qbin \$PATH; or set -gx PATH $qbin \$PATH
if status is-interactive
    $qenvhook hook fish | source
end"
        line="$qenvhook hook fish | source"
        hand_rc=$(rc_files fish rc)
        ;;
    *)
        if [ "$shell_name" = zsh ]; then rc=$zshrc; else rc=$bashrc; fi
        qbin=$(sh_quote "$bindir")
        qenvhook=$(sh_quote "$envhook")
        path_line="case \":\$PATH:\" in *:$qbin:*) ;; *) export PATH=$qbin\":\$PATH\" ;; esac"
        body=$path_line
        if [ "$shell_name" = zsh ]; then
            # The completion's dir on fpath for a later compinit; after an
            # earlier one (the usual case: the block comes last), compdef.
            qfunctions=$(sh_quote "$zsh_functions")
            fpath_line="fpath=($qfunctions \${fpath:#$qfunctions})"
            body="$body
$fpath_line
(( ! \$+functions[compdef] )) || { autoload -Uz _envhook && compdef _envhook envhook; }"
        fi
        body="$body
eval \"\$($qenvhook hook $shell_name)\""
        line="eval \"\$($qenvhook hook $shell_name)\""
        hand_rc=$rc
        if [ "$shell_name" = bash ]; then
            # POSIX sh: ~/.profile is read by sh and dash too. The hook sets
            # _envhook_python: a login file that sources ~/.bashrc loads it once.
            login_rc=$(bash_login_file)
            login_body="$path_line
# A login bash (bash -l; tmux, many terminals) reads this file, not ~/.bashrc.
if [ -n \"\${BASH_VERSION-}\" ] && [ -z \"\${_envhook_python-}\" ]; then
    case \$- in *i*) $line ;; esac
fi"
        fi
        ;;
esac

if [ "$modify_rc" = 0 ]; then
    say "Left your rc files alone (--no-modify-rc). To hook $shell_name, add this line to $(tilde "$hand_rc"):"
    say ""
    say "    $line"
    say ""
    case ":$PATH:" in
        *":$bindir:"*) ;;
        *) say "and put $bindir on your PATH, to run \`envhook\` by name." ;;
    esac
    if [ "$shell_name" = bash ]; then
        say "Login shells (bash -l) read $(tilde "$login_rc") instead; add the same line there, inside"
        say "    if [ -n \"\${BASH_VERSION-}\" ] && [ -z \"\${_envhook_python-}\" ]; then ... fi"
        say ""
    fi
    if [ "$shell_name" = zsh ]; then
        say "For the completion, add this line before compinit runs (before \`autoload -Uz compinit; compinit\`):"
        say ""
        say "    $fpath_line"
        say ""
    fi
    say "Then open a new shell and run \`envhook allow\` in a project."
    exit 0
fi

report_block() {
    case $rc_change in
        created) say "Created $(tilde "$1") with the envhook block" ;;
        added) say "Added the envhook block to $(tilde "$1")" ;;
        updated) say "Updated the envhook block in $(tilde "$1")" ;;
        unchanged) say "$(tilde "$1") already has the envhook block" ;;
    esac
}
install_block "$rc" "$body"
report_block "$rc"
if [ "$shell_name" = bash ]; then
    install_block "$login_rc" "$login_body"
    report_block "$login_rc"
fi
if [ "$shell_name" = fish ] || [ "$shell_name" = xonsh ] || [ "$shell_name" = nu ] || [ "$shell_name" = elvish ]; then
    reload="exec $shell_name"
else
    case $rc in
        "$HOME"/*) reload="source $(tilde "$rc")" ;;
        *) reload="source $(sh_quote "$rc")" ;;
    esac
fi
say "Next: open a new shell (or \`$reload\`) and run \`envhook allow\` in a project."
