#!/usr/bin/env bash
# Copyright (c) 2026 The nat64kit authors. SPDX-License-Identifier: ISC (see LICENSE).
# completion.sh — the bash completions of nat64-handoffctl and nat64ctl
# (tools/bash-completion/) loaded into bash with Debian's bash-completion:
# commands, each command's options, option arguments.
set -u
cd "$(dirname "$0")/../.."
BC=/usr/share/bash-completion/bash_completion
[ -f "$BC" ] || { echo "SKIP: bash-completion not installed"; exit 77; }
out=$(bash --norc --noprofile -c '
	. '"$BC"'
	. tools/bash-completion/nat64-handoffctl
	. tools/bash-completion/nat64ctl
	comp() {	# comp PROG WORD...: the completions of the last word
		local fn=_${1//-/_}
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		$fn "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		echo "$*: ${COMPREPLY[*]}"
	}
	comp nat64-handoffctl ""
	comp nat64-handoffctl lo
	comp nat64-handoffctl whois 198.51.100.1:80 --
	comp nat64-handoffctl --json show 198.51.100.1 --
	comp nat64-handoffctl -f /etc/x.conf st
	comp nat64-handoffctl whois x --at ""
	comp nat64-handoffctl ban 2001:db8::1 --
	comp nat64-handoffctl ba
	comp nat64ctl ""
	comp nat64ctl se
	comp nat64ctl --json sessions --
	comp nat64ctl lookup 198.51.100.1:80 --
	comp nat64ctl bib --proto ""
' 2>&1)
echo "$out" | sed 's/^/    /'
fails=0
want() { grep -qF -- "$1" <<<"$out" && echo "ok   $1" || { echo "FAIL $1"; fails=$((fails + 1)); }; }
want "nat64-handoffctl : lookup lookup-client channels stats show ban unban bans whois annotate"
want "nat64-handoffctl lo: lookup lookup-client"
want "whois 198.51.100.1:80 --: --config --control-socket --json --help --version --at --server --log-dir --state-dir"
want "show 198.51.100.1 --: --config --control-socket --json --help --version --server --limit"
want "-f /etc/x.conf st: stats"
want "--at : "
want "ban 2001:db8::1 --: --config --control-socket --json --help --version --for --reason"
want "nat64-handoffctl ba: ban bans"
want "nat64ctl : bib sessions servers stats lookup"
want "nat64ctl se: sessions servers"
want "sessions --: --config --control-socket --json --help --version --proto --addr --port --limit"
want "lookup 198.51.100.1:80 --: --config --control-socket --json --help --version --proto"
want "bib --proto : tcp udp icmp"
[ $fails = 0 ]
