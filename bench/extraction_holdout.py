"""Score the extractor on PolNeAR train articles its models never saw (for deciding changes).

usage: python bench/extraction_holdout.py [--retrain-cues] [--per-doc] [--work DIR]

Dev is for reporting only, so extractor changes are judged here: the working tree's stance/
and models/ are copied to a scratch directory, the models are retrained there with
`python -m stance.cues TRAIN --hold-out` (train articles 0-199 and 500-699 left out), and
the extractor is scored on those 400 held-out articles with the shared scorer. The shipped
models are never touched. The cue model depends only on the lexicon, so it is trained once
and reused (pass --retrain-cues after changing cue features); the claim filter depends on
the candidate patterns and is retrained on every run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data" / "polnear"
SCORER = REPO.parent / "shared" / "tools" / "score_polnear.py"

_EXTRACT = """
import json, sys
from pathlib import Path
from stance.attribution import extract_claims
out = Path(sys.argv[2])
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        row = json.loads(line)
        doc = {"article": {"text": row["text"]}, "claims": [c.to_dict() for c in extract_claims(row["text"])]}
        (out / (row["filename"] + ".json")).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", default="/tmp/stance-holdout")
    ap.add_argument("--retrain-cues", action="store_true")
    ap.add_argument("--per-doc", action="store_true")
    args = ap.parse_args(argv)
    work = Path(args.work)
    train = DATA / "polnear_train.jsonl"
    cached = work / "cues-cache"
    fresh_cues = args.retrain_cues or not cached.exists()

    if (work / "stance").exists():
        shutil.rmtree(work / "stance")
    shutil.copytree(REPO / "stance", work / "stance", ignore=shutil.ignore_patterns("__pycache__"))
    (work / "models").mkdir(parents=True, exist_ok=True)
    for p in (REPO / "models").glob("attribution-*.json"):
        shutil.copy(p, work / "models" / p.name)
    cue_files = [
        "stance/data/cue_words.tsv",
        "stance/data/speaker_heads.tsv",
        "stance/data/cue_backoff.tsv",
        "models/attribution-cues.json",
        "models/attribution-cues.card.json",
    ]
    if not fresh_cues:
        for rel in cue_files:
            shutil.copy(cached / Path(rel).name, work / rel)
    cmd = [sys.executable, "-m", "stance.cues", str(train), "--hold-out"]
    if not fresh_cues:
        cmd.append("--claims-only")
    subprocess.run(cmd, cwd=work, check=True, capture_output=True)
    if fresh_cues:
        cached.mkdir(exist_ok=True)
        for rel in cue_files:
            shutil.copy(work / rel, cached / Path(rel).name)

    # The held-out articles, exactly as stance.cues chooses them.
    sys.path.insert(0, str(work))
    names: list[str] = []
    rows: dict[str, str] = {}
    with open(train, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                if row["filename"] not in rows:
                    names.append(row["filename"])
                    rows[row["filename"]] = line
    held = set(names[:200] + names[500:700])
    gold = work / "holdout_gold.jsonl"
    texts = work / "holdout_texts.jsonl"
    with open(train, encoding="utf-8") as src, open(gold, "w", encoding="utf-8") as dst:
        for line in src:
            if line.strip() and json.loads(line)["filename"] in held:
                dst.write(line)
    with open(texts, "w", encoding="utf-8") as dst:
        for name in names:
            if name in held:
                dst.write(rows[name])
    out = work / "out"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir()
    subprocess.run([sys.executable, "-c", _EXTRACT, str(texts), str(out)], cwd=work, check=True)
    cmd = [sys.executable, str(SCORER), str(gold), str(out)] + (["--per-doc"] if args.per_doc else [])
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
