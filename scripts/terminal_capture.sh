#!/bin/sh
# Capture `list`, `show` and `report coverage` in Chinese on an 80-column terminal (tmux), colours kept.
#
#     scripts/terminal_capture.sh [COLUMNS [SVG]] > docs/terminal-zh-80.txt
#
# Builds the demo register in a temporary folder at a fixed clock, so the capture is the same each time.
# With SVG, the capture is also drawn as an SVG picture (by Rich) for the README.
# Needs tmux (apt-get install tmux); `less -R docs/terminal-zh-80.txt` shows it with its colours.
set -eu
columns=${1:-80}
here=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$here/.venv/bin/python}
tmp=$(mktemp -d)
session=hazreg-capture-$$
trap 'tmux kill-session -t "$session" 2>/dev/null; rm -rf "$tmp"' EXIT
export HAZREG_NOW=2026-11-29T04:00:00+00:00 HAZREG_LANG=zh HAZREG_DB="$tmp/demo.db" HAZREG_OPERATOR=演示
"$python" -m hazreg demo --path "$HAZREG_DB" >/dev/null 2>&1
cat > "$tmp/hazreg" <<EOF
#!/bin/sh
exec "$python" -m hazreg "\$@"
EOF
chmod +x "$tmp/hazreg"
# The tmux server may be older than this shell: the session gets its environment spelled out.
tmux new-session -d -s "$session" -x "$columns" -y 300 \
    "env PATH=$tmp:\$PATH PS1='$ ' TERM=xterm-256color HAZREG_NOW=$HAZREG_NOW HAZREG_LANG=zh \
     HAZREG_DB=$HAZREG_DB HAZREG_OPERATOR=演示 PYTHONPATH=${PYTHONPATH:-} sh"
sleep 0.5
for command in "hazreg list -n 6" "hazreg show H58" "hazreg report coverage"; do
    tmux send-keys -t "$session" "$command" Enter
    sleep 3
done
tmux capture-pane -t "$session" -p -e -S 0 -E 299 | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > "$tmp/capture.txt"
cat "$tmp/capture.txt"
if [ -n "${2:-}" ]; then
    "$python" - "$tmp/capture.txt" "$2" "$columns" <<'PY'
import sys

from rich.console import Console
from rich.text import Text

capture, svg, columns = sys.argv[1], sys.argv[2], int(sys.argv[3])
console = Console(record=True, width=columns, force_terminal=True, file=open("/dev/null", "w"))
console.print(Text.from_ansi(open(capture, encoding="utf-8").read()), soft_wrap=True)
console.save_svg(svg, title=f"hazreg --lang zh, {columns} columns")
PY
fi
