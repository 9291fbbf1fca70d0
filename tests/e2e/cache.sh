# End-to-end tests of the import cache (docs/traces.md, "The import cache"): a capture named by a config
# is imported on the first run and loaded from $XDG_CACHE_HOME/vgpusim on the next, with byte-identical
# outputs; a truncated or damaged entry is imported again; --no-cache and VGS_NO_CACHE=1 bypass it; an
# unwritable cache folder is one warning.  Each case has its own cache folder under $WORK.  Sourced by
# tests/e2e/run.sh (ok / ko, $VGPUSIM, $WORK).

CA_CFG=tests/e2e/scenarios/capture.cfg

# ca_run CACHE OUT [ARGS...]: run the capture scenario with XDG_CACHE_HOME=CACHE (stderr in OUT.err,
# without ASan's warning about SimGrid's context stacks, which every sanitizer run prints).
ca_run() {
	local cache=$1 out=$2 rc
	shift 2
	XDG_CACHE_HOME=$cache "$VGPUSIM" run "$CA_CFG" -o "$out" --quiet "$@" 2>"$out.err0" >/dev/null
	rc=$?
	grep -v -e '==WARNING: ASan is ignoring requested __asan_handle_no_return' \
		-e '^False positive error reports may follow' -e 'google/sanitizers/issues/189' "$out.err0" >"$out.err"
	return $rc
}

# ca_is OUT WORD: summary.json's global.import_cache is WORD.
ca_is() {
	python3 -c 'import json, sys; g = json.load(open(sys.argv[1] + "/summary.json"))["global"]
sys.exit(0 if g.get("import_cache") == sys.argv[2] else 1)' "$1" "$2"
}

# ca_same A B: the two runs' outputs are identical (summary.json without its wall-clock and cache fields).
ca_same() {
	cmp -s "$1/tenants.csv" "$2/tenants.csv" && cmp -s "$1/engines.csv" "$2/engines.csv" &&
		cmp -s "$1/units.csv" "$2/units.csv" && python3 tests/e2e/same_summary.py "$1/summary.json" "$2/summary.json"
}

# ca_entries CACHE: the number of entries in CACHE/vgpusim.
ca_entries() {
	find "$1/vgpusim" -name '*.vgt' 2>/dev/null | wc -l
}

