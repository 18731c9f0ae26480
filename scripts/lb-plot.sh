#!/bin/bash
# lb-plot.sh: an SVG line plot of write amplification over time per policy.
#
# usage: scripts/lb-plot.sh TITLE N < SERIES > OUT.svg
#   SERIES: lines "series NAME BLOCKS WAF" (logblk-replay --series, or the
#   demo's device samples); BLOCKS are user blocks written so far, shown in
#   device sizes (N blocks). One line per NAME, in the order first seen.
#
# Hand-written SVG (a few dozen lines of awk): no plotting package in the
# guest image or in Debian's base is small enough to be worth it.
set -euo pipefail
title=$1
n=$2
awk -v title="$title" -v n="$n" '
BEGIN { W = 900; H = 460; L = 70; R = 190; T = 50; B = 60
	split("#d62728 #1f77b4 #2ca02c #9467bd #ff7f0e #8c564b", color, " ") }
$1 == "series" {
	name = $2
	if (!(name in idx)) { idx[name] = ++ns; names[ns] = name }
	k = idx[name]; np[k]++
	x[k, np[k]] = $3 / n; y[k, np[k]] = $4
	if ($3 / n > xmax) xmax = $3 / n
	if ($4 > ymax) ymax = $4
}
function px(v) { return L + (W - L - R) * v / xmax }
function py(v) { return H - B - (H - T - B) * (v - ymin) / (ymax - ymin) }
END {
	if (!ns) { print "lb-plot: no series" > "/dev/stderr"; exit 1 }
	ymin = 1; ymax = ymax < 1.5 ? 1.5 : int(ymax * 2 + 1) / 2
	printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"13\">\n", W, H
	printf "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", W, H
	printf "<text x=\"%d\" y=\"28\" font-size=\"16\">%s</text>\n", L, title
	for (v = ymin; v <= ymax + 1e-9; v += (ymax - ymin > 3 ? 1 : 0.5)) {
		printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", L, py(v), W - R, py(v)
		printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>\n", L - 8, py(v) + 4, v
	}
	step = xmax > 20 ? 5 : xmax > 8 ? 2 : 1
	for (v = 0; v <= xmax + 1e-9; v += step) {
		printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", px(v), T, px(v), H - B
		printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n", px(v), H - B + 18, v
	}
	printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">blocks written (device sizes)</text>\n", (L + W - R) / 2, H - 15
	printf "<text x=\"18\" y=\"%d\" transform=\"rotate(-90 18 %d)\" text-anchor=\"middle\">write amplification</text>\n", (T + H - B) / 2, (T + H - B) / 2
	for (k = 1; k <= ns; k++) {
		pts = ""
		for (i = 1; i <= np[k]; i++)
			pts = pts sprintf("%.1f,%.1f ", px(x[k, i]), py(y[k, i] < ymin ? ymin : y[k, i]))
		printf "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" points=\"%s\"/>\n", color[(k - 1) % 6 + 1], k == 1 ? 3 : 1.8, pts
		printf "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>\n", W - R + 15, T + 20 * k, W - R + 40, T + 20 * k, color[(k - 1) % 6 + 1]
		printf "<text x=\"%d\" y=\"%d\">%s</text>\n", W - R + 48, T + 20 * k + 4, names[k]
	}
	print "</svg>"
}'
