"""The Markdown table of part_attack_side_by_side.sh: seg-sum seconds and robust accuracy of PartRobust and of the
straightforward loop, per round.

    /usr/bin/python3 bench/pytorch/part_attack_table.py OUT ROUNDS
"""
import json, os, statistics, sys

from autoattack_table import cpu_name


def ours(path):
    model = json.load(open(os.path.join(path, "report.json")))["models"][0]
    timing = model["attack_timing"]["seg-sum"]
    return {"clean": model["clean_accuracy"], "robust": model["robust_accuracy"]["seg-sum"], "seconds": timing["seconds"],
            "per_point": (model.get("per_point") or {}).get("seg-sum")}


def main():
    out, rounds = sys.argv[1], int(sys.argv[2])
    rows = [(ours(os.path.join(out, f"ours-{r}")), json.load(open(os.path.join(out, f"loop-{r}.json"))))
            for r in range(1, rounds + 1)]
    loop0 = rows[0][1]
    print(f"\nMachine: {cpu_name()}, {os.cpu_count()} cores; peer: {loop0['peer']}, PyTorch {loop0['torch']}, "
          f"{loop0['threads']} threads; {loop0['points']} points.\n")
    print("| round | implementation | clean | robust | seg-sum s | points/s |")
    print("|---|---|---:|---:|---:|---:|")
    for r, (o, loop) in enumerate(rows, 1):
        print(f"| {r} | PartRobust | {100 * o['clean']:.1f}% | {100 * o['robust']:.1f}% | {o['seconds']:.1f} | "
              f"{loop['points'] / o['seconds']:.2f} |")
        print(f"| {r} | straightforward loop | {100 * loop['clean_accuracy']:.1f}% | {100 * loop['robust_accuracy']:.1f}% | "
              f"{loop['seconds']:.1f} | {loop['points'] / loop['seconds']:.2f} |")
    for r, (o, loop) in enumerate(rows, 1):
        if o["per_point"] is not None:
            same = sum(a == b for a, b in zip(o["per_point"], loop["robust"]))
            print(f"Round {r}: the same robust/broken outcome on {same} of {len(loop['robust'])} points.")
    ratios = [loop["seconds"] / o["seconds"] for o, loop in rows]
    print(f"\nThroughput ratio PartRobust / loop: median {statistics.median(ratios):.2f}× "
          f"(rounds: {', '.join(f'{x:.2f}' for x in ratios)}).")


if __name__ == "__main__":
    main()
