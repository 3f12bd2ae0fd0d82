# Shared by the app smoke tests. Source it after setting `app`, an array: the binary and the
# arguments every call takes. Gives $tmp (removed on exit), fail and expect_exit.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() {  # expect_exit CODE ARGS...: exits CODE, with a message on stderr unless CODE is 0
  local code=$1; shift
  local got=0
  "${app[@]}" "$@" >"$tmp/out.txt" 2>"$tmp/err.txt" || got=$?
  [ "$got" -eq "$code" ] || fail "'$*' exited $got, expected $code: $(cat "$tmp/err.txt")"
  [ "$code" -eq 0 ] || [ "$(wc -l <"$tmp/err.txt")" -ge 1 ] || fail "'$*': no message on stderr"
}
