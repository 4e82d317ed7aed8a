#!/usr/bin/env python3
"""Every relative Markdown link (and #anchor) in the tracked *.md files resolves: python3 scripts/ci/check-doc-links.py [ROOT]."""
import os, re, subprocess, sys, unicodedata
root = sys.argv[1] if len(sys.argv) > 1 else '.'
files = subprocess.run(['git', 'ls-files', '*.md'], cwd=root, capture_output=True, text=True).stdout.split()
link = re.compile(r'\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)')
def slug(h):
    h = h.strip().lower()
    h = re.sub(r'[^\w\- ]', '', h)  # GitHub: drop punctuation, keep word chars, - and space
    return h.replace(' ', '-')
def anchors(path):
    out, fence = set(), False
    counts = {}
    for line in open(path, encoding='utf-8'):
        if line.lstrip().startswith('```'): fence = not fence; continue
        if fence: continue
        m = re.match(r'#{1,6}\s+(.*)', line)
        if m:
            s = slug(m.group(1)); n = counts.get(s, 0); counts[s] = n + 1
            out.add(s if n == 0 else f'{s}-{n}')
    return out
bad = 0
for f in files:
    if f.startswith(('node_modules/', 'imports/')): continue
    fence = False
    for i, line in enumerate(open(os.path.join(root, f), encoding='utf-8'), 1):
        if line.lstrip().startswith('```'): fence = not fence; continue
        if fence: continue
        for target in link.findall(line):
            if re.match(r'^[a-z]+:', target): continue
            p, _, frag = target.partition('#')
            dest = os.path.normpath(os.path.join(os.path.dirname(os.path.join(root, f)), p)) if p else os.path.join(root, f)
            if not os.path.exists(dest):
                print(f'{f}:{i}: missing {target}'); bad += 1; continue
            if frag and dest.endswith('.md') and frag not in anchors(dest):
                print(f'{f}:{i}: no anchor #{frag} in {p or f}'); bad += 1
print(f'{len(files)} files checked, {bad} broken link(s)')
sys.exit(1 if bad else 0)
