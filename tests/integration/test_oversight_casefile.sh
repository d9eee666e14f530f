#!/usr/bin/env bash
# The Ombudsman's case file and the Code's self-assessment, on the real
# stack.  A resident complains with photos (two of the same name, one named
# like a path), an officer answers with a PDF letter, the resident replies
# with text that looks like HTML; then:
#   casefile REF --output DIR   every messages/NN.eml byte-identical to
#                               `message REF N --raw`, every attachment there
#                               under a safe name with the SHA-256 that
#                               index.html gives (and the sender's bytes), no
#                               script or remote reference in index.html, mail
#                               text escaped, 0700/0600, an existing DIR refused
#   self-assessment             its figures equal `report`'s for the same
#                               period and scheme on the same store
. "$(dirname "$0")/lib.sh"
it_setup oversight-casefile

OFFICER=olivia.officer@council.example
JANE=jane.resident@example.net
sha() { sha256sum "$1" | cut -d' ' -f1; }

# --- 1. a complaint with photos
head -c 3000 /dev/urandom >"$dir/photo-a.jpg"
head -c 4000 /dev/urandom >"$dir/photo-b.jpg"
head -c 1500 /dev/urandom >"$dir/evil.jpg"
python3 - "$dir" "$JANE" "$COMPLAINTS" <<'PY'
import sys
from email.message import EmailMessage
from email.utils import formatdate
d, jane, complaints = sys.argv[1:4]
m = EmailMessage()
m["From"] = "Jane Resident <%s>" % jane
m["To"] = complaints
m["Subject"] = "Fly-tipped mattress still not collected"
m["Message-ID"] = "<jane-cf-1@test.example>"
m["Date"] = formatdate(localtime=True)
m.set_content("I want to complain: the mattress is still on the verge.\n"
              "From the start of this month I have reported it three times.\n")
for src, name in (("photo-a.jpg", "photo.jpg"), ("photo-b.jpg", "photo.jpg"),
                  ("evil.jpg", "../../.hidden evil.jpg")):
    with open("%s/%s" % (d, src), "rb") as f:
        m.add_attachment(f.read(), maintype="image", subtype="jpeg", filename=name)
with open("%s/jane.eml" % d, "wb") as f:
    f.write(bytes(m))
PY
it_deliver "$dir/jane.eml"
check "run 1" it_once
ref=$(ctl list --json | jq -r '.[0].ref')
check "Jane's case opened" test -n "$ref"
check_eq "as a complaint" complaint "$(it_field "$ref" .kind)"
check_eq "acknowledged" 1 "$(it_inbox_of "$JANE" 1)"

# --- 2. the officer's response with a PDF letter
{ printf '%%PDF-1.4\n'; head -c 20000 /dev/urandom; printf '\n%%%%EOF\n'; } >"$dir/Response letter.pdf"
python3 - "$dir" "$OFFICER" "$COMPLAINTS" "$ref" "$VOUCHED" <<'PY'
import sys
from email.message import EmailMessage
from email.utils import formatdate
d, officer, complaints, ref, vouched = sys.argv[1:6]
m = EmailMessage()
name, value = vouched.split(": ", 1)
m[name] = value
m["From"] = "Olivia Officer <%s>" % officer
m["To"] = complaints
m["Subject"] = "Re: [%s] Fly-tipped mattress still not collected" % ref
m["Message-ID"] = "<olivia-cf-1@test.example>"
m["Date"] = formatdate(localtime=True)
m.set_content("Dear Jane,\n\nThe mattress was collected this morning. Our letter is attached.\n\n"
              "#outcome upheld\n\nOlivia Officer\n")
with open("%s/Response letter.pdf" % d, "rb") as f:
    m.add_attachment(f.read(), maintype="application", subtype="pdf", filename="Response letter.pdf")
with open("%s/olivia.eml" % d, "wb") as f:
    f.write(bytes(m))
PY
it_deliver "$dir/olivia.eml"
check "run 2" it_once
check_eq "Jane has the response" 2 "$(it_inbox_of "$JANE" 2)"

# --- 3. Jane escalates, with text that looks like markup, quoting the response
it_mail "$dir/reply.eml" "Jane Resident <$JANE>" "$COMPLAINTS" "Re: [$ref] Our response to your complaint" <<'EOF2'
I'm still not happy and I want to take this further.
<script>alert("x")</script> <img src="https://tracker.example.net/p.png"> & more.

On Mon, 7 Dec 2026, Example Borough Council wrote:
> The mattress was collected this morning.
EOF2
it_deliver "$dir/reply.eml"
check "run 3" it_once
check_eq "escalated to stage 2" 2 "$(it_field "$ref" .stage)"

