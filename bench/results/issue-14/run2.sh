set -u
A=/work/bench-a/bench/Pingvas.Bench/bin/Release/net10.0/Pingvas.Bench.dll
B=/work/bench-b/bench/Pingvas.Bench/bin/Release/net10.0/Pingvas.Bench.dll
clm() { echo "== claim $1 round $2 $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"; (cd /work/bench-$1 && timeout 600 dotnet $3 claim --jobs 1000 --workers 4 --rate 10 --steady-seconds 5 --out /work/benchcmp/claim4-$1-$2.json 2>&1 | grep -E "drain-runner") ; }
clm a 3 $A; clm b 3 $B; clm b 4 $B; clm a 4 $A; clm a 5 $A; clm b 5 $B
echo done $(date +%T)
