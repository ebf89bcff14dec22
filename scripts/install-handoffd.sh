#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# scripts/install-handoffd.sh — install nat64-handoffd as a system service.
#
# What the original server's install.sh did, minus the silent self-update:
#   1. create the system user (default nat64ho) with home /home/nat64ho and
#      the audit log directory logs/ in it;
#   2. build this tree and `make install` it (PREFIX, default /usr/local);
#   3. install a commented default configuration, never overwriting one
#      that exists (/etc/nat64kit/nat64-handoffd.conf);
#   4. install the hardened systemd unit with this installation's paths,
#      and enable and (re)start it — only when systemd is running and the
#      unit went to a directory systemd reads.
# Running it again with the same options changes nothing but the binaries.
#
# The original updated its code on every restart. We do not, unless asked
# with --update-on-restart SRC_DIR (see docs/INSTALL-handoffd.md for why it
# is off by default).
#
# Usage: scripts/install-handoffd.sh [options]
#   --prefix DIR            install prefix (default $PREFIX or /usr/local)
#   --unit-dir DIR          systemd unit directory (default /etc/systemd/system)
#   --conf-dir DIR          configuration directory (default /etc/nat64kit)
#   --user-name NAME        service user (default nat64ho)
#   --home DIR              its home (default /home/NAME); logs go to DIR/logs
#   --update-on-restart SRC_DIR
#                           add a drop-in that runs scripts/update-handoffd.sh
#                           SRC_DIR before every start (git pull --ff-only,
#                           make, make install); without this option an
#                           existing drop-in of ours is removed
#   --no-start              install and enable nothing in systemd, start nothing
#   --dry-run               print what would be done, change nothing
#   -h, --help
# Environment: BUILD (make's build directory, default build), PREFIX, MAKE.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
PREFIX=${PREFIX:-/usr/local}
UNITDIR=/etc/systemd/system
CONFDIR=/etc/nat64kit
USERNAME=nat64ho
HOMEDIR=
UPDATE_SRC=
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
DRY=0 DO_START=1
UNIT=nat64-handoffd.service
DROPIN_NAME=50-update-on-restart.conf

usage() { sed -n '/^# Usage:/,/^# Environment:/s/^# \{0,1\}//p' "$0"; }
die() { echo "install-handoffd: $*" >&2; exit 1; }
say() { echo "install-handoffd: $*"; }

while [ $# -gt 0 ]; do
	case "$1" in
	--prefix) PREFIX=${2:?--prefix needs a directory}; shift 2 ;;
	--unit-dir) UNITDIR=${2:?--unit-dir needs a directory}; shift 2 ;;
	--conf-dir) CONFDIR=${2:?--conf-dir needs a directory}; shift 2 ;;
	--user-name) USERNAME=${2:?--user-name needs a name}; shift 2 ;;
	--home) HOMEDIR=${2:?--home needs a directory}; shift 2 ;;
	--update-on-restart) UPDATE_SRC=${2:?--update-on-restart needs the source directory}; shift 2 ;;
	--no-start) DO_START=0; shift ;;
	--dry-run) DRY=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "install-handoffd: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	esac
done
HOMEDIR=${HOMEDIR:-/home/$USERNAME}
LOGDIR=$HOMEDIR/logs
SBINDIR=$PREFIX/sbin
SHAREDIR=$PREFIX/share/nat64kit
CONF=$CONFDIR/nat64-handoffd.conf
DROPIN_DIR=$UNITDIR/$UNIT.d

