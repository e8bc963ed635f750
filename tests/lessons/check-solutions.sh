#!/bin/sh
# tests/lessons/check-solutions.sh — checks the solution patches of the notes' exercises.
#
# For each notes/answers/patches/NAME.patch: copy the lesson it changes to a temporary
# folder, apply the patch there (the repository is never touched), build the changed lesson
# against the library in $BUILD, run it with --demo, and check that every line of
# NAME.expect appears in the output, in that order (other lines may come between them).
# Prints one line per patch, in the order the patches were named (or sorted), then
#     check-solutions: N passed, M failed
# and exits non-zero if any patch does not apply, build or match.
# The lesson tests run it (tests/lessons/solutions_test.cpp); run it by hand from the
# repository root: `sh tests/lessons/check-solutions.sh [NAME...]` (NAME: a patch without .patch).
#
# Speed: the patches are checked $JOBS at a time (default: one per core; make JOBS=N passes
# its own), each in its own folder. Only what a patch changed is compiled: an unchanged .cpp
# reuses the object $BUILD already has, also when the patch changed a header, as long as that
# object's dependency file ($BUILD/obj/lessons/SLUG/BASE.d, written by the compiler) shows it
# does not include the header (no dependency file: compiled again). What a patch changed is
# compiled once and kept in $BUILD/solutions/NAME/ for the next run, which reuses it while
# the compile command, the patched sources and the library headers it includes are the same
# (see cached_object_fresh). Every run links each patched lesson against the library anew
# and runs it. One run at a time per $BUILD.
set -u
BUILD=${BUILD:-build/g++}
CXX=${CXX:-g++}
JOBS=${JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
SANITIZE=""
[ -n "${LOOPLAB_SANITIZED:-}" ] && SANITIZE="-fsanitize=address,undefined -fno-sanitize=vptr"

COMPILE="$CXX -std=c++20 -O0 -Wall -Wextra -Wpedantic -Werror $SANITIZE -Iinclude"
# The patched lesson is linked without debug information (-S: ld, gold and lld alike), which
# makes the link several times faster; a sanitized build keeps it, for its reports.
LINK_FLAGS="-Wl,-S"
[ -n "$SANITIZE" ] && LINK_FLAGS=""

# cached_object_fresh CACHED KEY: CACHED.o (kept by an earlier run) is what compiling now
# would give: it was built from the same command and sources (CACHED.key, the same text as
# KEY), and no file it depends on (CACHED.d, written by the compiler: the library's headers;
# system headers are not listed, as in the Makefile) has changed since.
cached_object_fresh() {
    [ -f "$1.o" ] && [ -f "$1.d" ] && cmp -s "$1.key" "$2" || return 1
    deps=$(sed -e 's/^[^:]*://' -e 's/\\$//' "$1.d")
    # find names each file newer than the object, and complains of one that is gone.
    # shellcheck disable=SC2086
    newer=$(find $deps -newer "$1.o" 2>&1) && [ -z "$newer" ]
}

# store_object CACHED BUILT COPY_PREFIX: keeps BUILT.o, .d and .key as CACHED.*; the .d names
# the copy's files by their paths in the repository (the copy is gone by the next run). The
# key goes last, so a key is only ever found beside the object it describes.
store_object() {
    rm -f "$1.key"
    cp "$2.o" "$1.o.tmp$$" && mv "$1.o.tmp$$" "$1.o" &&
        sed "s|$3||g" "$2.d" > "$1.d" && cp "$2.key" "$1.key"
}

# check_patch NAME WORK COMPILE_JOBS: checks one patch in WORK/NAME, prints its line (and, on
# failure, why), and returns 0 when it passed.
check_patch() {
    name=$1
    copy="$2/$1"
    compile_jobs=$3
    patch="notes/answers/patches/$name.patch"
    fail() { echo "solution $name: $*"; }
    [ -e "$patch" ] || { fail "no such patch"; return 1; }
    # The lesson is named by the patch's first "+++ b/lessons/SLUG/FILE" line.
    slug=$(sed -n 's|^+++ b/lessons/\([^/]*\)/.*|\1|p' "$patch" | head -n 1)
    if [ -z "$slug" ] || [ ! -d "lessons/$slug" ]; then fail "names no lesson folder"; return 1; fi
    if [ ! -f "notes/answers/patches/$name.expect" ]; then fail "has no $name.expect"; return 1; fi
    mkdir -p "$copy/lessons" "$copy/obj"
    cp -R "lessons/$slug" "$copy/lessons/"
    if ! patch -s -p1 -d "$copy" < "$patch" > "$copy/patch.log" 2>&1; then
        fail "does not apply to lessons/$slug:"; cat "$copy/patch.log"; return 1
    fi
    # The headers the patch changed (or added), as the compiler names them in a .d file.
    changed_headers=""
    for header in "$copy/lessons/$slug"/*.hpp; do
        [ -e "$header" ] || continue
        original="lessons/$slug/$(basename "$header")"
        cmp -s "$header" "$original" || changed_headers="$changed_headers $original"
    done
    objects=""
    changed=""
    for source in "$copy/lessons/$slug"/*.cpp; do
        base=$(basename "$source" .cpp)
        prebuilt="$BUILD/obj/lessons/$slug/$base.o"
        reuse=no
        if cmp -s "$source" "lessons/$slug/$base.cpp" && [ -f "$prebuilt" ]; then
            reuse=yes
            if [ -n "$changed_headers" ]; then
                deps="$BUILD/obj/lessons/$slug/$base.d"
                [ -f "$deps" ] || reuse=no
                for header in $changed_headers; do
                    [ "$reuse" = yes ] && grep -qF "$header" "$deps" && reuse=no
                done
            fi
        fi
        if [ "$reuse" = yes ]; then
            objects="$objects $prebuilt"
        else
            changed="$changed $source"
            objects="$objects $copy/obj/$base.o"
        fi
    done
    # Compile what changed, $compile_jobs at a time, or take the object the last run built
    # from the same command and sources (see cached_object_fresh).
    cache="$BUILD/solutions/$name"
    mkdir -p "$cache"
    running=0
    for source in $changed; do
        base=$(basename "$source" .cpp)
        # What the object is made of: the command, this .cpp, and every header of the lesson.
        { echo "$COMPILE"; cat "$source" "$copy/lessons/$slug"/*.hpp 2> /dev/null; } > "$copy/obj/$base.key"
        if cached_object_fresh "$cache/$base" "$copy/obj/$base.key"; then
            cp "$cache/$base.o" "$copy/obj/$base.o"
            continue
        fi
        # shellcheck disable=SC2086
        ( if $COMPILE -MMD -MF "$copy/obj/$base.d" -c "$source" -o "$copy/obj/$base.o" 2> "$copy/obj/$base.log"; then
              store_object "$cache/$base" "$copy/obj/$base" "$copy/"
          else
              : > "$copy/obj/$base.failed"
          fi ) &
        running=$((running + 1))
        if [ "$running" -ge "$compile_jobs" ]; then wait; running=0; fi
    done
    wait
    built=yes
    for log in "$copy"/obj/*.failed; do
        [ -e "$log" ] || continue
        [ "$built" = yes ] && fail "does not build:"
        built=no
        cat "${log%.failed}.log"
    done
    [ "$built" = yes ] || return 1
    # shellcheck disable=SC2086
    if ! $CXX $objects "$BUILD/liblooplab.a" -lfmt -pthread $SANITIZE $LINK_FLAGS -o "$copy/lesson" 2> "$copy/build.log"; then
        fail "does not link:"; cat "$copy/build.log"; return 1
    fi
    timeout 60 "$copy/lesson" --demo > "$copy/out" 2> "$copy/err"
    status=$?
    if [ "$status" -ne 0 ]; then fail "the patched lesson exited with $status:"; cat "$copy/err"; return 1; fi
    # Every line of the .expect file, in order, somewhere in the output.
    missing=$(awk 'NR == FNR { if ($0 != "") want[++n] = $0; next }
                   i < n && $0 == want[i + 1] { ++i }
                   END { if (i < n) print want[i + 1] }' "notes/answers/patches/$name.expect" "$copy/out")
    if [ -n "$missing" ]; then
        fail "the output lacks the line: $missing"; echo "--- output:"; cat "$copy/out"; return 1
    fi
    echo "solution $name: applies to lessons/$slug, builds, and prints what $name.expect says"
}

# Internal: `check-solutions.sh --one NAME WORK COMPILE_JOBS`, one patch, as xargs starts it
# below: its lines go to WORK/NAME.out, and WORK/NAME.passed exists when it passed.
if [ "${1:-}" = "--one" ]; then
    if check_patch "$2" "$3" "$4" > "$3/$2.out" 2>&1; then : > "$3/$2.passed"; fi
    exit 0
fi

# Names given on the command line ("07-event-queue-ex3"): only those; none: every patch.
if [ "$#" -gt 0 ]; then
    names="$*"
else
    # shellcheck disable=SC2012
    names=$(ls notes/answers/patches/*.patch 2>/dev/null | sed 's|.*/||; s|\.patch$||')
fi
# shellcheck disable=SC2086
count=$(echo $names | wc -w)
[ "$JOBS" -ge 1 ] 2>/dev/null || JOBS=1
# The cores go to patches first; a lone patch compiles its changed files in parallel instead.
compile_jobs=$((JOBS / (count > 0 ? count : 1)))
[ "$compile_jobs" -ge 1 ] || compile_jobs=1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2086
printf '%s\n' $names | xargs -P "$JOBS" -I {} sh "$0" --one {} "$work" "$compile_jobs"

failed=0
for name in $names; do
    if [ -f "$work/$name.out" ]; then cat "$work/$name.out"; else echo "solution $name: was not checked"; fi
    [ -f "$work/$name.passed" ] || failed=$((failed + 1))
done
echo "check-solutions: $((count - failed)) passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$count" -gt 0 ]
