#!/bin/sh
# tests/lessons/check-solutions.sh — checks the solution patches of the notes' exercises.
#
# For each notes/answers/patches/NAME.patch: copy the lesson it changes to a temporary
# folder, apply the patch there (the repository is never touched), build the changed lesson
# against the library in $BUILD, run it with --demo, and check that every line of
# NAME.expect appears in the output, in that order (other lines may come between them).
# Prints one line per patch and exits non-zero if any patch does not apply, build or match.
# The lesson tests run it (tests/lessons/solutions_test.cpp); run it by hand from the
# repository root: `sh tests/lessons/check-solutions.sh [NAME...]` (NAME: a patch without .patch).
set -u
BUILD=${BUILD:-build/g++}
CXX=${CXX:-g++}
JOBS=${JOBS:-2}   # compilers at once (make JOBS=N passes its own); the machine has 2 cores
SANITIZE=""
[ -n "${LOOPLAB_SANITIZED:-}" ] && SANITIZE="-fsanitize=address,undefined -fno-sanitize=vptr"
failed=0
checked=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "solution $name: $*"; failed=$((failed + 1)); }

# Names given on the command line ("07-event-queue-ex3"): only those; none: every patch.
if [ "$#" -gt 0 ]; then
    patches=""
    for name in "$@"; do patches="$patches notes/answers/patches/$name.patch"; done
else
    patches=$(ls notes/answers/patches/*.patch 2>/dev/null)
fi
for patch in $patches; do
    [ -e "$patch" ] || { echo "solution $(basename "$patch" .patch): no such patch"; failed=$((failed + 1)); checked=$((checked + 1)); continue; }
    name=$(basename "$patch" .patch)
    checked=$((checked + 1))
    # The lesson is named by the patch's first "+++ b/lessons/SLUG/FILE" line.
    slug=$(sed -n 's|^+++ b/lessons/\([^/]*\)/.*|\1|p' "$patch" | head -n 1)
    if [ -z "$slug" ] || [ ! -d "lessons/$slug" ]; then fail "names no lesson folder"; continue; fi
    if [ ! -f "notes/answers/patches/$name.expect" ]; then fail "has no $name.expect"; continue; fi
    copy="$work/$name"
    mkdir -p "$copy/lessons" "$copy/obj"
    cp -R "lessons/$slug" "$copy/lessons/"
    if ! patch -s -p1 -d "$copy" < "$patch" > "$copy/patch.log" 2>&1; then
        fail "does not apply to lessons/$slug:"; cat "$copy/patch.log"; continue
    fi
    # Reuse the built object of every .cpp the patch left alone (unless a header changed).
    headers_changed=no
    for header in "$copy/lessons/$slug"/*.hpp; do
        [ -e "$header" ] || continue
        cmp -s "$header" "lessons/$slug/$(basename "$header")" || headers_changed=yes
    done
    objects=""
    changed=""
    for source in "$copy/lessons/$slug"/*.cpp; do
        base=$(basename "$source" .cpp)
        prebuilt="$BUILD/obj/lessons/$slug/$base.o"
        if [ "$headers_changed" = no ] && cmp -s "$source" "lessons/$slug/$base.cpp" && [ -f "$prebuilt" ]; then
            objects="$objects $prebuilt"
        else
            changed="$changed $source"
            objects="$objects $copy/obj/$base.o"
        fi
    done
    # Compile what changed, $JOBS at a time (a changed header rebuilds the whole lesson).
    running=0
    for source in $changed; do
        base=$(basename "$source" .cpp)
        # shellcheck disable=SC2086
        ( $CXX -std=c++20 -O0 -Wall -Wextra -Wpedantic -Werror $SANITIZE -Iinclude -I. \
              -c "$source" -o "$copy/obj/$base.o" 2> "$copy/obj/$base.log" || : > "$copy/obj/$base.failed" ) &
        running=$((running + 1))
        if [ "$running" -ge "$JOBS" ]; then wait; running=0; fi
    done
    wait
    built=yes
    for log in "$copy"/obj/*.failed; do
        [ -e "$log" ] || continue
        [ "$built" = yes ] && fail "does not build:"
        built=no
        cat "${log%.failed}.log"
    done
    [ "$built" = yes ] || continue
    # shellcheck disable=SC2086
    if ! $CXX $objects "$BUILD/liblooplab.a" -lfmt -pthread $SANITIZE -o "$copy/lesson" 2> "$copy/build.log"; then
        fail "does not link:"; cat "$copy/build.log"; continue
    fi
    timeout 60 "$copy/lesson" --demo > "$copy/out" 2> "$copy/err"
    status=$?
    if [ "$status" -ne 0 ]; then fail "the patched lesson exited with $status:"; cat "$copy/err"; continue; fi
    # Every line of the .expect file, in order, somewhere in the output.
    missing=$(awk 'NR == FNR { if ($0 != "") want[++n] = $0; next }
                   i < n && $0 == want[i + 1] { ++i }
                   END { if (i < n) print want[i + 1] }' "notes/answers/patches/$name.expect" "$copy/out")
    if [ -n "$missing" ]; then
        fail "the output lacks the line: $missing"; echo "--- output:"; cat "$copy/out"; continue
    fi
    echo "solution $name: applies to lessons/$slug, builds, and prints what $name.expect says"
done
echo "check-solutions: $((checked - failed)) passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$checked" -gt 0 ]
