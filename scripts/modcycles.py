#!/usr/bin/env python3
"""Import cycles between the modules of a crate: reads `use crate::…`, `super::…`, `crate::…`
paths in each .rs file under SRC (tests modules and comments excluded) and prints every cycle between sibling
modules at each level of the tree. Exit status 1 if there is one.

    scripts/modcycles.py crates/frontline/src [crates/frontline-core/src …]
"""
import os, re, sys

def modules(src):
    mods = {}
    for root, _, files in os.walk(src):
        for f in files:
            if not f.endswith('.rs'):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, src)[:-3].split(os.sep)
            if rel[-1] in ('mod', 'lib', 'main'):
                rel = rel[:-1]
            text = open(path).read()
            cut = text.find('#[cfg(test)]')
            text = text if cut < 0 else text[:cut]
            # Doc links name modules without importing them.
            text = re.sub(r'//[^\n]*', '', text)
            mods[tuple(rel)] = text
    return mods

def deps(mods):
    edges = set()
    for m, text in mods.items():
        for path in re.findall(r'\b((?:crate|super|self)(?:::\w+)+)', text):
            parts = path.split('::')
            if parts[0] == 'crate':
                target = parts[1:]
            elif parts[0] == 'self':
                target = list(m) + parts[1:]
            else:
                base = list(m)
                while parts and parts[0] == 'super':
                    base = base[:-1]
                    parts = parts[1:]
                target = base + parts
            # the longest known module prefix
            t = tuple(target)
            while t and t not in mods:
                t = t[:-1]
            if t != m:
                edges.add((m, t))
    return edges

def sibling_edges(edges):
    out = set()
    for a, b in edges:
        # lift to the children of the common parent
        i = 0
        while i < min(len(a), len(b)) and a[i] == b[i]:
            i += 1
        if i < len(a) and i < len(b):
            out.add((a[:i + 1], b[:i + 1]))
    return out

def cycles(edges):
    graph = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    found, seen = [], set()
    def dfs(node, stack):
        for n in sorted(graph.get(node, ())):
            if n in stack:
                cyc = stack[stack.index(n):] + [n]
                key = frozenset(cyc)
                if key not in seen:
                    seen.add(key)
                    found.append(cyc)
            elif len(stack) < 12:
                dfs(n, stack + [n])
    for start in sorted(graph):
        dfs(start, [start])
    return found

bad = 0
for src in sys.argv[1:]:
    mods = modules(src)
    cyc = cycles(sibling_edges(deps(mods)))
    print(f"{src}: {len(mods)} modules, {len(cyc)} cycles")
    for c in cyc:
        print("  " + " -> ".join('::'.join(p) or 'crate' for p in c))
    bad += len(cyc)
sys.exit(1 if bad else 0)
