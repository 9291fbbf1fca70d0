#!/bin/sh
# The simulator's speed benchmark (`make bench` runs it): see scripts/bench.py for what it measures.
# usage: scripts/bench.sh [--runs N] [--quick] [--no-save]
exec python3 "$(dirname "$0")/bench.py" "$@"
