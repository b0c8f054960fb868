#!/usr/bin/env bash
# Builds the example app (Examples/BlogAPI), starts it against a PostgreSQL and drives every
# endpoint with curl: create, list with filters and paging, upsert, bulk import, delete, a
# concurrent burst, and bad requests that must be refused without writing anything.
#
#   Scripts/test-example.sh
#
# Uses DATABASE_URL when it is set; otherwise starts a throwaway cluster (Scripts/postgres.sh) and
# always stops it again. Rows are named after this run, so it can run again on the same database.
# Exits non-zero at the first failed check, saying what failed and showing the app's log.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$script_dir")
cd "$repo_dir"
started_at=$(date +%s)

# shellcheck source=Scripts/install-dependencies.sh
. "$script_dir/install-dependencies.sh"
install_dependencies
missing=()
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v jq >/dev/null 2>&1 || missing+=(jq)
if [ ${#missing[@]} -gt 0 ]; then
    echo "test-example.sh: installing ${missing[*]}"
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

work=$(mktemp -d /tmp/tusk-example.XXXXXX)
app_pid=""
own_cluster=0
checks=0

cleanup() {
    local status=$?
    if [ -n "$app_pid" ] && kill -0 "$app_pid" 2>/dev/null; then
        kill "$app_pid" 2>/dev/null || true
        wait "$app_pid" 2>/dev/null || true
    fi
    if [ "$status" != 0 ] && [ -s "$work/app.log" ]; then
        echo "test-example.sh: the app's log (last 40 lines):" >&2
        tail -n 40 "$work/app.log" >&2
    fi
    if [ "$own_cluster" = 1 ]; then "$script_dir/postgres.sh" stop >/dev/null || true; fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT

fail() {
    echo "test-example.sh: FAILED: $*" >&2
    if [ -s "$work/body" ]; then echo "test-example.sh: last response ($status): $(head -c 2000 "$work/body")" >&2; fi
    exit 1
}

if [ -z "${DATABASE_URL:-}" ]; then
    export TUSK_PG_STATE="$work/postgres/state"
    "$script_dir/postgres.sh" start >/dev/null
    own_cluster=1
    eval "$("$script_dir/postgres.sh" env)"
    echo "test-example.sh: started a throwaway PostgreSQL at $DATABASE_URL"
else
    echo "test-example.sh: using DATABASE_URL from the environment"
fi

build_start=$(date +%s)
swift build --package-path Examples/BlogAPI
build_seconds=$(( $(date +%s) - build_start ))
binary="$(swift build --package-path Examples/BlogAPI --show-bin-path)/blog-api"

# Port 0: the app binds a free port and names it in its `listening` log line.
"$binary" --port 0 >"$work/app.log" 2>&1 &
app_pid=$!

port=""
for _ in $(seq 1 300); do   # 30 s at most: connect and create the schema
    kill -0 "$app_pid" 2>/dev/null || fail "the app exited during start-up"
    port=$(sed -n 's/.* port=\([0-9][0-9]*\) .* listening$/\1/p' "$work/app.log" | head -n 1)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || fail "the app did not start listening within 30 s"
base="http://127.0.0.1:$port"

status=""
# request METHOD PATH [JSON]: the status lands in $status, the body in $work/body.
request() {
    local method=$1 path=$2
    local args=(-sS -o "$work/body" -w '%{http_code}' -X "$method" --max-time 30)
    if [ $# -ge 3 ]; then args+=(-H 'content-type: application/json' --data-binary "$3"); fi
    status=$(curl "${args[@]}" "$base$path") || fail "$method $path: curl could not reach the app"
}
# expect CODE WHAT: the last response had this status.
expect() {
    checks=$((checks + 1))
    [ "$status" = "$1" ] || fail "$2: expected HTTP $1, got $status"
}
# json FILTER: jq on the last response body.
json() { jq -r "$1" "$work/body"; }
# same WHAT ACTUAL WANTED
same() {
    checks=$((checks + 1))
    [ "$2" = "$3" ] || fail "$1: expected $3, got $2"
}
sql() { psql "$DATABASE_URL" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }

ready=0
for _ in $(seq 1 100); do   # 10 s at most
    if curl -fsS -o /dev/null --max-time 2 "$base/health" 2>/dev/null; then ready=1; break; fi
    kill -0 "$app_pid" 2>/dev/null || fail "the app exited before /health answered"
    sleep 0.1
done
[ "$ready" = 1 ] || fail "/health did not answer 200 within 10 s"
echo "test-example.sh: the app is up on port $port (built in $build_seconds s)"

run="r$(date +%s)$$"

# --- authors ------------------------------------------------------------------------------
request POST /authors "{\"name\": \"Ada\", \"email\": \"ada-$run@example.com\"}"
expect 201 "create an author"
ada=$(json .id)
same "the new author's email" "$(json .email)" "ada-$run@example.com"
request POST /authors "{\"name\": \"Grace\", \"email\": \"grace-$run@example.com\"}"
expect 201 "create a second author"
grace=$(json .id)
request GET "/authors/$ada"
expect 200 "read an author back"
request POST /authors "{\"name\": \"Ada again\", \"email\": \"ada-$run@example.com\"}"
expect 409 "an email that is taken"
same "the conflict's code" "$(json .error.code)" conflict

# --- posts --------------------------------------------------------------------------------
post() {   # post AUTHOR SLUG VIEWS [TAGS_JSON]: a post's JSON, with a "tags" key only when given
    printf '{"author_id": %s, "slug": "%s", "title": "Title %s", "body": "Body of %s", "views": %s%s}' \
        "$1" "$2" "$2" "$2" "$3" "${4:+, \"tags\": $4}"
}
request POST /posts "$(post "$ada" "first-$run" 10 '[{"tag": "swift", "weight": 3}, {"tag": "postgres"}]')"
expect 201 "create a post with tags"
first=$(json .id)
same "its tags, heaviest first" "$(json '[.tags[].tag] | join(",")')" "swift,postgres"
request POST /posts "$(post "$ada" "second-$run" 30 '[{"tag": "postgres"}]')"
expect 201 "create a second post"
second=$(json .id)
request POST /posts "$(post "$ada" "third-$run" 20)"
expect 201 "create a third post"
request POST /posts "$(post "$grace" "grace-$run" 5 '[{"tag": "swift"}]')"
expect 201 "create a post of another author"
request GET "/posts/$first"
expect 200 "read a post back"
same "the post read back" "$(json .slug)" "first-$run"

# --- list: filters, paging, order ---------------------------------------------------------
request GET "/posts?author_id=$ada"
expect 200 "list by author"
same "posts of the author" "$(json .total)" 3
request GET "/posts?author_id=$ada&limit=2"
expect 200 "first page"
same "first page's size" "$(json '.items | length')" 2
same "first page's total" "$(json .total)" 3
request GET "/posts?author_id=$ada&limit=2&offset=2"
expect 200 "second page"
same "second page's size" "$(json '.items | length')" 1
request GET "/posts?author_id=$ada&order=-views"
expect 200 "order by views, descending"
same "order by views" "$(json '[.items[].views] | join(",")')" "30,20,10"
request GET "/posts?author_id=$ada&order=views&limit=1&offset=1"
expect 200 "order and page together"
same "the middle post by views" "$(json '.items[0].slug')" "third-$run"
request GET "/posts?author_id=$ada&tag=postgres"
expect 200 "filter by tag"
same "posts of the author tagged postgres" "$(json .total)" 2
request GET "/posts?order=password"
expect 400 "order by a column that does not exist"
same "the unknown order column's code" "$(json .error.code)" unknown_order_column
request GET "/posts?order=id%3B%20DROP%20TABLE%20blog.posts"
expect 400 "order by an injection attempt"
request GET "/posts?limit=1000"
expect 400 "a limit above the maximum"
request GET "/posts?author_id=ada"
expect 400 "an author_id that is not a number"

# --- upsert by slug -----------------------------------------------------------------------
request POST /posts/upsert "$(post "$ada" "first-$run" 0 '[{"tag": "tusk"}]' | sed 's/Title first/Retitled first/')"
expect 200 "upsert an existing slug"
same "the upsert kept the id" "$(json .id)" "$first"
same "the upsert's title" "$(json .title)" "Retitled first-$run"
same "the upsert kept the views" "$(json .views)" 10
same "the upsert replaced the tags" "$(json '[.tags[].tag] | join(",")')" "tusk"
same "rows of the author after the update" "$(sql "SELECT count(*) FROM blog.posts WHERE author_id = $ada")" 3
request POST /posts/upsert "$(post "$ada" "fourth-$run" 1)"
expect 200 "upsert a new slug"
[ "$(json .id)" != "$first" ] || fail "the upsert of a new slug reused an id"
same "rows of the author after the insert" "$(sql "SELECT count(*) FROM blog.posts WHERE author_id = $ada")" 4

# --- bulk import through addMany (binary COPY) --------------------------------------------
request POST /posts/import "[$(post "$grace" "import-1-$run" 1),$(post "$grace" "import-2-$run" 2),$(post "$grace" "import-3-$run" 3)]"
expect 201 "import three posts"
same "rows imported" "$(json .imported)" 3
same "rows of the second author" "$(sql "SELECT count(*) FROM blog.posts WHERE author_id = $grace")" 4

# --- delete (a soft delete: the row stays, marked) ----------------------------------------
request DELETE "/posts/$second"
expect 204 "delete a post"
request GET "/posts/$second"
expect 404 "read a deleted post"
request DELETE "/posts/$second"
expect 404 "delete it again"
request GET "/posts?author_id=$ada"
same "live posts of the author after the delete" "$(json .total)" 3
same "the deleted row is marked" "$(sql "SELECT deleted_at IS NOT NULL FROM blog.posts WHERE id = $second")" t

# --- a concurrent burst -------------------------------------------------------------------
request POST /authors "{\"name\": \"Burst\", \"email\": \"burst-$run@example.com\"}"
expect 201 "create the burst's author"
burst=$(json .id)
seq 1 50 | xargs -P 16 -I{} curl -sS -o /dev/null -w '%{http_code}\n' --max-time 30 -X POST \
    -H 'content-type: application/json' \
    --data-binary "{\"author_id\": $burst, \"slug\": \"burst-{}-$run\", \"title\": \"Burst {}\", \"body\": \"b\"}" \
    "$base/posts" >"$work/burst" || true
same "201s in the burst of 50 parallel POSTs" "$(grep -c '^201$' "$work/burst" || true)" 50
request GET "/posts?author_id=$burst&limit=1"
same "the burst's posts through the API" "$(json .total)" 50
same "the burst's rows in the table" "$(sql "SELECT count(*) FROM blog.posts WHERE author_id = $burst")" 50

# --- bad requests: a 4xx, a JSON error, and nothing written -------------------------------
rows() { sql "SELECT (SELECT count(*) FROM blog.authors) || '/' || (SELECT count(*) FROM blog.posts) || '/' || (SELECT count(*) FROM blog.post_tags)"; }
before=$(rows)
refused() {   # refused CODE WHAT METHOD PATH [BODY]
    request "${@:3}"
    expect "$1" "$2"
    [ -n "$(json '.error.code // empty')" ] || fail "$2: the error body has no error.code"
}
refused 400 "malformed JSON" POST /posts '{"author_id": 1, "slug": '
refused 400 "a missing field" POST /posts "{\"author_id\": $ada, \"slug\": \"missing-$run\", \"body\": \"no title\"}"
refused 400 "a wrong type" POST /posts "{\"author_id\": \"$ada\", \"slug\": \"type-$run\", \"title\": \"t\", \"body\": \"b\"}"
refused 400 "a number out of range" POST /posts "{\"author_id\": $ada, \"slug\": \"range-$run\", \"title\": \"t\", \"body\": \"b\", \"views\": 99999999999}"
refused 422 "an empty title" POST /posts "{\"author_id\": $ada, \"slug\": \"empty-$run\", \"title\": \" \", \"body\": \"b\"}"
refused 422 "a slug with spaces" POST /posts "{\"author_id\": $ada, \"slug\": \"no spaces\", \"title\": \"t\", \"body\": \"b\"}"
refused 422 "an author that does not exist" POST /posts "$(post 999999999 "orphan-$run" 0 '[{"tag": "x"}]')"
same "the missing author's code" "$(json .error.code)" unknown_author
refused 409 "a slug that is taken" POST /posts "$(post "$ada" "third-$run" 0 '[{"tag": "x"}]')"
refused 422 "an upsert for an author that does not exist" POST /posts/upsert "$(post 999999999 "first-$run" 0)"
refused 422 "an import with one missing author" POST /posts/import \
    "[$(post "$grace" "bad-import-1-$run" 0),$(post 999999999 "bad-import-2-$run" 0)]"
refused 409 "an import with a duplicate slug" POST /posts/import \
    "[$(post "$grace" "dup-$run" 0),$(post "$grace" "dup-$run" 0)]"
refused 400 "an import that is not an array" POST /posts/import "$(post "$grace" "single-$run" 0)"
refused 422 "an empty import" POST /posts/import "[]"
refused 400 "a post id that is not a number" DELETE /posts/abc
refused 404 "a route that does not exist" GET /nowhere
same "authors/posts/tags after the refused requests" "$(rows)" "$before"

# --- stop: SIGTERM, then a graceful exit ---------------------------------------------------
stop_start=$(date +%s)
kill "$app_pid"
app_status=0
wait "$app_pid" || app_status=$?
app_pid=""
same "the app's exit status after SIGTERM" "$app_status" 0
grep -q 'stopped' "$work/app.log" || fail "the app did not log its graceful stop"
echo "test-example.sh: all $checks checks passed; stopped in $(( $(date +%s) - stop_start )) s; total $(( $(date +%s) - started_at )) s (build $build_seconds s)"
