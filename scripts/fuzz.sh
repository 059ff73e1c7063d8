#!/usr/bin/env bash
# Fuzzes email parsing and recording (fuzz/fuzz_targets/email.rs) for SECONDS (default 300).
#   scripts/fuzz.sh [SECONDS] [extra libFuzzer flags...]
# Needs cargo-fuzz (`cargo install cargo-fuzz`). Works on the stable toolchain: RUSTC_BOOTSTRAP=1
# lets cargo-fuzz pass its -Z flags, and without a sanitizer (`--sanitizer none`) nothing needs a
# nightly standard library. Seeds: fuzz/corpus/email (committed) and tests/corpus/email; what the
# fuzzer learns goes to fuzz/corpus-work/email (not committed). A crash is saved under
# fuzz/artifacts/email/ and the run exits non-zero; replay it with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none email fuzz/artifacts/email/crash-...
# (from fuzz/) and add the input to the hostile set (tests/hostile) as a regression case.
# FUZZ_TARGET_DIR (default target/fuzz) keeps the fuzz build apart from the workspace build.
set -euo pipefail

seconds="${1:-300}"
shift || true
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/fuzz"
mkdir -p corpus-work/email
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$root/target/fuzz}"
exec cargo fuzz run --sanitizer none email corpus-work/email corpus/email "$root/tests/corpus/email" -- \
  -max_total_time="$seconds" -max_len=65536 -timeout=30 -rss_limit_mb=4096 "$@"
