using System.Collections;

namespace PartRobust.Distributed;

/// <summary>What the environment says about how this process was started: alone, or as one rank of an MPI job.</summary>
/// <param name="Abi">The MPI the launcher belongs to; null = not started by an MPI launcher.</param>
/// <param name="Size">The number of ranks the launcher announced (0 when it does not say).</param>
/// <param name="Launcher">The variable that identified the launcher, for messages.</param>
public sealed record MpiLauncher(MpiLauncherAbi? Abi, int Size, string Launcher)
{
    /// <summary>Environment variable that names the MPI library to load (any path or soname).</summary>
    public const string LibraryVariable = "PARTROBUST_MPI_LIBRARY";

    /// <summary>Environment variable that turns MPI off (<c>0</c>/<c>off</c>) or forces an ABI (<c>mpich</c>, <c>openmpi</c>).</summary>
    public const string ModeVariable = "PARTROBUST_MPI";

    /// <summary>Not started by an MPI launcher.</summary>
    public static readonly MpiLauncher None = new(null, 1, "none");

    /// <summary>
    /// Reads the launcher from the variables each sets in its ranks: Open MPI's <c>mpirun</c> OMPI_COMM_WORLD_SIZE, MPICH's
    /// Hydra (<c>mpiexec.mpich</c>, Intel MPI) and Slurm's <c>srun --mpi=pmi2</c> PMI_SIZE, PMIx launchers (<c>srun
    /// --mpi=pmix</c>, for Open MPI) PMIX_RANK. A Slurm step of several tasks with none of them is an error: each task
    /// would run the whole job alone.
    /// </summary>
    public static MpiLauncher Detect(IDictionary environment)
    {
        string? Get(string name) => environment[name] as string;
        int SizeOf(string? value) => int.TryParse(value, out int n) ? n : 0;
        string? mode = Get(ModeVariable)?.Trim().ToLowerInvariant();
        if (mode is "0" or "off" or "false" or "no") return None;
        MpiLauncher found;
        if (Get("OMPI_COMM_WORLD_SIZE") is { } ompi) found = new(MpiLauncherAbi.OpenMpi, SizeOf(ompi), "OMPI_COMM_WORLD_SIZE");
        else if (Get("PMI_SIZE") is { } pmi) found = new(MpiLauncherAbi.Mpich, SizeOf(pmi), "PMI_SIZE");
        else if (Get("PMI_RANK") is not null) found = new(MpiLauncherAbi.Mpich, 0, "PMI_RANK");
        else if (Get("PMIX_RANK") is not null) found = new(MpiLauncherAbi.OpenMpi, SizeOf(Get("SLURM_NTASKS")), "PMIX_RANK");
        else if (SizeOf(Get("SLURM_NTASKS")) > 1 && Get("SLURM_STEP_ID") is not null)
            throw new ArgumentException($"running as one of {Get("SLURM_NTASKS")} Slurm tasks without an MPI process manager; " +
                                        "launch with 'srun --mpi=pmi2' (MPICH) or 'srun --mpi=pmix' (Open MPI), or set PARTROBUST_MPI=off");
        else found = None;
        return mode switch
        {
            "mpich" => found with { Abi = MpiLauncherAbi.Mpich },
            "openmpi" => found with { Abi = MpiLauncherAbi.OpenMpi },
            null or "" or "1" or "on" or "auto" => found,
            _ => throw new ArgumentException($"{ModeVariable}={mode}: expected off, auto, mpich or openmpi"),
        };
    }

    /// <summary>
    /// How many ranks of the job share this machine, as the launcher says (Open MPI's OMPI_COMM_WORLD_LOCAL_SIZE, Hydra's
    /// MPI_LOCALNRANKS); <paramref name="worldSize"/> when it does not say, which never oversubscribes.
    /// </summary>
    public static int LocalRanks(IDictionary environment, int worldSize)
    {
        foreach (var name in new[] { "OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS" })
            if (int.TryParse(environment[name] as string, out int n) && n > 0) return Math.Min(n, worldSize);
        return worldSize;
    }
}

/// <summary>The two MPI ABIs in use on Linux.</summary>
public enum MpiLauncherAbi
{
    /// <summary>MPICH and its derivatives (Intel MPI, MVAPICH, Cray MPICH): libmpich.so.12 / libmpi.so.12.</summary>
    Mpich,

    /// <summary>Open MPI: libmpi.so.40.</summary>
    OpenMpi,
}
