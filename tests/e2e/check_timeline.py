#!/usr/bin/env python3
"""Schema and consistency check of a run's timeline.json (Chrome trace-event format, opened by Perfetto)
and slices.csv.

usage: check_timeline.py RESULTS_DIR

timeline.json:
  - parses; every event has the fields its phase requires (M: pid tid name args; B: name ts pid tid;
    E: ts pid tid; X: name ts dur pid tid; C: name ts pid args with numeric values);
  - timestamps are µs (non-negative, none past the run's end) and monotonic per track in file order;
  - on each track, B/E pairs match and never overlap, X events lie inside the open slice (if any) and
    never overlap each other at the same depth;
  - per engine, the union of its command slices clipped to the measured window equals engines.csv
    busy_ms; every engine that ran work has slice events.
slices.csv (when present): per engine, the union of `busy` rows clipped to the window equals busy_ms,
and `slice` rows never overlap per engine.
Prints one line per failed property and exits 1, or "timeline ok" and exits 0.
"""
import csv
import json
import os
import sys

errors = []


def err(msg):
    if len(errors) < 20:
        errors.append(msg)


def union_ns(intervals, lo, hi):
    total, cur_s, cur_e = 0, None, None
    for s, e in sorted(intervals):
        s, e = max(s, lo), min(e, hi)
        if e <= s:
            continue
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += cur_e - cur_s
    return total


def to_ns(us):
    return round(us * 1000)


def main():
    d = sys.argv[1]
    summary = json.load(open(os.path.join(d, "summary.json")))
    warm = round(summary["warmup_s"] * 1e9)
    end = warm + round(summary["duration_s"] * 1e9)
    busy_ms = {r["engine"]: float(r["busy_ms"]) for r in csv.DictReader(open(os.path.join(d, "engines.csv")))}

    doc = json.load(open(os.path.join(d, "timeline.json")))
    events = doc["traceEvents"]
    need = {"M": ("pid", "tid", "name", "args"), "B": ("name", "ts", "pid", "tid"), "E": ("ts", "pid", "tid"),
            "X": ("name", "ts", "dur", "pid", "tid"), "C": ("name", "ts", "pid", "args")}
    procs, threads = {}, {}
    last_ts = {}
    stacks = {}      # track -> [start of the open B slice]
    last_end = {}    # (track, depth) -> end of the last closed event at that depth
    cmds = {}        # track -> [(start, end)]
    nslices = {}
    for i, ev in enumerate(events):
        ph = ev.get("ph")
        if ph not in need:
            err(f"event {i}: unknown phase {ph!r}")
            continue
        missing = [k for k in need[ph] if k not in ev]
        if missing:
            err(f"event {i} ({ph}): missing {missing}")
            continue
        if ph == "M":
            if ev["name"] == "process_name":
                procs[ev["pid"]] = ev["args"]["name"].split(" ")[0]
            elif ev["name"] == "thread_name":
                threads[(ev["pid"], ev["tid"])] = ev["args"]["name"]
            continue
        ts = ev["ts"]
        if not isinstance(ts, (int, float)) or ts < 0 or to_ns(ts) > end:
            err(f"event {i}: ts {ts!r} is not a µs time within the run (end {end / 1000} µs)")
            continue
        if ph == "C":
            track = ("C", ev["pid"], ev["name"])
            if not all(isinstance(v, (int, float)) for v in ev["args"].values()):
                err(f"event {i}: counter values must be numbers")
        else:
            track = (ev["pid"], ev["tid"])
        if ts < last_ts.get(track, 0):
            err(f"event {i}: ts {ts} goes back on track {track} (last {last_ts[track]})")
        last_ts[track] = ts
        if ph == "C":
            continue
        t = to_ns(ts)
        st = stacks.setdefault(track, [])
        if ph == "B":
            if last_end.get((track, len(st)), 0) > t:
                err(f"event {i}: slice starts at {ts} before the previous one on {track} ended")
            st.append(t)
            nslices[track] = nslices.get(track, 0) + 1
        elif ph == "E":
            if not st:
                err(f"event {i}: E without a matching B on {track}")
                continue
            st.pop()
            last_end[(track, len(st))] = t
            for k in [k for k in last_end if k[0] == track and k[1] > len(st)]:
                del last_end[k]
        else:
            dur = to_ns(ev["dur"])
            if dur < 0:
                err(f"event {i}: negative dur")
            depth = len(st)
            if depth and t < st[-1]:
                err(f"event {i}: '{ev['name']}' starts before its enclosing slice on {track}")
            if last_end.get((track, depth), 0) > t:
                err(f"event {i}: '{ev['name']}' at {ts} overlaps the previous event on {track}")
            last_end[(track, depth)] = t + dur
            if ev.get("cat") == "command":
                cmds.setdefault(track, []).append((t, t + dur))
    for track, st in stacks.items():
        if st:
            err(f"track {track}: {len(st)} slice(s) never ended")

    # Engine of a track: "<gpu>.<first word of the thread name>".
    per_engine = {}
    engine_tracks = {}
    for (pid, tid), name in threads.items():
        eng = f"{procs.get(pid, '?')}.{name.split(' ')[0]}"
        per_engine.setdefault(eng, []).extend(cmds.get((pid, tid), []))
        if " " not in name:
            engine_tracks[eng] = (pid, tid)
    for eng, ms in busy_ms.items():
        if eng not in engine_tracks:
            err(f"engine {eng}: no track")
            continue
        got = union_ns(per_engine.get(eng, []), warm, end) / 1e6
        if abs(got - ms) > 1e-5 + 1e-9 * ms:
            err(f"engine {eng}: command slices cover {got:.6f} ms of the window, engines.csv busy_ms {ms:.6f}")
        if ms > 0 and not nslices.get(engine_tracks[eng]):
            err(f"engine {eng}: busy but no (vGPU, slice) slices on its track")

    path = os.path.join(d, "slices.csv")
    if os.path.exists(path):
        busy, sl = {}, {}
        for r in csv.DictReader(open(path)):
            iv = (int(r["start_ns"]), int(r["end_ns"]))
            if iv[1] < iv[0]:
                err(f"slices.csv: negative interval {r}")
            if r["kind"] == "busy":
                busy.setdefault(r["engine"], []).append(iv)
            elif r["kind"] == "slice":
                sl.setdefault(r["engine"], []).append(iv)
            elif r["kind"] != "switch":
                err(f"slices.csv: unknown kind {r['kind']!r}")
        for eng, ms in busy_ms.items():
            got = union_ns(busy.get(eng, []), warm, end) / 1e6
            if abs(got - ms) > 1e-5 + 1e-9 * ms:
                err(f"slices.csv: engine {eng}: busy rows cover {got:.6f} ms, engines.csv {ms:.6f}")
        for eng, ivs in sl.items():
            ivs.sort()
            for a, b in zip(ivs, ivs[1:]):
                if b[0] < a[1]:
                    err(f"slices.csv: engine {eng}: slices {a} and {b} overlap")
                    break
    for e in errors:
        print(e)
    if errors:
        sys.exit(1)
    print(f"timeline ok: {len(events)} events, {len(threads)} tracks")


if __name__ == "__main__":
    main()
