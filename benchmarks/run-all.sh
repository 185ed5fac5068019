#!/usr/bin/env bash
# Every figure of BENCHMARKS.md, one after the other (about 40 minutes on a busy 2-core machine), from the repository root:
#   bash benchmarks/run-all.sh
# Results go to benchmarks/target/results/. Settings are modest on purpose (the reference machine is shared);
# raise -i/-r/rounds on a quiet one. JDK25 names a JDK 21+ for the virtual-thread contention runs (optional).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=benchmarks/target/results
main() {
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
JMH="-f 1 -wi 2 -i 3 -w 1s -r 1s"
[ "${SKIP_BUILD:-}" = 1 ] || mvn -B -q -pl benchmarks -am package -DskipTests
mkdir -p "$OUT"
B=benchmarks/target/benchmarks.jar
lscpu > "$OUT/lscpu.txt"
java -version 2> "$OUT/java-version.txt"
[ "${SKIP_MICRO:-}" = 1 ] || micro
end_to_end
}

micro() {
# Micro: admission (1 and 2 threads), parts, lookup, parsers; -prof gc for B/op.
for t in 1 2; do
  java -jar $B 'AdmissionBench|CorePartsBench' $JMH -t $t -prof gc -rf json -rff "$OUT/admission-t$t.json" | tee "$OUT/admission-t$t.txt"
done
java -jar $B 'LookupBench|ParserBench|CallBench' $JMH -prof gc -rf json -rff "$OUT/lookup-parser.json" | tee "$OUT/lookup-parser.txt"
java -Xms1g -Xmx1g -cp $B dev.sluice.bench.CpuPerOp threads=1,2 rounds=15 | tee "$OUT/cpu-per-op.txt"
java -Xms1g -Xmx1g -cp $B dev.sluice.bench.CpuPerOp suite=lookup rounds=9 | tee "$OUT/cpu-lookup.txt"
java -Xms1g -Xmx1g -cp $B dev.sluice.bench.CpuPerOp suite=parser rounds=9 | tee "$OUT/cpu-parser.txt"
java -Xms1g -Xmx1g -cp $B dev.sluice.bench.CpuPerOp suite=call rounds=9 | tee "$OUT/cpu-call.txt"

}

end_to_end() {
# End to end.
java -cp $B dev.sluice.bench.LoadRun what=overhead rounds=2 calls=10000 warmup=2000 warmupSeconds=15 seconds=5 out="$OUT/overhead.md" 2> "$OUT/overhead.log"
# The agent's cost end to end, matched against unmatched in turns inside one JVM: the figures the targets are read from.
java -cp $B dev.sluice.bench.LoadRun what=paired rounds=3 calls=20000 warmup=5000 seconds=10 out="$OUT/paired.md" 2> "$OUT/paired.log"
java -cp $B dev.sluice.bench.LoadRun what=overload overloadSeconds=10 out="$OUT/overload.md" 2> "$OUT/overload.log"
java -Xmx4g -Xss256k -cp $B dev.sluice.bench.Contention seconds=3 | tee "$OUT/contention-jdk17.txt"
if [ -x "$JDK25/bin/java" ]; then
  "$JDK25/bin/java" -Xmx4g -cp $B dev.sluice.bench.Contention seconds=3 | tee "$OUT/contention-jdk25.txt"
  "$JDK25/bin/java" -Xmx4g -cp $B dev.sluice.bench.Contention seconds=10 callers=10000 | tee "$OUT/contention-10000-jdk25.txt"
fi
java -cp $B dev.sluice.bench.Startup rounds=5 2> "$OUT/startup.log" | tee "$OUT/startup.txt"
ls -l agent/target/sluice-agent.jar | tee "$OUT/jar-size.txt"
}

main
