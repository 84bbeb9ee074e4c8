# Sourced by bench-ingest.sh and bench-ingest-work.sh: the bench site and the four shapes
# of traffic they both send.

# The origin the bench site allows, sent as a shopper's browser would.
bench_origin="http://bench.invalid"
# label|ids|origin: time-ordered (v7) or random (v4) ids, without `Origin` (a merchant's
# server) or with one (a shopper's browser; the widget's own shape is v7 with Origin).
shapes=("v7 ids|v7|" "v7 ids + Origin|v7|$bench_origin" "v4 ids|v4|" "v4 ids + Origin|v4|$bench_origin")

# Adds the bench site with `binary` to the database at `url`; prints its site key.
bench_site() { # binary url
  DATABASE_URL="$2" "$1" site add --name Bench --origin "$bench_origin" --json | sed 's/.*"site_key":"\([^"]*\)".*/\1/'
}
