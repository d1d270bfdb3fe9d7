using System.Collections;
using PartRobust.Distributed;
using Xunit;

namespace PartRobust.Tests.Distributed;

public class MpiLauncherTests
{
    static MpiLauncher Detect(params (string Name, string Value)[] variables)
    {
        var env = new Hashtable();
        foreach (var (name, value) in variables) env[name] = value;
        return MpiLauncher.Detect(env);
    }

    [Fact]
    public void A_plain_process_is_not_an_MPI_rank() => Assert.Null(Detect().Abi);

    [Fact]
    public void Each_launcher_is_recognised_by_the_variables_it_sets()
    {
        Assert.Equal((MpiLauncherAbi?)MpiLauncherAbi.OpenMpi, Detect(("OMPI_COMM_WORLD_SIZE", "4")).Abi);
        Assert.Equal(4, Detect(("OMPI_COMM_WORLD_SIZE", "4")).Size);
        Assert.Equal((MpiLauncherAbi?)MpiLauncherAbi.Mpich, Detect(("PMI_SIZE", "2"), ("PMI_RANK", "1")).Abi);
        Assert.Equal((MpiLauncherAbi?)MpiLauncherAbi.OpenMpi, Detect(("PMIX_RANK", "0"), ("SLURM_NTASKS", "2")).Abi);
    }

    [Fact]
    public void Mpi_can_be_switched_off_or_forced()
    {
        Assert.Null(Detect(("PMI_SIZE", "2"), ("PARTROBUST_MPI", "off")).Abi);
        Assert.Equal((MpiLauncherAbi?)MpiLauncherAbi.OpenMpi, Detect(("PMI_SIZE", "2"), ("PARTROBUST_MPI", "openmpi")).Abi);
        Assert.Throws<ArgumentException>(() => Detect(("PARTROBUST_MPI", "yes please")));
    }

    [Fact]
    public void Several_Slurm_tasks_without_a_process_manager_is_an_error_not_N_copies_of_the_job()
    {
        var e = Assert.Throws<ArgumentException>(() => Detect(("SLURM_NTASKS", "2"), ("SLURM_STEP_ID", "0")));
        Assert.Contains("srun --mpi=pmi2", e.Message);
        Assert.Null(Detect(("SLURM_NTASKS", "1"), ("SLURM_STEP_ID", "0")).Abi);
    }

    [Fact]
    public void A_single_process_is_rank_0_of_1_and_its_collectives_return_their_input()
    {
        var one = SingleProcess.Instance;
        float[] v = [1, 2];
        one.AllreduceSum(v);
        Assert.Equal(new float[] { 1, 2 }, v);
        Assert.Equal(new byte[] { 7 }, Assert.Single(one.AllGather(new byte[] { 7 })));
        Assert.Equal(0, one.Rank);
    }

    [Fact]
    public void Ranks_on_this_machine_come_from_the_launcher_or_else_the_whole_job_counts()
    {
        static Hashtable Env(params (string Key, string Value)[] vars)
        {
            var env = new Hashtable();
            foreach (var (k, v) in vars) env[k] = v;
            return env;
        }
        Assert.Equal(2, MpiLauncher.LocalRanks(Env(("OMPI_COMM_WORLD_LOCAL_SIZE", "2")), 8));
        Assert.Equal(3, MpiLauncher.LocalRanks(Env(("MPI_LOCALNRANKS", "3")), 6));
        Assert.Equal(4, MpiLauncher.LocalRanks(Env(), 4));
        Assert.Equal(4, MpiLauncher.LocalRanks(Env(("MPI_LOCALNRANKS", "x")), 4));
        Assert.Equal(1, MpiLauncher.LocalRanks(Env(), 1));
    }
}
