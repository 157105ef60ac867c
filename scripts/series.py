#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The series, path by path and patch by patch.

./series lists, group by group ("== commits/X.txt" starts a patch of the
exported series), the files each patch touches.  The first entry for a path
holds its final state: a new file's whole text (the plain path), or the
diff of an existing file from the pristine tree (<path>.patch).  A later
entry for the same path is a step (<path>.<name>.patch, a unified diff of
that path): a part of the final state that a later patch of the series
adds.  So after its first patch a path holds the final state with every
later step taken out (reverse-applied, last first), and each later patch
puts its step back.  Editing the final file keeps working as long as the
steps still apply to it; a step that no longer does is reported by name.

Usage:
  series.py groups                      the commit message file of each patch
  series.py check PRISTINE              every state can be built; steps put
                                        back in order give the final file
  series.py apply PRISTINE DEST GROUP   write the paths patch GROUP (1-based,
                                        or "all") touches, as they stand after
                                        it, into DEST.  Everything is computed
                                        before DEST is written.
"""
import os
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def die(msg):
    sys.exit("series: " + msg)


def read_series():
    """[(message file, [entries])] in order."""
    groups = []
    with open(os.path.join(TOP, "series")) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("== "):
                groups.append((line[3:], []))
            elif not groups:
                die("%s is listed before the first '== ' line" % line)
            else:
                groups[-1][1].append(line)
    return groups


def target(entry):
    """The kernel path an entry changes."""
    if not entry.endswith(".patch"):
        return entry
    with open(os.path.join(TOP, entry)) as f:
        for line in f:
            if line.startswith("+++ "):
                path = line[4:].split()[0]
                return path[2:] if path.startswith("b/") else path
    die("%s is not a unified diff" % entry)


def run_patch(text, entry, reverse):
    """@text with @entry applied (or taken out); exact context, no fuzz."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "in"), os.path.join(tmp, "out")
        with open(src, "w") as f:
            f.write(text)
        args = ["patch", "-s", "-F0", "-o", out, src, os.path.join(TOP, entry)]
        if reverse:
            args.insert(1, "-R")
        r = subprocess.run(args, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True)
        if r.returncode:
            die("%s does not %s:\n%s" % (entry, "come out of the file" if
                                         reverse else "apply", r.stdout + r.stderr))
        with open(out) as f:
            return f.read()


def states(pristine, groups):
    """{path: [(group index, text after it)]}, in series order."""
    entries = {}
    for g, (_, files) in enumerate(groups):
        for e in files:
            entries.setdefault(target(e), []).append((g, e))
    result = {}
    for path, lst in entries.items():
        first = lst[0][1]
        steps = lst[1:]
        for _, e in steps:
            if not e.endswith(".patch"):
                die("%s: only the first entry of %s may be a whole file" % (e, path))
        if first.endswith(".patch"):
            orig = os.path.join(pristine, path)
            if not os.path.exists(orig):
                die("%s changes %s, which the pristine tree lacks" % (first, path))
            with open(orig) as f:
                final = run_patch(f.read(), first, False)
        else:
            with open(os.path.join(TOP, first)) as f:
                final = f.read()
        text = final
        for _, e in reversed(steps):
            text = run_patch(text, e, True)
        seq = [(lst[0][0], text)]
        for g, e in steps:
            text = run_patch(text, e, False)
            seq.append((g, text))
        if text != final:
            die("the steps of %s put back in order do not give the final file" % path)
        result[path] = seq
    return result


def main():
    if len(sys.argv) < 2:
        die("usage: see the top of " + sys.argv[0])
    groups = read_series()
    cmd = sys.argv[1]
    if cmd == "groups":
        for msg, _ in groups:
            print(msg)
        return
    pristine = sys.argv[2]
    st = states(pristine, groups)
    if cmd == "check":
        return
    if cmd != "apply" or len(sys.argv) != 5:
        die("usage: see the top of " + sys.argv[0])
    dest, which = sys.argv[3], sys.argv[4]
    last = len(groups) - 1 if which == "all" else int(which) - 1
    if not 0 <= last < len(groups):
        die("no patch %s" % which)
    writes = {}
    for path, seq in st.items():
        touched = [text for g, text in seq if g <= last]
        if not touched:
            continue
        if which != "all" and not any(g == last for g, _ in seq):
            continue
        writes[path] = touched[-1]
    for path, text in sorted(writes.items()):
        full = os.path.join(dest, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        # A new inode, as patch(1) makes: never write through a hard link.
        with open(full + ".series-tmp", "w") as f:
            f.write(text)
        if os.path.exists(full):
            os.chmod(full + ".series-tmp", os.stat(full).st_mode & 0o7777)
        os.replace(full + ".series-tmp", full)


if __name__ == "__main__":
    main()
