using PartRobust.Attacks;
using PartRobust.Distributed;

namespace PartRobust.Evaluation;

/// <summary>
/// The per-batch outcomes of one <see cref="Evaluator.RobustAccuracy"/> run. In an MPI job each rank attacks the batches
/// b with b mod N = its rank (<see cref="WorkShare.Owns"/>) and <see cref="Gather"/> gives every rank every batch's outcome, so
/// every rank returns the same result, the one a single process gets (batches are independent: same points, same
/// per-batch seed).
/// </summary>
internal sealed class RobustTally(int points, int batches, int stages)
{
    /// <summary>Per point: robust after the attack.</summary>
    public readonly bool[] Robust = new bool[points];

    /// <summary>Per batch: wall-clock seconds.</summary>
    public readonly double[] BatchSeconds = new double[batches];

    /// <summary>Per stage of a sequence: points robust after it.</summary>
    public readonly long[] StageRobust = new long[stages];

    /// <summary>Per stage of a sequence: seconds, summed over batches.</summary>
    public readonly double[] StageSeconds = new double[stages];

    /// <summary>Points classified correctly on the clean pass, and points robust.</summary>
    public int Clean, Kept;

    readonly List<(int Batch, int Start, int N, int Clean, long[] StageRobust, double[] StageSeconds)> mine = [];

    /// <summary>Records the outcome of batch <paramref name="batch"/> (points <paramref name="start"/> …).</summary>
    public void Add(int batch, int start, bool[] robust, int clean, long[] stageRobust, double[] stageSeconds, double seconds)
    {
        Array.Copy(robust, 0, Robust, start, robust.Length);
        Clean += clean;
        Kept += robust.Count(v => v);
        for (int i = 0; i < stageRobust.Length; i++)
        {
            StageRobust[i] += stageRobust[i];
            StageSeconds[i] += stageSeconds[i];
        }
        BatchSeconds[batch] = seconds;
        mine.Add((batch, start, robust.Length, clean, stageRobust, stageSeconds));
    }

    /// <summary>
    /// In an MPI job: adds every other rank's batches (outcomes, kept examples, DLR-probe counts of <paramref name="attack"/>)
    /// to this tally; a no-op for one process.
    /// </summary>
    public void Gather(IAttack attack, ExampleKeeper? keeper, (int Starts, int Zero)[] probeCountsBefore)
    {
        if (!WorkShare.IsShared) return;
        var job = World.Current;
        var probes = Probes(attack);
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            for (int p = 0; p < probes.Count; p++)
            {
                w.Write(probes[p].DlrStarts - probeCountsBefore[p].Starts);
                w.Write(probes[p].ZeroDlrGradientStarts - probeCountsBefore[p].Zero);
            }
            w.Write(mine.Count);
            foreach (var (batch, start, n, clean, stageRobust, stageSeconds) in mine)
            {
                w.Write(batch);
                w.Write(start);
                w.Write(n);
                w.Write(clean);
                w.Write(BatchSeconds[batch]);
                for (int i = 0; i < n; i++) w.Write(Robust[start + i]);
                foreach (var v in stageRobust) w.Write(v);
                foreach (var v in stageSeconds) w.Write(v);
                keeper?.WriteBatch(w, start, n);
            }
        }
        var all = job.AllGather(buffer.ToArray());
        for (int rank = 0; rank < all.Length; rank++)
        {
            if (rank == job.Rank) continue;
            using var r = new BinaryReader(new MemoryStream(all[rank]));
            foreach (var probe in probes) probe.AddCounts(r.ReadInt32(), r.ReadInt32());
            int count = r.ReadInt32();
            for (int k = 0; k < count; k++)
            {
                int batch = r.ReadInt32(), start = r.ReadInt32(), n = r.ReadInt32(), clean = r.ReadInt32();
                double seconds = r.ReadDouble();
                var robust = new bool[n];
                for (int i = 0; i < n; i++) robust[i] = r.ReadBoolean();
                var stageRobust = new long[StageRobust.Length];
                for (int i = 0; i < stageRobust.Length; i++) stageRobust[i] = r.ReadInt64();
                var stageSeconds = new double[StageSeconds.Length];
                for (int i = 0; i < stageSeconds.Length; i++) stageSeconds[i] = r.ReadDouble();
                keeper?.ReadBatch(r, start, n);
                Add(batch, start, robust, clean, stageRobust, stageSeconds, seconds);
            }
        }
    }

    /// <summary>The DLR-gradient probes of <paramref name="attack"/> (itself, or the stages of a sequence).</summary>
    public static List<IDlrGradientProbe> Probes(IAttack attack) =>
        attack is AttackSequence s ? s.Attacks.OfType<IDlrGradientProbe>().ToList()
        : attack is IDlrGradientProbe p ? [p] : [];

    /// <summary>The probes' counts now, to be passed to <see cref="Gather"/> after the run.</summary>
    public static (int Starts, int Zero)[] ProbeCounts(IAttack attack) =>
        Probes(attack).Select(p => (p.DlrStarts, p.ZeroDlrGradientStarts)).ToArray();
}
