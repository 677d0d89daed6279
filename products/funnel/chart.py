"""A small line chart drawn as SVG on the server: no JavaScript, no chart library to ship."""

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 640, 220, 32
COLORS = {"votes": "#3b82f6", "units": "#ff6900"}


def line_chart(series, labels):
    """series: [(day, votes, units)]; labels: {"votes": text, "units": text}."""
    if not series:
        return Markup("")
    top = max([max(v, u) for _, v, u in series] + [1])
    step = (WIDTH - 2 * PAD) / max(1, len(series) - 1)

    def points(index):
        return " ".join(
            f"{PAD + i * step:.1f},{HEIGHT - PAD - (row[index] / top) * (HEIGHT - 2 * PAD):.1f}"
            for i, row in enumerate(series))

    first, last = series[0][0].isoformat(), series[-1][0].isoformat()
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(labels["votes"])} / {escape(labels["units"])}" data-testid="funnel-chart">',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="#ccc"/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{HEIGHT - PAD}" stroke="#ccc"/>',
        f'<text x="{PAD - 4}" y="{PAD + 4}" text-anchor="end" font-size="11">{top}</text>',
        f'<text x="{PAD}" y="{HEIGHT - 10}" font-size="11">{first}</text>',
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 10}" text-anchor="end" font-size="11">{last}</text>',
    ]
    for index, key in ((1, "votes"), (2, "units")):
        parts.append(f'<polyline fill="none" stroke="{COLORS[key]}" stroke-width="2" '
                     f'points="{points(index)}" data-series="{key}"/>')
    parts.append(f'<text x="{WIDTH - PAD}" y="{PAD - 12}" text-anchor="end" font-size="12">'
                 f'<tspan fill="{COLORS["votes"]}">■ {escape(labels["votes"])}</tspan> '
                 f'<tspan fill="{COLORS["units"]}">■ {escape(labels["units"])}</tspan></text>')
    parts.append("</svg>")
    # bandit B704, reviewed: numbers, constants and escaped labels.
    return Markup("".join(parts))  # nosec B704
