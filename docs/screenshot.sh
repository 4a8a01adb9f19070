#!/usr/bin/env bash
# Makes docs/explorer.png, the picture in README.md, from a real session:
# ./startle --demo in a private tmux server at 120x36 (wide enough for the
# details beside the transcript), `EHLO me`, `/starttls`, F3 (Certificates),
# PgUp to bring the trust boundary into view; captured with `tmux capture-pane
# -e -p` (ANSI colours) and drawn to PNG by the small renderer below (SGR:
# 8/16/256 and RGB colours, bold, reverse). SCREENSHOT_COLS and
# SCREENSHOT_ROWS change the size. SCREENSHOT_MODE=compare makes docs/compare.png
# instead: ./startle --demo --compare at 160x48, `EHLO me` to both sides,
# `/starttls` (the explicit side only), F6 (the two ladders aligned). Run by
# `make screenshot` after a build. Needs tmux, Debian's
# python3 with python3-pil and fonts-dejavu-core; installs what is missing with
# apt-get (as root or through sudo). Usage: docs/screenshot.sh [OUT.png]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
mode=${SCREENSHOT_MODE:-explorer}
if [ "$mode" = compare ]; then
	out=${1:-$root/docs/compare.png}
	cols=${SCREENSHOT_COLS:-160} rows=${SCREENSHOT_ROWS:-48}
else
	out=${1:-$root/docs/explorer.png}
	cols=${SCREENSHOT_COLS:-120} rows=${SCREENSHOT_ROWS:-36}
fi
python=/usr/bin/python3
font=/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf
font_bold=/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf

# Installs the Debian packages the picture needs, when one is missing.
screenshot_deps() {
	local missing=()
	command -v tmux >/dev/null 2>&1 || missing+=(tmux)
	[ -x "$python" ] && "$python" -c 'import PIL' 2>/dev/null || missing+=(python3 python3-pil)
	[ -f "$font" ] && [ -f "$font_bold" ] || missing+=(fonts-dejavu-core)
	[ "${#missing[@]}" -eq 0 ] && return 0
	echo "screenshot: installing ${missing[*]}"
	local as_root=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || {
			echo "screenshot: run as root: apt-get install -y ${missing[*]}" >&2
			exit 1
		}
		as_root=(sudo)
	fi
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${missing[@]}"
}

# Waits until the pane shows the extended regex, or gives up showing it.
screenshot_wait() {
	local i
	for ((i = 0; i < 100; i++)); do
		tmux -L "$sock" capture-pane -p | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	tmux -L "$sock" capture-pane -p >&2
	echo "screenshot: the screen never showed /$1/" >&2
	exit 1
}

screenshot_deps
[ -x "$root/startle" ] || {
	echo "screenshot: build startle first (make)" >&2
	exit 1
}
work=$(mktemp -d)
sock=startle-shot-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
args=--demo
[ "$mode" = compare ] && args="--demo --compare"
tmux -L "$sock" -f /dev/null new-session -d -x "$cols" -y "$rows" \
	"env -u NO_COLOR TERM=tmux-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME=$work \
	 $root/startle $args --no-config 2>$work/stderr; sleep 60"
tmux -L "$sock" set-option -g default-terminal tmux-256color >/dev/null
if [ "$mode" = compare ]; then
	screenshot_wait 'a\+b smtp a:plain b:tls>'
	tmux -L "$sock" send-keys -l 'EHLO me'
	tmux -L "$sock" send-keys Enter
	screenshot_wait '<~ 250 8BITMIME'
	tmux -L "$sock" send-keys -l '/starttls'
	tmux -L "$sock" send-keys Enter
	screenshot_wait 'a\+b smtp a:tls b:tls>'
	tmux -L "$sock" send-keys F6
	screenshot_wait 'side a\+b'
else
	screenshot_wait '<- 220 '
	tmux -L "$sock" send-keys -l 'EHLO me'
	tmux -L "$sock" send-keys Enter
	screenshot_wait '<- 250 '
	tmux -L "$sock" send-keys -l '/starttls'
	tmux -L "$sock" send-keys Enter
	screenshot_wait 'cert: trusted'
	tmux -L "$sock" send-keys F3
	screenshot_wait 'Certificate chain'
	tmux -L "$sock" send-keys PPage