[[ "$USERNAME" =~ ^[a-z_][a-z0-9_-]{0,30}$ ]] || die "'$USERNAME' is not a valid user name"
for d in "$PREFIX" "$UNITDIR" "$CONFDIR" "$HOMEDIR"; do
	[[ "$d" == /* ]] || die "'$d' must be an absolute path"
	[[ "$d" != *[[:space:]\|\&\\]* ]] || die "'$d': no blanks, |, & or \\ in paths please"
done
if [ -n "$UPDATE_SRC" ]; then
	UPDATE_SRC=$(cd "$UPDATE_SRC" 2>/dev/null && pwd) || die "--update-on-restart: no directory '$UPDATE_SRC'"
	[ -e "$UPDATE_SRC/.git" ] || die "--update-on-restart: $UPDATE_SRC is not a git checkout"
	[[ "$UPDATE_SRC" != *[[:space:]]* ]] || die "--update-on-restart: no blanks in the path please"
fi
if [ "$DRY" = 0 ] && [ "$(id -u)" != 0 ]; then
	die "must run as root (creates a system user); try --dry-run to see what it would do"
fi

# run CMD...: execute, or print in --dry-run.
run() {
	if [ "$DRY" = 1 ]; then
		printf '+'; printf ' %q' "$@"; printf '\n'
	else
		"$@"
	fi
}

# put_file DEST MODE: write standard input to DEST (atomically) unless it is
# already identical; report what happened.
put_file() {
	local dest=$1 mode=$2 tmp
	tmp=$(mktemp)
	cat >"$tmp"
	if [ -f "$dest" ] && cmp -s "$tmp" "$dest"; then
		say "unchanged $dest"
		rm -f "$tmp"
		return 0
	fi
	if [ "$DRY" = 1 ]; then
		say "would write $dest (mode $mode):"
		sed 's/^/    | /' "$tmp"
		rm -f "$tmp"
		return 0
	fi
	install -d "$(dirname "$dest")"
	install -m "$mode" "$tmp" "$dest.tmp.$$"
	mv -f "$dest.tmp.$$" "$dest"
	rm -f "$tmp"
	say "wrote $dest"
}

# 1. The user, its home and the log directory.
if getent passwd "$USERNAME" >/dev/null; then
	say "user $USERNAME exists"
else
	nologin=$(command -v nologin || echo /usr/sbin/nologin)
	run useradd --system --user-group --create-home --home-dir "$HOMEDIR" \
		--shell "$nologin" --comment "NAT64 handoff server" "$USERNAME"
fi
run install -d -m 0750 -o "$USERNAME" -g "$USERNAME" "$HOMEDIR"
run install -d -m 0750 -o "$USERNAME" -g "$USERNAME" "$LOGDIR"

# 2. Build and install. Units, configuration and the sysusers.d/tmpfiles.d
# files of `make install` go to a scratch directory: this script has its own
# user and log directory, and installs the unit and configuration itself.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
run "$MAKE" -C "$SRC" BUILD="$BUILD" all
run "$MAKE" -C "$SRC" BUILD="$BUILD" PREFIX="$PREFIX" UNITDIR="$scratch/units" \
	SYSCONFDIR="$scratch/etc" SYSUSERSDIR="$scratch/sysusers.d" TMPFILESDIR="$scratch/tmpfiles.d" install
run install -d "$SHAREDIR"
run install -m 0755 "$SRC/scripts/update-handoffd.sh" "$SHAREDIR/update-handoffd.sh"

# 3. Configuration: a commented default, never over an existing file.
if [ -e "$CONF" ]; then
	say "kept existing $CONF"
	if ! grep -Eq "^[[:space:]]*log-dir[[:space:]]+$LOGDIR/?[[:space:]]*(#.*)?$" "$CONF"; then
		say "note: $CONF does not set 'log-dir $LOGDIR'; the unit only allows writing there"
	fi
else
	sed "s|^log-dir /var/log/nat64-handoffd\$|log-dir $LOGDIR|; s|^#user nat64-handoffd\$|#user $USERNAME|; s|/etc/nat64kit/nat64-handoffd.conf|$CONF|g" \
		"$SRC/scripts/nat64-handoffd.conf.default" | put_file "$CONF" 0644
fi

# 4. The unit, with this installation's paths, user and log directory (in
# the user's home, which the unit then shows read-only but for that).
sed -e "s|^ExecStart=/usr/local/sbin/nat64-handoffd -f /etc/nat64kit/nat64-handoffd.conf\$|ExecStart=$SBINDIR/nat64-handoffd -f $CONF|" \
    -e "s|^User=nat64-handoffd\$|User=$USERNAME|" \
    -e "s|^Group=nat64-handoffd\$|Group=$USERNAME|" \
    -e "s|^LogsDirectory=nat64-handoffd\$|ReadWritePaths=$LOGDIR|" \
    -e "/^LogsDirectoryMode=/d" \
    -e "s|^ProtectHome=yes\$|ProtectHome=read-only|" \
    "$SRC/systemd/$UNIT" | put_file "$UNITDIR/$UNIT" 0644

# 5. The update-on-restart drop-in: present exactly when asked for.
if [ -n "$UPDATE_SRC" ]; then
	put_file "$DROPIN_DIR/$DROPIN_NAME" 0644 <<EOF
# Installed by scripts/install-handoffd.sh --update-on-restart $UPDATE_SRC.
# Before every start: git pull --ff-only, make, make install from that
# checkout (as root: the '+' prefix). The '-' prefix starts the old code if
# the update fails. Remove this file (and systemctl daemon-reload) to stop.
[Service]
ExecStartPre=-+$SHAREDIR/update-handoffd.sh --prefix $PREFIX $UPDATE_SRC
TimeoutStartSec=15min
EOF
elif [ -e "$DROPIN_DIR/$DROPIN_NAME" ]; then
	run rm -f "$DROPIN_DIR/$DROPIN_NAME"
	run rmdir --ignore-fail-on-non-empty "$DROPIN_DIR"
	say "removed the update-on-restart drop-in (not requested)"
fi

# 6. systemd: only if it runs here and reads the directory we wrote to.
systemd_reads() {
	case "$UNITDIR" in
	/etc/systemd/system|/run/systemd/system|/usr/lib/systemd/system|/lib/systemd/system|/usr/local/lib/systemd/system) return 0 ;;
	*) return 1 ;;
	esac
}
if [ "$DO_START" = 0 ]; then
	say "--no-start: not enabling or starting $UNIT"
elif [ ! -d /run/systemd/system ]; then
	say "systemd is not running on this machine (no /run/systemd/system): the unit is"
	say "installed but neither enabled nor started. Where systemd runs, the same command"
	say "enables and (re)starts it; by hand: systemctl daemon-reload; systemctl enable --now $UNIT"
	say "Without it, run: $SBINDIR/nat64-handoffd -f $CONF -u $USERNAME --syslog &"
elif ! systemd_reads; then
	say "$UNITDIR is not a directory systemd reads units from: not enabling $UNIT"
else
	run systemctl daemon-reload
	run systemctl enable "$UNIT"
	run systemctl restart "$UNIT"
	say "started; check with: systemctl status nat64-handoffd; nat64-handoffd --status -f $CONF"
fi
if [ "$DRY" = 1 ]; then
	say "dry run: nothing was changed"
else
	say "done"
fi
