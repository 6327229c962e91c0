set -u
A=/work/bench-a/bench/Pingvas.Bench/bin/Release/net10.0/Pingvas.Bench.dll
B=/work/bench-b/bench/Pingvas.Bench/bin/Release/net10.0/Pingvas.Bench.dll
sub() { echo "== submit $1 round $2 $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"; (cd /work/bench-$1 && timeout 300 dotnet $3 submit --users 200 --concurrency 32,1 --count 20000 --seconds 12 --out /work/benchcmp/submit-$1-$2.json 2>&1 | grep -E "submit c=") ; }
clm() { echo "== claim $1 round $2 $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"; (cd /work/bench-$1 && timeout 600 dotnet $3 claim --jobs 1000 --workers 1,4 --rate 10 --steady-seconds 10 --out /work/benchcmp/claim-$1-$2.json 2>&1 | grep -E "drain|steady") ; }
sub a 1 $A; sub b 1 $B; sub b 2 $B; sub a 2 $A
clm a 1 $A; clm b 1 $B; clm b 2 $B; clm a 2 $A
echo done $(date +%T)
