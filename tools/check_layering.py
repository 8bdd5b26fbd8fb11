#!/usr/bin/env python3
"""Checks that the code's includes follow the rooms' layering declared in CMakeLists.txt.

    tools/check_layering.py --rooms build/rooms.txt --src .

rooms.txt (written by CMake's odh_room) lists every room with the rooms it uses. For each room
(a top-level folder, and cli/) and each test folder (tests/CMakeLists.txt odh_test, same file):
  1. a file includes only its own room and the rooms its target declares;
  2. every declared room is included by some file of the room (the declaration is exact);
  3. a file outside a room includes only that room's contract header(s) (CONTRACTS below);
  4. no room includes a room that (transitively) uses it: the rooms form a DAG.
Tests may include any header of the rooms they link (they test insides), but only rooms they link.
Prints every violation as file:line: problem, exits 1 when there is one.
"""
import argparse
import os
import re
import sys

# The headers other rooms may include. A room's other headers are its own business.
CONTRACTS = {
    "core": {"core.h", "records.h", "sql.h"},
    "registry": {"registry.h", "reference.h", "international.h"},
    "web": {"fetch.h", "url.h", "charset.h", "content_decoding.h", "html_links.h"},
    "warc": {"warc.h"},
    "store": {"store.h"},
    "crawler": {"crawl.h"},
    "parsers": {"parsers.h"},
    "metrics": {"metrics.h"},
    "reports": {"reports.h"},
    "harvest": {"harvest.h"},
    "sim": {"sim.h"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SOURCE = (".cpp", ".h", ".inc")


def read_rooms(path):
    rooms, tests = {}, {}
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, deps = line.partition(":")
        target = tests if name.startswith("tests/") else rooms
        target[name.strip()] = deps.replace(";", " ").split()
    return rooms, tests


def files_of(folder):
    for root, _, names in os.walk(folder):
        for n in sorted(names):
            if n.endswith(SOURCE):
                yield os.path.join(root, n)


def includes(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for i, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                yield i, m.group(1)


def closure(rooms, name, seen=None):
    seen = set() if seen is None else seen
    for d in rooms.get(name, []):
        if d not in seen:
            seen.add(d)
            closure(rooms, d, seen)
    return seen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rooms", required=True)
    ap.add_argument("--src", required=True)
    args = ap.parse_args()
    rooms, tests = read_rooms(args.rooms)
    known = set(rooms) - {"cli"}
    problems = []

    for name, deps in sorted(rooms.items()):
        for d in deps:
            if d not in known:
                problems.append(f"rooms.txt: {name}: declares '{d}', which is not a room")
            if name in closure(rooms, d):
                problems.append(f"rooms.txt: {name} and {d} use each other (a cycle)")
        used = set()
        folder = os.path.join(args.src, name)
        for path in files_of(folder):
            rel = os.path.relpath(path, args.src)
            for line, inc in includes(path):
                room, _, header = inc.partition("/")
                if room not in known or room == name:
                    continue
                used.add(room)
                if room not in deps:
                    problems.append(f"{rel}:{line}: includes {inc}, but room {name} does not use {room} "
                                    f"(CMakeLists.txt odh_room({name} ROOMS {' '.join(deps)}))")
                elif header not in CONTRACTS.get(room, set()):
                    problems.append(f"{rel}:{line}: includes {inc}, which is not a contract header of {room} "
                                    f"({', '.join(sorted(CONTRACTS.get(room, [])))})")
        for d in deps:
            if d not in used:
                problems.append(f"{name}/: declares room {d} but no file includes it (declarations are exact)")

    for name, deps in sorted(tests.items()):
        allowed = set(deps)
        for d in deps:
            allowed |= closure(rooms, d)
        for path in files_of(os.path.join(args.src, name)):
            rel = os.path.relpath(path, args.src)
            for line, inc in includes(path):
                room = inc.partition("/")[0]
                if room in known and room not in allowed:
                    problems.append(f"{rel}:{line}: includes {inc}, but {name} links only "
                                    f"{' '.join(sorted(allowed))} (tests/CMakeLists.txt)")

    for p in problems:
        print(p)
    if problems:
        print(f"layering: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"layering: {len(rooms)} rooms and {len(tests)} test folders follow their declarations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
