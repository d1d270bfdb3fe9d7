"""The Markdown table of autoattack_side_by_side.sh: per stage seconds of PartRobust and of the reference, per round.

    /usr/bin/python3 bench/pytorch/autoattack_table.py OUT ROUNDS
"""
import json, os, platform, statistics, subprocess, sys


def cpu_name():
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def ours(path):
    report = json.load(open(os.path.join(path, "report.json")))
    model = report["models"][0]
    stages = (model.get("autoattack_stages") or model.get("attack_stages"))["autoattack"]
    robust = model["robust_accuracy"]["autoattack"]
    per_point = (model.get("per_point") or {}).get("autoattack")
    return {"clean": model["clean_accuracy"], "robust": robust, "stages": stages,
            "seconds": sum(s.get("seconds") or 0 for s in stages), "per_point": per_point}


def main():
    out, rounds = sys.argv[1], int(sys.argv[2])
    rows = []
    for r in range(1, rounds + 1):
        o = ours(os.path.join(out, f"ours-{r}"))
        ref = json.load(open(os.path.join(out, f"reference-{r}.json")))
        rows.append((o, ref))
    o0, ref0 = rows[0]
    print(f"\nMachine: {cpu_name()}, {os.cpu_count()} cores; reference: {ref0['peer']}, PyTorch {ref0['torch']}, "
          f"{ref0['threads']} threads; {ref0['points']} points.\n")
    names = [s["attack"] for s in o0["stages"]]
    print("| round | implementation | clean | robust | " + " | ".join(f"{n} s" for n in names) + " | total s | points/s |")
    print("|---|---|---:|---:|" + "---:|" * len(names) + "---:|---:|")
    for r, (o, ref) in enumerate(rows, 1):
        total_o = o["seconds"]
        print(f"| {r} | PartRobust | {100 * o['clean']:.1f}% | {100 * o['robust']:.1f}% | "
              + " | ".join(f"{s.get('seconds') or 0:.1f}" for s in o["stages"]) + f" | {total_o:.1f} | {ref['points'] / total_o:.2f} |")
        ref_stages = {s["attack"].lower(): s["seconds"] for s in ref["stages"]}
        total_r = sum(ref_stages.values())
        print(f"| {r} | reference | {100 * ref['clean_accuracy']:.1f}% | {100 * ref['robust_accuracy']:.1f}% | "
              + " | ".join(f"{ref_stages.get(n, float('nan')):.1f}" for n in names) + f" | {total_r:.1f} | {ref['points'] / total_r:.2f} |")
    for r, (o, ref) in enumerate(rows, 1):
        if o["per_point"] is not None and "robust" in ref:
            same = sum(a == b for a, b in zip(o["per_point"], ref["robust"]))
            print(f"Round {r}: the same robust/broken outcome on {same} of {len(ref['robust'])} points.")
    ratios = [sum(s["seconds"] for s in ref["stages"]) / o["seconds"] for o, ref in rows]
    print(f"\nThroughput ratio PartRobust / reference: median {statistics.median(ratios):.2f}× "
          f"(rounds: {', '.join(f'{x:.2f}' for x in ratios)}).")


if __name__ == "__main__":
    main()
