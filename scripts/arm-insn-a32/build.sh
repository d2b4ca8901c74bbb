#!/usr/bin/env bash
# build.sh [OUT.so]: builds an A32 (qemu-arm) variant of the instruction-
# counting plugin of ../shared/tools/arm-insn (read its README): its
# insncount.c with the A64 classifier replaced by classify_a32.c and the
# aarch64-only check dropped, into OUT.so (default
# ~/.cache/arm-insn/insncount-a32.so). Then, for an armv7 binary:
#   PLUGIN=~/.cache/arm-insn/insncount-a32.so QEMU=qemu-arm \
#     ../shared/tools/arm-insn/count.sh -c cortex-a7 -l 1 -n 2 ./ei-armv7 bench -threads 1 -warmup 1 -runs {N} MODEL
# qemu-arm 7.2 has no Cortex-A72 model: use -c cortex-a7 (the Pi 2; the
# counts do not depend on the model beyond its features) or -c arm1176.
# check=1 (run qemu-arm -plugin OUT.so,check=1 ...) cross-checks the
# classifier's multiply-adds against QEMU's disassembler.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tool=$(cd "$here/../../../shared/tools/arm-insn/plugin" && pwd)
out=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/arm-insn/insncount-a32.so}
mkdir -p "$(dirname "$out")"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python3 - "$tool/insncount.c" "$here/classify_a32.c" "$work/insncount.c" <<'PY'
import re, sys
src, cls, dst = sys.argv[1:]
s = open(src).read()
start = s.index("/* Decode one A64 instruction word. */")
end = s.index("static Counters *ctr_for")
s = s[:start] + open(cls).read() + "\n" + s[end:]
s, n = re.subn(r'if \(strcmp\(info->target_name, "aarch64"\) != 0\) \{.*?\n    \}\n', "", s, flags=re.S)
assert n == 1, "target check not found"
# check=1: the A32 multiply-adds' mnemonics (Advanced SIMD and VFP), for
# the plugin's cross-check against QEMU's disassembler
s = s.replace('!strncmp(d, "fmla", 4) ||', '!strncmp(d, "fmla", 4) || !strncmp(d, "vmla.f", 6) || !strncmp(d, "vmls.f", 6) || '
              '!strncmp(d, "vnmla", 5) || !strncmp(d, "vnmls", 5) || !strncmp(d, "vfma", 4) || !strncmp(d, "vfms", 4) || '
              '!strncmp(d, "vfnma", 5) || !strncmp(d, "vfnms", 5) ||')
open(dst, "w").write(s)
PY
cp "$tool/qemu-plugin.h" "$work/"
gcc -O2 -shared -fPIC -fvisibility=hidden -I"$work" $(pkg-config --cflags glib-2.0) "$work/insncount.c" -o "$out" $(pkg-config --libs glib-2.0)
echo "$out"
