#!/bin/sh
# lessons/walkthrough.sh — the classroom walkthrough: every lesson's --demo, in order, each
# under a heading. `make walkthrough` runs it straight through; `make walkthrough PAUSE=1`
# runs a class: each lesson gets --pause (it waits for Enter before every step, so a puzzle's
# answer waits until the class has predicted it) and the walkthrough waits before each
# lesson. Prompts go to stderr and end their own line when the input is piped. Stops at the
# first lesson that fails.
set -eu
BUILD=${BUILD:-build/g++}
PAUSE=${PAUSE:-}
for dir in lessons/[0-9][0-9]-*/; do
    slug=$(basename "$dir")
    binary="$BUILD/lessons/$slug"
    [ -x "$binary" ] || { echo "walkthrough: $binary is not built (run: make lessons)"; exit 1; }
    title=$(head -n 1 "$dir/README.md" 2>/dev/null | sed 's/^# *//')
    if [ -n "$PAUSE" ]; then
        printf '(press Enter for lesson %s)' "$slug" >&2
        read -r _ || true
        [ -t 0 ] || echo >&2   # piped input is not echoed: end the prompt's line ourselves
    fi
    echo
    echo "=================================================================================="
    echo " $slug — $title"
    echo "=================================================================================="
    if [ -n "$PAUSE" ]; then "$binary" --demo --pause; else "$binary" --demo; fi
done
echo
echo "walkthrough: every lesson ran. Read the notes in notes/, one per lesson."
