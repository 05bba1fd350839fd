#!/usr/bin/env python3
"""Where a server profile's time goes, by kind of work (BENCHMARKS.md, "The merge path near its floor").

    target/release/loadgen --backend sqlite --perf push --perf-out /tmp/push.data
    perf script -i /tmp/push.data -F tid,ip,sym --no-inline 2>/dev/null | scripts/perf-groups.py

Each sample's stack is read leaf first. "inclusive" counts a sample once for every group any of
its frames falls in (so the column adds up to more than 100%); "self" counts it for the group of
the first frame, from the leaf, that any group claims — the work the sample was actually doing,
attributed to the library that asked for it when the leaf is generic (memcpy, malloc).
"""

import re
import sys
from collections import Counter

# First match wins for "self"; order from the most specific to the most generic.
GROUPS = [
    ("allocation", r"\b(malloc|free|realloc|calloc|cfree|_int_malloc|_int_free|_int_realloc|"
                   r"malloc_consolidate|alloc::alloc|__rust_alloc|__rust_dealloc|__rust_realloc|"
                   r"unlink_chunk|tcache_)|\b_?mi_\w+|mimalloc"),
    ("hashing (SHA-256, change hashes)", r"sha2::|sha256|Sha256"),
    ("CBOR (request, response)", r"ciborium|serde_bytes|sync_protocol::wire"),
    ("JSON (case projection body)", r"serde_json"),
    ("SQL: SQLite engine", r"\bsqlite3|libsqlite3_sys"),
    ("SQL: sqlx (binding, rows, worker)", r"sqlx"),
    ("Automerge: load, decode, apply", r"automerge::(storage|change|automerge::Automerge::(load|apply|"
                                      r"from_bytes|clone)|op_set|op_tree|columnar|change_graph)|hexane::|"
                                      r"Automerge::apply|Change::from_bytes|Automerge as core::clone"),
    ("Automerge: reads, history (get_at, get_changes)", r"automerge::"),
    ("validation and judging (case schema, rules)", r"sync_protocol::|anlan_server::merge::"),
    ("HTTP (hyper, axum, tower)", r"hyper|axum|tower|h2::|http::"),
    ("tokio runtime, threads", r"tokio::|mio::|parking_lot|std::thread|futures_"),
    ("kernel", r"^\[k\]|\[unknown\]|entry_SYSCALL|do_syscall|__x64_sys|syscall|epoll|futex|"
               r"fsync|fdatasync|__libc_(write|read|pwrite|pread)"),
]
COMPILED = [(name, re.compile(rx)) for name, rx in GROUPS]
OTHER = "other"


def samples(lines):
    """Yield each sample's list of symbols, leaf first."""
    stack = []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if stack:
                yield stack
            stack = []
            continue
        if not line.startswith((" ", "\t")):
            continue  # the sample's header line (thread id)
        parts = line.strip().split(None, 1)
        stack.append(parts[1] if len(parts) > 1 else parts[0])
    if stack:
        yield stack


def group_of(symbol):
    for name, rx in COMPILED:
        if rx.search(symbol):
            return name
    return None


def main():
    total = 0
    inclusive, selfc, top_self = Counter(), Counter(), Counter()
    for stack in samples(sys.stdin):
        total += 1
        groups = [group_of(s) for s in stack]
        for g in set(g for g in groups if g):
            inclusive[g] += 1
        leaf = next((g for g in groups if g), OTHER)
        selfc[leaf] += 1
        top_self[re.sub(r"\+0x[0-9a-f]+$", "", stack[0])[:110]] += 1
    if not total:
        sys.exit("no samples on stdin")
    print(f"{total} samples\n")
    print("| group | inclusive | self |")
    print("|---|---|---|")
    for name, _ in GROUPS + [(OTHER, None)]:
        if inclusive[name] or selfc[name]:
            print(f"| {name} | {100 * inclusive[name] / total:.1f}% | {100 * selfc[name] / total:.1f}% |")
    print("\ntop self frames:")
    for sym, n in top_self.most_common(25):
        print(f"  {100 * n / total:5.1f}%  {sym}")


if __name__ == "__main__":
    main()
