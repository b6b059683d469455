#!/usr/bin/env python3
"""Writes the fault harness's figures into docs/reliability.md.

Each scenario of tests/chaos appends one JSON line to <build>/chaos-results/<form>.jsonl; this
script turns the last line of each scenario into a Markdown table and puts it between the markers
`<!-- chaos-table:<form>:begin -->` and `<!-- chaos-table:<form>:end -->` of the document, with
the command that made the run, the machine's core count, the date and how long the run took.

    write_reliability_table.py --form fast --results build/chaos-results/fast.jsonl \
        --command "ctest --test-dir build -L chaos -j2" --seconds 82 docs/reliability.md
"""
import argparse
import datetime
import json
import os
import sys

COLUMNS = [("#", "number"), ("scenario", "title"), ("players", "players"), ("answered", "answered"),
           ("ready", "ready"), ("clicked again", "retried"), ("leaked", "leaked"), ("past TTL", "past_ttl"),
           ("recovery s", "recovery_seconds"), ("clean s", "clean_seconds")]


def read_rows(path):
    rows = {}
    with open(path, encoding="utf-8") as results:
        for line in results:
            if line.strip():
                row = json.loads(line)
                rows[row["scenario"]] = row  # a scenario run twice: its last run counts
    return [rows[name] for name in sorted(rows)]


def cell(row, key):
    if key in ("number", "title"):
        number, _, title = row["scenario"].partition(" ")
        return number if key == "number" else title
    value = row[key]
    if key.endswith("_seconds"):
        return "never" if value < 0 else f"{value:.1f}"
    if key == "answered":
        return f"{value}/{row['players']}"
    return str(value)


def table(rows, args):
    met = all(r["answered"] == r["players"] and r["leaked"] == 0 and r["past_ttl"] == 0 for r in rows)
    lines = [f"{args.form.capitalize()} form, `{args.command}`, on {os.cpu_count()} cores, "
             f"{datetime.date.today().isoformat()}; {len(rows)} scenarios in {args.seconds} s. "
             f"Goal (every player answered, 0 leaked, 0 past TTL) {'met' if met else 'NOT met'}.",
             "",
             "| " + " | ".join(name for name, _ in COLUMNS) + " |",
             "|" + "|".join("---" if key == "title" else "---:" for _, key in COLUMNS) + "|"]
    lines += ["| " + " | ".join(cell(r, key) for _, key in COLUMNS) + " |" for r in rows]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--form", required=True, choices=["fast", "long"])
    parser.add_argument("--results", required=True)
    parser.add_argument("--command", required=True)
    parser.add_argument("--seconds", type=int, required=True)
    parser.add_argument("document")
    args = parser.parse_args()
    rows = read_rows(args.results)
    if not rows:
        sys.exit(f"{args.results}: no rows")
    begin, end = f"<!-- chaos-table:{args.form}:begin -->", f"<!-- chaos-table:{args.form}:end -->"
    with open(args.document, encoding="utf-8") as document:
        text = document.read()
    if begin not in text or end not in text:
        sys.exit(f"{args.document}: no {begin} ... {end} markers")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(args.document, "w", encoding="utf-8") as document:
        document.write(f"{head}{begin}\n{table(rows, args)}\n{end}{tail}")
    print(f"{args.document}: {len(rows)} {args.form} rows written")


if __name__ == "__main__":
    main()
