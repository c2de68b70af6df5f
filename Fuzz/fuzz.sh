#!/usr/bin/env bash
# Fuzzes the resolvers against each other and the reference model with libFuzzer.
#
#   Fuzz/fuzz.sh [SECONDS]     fuzz for SECONDS (default 300), starting from Fuzz/corpus
#
# Builds in .build-fuzz (release, -sanitize=fuzzer). New inputs go to .build-fuzz/corpus, crashes
# (disagreements) to .build-fuzz/artifacts; add a crash to Fuzz/corpus once it is fixed, so the
# normal test run (FuzzCorpusTests) replays it. Keep Fuzz/corpus small: a handful of inputs that
# reach every outcome, not the whole working corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
swift build -c release --scratch-path .build-fuzz --product resolver-fuzz \
    -Xswiftc -sanitize=fuzzer -Xswiftc -DCAPSULE_FUZZING
mkdir -p .build-fuzz/corpus .build-fuzz/artifacts
cp Fuzz/corpus/* .build-fuzz/corpus/ 2>/dev/null || true
.build-fuzz/release/resolver-fuzz .build-fuzz/corpus -max_total_time="$seconds" -max_len=256 \
    -artifact_prefix=.build-fuzz/artifacts/ -print_final_stats=1
