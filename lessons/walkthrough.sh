#!/bin/sh
# lessons/walkthrough.sh — the classroom walkthrough: every lesson's --demo, in order, each
# under a heading. `make walkthrough` runs it. Stops at the first lesson that fails.
set -eu
BUILD=${BUILD:-build/g++}
for dir in lessons/[0-9][0-9]-*/; do
    slug=$(basename "$dir")
    binary="$BUILD/lessons/$slug"
    [ -x "$binary" ] || { echo "walkthrough: $binary is not built (run: make lessons)"; exit 1; }
    title=$(head -n 1 "$dir/README.md" 2>/dev/null | sed 's/^# *//')
    echo
    echo "=================================================================================="
    echo " $slug — $title"
    echo "=================================================================================="
    "$binary" --demo
done
echo
echo "walkthrough: every lesson ran. Read the notes in notes/, one per lesson."
