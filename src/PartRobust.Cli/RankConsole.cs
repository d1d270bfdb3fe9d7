using PartRobust.Distributed;

namespace PartRobust.Cli;

/// <summary>
/// Who prints in an MPI job: rank 0 alone (its progress bars and log are the job's), the other ranks only their errors,
/// prefixed with their rank, or, with <c>--verbose</c>, their log as plain lines too. A single process prints as always.
/// </summary>
static class RankConsole
{
    /// <summary>"rank R: " on a rank other than 0 of an MPI job; empty otherwise.</summary>
    public static string Prefix { get; private set; } = "";

    /// <summary>Whether this rank shows progress and log lines.</summary>
    public static bool Prints { get; private set; } = true;

    /// <summary>Sets up this rank's console for <paramref name="job"/>, and one torch thread per rank unless --threads says otherwise.</summary>
    public static void Configure(ICommunicator job, bool verbose)
    {
        if (job.Rank != 0)
        {
            Prefix = $"rank {job.Rank}: ";
            Prints = verbose;
            if (!verbose) Console.SetOut(TextWriter.Null);
        }
        // Ranks on one machine share its cores; one intra-op thread each keeps them from oversubscribing it.
        TorchSharp.torch.set_num_threads(1);
    }
}