# --- 4. the case file
cf=$dir/casefile
out=$(ctl casefile "$ref" --output "$cf" 2>&1) && rc=0 || rc=$?
check_eq "casefile exits 0" 0 "$rc"
echo "$out"
check_eq "DIR is its owner's only" 700 "$(stat -c %a "$cf")"
check_eq "so is messages/" 700 "$(stat -c %a "$cf/messages")"
check_eq "so is attachments/" 700 "$(stat -c %a "$cf/attachments")"
check "every file is 0600" test -z "$(find "$cf" -type f ! -perm 600)"
n=$(ctl show "$ref" --json | jq '.messages | length')
check "the case has its messages (at least 3 in, 3 out)" test "$n" -ge 6
check_eq "one .eml per message" "$n" "$(find "$cf/messages" -name '*.eml' | wc -l)"
same=0
for ((i = 1; i <= n; i++)); do
	f=$(printf '%s/messages/%02d.eml' "$cf" "$i")
	ctl message "$ref" "$i" --raw >"$dir/raw.$i"
	cmp -s "$f" "$dir/raw.$i" && same=$((same + 1))
done
check_eq "every NN.eml is byte-identical to message REF N --raw" "$n" "$same"

# attachments: safe names, the hashes index.html gives, the sender's bytes
ls -A "$cf/attachments" >"$dir/att.list"
cat "$dir/att.list"
check "no attachment name starts with a dot or a dash" sh -c "! grep -q '^[.-]' '$dir/att.list'"
check "no name has a space, a quote or a control character" sh -c "! LC_ALL=C grep -q '[^A-Za-z0-9._+-]' '$dir/att.list'"
check "nothing was written outside DIR" test ! -e "$dir/.hidden evil.jpg" -a ! -e "$cf/.hidden evil.jpg"
check "the two photos of the same name are both kept" \
	test "$(grep -c 'photo' "$dir/att.list")" -ge 2
checked=0 wrong=0
while read -r f; do
	want=$(grep -o "href=\"attachments/$f\">[^<]*</a>[^<]*<br><code class=\"sha\">SHA-256 [0-9a-f]*" "$cf/index.html" |
		head -1 | grep -o '[0-9a-f]\{64\}$')
	if [ "$want" = "$(sha "$cf/attachments/$f")" ]; then checked=$((checked + 1)); else wrong=$((wrong + 1)); fi
done <"$dir/att.list"
check_eq "every attachment's SHA-256 in index.html is the file's" 0 "$wrong"
check "every attachment is linked with its SHA-256" test "$checked" -eq "$(wc -l <"$dir/att.list")"
for src in photo-a.jpg photo-b.jpg evil.jpg "Response letter.pdf"; do
	check "$src is there byte for byte, its hash in the chronology" \
		grep -q "SHA-256 $(sha "$dir/$src")" "$cf/index.html"
	check "and in attachments/" sh -c "sha256sum '$cf'/attachments/* | grep -q '^$(sha "$dir/$src") '"
done
for ((i = 1; i <= n; i++)); do
	f=$(printf '%02d.eml' "$i")
	grep -q "href=\"messages/$f\">messages/$f</a> <code class=\"sha\">SHA-256 $(sha "$cf/messages/$f")" "$cf/index.html" ||
		wrong=$((wrong + 1))
done
check_eq "every message is linked with its SHA-256" 0 "$wrong"

# index.html: self-contained, escaped, complete
html=$cf/index.html
check "no script" sh -c "! grep -qi '<script' '$html'"
check "nothing remote is referenced" sh -c "! grep -qiE '(src|href|action)=\"?(https?:)?//|url\\(|@import' '$html'"
check "the resident's markup is shown as text" grep -q '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;' "$html"
check "every link is to a file beside it" sh -c "! grep -o 'href=\"[^\"]*\"' '$html' | grep -qv 'href=\"\\(messages\\|attachments\\)/'"
check "the quoted part is marked" grep -q 'class="quoted"' "$html"
check "the officer is among who handled it" grep -q "$OFFICER" "$html"
check "the deadlines say they were met" grep -q '<td class="met">met</td>' "$html"
check "stage 1's response among them" grep -q '<tr><td>Stage 1 response</td><td>[0-9-]*</td><td>[^<]*</td><td class="met">met</td>' "$html"
check "stage 2's acknowledgement was sent in time" \
	grep -q '<tr><td>Stage 2 acknowledgement</td><td>[0-9-]*</td><td>[^<]*</td><td class="met">met</td>' "$html"
check "stage 2's response is not due yet" \
	grep -q '<tr><td>Stage 2 response (final)</td><td>[0-9-]*</td><td>-</td><td class="open">not yet due</td>' "$html"