fi
sleep 0.5
tmux -L "$sock" capture-pane -e -p >"$work/screen.ans"

"$python" - "$work/screen.ans" "$out" "$cols" "$rows" "$font" "$font_bold" <<'EOPY'
"""Draws a tmux capture-pane -e dump (text with SGR escapes) as a PNG."""
import re
import sys

from PIL import Image, ImageDraw, ImageFont

src, out, cols, rows, font_path, bold_path = sys.argv[1:7]
cols, rows = int(cols), int(rows)
SIZE = 15
font = ImageFont.truetype(font_path, SIZE)
bold = ImageFont.truetype(bold_path, SIZE)
cw = round(font.getlength("M"))
asc, desc = font.getmetrics()
ch = asc + desc + 2

# The xterm palette: 16 named colours, the 6x6x6 cube, the grey ramp.
BASE = [(0, 0, 0), (205, 49, 49), (13, 188, 121), (229, 229, 16),
        (36, 114, 200), (188, 63, 188), (17, 168, 205), (229, 229, 229),
        (102, 102, 102), (241, 76, 76), (35, 209, 139), (245, 245, 67),
        (59, 142, 234), (214, 112, 214), (41, 184, 219), (255, 255, 255)]
LEVELS = [0, 95, 135, 175, 215, 255]
PALETTE = BASE + [(LEVELS[i // 36], LEVELS[i // 6 % 6], LEVELS[i % 6])
                  for i in range(216)] + [(8 + 10 * i,) * 3 for i in range(24)]
DEFAULT_FG, DEFAULT_BG = (229, 229, 229), (24, 24, 24)


def sgr(params, st):
    """Applies one SGR parameter list to the style st (a dict)."""
    p = [int(x) if x else 0 for x in params.split(";")] if params else [0]
    i = 0
    while i < len(p):
        n = p[i]
        if n == 0:
            st.update(fg=None, bg=None, bold=False, rev=False)
        elif n == 1:
            st["bold"] = True
        elif n == 22:
            st["bold"] = False
        elif n == 7:
            st["rev"] = True
        elif n == 27:
            st["rev"] = False
        elif 30 <= n <= 37 or 90 <= n <= 97:
            st["fg"] = PALETTE[n - 30 if n < 90 else n - 82]
        elif 40 <= n <= 47 or 100 <= n <= 107:
            st["bg"] = PALETTE[n - 40 if n < 100 else n - 92]
        elif n == 39:
            st["fg"] = None
        elif n == 49:
            st["bg"] = None
        elif n in (38, 48) and i + 2 < len(p) and p[i + 1] == 5:
            st["fg" if n == 38 else "bg"] = PALETTE[p[i + 2] % 256]
            i += 2
        elif n in (38, 48) and i + 4 < len(p) and p[i + 1] == 2:
            st["fg" if n == 38 else "bg"] = tuple(p[i + 2:i + 5])
            i += 4
        i += 1


img = Image.new("RGB", (cols * cw + 16, rows * ch + 16), DEFAULT_BG)
draw = ImageDraw.Draw(img)
st = {"fg": None, "bg": None, "bold": False, "rev": False}
token = re.compile(r"\x1b\[([0-9;]*)m|\x1b[^a-zA-Z]*[a-zA-Z]|(.)", re.S)
with open(src, encoding="utf-8", errors="replace") as f:
    lines = f.read().split("\n")
for y, line in enumerate(lines[:rows]):
    x = 0
    for m in token.finditer(line):
        if m.group(1) is not None:
            sgr(m.group(1), st)
            continue
        c = m.group(2)
        if c is None or x >= cols:
            continue
        fg, bg = st["fg"] or DEFAULT_FG, st["bg"] or DEFAULT_BG
        if st["rev"]:
            fg, bg = bg, fg
        px, py = 8 + x * cw, 8 + y * ch
        draw.rectangle([px, py, px + cw - 1, py + ch - 1], fill=bg)
        if c != " ":
            draw.text((px, py + 1), c, font=bold if st["bold"] else font, fill=fg)
        x += 1
img = img.quantize(colors=64, method=Image.Quantize.MEDIANCUT)
img.save(out, optimize=True)
print(f"screenshot: wrote {out} ({cols}x{rows})")
EOPY
