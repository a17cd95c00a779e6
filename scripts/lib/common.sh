# Shared by the scripts in scripts/: find JDK 25, build hcdiff when needed, the JVM flags.
# Source it; it defines HCDIFF_ROOT, find_jdk25, ensure_built and jvm_args.

HCDIFF_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HCDIFF_JAR="$HCDIFF_ROOT/cli/target/hcdiff.jar"
HCDIFF_JVM_ARGS_FILE="$HCDIFF_ROOT/cli/target/jvm.args"

# The JDK 25 home: JAVA_HOME when it is a JDK 25, else the first /usr/lib/jvm/*25*.
# Prints nothing and returns 1 when there is none.
find_jdk25() {
    local candidate
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*25*; do
        [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
        if "$candidate/bin/java" -version 2>&1 | head -1 | grep -Eq '"25([.-]|")'; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

# Sets JAVA_HOME to a JDK 25 or exits 4 (environment problem) with one line saying what to do.
require_jdk25() {
    local home
    if ! home="$(find_jdk25)"; then
        echo "hcdiff: no JDK 25 found (looked at JAVA_HOME and /usr/lib/jvm/*25*); install Temurin 25 or set JAVA_HOME to a JDK 25" >&2
        exit 4
    fi
    export JAVA_HOME="$home"
    export PATH="$JAVA_HOME/bin:$PATH"
}

# True when the runnable jar is missing or older than anything that goes into it: main sources
# and resources of every module, the guests' C sources, the corpus cases shipped for the demo, POMs.
needs_build() {
    [ -f "$HCDIFF_JAR" ] && [ -f "$HCDIFF_JVM_ARGS_FILE" ] || return 0
    local newer
    newer="$(cd "$HCDIFF_ROOT" && find . \( -name target -o -name .git \) -prune -o -type f \
        \( -path '*/src/main/*' -o -path './recorder/guests/*' -o -path './corpora/cases/*' -o -name pom.xml \) \
        -newer "$HCDIFF_JAR" -print -quit)"
    [ -n "$newer" ]
}

# Builds the runnable jar quietly when needed; shows Maven's output only when the build fails.
ensure_built() {
    needs_build || return 0
    command -v mvn >/dev/null 2>&1 || { echo "hcdiff: Maven (mvn) is needed to build hcdiff; install it (Debian: apt-get install maven)" >&2; exit 4; }
    local log
    log="$(mktemp "${TMPDIR:-/tmp}/hcdiff-build.XXXXXX")"
    echo "hcdiff: building (first run or sources changed)..." >&2
    if ! (cd "$HCDIFF_ROOT" && mvn -B -q -DskipTests package >"$log" 2>&1); then
        grep -v '^WARNING: ' "$log" | tail -40 >&2
        echo "hcdiff: build failed (full log: $log)" >&2
        exit 4
    fi
    rm -f "$log"
}

# The JVM flags every hcdiff JVM needs, from the parent POM property hcdiff.jvm.args (via the build).
jvm_args() {
    cat "$HCDIFF_JVM_ARGS_FILE"
}
