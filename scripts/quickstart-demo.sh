#!/usr/bin/env bash
# Walks the whole loop with curl against a running server (default http://127.0.0.1:5080) and
# prints a transcript: sign up, look at credits and models, generate, download, gallery, ledger.
# docs/quickstart.md is its output. Needs curl and python3 (for reading JSON fields).
set -euo pipefail
HOST=${1:-http://127.0.0.1:5080}
API=$HOST/api/v1
EMAIL=${EMAIL:-ann-$RANDOM@example.com}
work=$(mktemp -d)
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval("d" + sys.argv[2]))' "$1" "$2"; }
show() { printf '$ %s\n' "$1"; }

for _ in $(seq 1 60); do curl -sf "$HOST/health/ready" >/dev/null && break; sleep 1; done

show "curl -s -X POST $API/auth/register -H 'content-type: application/json' -d '{\"email\":\"$EMAIL\",\"password\":\"correct horse battery\",\"name\":\"Ann\"}'"
curl -s -X POST "$API/auth/register" -H 'content-type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"password\":\"correct horse battery\",\"name\":\"Ann\"}" | tee "$work/register.json"; echo; echo
TOKEN=$(field "$work/register.json" "['accessToken']")
show 'TOKEN=<accessToken from the answer above>'; echo
AUTH="authorization: Bearer $TOKEN"

show "curl -s $API/me -H \"authorization: Bearer \$TOKEN\""
curl -s "$API/me" -H "$AUTH"; echo; echo

show "curl -s $API/models -H \"authorization: Bearer \$TOKEN\""
curl -s "$API/models" -H "$AUTH"; echo; echo

BODY='{"prompt":"a lighthouse at dusk, warm light","model":"sd-1.5","width":512,"height":512,"steps":20,"seed":42}'
show "curl -s -X POST $API/generations -H \"authorization: Bearer \$TOKEN\" -H 'content-type: application/json' -d '$BODY'"
curl -s -X POST "$API/generations" -H "$AUTH" -H 'content-type: application/json' -d "$BODY" | tee "$work/generation.json"; echo; echo
ID=$(field "$work/generation.json" "['id']")
show "ID=$ID"; echo

sleep 0.7
show "curl -s $API/generations/\$ID -H \"authorization: Bearer \$TOKEN\"    # while it renders"
curl -s "$API/generations/$ID" -H "$AUTH"; echo; echo

for _ in $(seq 1 120); do
  curl -s "$API/generations/$ID" -H "$AUTH" > "$work/done.json"
  case $(field "$work/done.json" "['status']") in succeeded|failed|cancelled) break ;; esac
  sleep 0.25
done
show "curl -s $API/generations/\$ID -H \"authorization: Bearer \$TOKEN\"    # done"
cat "$work/done.json"; echo; echo

URL=$(field "$work/done.json" "['images'][0]['url']")
show "curl -s -o lighthouse.png -w '%{http_code} %{content_type} %{size_download} bytes\\n' \"$HOST<images[0].url>\"    # a signed URL: no token needed"
curl -s -o "$work/lighthouse.png" -w '%{http_code} %{content_type} %{size_download} bytes\n' "$HOST$URL"; echo

show "curl -s $API/images -H \"authorization: Bearer \$TOKEN\""
curl -s "$API/images" -H "$AUTH"; echo; echo

show "curl -s $API/credits/ledger -H \"authorization: Bearer \$TOKEN\""
curl -s "$API/credits/ledger" -H "$AUTH"; echo; echo

show "curl -s $API/me -H \"authorization: Bearer \$TOKEN\""
curl -s "$API/me" -H "$AUTH"; echo; echo

BODY='{"prompt":"a castle","model":"sdxl-1.0","width":1024,"height":1024,"steps":30}'
show "curl -s -X POST $API/generations -H \"authorization: Bearer \$TOKEN\" -H 'content-type: application/json' -d '$BODY'    # not in the Free plan"
curl -s -X POST "$API/generations" -H "$AUTH" -H 'content-type: application/json' -d "$BODY"; echo; echo

BODY='{"prompt":"","model":"sd-1.5","width":500,"height":512,"steps":200}'
show "curl -s -X POST $API/generations -H \"authorization: Bearer \$TOKEN\" -H 'content-type: application/json' -d '$BODY'    # invalid"
curl -s -X POST "$API/generations" -H "$AUTH" -H 'content-type: application/json' -d "$BODY"; echo

rm -rf "$work"
