// Times World.Current.AllreduceSum (MPI_Allreduce, in place, float32, MPI_SUM) on buffers from 1 KiB (latency) to
// 98 MiB (a ResNet-50 gradient), as data-parallel training calls it once per step. Run it under an MPI launcher:
//   dotnet build bench/Allreduce -c Release -o /tmp/allreduce
//   mpiexec.mpich -n 2 /tmp/allreduce/Allreduce [repetitions]
//   mpirun.openmpi -np 2 --allow-run-as-root --oversubscribe /tmp/allreduce/Allreduce [repetitions]
//   srun --mpi=pmi2 -n 2 /tmp/allreduce/Allreduce [repetitions]
// Rank 0 prints a markdown table: median, min and max seconds over the repetitions (after one warm-up call each), the
// algorithm bandwidth (bytes / median time) and the bus bandwidth 2(N−1)/N · bytes / time (what a ring Allreduce moves
// per rank; comparable across N). Every repetition starts after a barrier, and a rank's time is the slowest rank's
// (MPI_MAX over the ranks), so the figure is the collective's, not one rank's. Results are checked: every element must
// equal the sum of the ranks' contributions.

using System.Diagnostics;
using PartRobust.Distributed;

int repetitions = args.Length > 0 ? int.Parse(args[0]) : 21;
World.Start();
var job = World.Current;
try
{
    var sizes = new (string Name, long Bytes)[]
    {
        ("1 KiB (latency)", 1L << 10),
        ("64 KiB", 64L << 10),
        ("4 MiB", 4L << 20),
        ("48 MiB (≈ ResNet-18, 11.7M params)", 48L << 20),
        ("98 MiB (≈ ResNet-50, 25.6M params)", 98L << 20),
    };
    if (job.Rank == 0)
    {
        Console.WriteLine($"{job.Description}; {Environment.ProcessorCount} cores visible to rank 0; {repetitions} repetitions per size after 1 warm-up");
        Console.WriteLine();
        Console.WriteLine("| buffer | floats | median ms | min ms | max ms | algorithm GB/s | bus GB/s |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
    }
    foreach (var (name, bytes) in sizes)
    {
        int count = (int)(bytes / sizeof(float));
        var buffer = new float[count];
        var times = new List<double>();
        float expected = job.Size * (job.Size + 1) / 2f; // ranks contribute 1, 2, …, N
        for (int i = 0; i <= repetitions; i++)
        {
            Array.Fill(buffer, job.Rank + 1f);
            job.Barrier();
            var clock = Stopwatch.StartNew();
            job.AllreduceSum(buffer);
            double[] seconds = { clock.Elapsed.TotalSeconds };
            if (buffer[0] != expected || buffer[count / 2] != expected || buffer[count - 1] != expected)
                throw new InvalidOperationException($"rank {job.Rank}: Allreduce of {name} gave {buffer[0]}, expected {expected}");
            job.AllreduceMax(seconds);
            if (i > 0) times.Add(seconds[0]);
        }
        times.Sort();
        double median = times[times.Count / 2];
        double algorithm = bytes / median / 1e9;
        double bus = algorithm * 2.0 * (job.Size - 1) / job.Size;
        if (job.Rank == 0)
            Console.WriteLine($"| {name} | {count:N0} | {median * 1e3:F3} | {times[0] * 1e3:F3} | {times[^1] * 1e3:F3} | {algorithm:F2} | {bus:F2} |");
    }
}
catch (Exception e)
{
    Console.Error.WriteLine($"rank {job.Rank}: {e.Message}");
    job.Abort(1);
}
World.Finish();