check "every message's subject is there" grep -q 'Re: \[[A-Z0-9-]*\] Our response to your complaint' "$html"
check "an event is in the chronology" grep -q 'class="event"' "$html"

# index.html on A4, read from its markup and print style sheet (no browser
# here): a message may break across pages but its header keeps to its text,
# headings to what follows them, long words wrap inside the page
python3 - "$html" <<'PY' >"$dir/print.txt" && rc=0 || rc=$?
import re, sys
from html.parser import HTMLParser
page = open(sys.argv[1], encoding="utf-8").read()

class Messages(HTMLParser):
    """The classes of each div.msg's child divs, in order."""
    def __init__(self):
        super().__init__()
        self.stack, self.msgs = [], []
    def handle_starttag(self, tag, attrs):
        if tag != "div":
            return
        cls = dict(attrs).get("class") or ""
        if len(self.stack) == 1:
            self.msgs[-1].append(cls)
        if self.stack or cls.startswith("msg "):
            self.stack.append(cls)
        if cls.startswith("msg "):
            self.msgs.append([])
    def handle_endtag(self, tag):
        if tag == "div" and self.stack:
            self.stack.pop()

def rules(css):
    """(media, selector, {property: value}) of every rule, @media one deep."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out, media, pos = [], "all", 0
    while True:
        m = re.compile(r"[{}]").search(css, pos)
        if m is None:
            return out
        if m.group(0) == "}":
            media, pos = "all", m.end()
            continue
        head = css[pos:m.start()].strip()
        if head.startswith("@media"):
            media, pos = head[len("@media"):].strip(), m.end()
            continue
        end = css.index("}", m.end())
        decl = dict((k.strip(), v.strip()) for k, v in
                    (d.split(":", 1) for d in css[m.end():end].split(";") if ":" in d))
        out += [(media, " ".join(sel.split()), decl) for sel in head.split(",")]
        pos = end + 1

rs = rules("\n".join(re.findall(r"<style>(.*?)</style>", page, re.S)))
def has(media, sel, prop, value):
    return any(m in (media, "all") and s == sel and d.get(prop) == value for m, s, d in rs)
p = Messages()
p.feed(page)
fails = []
def want(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        fails.append(what)
want(len(p.msgs) >= 6, "%d messages in the chronology" % len(p.msgs))
odd = [m for m in p.msgs if m not in (["head", "body"], ["head has-att", "body", "att"])]
want(not odd, "each message is its header, its text, then its attachments %s" % odd)
want(any(m[-1] == "att" for m in p.msgs), "a message with attachments among them")
whole = [(m, s) for m, s, d in rs if d.get("break-inside") == "avoid" and
         re.search(r"(div\.msg|div\.head|div\.body|div\.att|pre|div\.quoted|ul\.att)$", s)]
want(not whole, "no message, header or text refuses to split %s" % whole)
want(has("print", "div.head > p", "break-inside", "avoid") and
     has("print", "div.head > p", "break-after", "avoid"), "a header's lines hold together and to the text")
want(has("print", "ul.att > li", "break-inside", "avoid"), "each attachment holds together")
want(has("print", "h2", "break-after", "avoid"), "a section heading keeps to what follows it")
want(any(m in ("print", "all") and s == "pre" and int(d.get("orphans", "0")) >= 2 and
         int(d.get("widows", "0")) >= 2 for m, s, d in rs), "a text keeps lines on each side of a break")
want(has("all", "thead", "display", "table-header-group") and "<thead>" in page,
     "the deadlines' header row repeats on each page")
want(has("all", "pre", "white-space", "pre-wrap") and has("all", "pre", "overflow-wrap", "anywhere"),
     "a message's long lines wrap, long words too")
for sel in ("table.case td", "div.msg > div.head", "div.msg > div.att", "p.event"):
    want(any(s == sel and d.get("overflow-wrap") == "anywhere" for m, s, d in rs),
         "long words wrap in " + sel)
sys.exit(1 if fails else 0)
PY
cat "$dir/print.txt"
check_eq "the case file prints on A4 as it should (FAIL lines above say what not)" 0 "$rc"

# an existing DIR is refused and left as it was
before=$(find "$cf" -type f -exec sha256sum {} + | sort | sha256sum)
out=$(ctl casefile "$ref" --output "$cf" 2>&1) && rc=0 || rc=$?
check_eq "an existing DIR: exit 1" 1 "$rc"
check "it says so" grep -q 'File exists' <<<"$out"
check_eq "and nothing in it changed" "$before" "$(find "$cf" -type f -exec sha256sum {} + | sort | sha256sum)"
out=$(ctl casefile CMP-1999-000001 --output "$dir/none" 2>&1) && rc=0 || rc=$?
check_eq "an unknown case: exit 1" 1 "$rc"
check "and no directory is made" test ! -e "$dir/none"

# --- 5. the self-assessment against report for the same period and scheme
year=$(date +%Y)
ctl report --from "$year-01-01" --to "$year-12-31" --scheme lgsco --format json >"$dir/report.json"
ctl self-assessment --scheme lgsco --from "$year-01-01" --to "$year-12-31" --format json >"$dir/sa.json"
check "the self-assessment is a JSON array of rows" jq -e 'type == "array" and length > 30' "$dir/sa.json" >/dev/null
python3 - "$dir/report.json" "$dir/sa.json" <<'PY' >"$dir/compare.txt" && rc=0 || rc=$?
import json, sys
rep = json.load(open(sys.argv[1]))
rows = json.load(open(sys.argv[2]))
bad = n = 0
for row in rows:
    for f in row["figures"]:
        sec, meas = f["key"].split(".", 1)
        v = rep["figures"][sec][meas]
        if "den" in f:
            want = None if f["den"] == 0 else round(100.0 * f["num"] / f["den"], 1)
            ok = (v is None and want is None) or (v is not None and want is not None and abs(v - want) < 0.051)
        else:
            ok = v == f["num"]
        n += 1
        if not ok:
            bad += 1
            print("row %s: %s is %r, the report says %r" % (row["section"], f["key"], f, v))
    refs = set(row["references"])
    for f in row["figures"]:
        sec, meas = f["key"].split(".", 1)
        r = rep.get("references", {}).get(sec, {}).get(meas)
        if r and not set(r) <= refs:
            bad += 1
            print("row %s: the report names %r behind %s" % (row["section"], r, f["key"]))
print("%d figures compared, %d differ" % (n, bad))
sys.exit(1 if bad or n < 10 else 0)
PY
cat "$dir/compare.txt"
check_eq "every figure is the report's" 0 "$rc"
check_eq "6.2 counts Jane's acknowledgement in time" "meets" \
	"$(jq -r '.[] | select(.section == "6.2") | .assessment' "$dir/sa.json")"
check_eq "and her escalation" 1 \
	"$(jq -r '.[] | select(.section == "5.7") | .figures[] | select(.key == "stage2.escalated") | .num' "$dir/sa.json")"
ctl self-assessment --scheme housing --from "$year-01-01" --to "$year-12-31" --format html --output "$dir/sa.html"
check "the HTML form names the council" grep -q '<h1>Example Borough Council</h1>' "$dir/sa.html"
check "and has no script" sh -c "! grep -qi '<script' '$dir/sa.html'"
ctl self-assessment --scheme lgsco --from "$year-01-01" --to "$year-12-31" --format csv >"$dir/sa.csv"
check "the CSV has CRLF line ends" grep -q $'\r$' "$dir/sa.csv"
out=$(ctl self-assessment --scheme welsh --from "$year-01-01" --to "$year-12-31" 2>&1) && rc=0 || rc=$?
check_eq "an unknown scheme: exit 2" 2 "$rc"
check "check-config reads the provisions" ctl check-config

# a council's broken provisions file: check-config names the file and line
mkdir "$dir/rules"
cp "$top_srcdir/data/rules.conf" "$dir/rules/"
sed -e 's/^6.2 \[lgo-6\] ack1:/6.2 [lgo-6] acknowledgement:/' "$top_srcdir/data/provisions-lgsco.conf" \
	>"$dir/rules/provisions-lgsco.conf"
bad=$(grep -n '^6.2 ' "$dir/rules/provisions-lgsco.conf" | cut -d: -f1)
sed -e "s|^rules_file = .*|rules_file = $dir/rules/rules.conf|" "$dir/complaintsd.conf" >"$dir/bad.conf"
out=$("$COMPLAINTSCTL" -c "$dir/bad.conf" check-config 2>&1) && rc=0 || rc=$?
check_eq "check-config refuses a broken provisions file: exit 2" 2 "$rc"
check "and says where and why" grep -q "provisions-lgsco.conf:$bad: 6.2: unknown evidence \"acknowledgement\"" <<<"$out"
check "a missing one is noted" grep -q "provisions-housing.conf: missing" <<<"$out"
out=$("$COMPLAINTSCTL" -c "$dir/bad.conf" self-assessment --scheme lgsco --from "$year-01-01" --to "$year-12-31" 2>&1) && rc=0 || rc=$?
check_eq "self-assessment refuses it too: exit 2" 2 "$rc"
check "with the same words" grep -q "provisions-lgsco.conf:$bad: 6.2: unknown evidence" <<<"$out"

it_finish
