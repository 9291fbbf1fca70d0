# End-to-end tests of the production scheduler presets (docs/presets.md): every preset runs the default
# scenario under -p, a config selects one with scheduler.preset and tunes it, compare takes presets, and
# bad preset input fails cleanly.  The documented statement of each preset is reproduced by
# tests/unit/test_presets.c.  Sourced by tests/e2e/run.sh (ok / ko / bad_input, $VGPUSIM, $WORK).

PRESET_DUR=${VGS_E2E_QUICK:+0.3}
PRESET_DUR=${PRESET_DUR:-0.5}
P=tests/e2e/presets

for p in $("$VGPUSIM" policies | sed -n 's/^preset \([a-z0-9-]*\).*/\1/p'); do
	out="$WORK/preset-$p"
	if "$VGPUSIM" run configs/cloudgame.cfg -p "$p" --duration "$PRESET_DUR" -o "$out" --quiet >"$WORK/log" 2>&1 &&
		python3 tests/e2e/check_results.py "$out" >>"$WORK/log" 2>&1 &&
		grep -q "\"preset\": \"$p\"" "$out/summary.json"; then
		ok "cloudgame -p $p (preset) runs, its results hold the invariants, summary.json names it"
	else
		ko "cloudgame -p $p (preset)" "$WORK/log"
	fi
done
if [ "$("$VGPUSIM" policies | grep -c '^preset ')" -ge 10 ]; then
	ok "vgpusim policies lists the presets"
else
	ko "vgpusim policies lists the presets"
fi

# scheduler.preset in a config, tuned by its own group: the echo keeps the preset and shows its domain.
if "$VGPUSIM" run $P/preset.cfg -o "$WORK/preset-cfg" --quiet >"$WORK/log" 2>&1 &&
	python3 - "$WORK/preset-cfg/summary.json" >>"$WORK/log" 2>&1 <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["preset"] == "nvidia-es" and s["policy"] == "timeslice", (s["preset"], s["policy"])
assert 'preset = "nvidia-es"' in s["config"] and 'domain = ( ( "gfx" ) )' in s["config"], s["config"]
assert s["domain_mode"] == "groups"
EOF
then
	ok "scheduler.preset = \"nvidia-es\" with scheduler.nvidia-es = { slice_us = ... }: preset, policy, domain"
else
	ko "scheduler.preset in a config" "$WORK/log"
fi
if "$VGPUSIM" run $P/preset.cfg -p weighted -o "$WORK/preset-p" --quiet >"$WORK/log" 2>&1 &&
	grep -q '"policy": "weighted"' "$WORK/preset-p/summary.json" && ! grep -q '"preset": "' "$WORK/preset-p/summary.json"; then
	ok "-p POLICY replaces a config's preset"
else
	ko "-p POLICY replaces a config's preset" "$WORK/log"
fi
bad_input "a config with both policy and preset names file:line" "both.cfg:[0-9]+: scheduler: give either policy or preset" \
	run $P/both.cfg
bad_input "an unknown preset names file:line and lists the presets" "unknown.cfg:[0-9]+: unknown preset 'nvidia-turbo'; expected one of: nvidia-be" \
	run $P/unknown.cfg
bad_input "a bad parameter for a preset names the --set" "--set scheduler.nvidia-es.slice_us=99999: invalid value" \
	run $P/preset.cfg --set 'scheduler.nvidia-es.slice_us=99999'

# compare takes presets and preset items with parameters (the group scheduler.<preset> is created).
if "$VGPUSIM" compare configs/cloudgame.cfg -p nvidia-es,nvidia-es:slice_us=2000,gvtg --no-plots --duration "$PRESET_DUR" \
	-o "$WORK/preset-cmp" -q >"$WORK/log" 2>&1 && [ -s "$WORK/preset-cmp/nvidia-es-slice_us=2000/summary.json" ] &&
	grep -q 'slice_us = 2000' "$WORK/preset-cmp/nvidia-es-slice_us=2000/summary.json"; then
	ok "compare -p nvidia-es,nvidia-es:slice_us=2000,gvtg"
else
	ko "compare with presets" "$WORK/log"
fi