C=$WORK/ca-cache
rm -rf "$C"
if ca_run "$C" "$WORK/ca1" && ca_is "$WORK/ca1" miss && [ "$(ca_entries "$C")" -eq 1 ] &&
	tail -1 "$C"/vgpusim/*.vgt | grep -Eq '^# vgpusim import cache: sha256 [0-9a-f]{64} bytes [0-9]+$' &&
	[ ! -s "$WORK/ca1.err" ]; then
	ok "import cache: the first run imports the capture and stores one entry (import_cache \"miss\")"
else
	ko "import cache: the first run imports the capture and stores one entry" "$WORK/ca1.err"
fi
if ca_run "$C" "$WORK/ca2" && ca_is "$WORK/ca2" hit && ca_same "$WORK/ca1" "$WORK/ca2" >"$WORK/ca.log" 2>&1 &&
	[ "$(ca_entries "$C")" -eq 1 ] && [ ! -s "$WORK/ca2.err" ]; then
	ok "import cache: the second run loads it from the cache (\"hit\"), outputs identical"
else
	ko "import cache: the second run loads it from the cache, outputs identical" "$WORK/ca.log"
fi
before=$(cat "$C"/vgpusim/*.vgt | cksum)
if ca_run "$C" "$WORK/ca3" --no-cache && ca_is "$WORK/ca3" off && ca_same "$WORK/ca1" "$WORK/ca3" >"$WORK/ca.log" 2>&1 &&
	VGS_NO_CACHE=1 ca_run "$WORK/ca-none" "$WORK/ca4" && ca_is "$WORK/ca4" off && [ ! -e "$WORK/ca-none" ] &&
	[ "$(cat "$C"/vgpusim/*.vgt | cksum)" = "$before" ]; then
	ok "import cache: --no-cache and VGS_NO_CACHE=1 bypass it (\"off\", nothing written), outputs identical"
else
	ko "import cache: --no-cache and VGS_NO_CACHE=1 bypass it" "$WORK/ca.log"
fi

# A damaged entry: cut short, then one byte changed; each is imported again, with a warning, and replaced.
entry=$(ls "$C"/vgpusim/*.vgt)
good=$(cksum <"$entry")
head -c 300 "$entry" >"$entry.cut" && mv "$entry.cut" "$entry"
if ca_run "$C" "$WORK/ca5" && ca_is "$WORK/ca5" miss && ca_same "$WORK/ca1" "$WORK/ca5" >"$WORK/ca.log" 2>&1 &&
	grep -q 'import cache entry .*: truncated; importing .* again' "$WORK/ca5.err" && [ "$(cksum <"$entry")" = "$good" ]; then
	ok "import cache: a truncated entry is imported again and replaced, outputs identical"
else
	cat "$WORK/ca5.err" >>"$WORK/ca.log"
	ko "import cache: a truncated entry is imported again and replaced" "$WORK/ca.log"
fi
python3 -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); i = b.index(b"\n", 200) + 1
b[i] = ord("7") if b[i] != ord("7") else ord("8"); open(p, "wb").write(b)' "$entry"
if ca_run "$C" "$WORK/ca6" && ca_is "$WORK/ca6" miss && ca_same "$WORK/ca1" "$WORK/ca6" >"$WORK/ca.log" 2>&1 &&
	grep -q 'import cache entry .*: its checksum does not match' "$WORK/ca6.err" && [ "$(cksum <"$entry")" = "$good" ] &&
	ca_run "$C" "$WORK/ca7" && ca_is "$WORK/ca7" hit; then
	ok "import cache: an entry with one byte changed is imported again (checksum), then hit again"
else
	cat "$WORK/ca6.err" >>"$WORK/ca.log"
	ko "import cache: an entry with one byte changed is imported again" "$WORK/ca.log"
fi

# A cache folder that cannot be made (its parent is a file): one warning, the run goes on.
: >"$WORK/ca-file"
if ca_run "$WORK/ca-file" "$WORK/ca8" && ca_is "$WORK/ca8" unwritable && ca_same "$WORK/ca1" "$WORK/ca8" >"$WORK/ca.log" 2>&1 &&
	[ "$(wc -l <"$WORK/ca8.err")" -eq 1 ] && grep -q 'warning: import cache .*ca-file/vgpusim: cannot create it' "$WORK/ca8.err"; then
	ok "import cache: an unwritable cache folder is one warning, outputs identical (\"unwritable\")"
else
	cat "$WORK/ca8.err" >>"$WORK/ca.log"
	ko "import cache: an unwritable cache folder is one warning" "$WORK/ca.log"
fi

# The commands that start runs take --no-cache and hand it to every run they start.
rm -rf "$WORK/ca-sw-cache"
if XDG_CACHE_HOME=$WORK/ca-sw-cache "$VGPUSIM" sweep "$CA_CFG" --grid 'simulation.seed=1,2' --no-cache --no-plots -j 2 \
	-o "$WORK/ca-sw" -q >"$WORK/ca.log" 2>&1 && [ "$(ls -d "$WORK"/ca-sw/runs/*/ | wc -l)" -eq 2 ] &&
	(for r in "$WORK"/ca-sw/runs/*/; do ca_is "$r" off || exit 1; done) && [ ! -e "$WORK/ca-sw-cache" ]; then
	ok "import cache: sweep --no-cache bypasses it in every run"
else
	ko "import cache: sweep --no-cache bypasses it in every run" "$WORK/ca.log"
fi
