"""Peak memory of `ledger serve` per request size, and with four maximum-size requests at once.

    python benchmarks/service_memory.py              # default limit (max_body_mb = 64)
    python benchmarks/service_memory.py --quick      # fewer sizes

Each row is a fresh `ledger serve` process (so its peak resident memory, VmHWM from /proc,
belongs to that load alone) answering the request(s) of the row. Bodies:
- ledger N rows: the sample ledger's rows repeated to N rows (new numbers), as WPS posts them;
- one long text: a single cell of text starting with an emoji (Python then holds the text at
  4 bytes a character: the costliest text per body byte), filling the body;
- many values: `[1]` rows up to the value limit (the costliest structure per body byte).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from service_common import free_port, get, memory_mb, post, sample_body, start_serve, temporary_home  # noqa: E402

MB = 1024 * 1024


def ledger_body(rows: int) -> bytes:
    sample = json.loads(sample_body())["values"]
    header, items = sample[:2], [row for row in sample[2:] if row and row[1]]
    values = list(header)
    for index in range(rows):
        row = list(items[index % len(items)])
        row[0], row[1] = index + 1, f"TA{index + 1:07d}"
        values.append(row)
    return json.dumps({"sheet": "台账", "values": values, "today": "2026-06-28"}, ensure_ascii=False).encode()


def long_text_body(size: int) -> bytes:
    head, tail = '{"sheet": "台账", "values": [["😀', '"]]}'
    return (head + "a" * (size - len(head.encode()) - len(tail) - 4) + tail).encode()


def many_values_body(values: int) -> bytes:
    # value_count counts a comma and a bracket per `[1]`
    return b'{"sheet":"x","values":[' + b",".join([b"[1]"] * (values // 2 - 4)) + b"]}"


def measure(body: bytes, concurrent: int, limit_mb: int) -> tuple[float, float, float, list[int]]:
    """(resident MB before, peak MB, seconds, statuses) of a fresh service answering `concurrent`
    copies of `body` at once."""
    with temporary_home() as home_text:
        port = free_port()
        process = start_serve(port, Path(home_text), limit_mb)
        try:
            get(port, "/v1/health")
            before = memory_mb(process.pid)[1]
            statuses: list[int] = []
            started = time.perf_counter()
            threads = [threading.Thread(target=lambda: statuses.append(post(port, body, timeout=600)[0]))
                       for _ in range(concurrent)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            peak = memory_mb(process.pid)[1]
        finally:
            process.terminate()
            process.wait(timeout=30)
    return before, peak, elapsed, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-mb", type=int, default=64)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    from automation.service_http import MAX_VALUES

    limit = args.limit_mb * MB
    cases: list[tuple[str, bytes, int]] = []
    for rows in ((1000, 50000) if args.quick else (1000, 10000, 50000, 150000)):
        cases.append((f"ledger {rows:,} rows", ledger_body(rows), 1))
    for size_mb in ((args.limit_mb,) if args.quick else (16, 32, args.limit_mb)):
        cases.append((f"one long text, {size_mb} MB", long_text_body(min(size_mb * MB, limit)), 1))
    cases.append((f"many values ({MAX_VALUES:,})", many_values_body(MAX_VALUES), 1))
    cases.append((f"4 x one long text, {args.limit_mb} MB, at once", long_text_body(limit), 4))
    cases.append((f"4 x many values ({MAX_VALUES:,}), at once", many_values_body(MAX_VALUES), 4))
    cases.append((f"4 x ledger 150,000 rows, at once", ledger_body(150000), 4))
    print(f"Peak memory of `ledger serve` (max_body_mb = {args.limit_mb}), Python {sys.version.split()[0]}; "
          "each row a fresh process.\n")
    print("| request(s) | body MB | answers | seconds | idle MB | peak MB |")
    print("|---|---:|---|---:|---:|---:|")
    for name, body, concurrent in cases:
        before, peak, elapsed, statuses = measure(body, concurrent, args.limit_mb)
        shown = ", ".join(str(status) for status in sorted(statuses))
        print(f"| {name} | {len(body) / MB:.1f} | {shown} | {elapsed:.1f} | {before:.0f} | {peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
