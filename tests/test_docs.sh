#!/usr/bin/env bash
# The manual pages and the example configuration keep up with the code:
#  - every key in daemon/conf.c's key table is documented in its [section] of
#    complaintsd.conf(5) and set in its [section] of data/complaintsd.conf.example,
#    and complaintsd.conf(5) documents no key the table does not have;
#  - every command and every long option in `complaintsctl --help` appears in
#    complaintsctl(8), and every long option of `complaintsd --help` in complaintsd(8);
#  - the pages render without groff warnings.
# Paths can be overridden through the environment (CONF_C, CONF_EXAMPLE, CONF_MAN,
# CTL_MAN, D_MAN, CTL_BIN, D_BIN), which is how a broken copy can be checked.
set -euo pipefail
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
: "${CONF_C:=$top_srcdir/daemon/conf.c}"
: "${CONF_EXAMPLE:=$top_srcdir/data/complaintsd.conf.example}"
: "${CONF_MAN:=$top_srcdir/man/complaintsd.conf.5}"
: "${CTL_MAN:=$top_srcdir/man/complaintsctl.8}"
: "${D_MAN:=$top_srcdir/man/complaintsd.8}"
: "${CTL_BIN:=$top_builddir/complaintsctl}"
: "${D_BIN:=$top_builddir/complaintsd}"

passed=0
failed=0
ok() { passed=$((passed + 1)); }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); }

# A page as plain text: no hyphenation, no line breaks inside a paragraph.
render() {
	LC_ALL=C groff -man -Tascii -rLL=2000n -rHY=0 -P-cbou "$1" 2>/dev/null | col -bx
}

# "section key" pairs of the key table in conf.c.
table_keys=$(sed -n '/^static const struct key keys\[\] = {/,/^};/p' "$CONF_C" |
	grep -o '"[a-z_0-9]*", "[a-z_0-9]*"' | tr -d '",')
if [ "$(echo "$table_keys" | grep -c .)" -lt 10 ]; then
	not_ok "cannot read the key table of $CONF_C"
fi

# "section key" pairs a file shows in its sections: man page tags are rendered
# as "key = VALUE" lines, the example as uncommented "key = value" lines.
man_keys=$(render "$CONF_MAN" | awk '
	/^ *\[[a-z_0-9]+\] *$/ { s = $1; gsub(/[][]/, "", s); next }
	/^[A-Z]/ { s = "" }
	s != "" && /^ +[a-z_0-9]+ = / { print s, $1 }')
example_keys=$(awk '
	/^\[[a-z_0-9]+\]/ { s = $1; gsub(/[][]/, "", s); next }
	s != "" && /^[a-z_0-9]+ *=/ { k = $0; sub(/ *=.*/, "", k); print s, k }' "$CONF_EXAMPLE")

while read -r section key; do
	[ -n "$key" ] || continue
	if grep -qx "$section $key" <<<"$man_keys"; then ok; else
		not_ok "[$section] $key is not documented in $(basename "$CONF_MAN")"
	fi
	if grep -qx "$section $key" <<<"$example_keys"; then ok; else
		not_ok "[$section] $key is not set in $(basename "$CONF_EXAMPLE")"
	fi
done <<<"$table_keys"
while read -r section key; do
	[ -n "$key" ] || continue
	# [routing] keys are the rules file's area and route names (daemon/routing.c)
	[ "$section" != routing ] || { ok; continue; }
	if grep -qx "$section $key" <<<"$table_keys"; then ok; else
		not_ok "$(basename "$CONF_MAN") documents [$section] $key, which conf.c does not know"
	fi
done <<<"$man_keys"

# Commands of `complaintsctl --help`: the leading lower-case words of each
# entry under "Commands:", before the gap that starts its description
# ("outbox retry ID     send..." -> "outbox retry").
ctl_help=$("$CTL_BIN" --help)
commands=$(awk '
	/^Commands:/ { on = 1; next }
	on && /^$/ { on = 0 }
	on && /^  [a-z]/ {
		entry = substr($0, 3)
		sub(/   *.*/, "", entry)
		n = split(entry, w, " ")
		c = ""
		for (i = 1; i <= n && w[i] ~ /^[a-z][a-z0-9-]*$/; i++)
			c = c (c == "" ? "" : " ") w[i]
		print c
	}' <<<"$ctl_help")
if [ "$(echo "$commands" | grep -c .)" -lt 4 ]; then
	not_ok "cannot read the commands of $CTL_BIN --help"
fi
ctl_page=$(render "$CTL_MAN")
while read -r cmd; do
	[ -n "$cmd" ] || continue
	if grep -Eq "^ +$cmd( |$)" <<<"$ctl_page"; then ok; else
		not_ok "complaintsctl $cmd is not described in $(basename "$CTL_MAN")"
	fi
done <<<"$commands"

# Long options of both programs.
check_options() { # help-text page-text page-name
	local opt
	for opt in $(grep -o -- '--[a-z][a-z-]*' <<<"$1" | sort -u); do
		if grep -qF -- "$opt" <<<"$2"; then ok; else
			not_ok "option $opt is not described in $3"
		fi
	done
}
check_options "$ctl_help" "$ctl_page" "$(basename "$CTL_MAN")"
check_options "$("$D_BIN" --help)" "$(render "$D_MAN")" "$(basename "$D_MAN")"

# The pages render cleanly.
for page in "$D_MAN" "$CTL_MAN" "$CONF_MAN"; do
	warnings=$(LC_ALL=C groff -man -Tutf8 -ww -z "$page" 2>&1)
	if [ -z "$warnings" ]; then ok; else
		not_ok "$(basename "$page"): groff warnings: $warnings"
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
