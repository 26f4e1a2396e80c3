#!/usr/bin/env bash
# Starts moto's server on a free loopback port for the moto integration suite (test/live-moto).
# Source it from .ci/run:   source .ci/moto.sh || exit 1
# It exports MOTO_ENDPOINT (http://127.0.0.1:PORT) and MOTO_PID, and defines moto_stop (also run on shell EXIT).
# Returns non-zero, with the reason on stderr, when moto cannot be installed or does not answer.
# MOTO_VERSION pins the moto release (default: the one the suite was written against).

_rdsguard_moto_start() {
  local version="${MOTO_VERSION:-5.2.1}"
  local log="${TMPDIR:-/tmp}/rdsguard-moto.$$.log"
  local installed
  installed="$(python3 -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null || true)"
  if [ "$installed" != "$version" ] || ! command -v moto_server >/dev/null 2>&1; then
    echo "moto.sh: installing moto[server]==$version" >&2
    if ! python3 -m pip install --quiet --disable-pip-version-check "moto[server]==$version" >"$log.pip" 2>&1; then
      echo "moto.sh: pip install moto[server]==$version failed:" >&2
      tail -n 20 "$log.pip" >&2
      return 1
    fi
  fi
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')" || return 1
  moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
  MOTO_PID=$!
  local i
  for i in $(seq 1 100); do
    if python3 -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=1)" >/dev/null 2>&1; then
      export MOTO_ENDPOINT="http://127.0.0.1:$port"
      export MOTO_PID
      echo "moto.sh: moto_server $version answering at $MOTO_ENDPOINT (pid $MOTO_PID, log $log)" >&2
      return 0
    fi
    if ! kill -0 "$MOTO_PID" 2>/dev/null; then
      echo "moto.sh: moto_server exited:" >&2
      tail -n 20 "$log" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "moto.sh: moto_server did not answer within 20 s" >&2
  kill "$MOTO_PID" 2>/dev/null
  return 1
}

moto_stop() {
  if [ -n "${MOTO_PID:-}" ]; then
    kill "$MOTO_PID" 2>/dev/null
    wait "$MOTO_PID" 2>/dev/null
    unset MOTO_PID MOTO_ENDPOINT
  fi
}

# Stop moto when the sourcing shell exits, unless that shell already has an EXIT trap (then call moto_stop).
_rdsguard_moto_start && { [ -n "$(trap -p EXIT)" ] || trap moto_stop EXIT; }
