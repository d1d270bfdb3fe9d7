namespace PartRobust.Distributed;

/// <summary>
/// The job this process belongs to, set once at start-up (like torch.distributed's default process group). A process
/// started without an MPI launcher is a job of one rank and never loads an MPI library. The library's collective code
/// (sharded evaluation, data-parallel training) reads <see cref="Current"/>; every rank runs the same program, so every
/// rank reaches the same collectives in the same order.
/// </summary>
public static class World
{
    static ICommunicator current = SingleProcess.Instance;

    /// <summary>The job's communicator (<see cref="SingleProcess.Instance"/> until <see cref="Start"/> finds a launcher).</summary>
    public static ICommunicator Current => current;

    /// <summary>This process's rank.</summary>
    public static int Rank => current.Rank;

    /// <summary>Number of ranks.</summary>
    public static int Size => current.Size;

    /// <summary>Whether this is rank 0, the rank that writes files and prints.</summary>
    public static bool IsRoot => current.Rank == 0;

    /// <summary>Whether the job has more than one rank.</summary>
    public static bool IsDistributed => current.Size > 1;

    /// <summary>
    /// This rank's share of the machine's cores (at least 1): all of them for a single process, divided among the job's
    /// ranks on this machine otherwise. The default for thread pools (e.g. image decoding) so that ranks do not
    /// oversubscribe the cores.
    /// </summary>
    public static int CoresPerRank =>
        Math.Max(1, Environment.ProcessorCount / MpiLauncher.LocalRanks(Environment.GetEnvironmentVariables(), Size));

    /// <summary>
    /// Joins the MPI job this process was launched into (<see cref="MpiLauncher.Detect"/>), or stays a single process.
    /// Throws when the launcher's size and the library's disagree (a launcher of one MPI with the library of another
    /// starts N jobs of one rank each).
    /// </summary>
    public static ICommunicator Start()
    {
        var launcher = MpiLauncher.Detect(Environment.GetEnvironmentVariables());
        if (launcher.Abi is not { } abi) return current;
        var library = MpiLibrary.Load(abi == MpiLauncherAbi.Mpich ? MpiLibrary.Flavor.Mpich : MpiLibrary.Flavor.OpenMpi,
            Environment.GetEnvironmentVariable(MpiLauncher.LibraryVariable));
        var mpi = new MpiCommunicator(library);
        if (launcher.Size > 0 && mpi.Size != launcher.Size)
            throw new InvalidOperationException($"the launcher announced {launcher.Size} ranks ({launcher.Launcher}) but {library.Path} sees {mpi.Size}: " +
                                                $"launcher and library belong to different MPIs; use the launcher of the MPI loaded (mpiexec.mpich / mpirun.openmpi) or set {MpiLauncher.LibraryVariable}");
        current = mpi;
        return mpi;
    }

    /// <summary>Ends the MPI job normally (MPI_Finalize); a no-op for a single process.</summary>
    public static void Finish()
    {
        if (current is MpiCommunicator mpi) mpi.Finish();
    }

    /// <summary>Uses <paramref name="communicator"/> as the job (tests); returns the previous one.</summary>
    internal static ICommunicator Use(ICommunicator communicator)
    {
        var previous = current;
        current = communicator;
        return previous;
    }
}
