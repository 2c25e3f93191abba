#!/usr/bin/env python3
"""Builds data/clusters.txt, the Brown word clusters the entity tagger reads, from PyPI
`spacy-lookups-data` 1.0.5 (MIT, ExplosionAI).

Usage: python3 scripts/convert_clusters.py [--wheel FILE.whl] [--max-rank N]

Without --wheel it fetches the pinned wheel with the ordinary client, and nothing else:

    pip download spacy-lookups-data==1.0.5 --no-deps -d DIR

The package's `en_lexeme_cluster.json.gz` maps 1,000,001 case-sensitive words to a Brown
cluster (1000 clusters; 0 = none) and `en_lexeme_prob.json.gz` gives each word's log
probability. A cluster number is the cluster's path in the Brown merge tree read from the
least significant bit: bit 0 is the first branch from the root, so words of one branch share
low bits (London 678 = 0b1010100110 and Germany 934 = 0b1110100110 share the low five bits
00110). There is no length marker: a path's trailing zeros are not stored, which does not
matter for prefixes, since leaves of a binary tree never prefix one another.

Output, one line per cluster and rarity band:
    <path, root first, as 0/1><TAB><band><TAB><word> <word> ...
`band` is the word's log probability cut into bands (0: above -12, 1: -12 to -15.5, 2:
-15.5 to -18, 3: below -18; about 5%, 20%, 25% and 50% of the clustered words), a rarity
the tagger may read. Only words with a cluster are kept, without whitespace, with a letter,
and within the N most probable words of the list (--max-rank, default 340,000: 96,000 words,
0.8 MB; all 181,000 words scored the same on the development sets, the 80,000 most probable
(50,000 words) lost most of the gain on newswire: docs/extraction.md); words are in order of
probability within a line.
"""
import argparse, gzip, json, os, subprocess, sys, tempfile, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "data", "clusters.txt")
PACKAGE = "spacy-lookups-data==1.0.5"


def fetch(work):
    subprocess.check_call([sys.executable, "-m", "pip", "download", PACKAGE, "--no-deps",
                           "-q", "-d", work])
    for f in os.listdir(work):
        if f.endswith(".whl"):
            return os.path.join(work, f)
    sys.exit("pip download gave no wheel")


def band(logp):
    if logp > -12:
        return 0
    if logp > -15.5:
        return 1
    if logp > -18:
        return 2
    return 3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wheel", help="an already downloaded spacy_lookups_data-1.0.5 wheel")
    ap.add_argument("--max-rank", type=int, default=340000,
                    help="keep only words among the N most probable (0: all)")
    ap.add_argument("--out", default=OUT)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as work:
        wheel = a.wheel or fetch(work)
        z = zipfile.ZipFile(wheel)
        clusters = json.loads(gzip.decompress(
            z.read("spacy_lookups_data/data/en_lexeme_cluster.json.gz")))
        probs = json.loads(gzip.decompress(
            z.read("spacy_lookups_data/data/en_lexeme_prob.json.gz")))
    ranked = sorted(clusters, key=lambda w: (-probs.get(w, -99.0), w))
    if a.max_rank:
        ranked = ranked[:a.max_rank]
    lines = {}
    kept = 0
    for w in ranked:
        c = clusters[w]
        if not c or any(ch.isspace() for ch in w) or not any(ch.isalpha() for ch in w):
            continue
        path = format(c, "b")[::-1]  # least significant bit first = root first
        lines.setdefault((path, band(probs.get(w, -99.0))), []).append(w)
        kept += 1
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("# Brown word clusters for dossier's tagger, from PyPI spacy-lookups-data 1.0.5\n"
                "# (MIT, ExplosionAI; en_lexeme_cluster / en_lexeme_prob), written by\n"
                "# scripts/convert_clusters.py: path (root first) <TAB> rarity band <TAB> words.\n"
                f"# {kept} words.\n")
        for (path, b) in sorted(lines):
            f.write(f"{path}\t{b}\t{' '.join(lines[(path, b)])}\n")
    print(f"wrote {a.out}: {kept} words, {len(lines)} lines, {os.path.getsize(a.out)} bytes")


if __name__ == "__main__":
    main()
