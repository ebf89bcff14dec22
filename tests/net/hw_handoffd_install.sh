#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# tests/net/hw_handoffd_install.sh — scripts/install-handoffd.sh and
# scripts/update-handoffd.sh into a throwaway prefix, unit and config
# directory, with a throwaway service user (nk-test-ho<pid>) that is deleted
# afterwards. Needs root (useradd); skips otherwise. Checks: --dry-run
# changes nothing; files, modes, owner and the substituted unit; the config
# passes `nat64-handoffd -n`; a second run is a no-op and keeps a locally
# edited config; --update-on-restart adds the drop-in and a plain run
# removes it; the unit passes `systemd-analyze verify` (if present);
# update-handoffd.sh fast-forwards a clone and refuses rewritten history.
set -u
cd "$(dirname "$0")/../.."
TOP=$(pwd)
BUILD=${BUILD:-build}
export BUILD

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root (creates a system user)"
	exit 77
fi
for t in useradd userdel getent git; do
	command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done

NAME=nk-test-ho$$
T=$(mktemp -d /tmp/nk-hw-install.XXXXXX)
created_user=0
cleanup() {
	if [ "$created_user" = 1 ] || getent passwd "$NAME" >/dev/null; then
		userdel "$NAME" 2>/dev/null
		getent group "$NAME" >/dev/null && groupdel "$NAME" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
getent passwd "$NAME" >/dev/null && { echo "user $NAME exists already: refusing"; exit 1; }

fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; return 0; fi
	bad "$what"
	return 1
}

P=$T/prefix U=$T/units C=$T/etc H=$T/home/$NAME
ARGS=(--prefix "$P" --unit-dir "$U" --conf-dir "$C" --user-name "$NAME" --home "$H")
inst() { ./scripts/install-handoffd.sh "${ARGS[@]}" "$@" >"$T/out" 2>&1; }

# 0. Bad option: usage error.
./scripts/install-handoffd.sh --no-such-option >/dev/null 2>&1
check "unknown option exits 2" test $? = 2

# 1. Dry run: nothing changes.
inst --dry-run
rc=$?
check "dry run exits 0" test $rc = 0
check "dry run prints the useradd" grep -q "^+ useradd .*$NAME" "$T/out"
check "dry run prints make install" grep -q "^+ make .*PREFIX=$P.* install" "$T/out"
check "dry run creates no user" bash -c "! getent passwd $NAME >/dev/null"
check "dry run creates no files" test -z "$(find "$T" -mindepth 1 -not -name out -print -quit)"

# 2. Install.
inst
rc=$?
getent passwd "$NAME" >/dev/null && created_user=1
check "install exits 0" test $rc = 0 || tail -20 "$T/out"
check "user created" getent passwd "$NAME" >/dev/null
check "user's home" test "$(getent passwd "$NAME" | cut -d: -f6)" = "$H"
check "user has no login shell" bash -c "getent passwd $NAME | cut -d: -f7 | grep -q nologin"
check "logs/ owned by the user" test "$(stat -c %U:%a "$H/logs")" = "$NAME:750"
check "binary installed" test -x "$P/sbin/nat64-handoffd"
check "man page installed" test -f "$P/share/man/man8/nat64-handoffd.8"
check "update script installed" test -x "$P/share/nat64kit/update-handoffd.sh"
check "config installed" test -f "$C/nat64-handoffd.conf"
check "config log-dir substituted" grep -qx "log-dir $H/logs" "$C/nat64-handoffd.conf"
check "unit installed" test -f "$U/nat64-handoffd.service"
check "unit ExecStart" grep -qx "ExecStart=$P/sbin/nat64-handoffd -f $C/nat64-handoffd.conf" "$U/nat64-handoffd.service"
check "unit User" grep -qx "User=$NAME" "$U/nat64-handoffd.service"
check "unit ReadWritePaths" grep -qx "ReadWritePaths=$H/logs" "$U/nat64-handoffd.service"
check "unit hardening kept" grep -qx "CapabilityBoundingSet=" "$U/nat64-handoffd.service"
check "no default user left in the unit" bash -c "! grep -qE '^(User|Group|ReadWritePaths)=.*nat64ho' '$U/nat64-handoffd.service'"
check "no drop-in by default" test ! -e "$U/nat64-handoffd.service.d"
check "systemd absence explained" grep -q "systemd is not running\|not a directory systemd reads\|--no-start" "$T/out"
"$P/sbin/nat64-handoffd" -n -f "$C/nat64-handoffd.conf" >"$T/n.out" 2>&1
check "installed config passes nat64-handoffd -n" test $? = 0
check "-n shows the log dir" grep -qx "log-dir $H/logs" "$T/n.out"

# 3. Idempotent; an edited config survives.
echo "# local edit $$" >>"$C/nat64-handoffd.conf"
sum_before=$(md5sum "$C/nat64-handoffd.conf" "$U/nat64-handoffd.service")
inst
check "second install exits 0" test $? = 0
check "second install keeps the config" grep -q "kept existing" "$T/out"
check "config and unit unchanged" test "$sum_before" = "$(md5sum "$C/nat64-handoffd.conf" "$U/nat64-handoffd.service")"

# 4. Update-on-restart: opt-in drop-in, removed when not asked for.
inst --update-on-restart "$TOP"
check "install --update-on-restart exits 0" test $? = 0
D=$U/nat64-handoffd.service.d/50-update-on-restart.conf
check "drop-in written" test -f "$D"
check "drop-in ExecStartPre" grep -qx "ExecStartPre=-+$P/share/nat64kit/update-handoffd.sh --prefix $P $TOP" "$D"
inst
check "plain install removes the drop-in" test ! -e "$D"
check "and its directory" test ! -e "$U/nat64-handoffd.service.d"

# 5. systemd-analyze verify, when available.
if command -v systemd-analyze >/dev/null; then
	(cd "$T" && systemd-analyze verify --man=no "$U/nat64-handoffd.service") >"$T/verify" 2>&1
	rc=$?
	check "systemd-analyze verify exits 0" test $rc = 0
	check "systemd-analyze verify has no warnings" test ! -s "$T/verify" || cat "$T/verify"
	# the check can fail: a unit with a bad key
	sed 's/^Type=notify$/Type=notifyy/' "$U/nat64-handoffd.service" >"$T/bad.service"
	(cd "$T" && systemd-analyze verify --man=no "$T/bad.service") >"$T/verify2" 2>&1
	check "systemd-analyze verify catches a bad value" test -s "$T/verify2"
else
	echo "skip systemd-analyze verify: not installed"
fi

# 6. update-handoffd.sh against a throwaway upstream, with a fake make.
git -c safe.directory='*' clone -q --bare "$TOP" "$T/upstream.git" &&
git clone -q "$T/upstream.git" "$T/src" &&
git clone -q "$T/upstream.git" "$T/dev" || bad "clone"
git -C "$T/dev" -c user.name=t -c user.email=t@example.invalid commit -q --allow-empty -m "upstream change" &&
git -C "$T/dev" push -q origin HEAD || bad "push"
cat >"$T/fake-make" <<EOF
#!/bin/sh
echo "\$*" >>"$T/make.log"
EOF
chmod +x "$T/fake-make"
MAKE=$T/fake-make "$P/share/nat64kit/update-handoffd.sh" --prefix "$P" "$T/src" >"$T/upd.out" 2>&1
check "update exits 0" test $? = 0 || cat "$T/upd.out"
check "update fast-forwarded" test "$(git -C "$T/src" rev-parse HEAD)" = "$(git -C "$T/dev" rev-parse HEAD)"
check "update ran make all" test "$(sed -n 1p "$T/make.log")" = "-C $T/src BUILD=$BUILD all"
check "then make install" grep -qx -- "-C $T/src BUILD=$BUILD PREFIX=$P UNITDIR=.* install" <(sed -n 2p "$T/make.log")
check "and nothing else" test "$(wc -l <"$T/make.log")" = 2
# rewritten upstream history: refused, nothing built
rm -f "$T/make.log"
git -C "$T/dev" reset -q --hard HEAD~1 &&
git -C "$T/dev" -c user.name=t -c user.email=t@example.invalid commit -q --allow-empty -m "rewritten" &&
git -C "$T/dev" push -q -f origin HEAD || bad "force push"
MAKE=$T/fake-make "$P/share/nat64kit/update-handoffd.sh" --prefix "$P" "$T/src" >"$T/upd2.out" 2>&1
check "non-fast-forward update fails" test $? != 0
check "nothing built after a refused pull" test ! -e "$T/make.log"

echo "$fails failure(s)"
[ $fails = 0 ]
