using System.Diagnostics;
using PartRobust.Tests.TestSupport;
using Xunit;

namespace PartRobust.Tests.Distributed;

/// <summary>A small trained part model, made once for the MPI evaluation tests.</summary>
public sealed class TinyCheckpointFixture : IDisposable
{
    /// <summary>Folder holding the training run and the tests' runs.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "partrobust-mpi-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The checkpoint stem of the trained part model.</summary>
    public string Checkpoint => Path.Combine(Root, "train", "checkpoints", "part-downsampled");

    public TinyCheckpointFixture()
    {
        if (!MpiJob.MpichAvailable) return;
        MpiJob.Single("train", "--models", "part-downsampled", "--train-size", "128", "--val-size", "16", "--test-size", "48",
            "--attack-points", "8", "--clean-epochs", "3", "--adv-epochs", "0", "--autoattack-points", "0", "--robustness", "none",
            "--no-masking-checks", "--threads", "2", "--out", Path.Combine(Root, "train")).Succeeded();
    }

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}

/// <summary>
/// eval/attack/robustness under mpiexec: each rank attacks every N-th batch, rank 0 gathers; every point must get exactly
/// the result of a one-process run, rank 0 alone writes, a dying rank leaves no finished run folder.
/// </summary>
[Collection("mpi")]
public class ShardedEvaluationTests(TinyCheckpointFixture fixture) : IClassFixture<TinyCheckpointFixture>
{
    string Out(string name) => Path.Combine(fixture.Root, name);

    // A small ε leaves some points robust and breaks others, so per-point agreement is evidence (not all-zeros).
    string[] AttackArgs(string attacks, string output) =>
        ["attack", "--checkpoint", fixture.Checkpoint, "--attack", attacks, "--n", "24", "--batch-size", "4", "--eps", "1/255",
         "--save-examples", "6", "--no-masking-checks", "--threads", "1", "--out", output];

    [MpiFact]
    public void Attack_sharded_over_two_ranks_gives_every_point_the_result_of_one_process()
    {
        MpiJob.Single(AttackArgs("pgd-10,apgd-ce,seg-sum", Out("attack-1"))).Succeeded();
        var job = MpiJob.Mpich(2, AttackArgs("pgd-10,apgd-ce,seg-sum", Out("attack-2"))).Succeeded();
        string one = ReportJsonView.Models(Out("attack-1")), two = ReportJsonView.Models(Out("attack-2"));
        Assert.Contains("\"per_point\"", one);
        Assert.Equal(one, two);
        Assert.Matches("\"pgd-10\":\"[01]*1[01]*\"", one); // some point survived ...
        Assert.Matches("\"pgd-10\":\"[01]*0[01]*\"", one); // ... and some did not
        var examples = Directory.GetFiles(Out("attack-1"), "adversarial_*.safetensors").Select(Path.GetFileName).ToList();
        Assert.NotEmpty(examples);
        foreach (var f in examples)
            Assert.Equal(File.ReadAllBytes(Path.Combine(Out("attack-1"), f!)), File.ReadAllBytes(Path.Combine(Out("attack-2"), f!)));
        // Rank 0 alone prints the summary.
        Assert.Single(job.Output.Split('\n'), l => l.Contains("Report:"));
    }

    [MpiFact]
    public void An_attack_sequence_under_Open_MPI_matches_one_process_too()
    {
        if (!MpiJob.OpenMpiAvailable) return;
        // A sequence (the second attack on the points the first left robust) with AutoAttack's DLR-gradient probe counts,
        // after the gradient-masking checks, whose attacks are shared out in batches of --batch-size too.
        string[] Args(string o) => ["attack", "--checkpoint", fixture.Checkpoint, "--attack", "apgd-ce+apgd-dlr", "--n", "8", "--batch-size", "4",
            "--eps", "1/255", "--masking-checks", "--threads", "1", "--out", o];
        MpiJob.Single(Args(Out("aa-1"))).Succeeded();
        MpiJob.OpenMpi(2, Args(Out("aa-2"))).Succeeded();
        string one = ReportJsonView.Models(Out("aa-1"));
        Assert.Contains("epsilon-sweep", one);
        Assert.Equal(one, ReportJsonView.Models(Out("aa-2")));
    }

    [MpiFact]
    public void Robustness_sharded_over_two_ranks_matches_one_process()
    {
        string[] Args(string o) => ["robustness", "--checkpoint", fixture.Checkpoint, "--images", "24", "--severities", "1,3",
            "--corruptions", "gaussian_noise,motion_blur,contrast", "--out", o];
        MpiJob.Single(Args(Out("rob-1"))).Succeeded();
        MpiJob.Mpich(2, Args(Out("rob-2"))).Succeeded();
        string one = ReportJsonView.Models(Out("rob-1"));
        Assert.Contains("corruption", one);
        Assert.Equal(one, ReportJsonView.Models(Out("rob-2")));
    }

    [MpiFact]
    public void Only_rank_0_writes_and_the_other_ranks_leave_no_scratch_behind()
    {
        var before = ScratchFolders();
        MpiJob.Mpich(2, ["eval", "--checkpoint", fixture.Checkpoint, "--attack-points", "8", "--autoattack-points", "0", "--no-masking-checks",
            "--out", Out("eval-2")]).Succeeded();
        Assert.True(File.Exists(Path.Combine(Out("eval-2"), "report.json")));
        Assert.False(Directory.Exists(Path.Combine(fixture.Root, ".eval-2.partial")));
        Assert.Empty(ScratchFolders().Except(before)); // (stale folders of killed ranks may be swept meanwhile)
    }

    static string[] ScratchFolders() => Directory.GetDirectories(Path.GetTempPath(), "partrobust-rank*").Order().ToArray();

    [MpiFact]
    public void A_rank_killed_mid_run_ends_the_job_and_no_run_folder_claims_success()
    {
        string tag = Guid.NewGuid().ToString("N");
        string output = Out("killed");
        var psi = new ProcessStartInfo(MpiJob.MpichLauncher) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-n", "2", "-genv", "PARTROBUST_TEST_TAG", tag, Dotnet(), Path.Combine(AppContext.BaseDirectory, "PartRobust.Cli.dll") })
            psi.ArgumentList.Add(a);
        foreach (var a in AttackArgs("apgd-ce", output).Select(a => a == "24" ? "48" : a)) psi.ArgumentList.Add(a);
        using var job = Process.Start(psi)!;
        job.OutputDataReceived += (_, _) => { };
        job.ErrorDataReceived += (_, _) => { };
        job.BeginOutputReadLine();
        job.BeginErrorReadLine();
        // Wait until the run is under way (rank 0 made its partial folder), then kill rank 1 outright.
        var clock = Stopwatch.StartNew();
        string partial = Path.Combine(fixture.Root, ".killed.partial");
        while (!Directory.Exists(partial) && clock.Elapsed < TimeSpan.FromSeconds(120) && !job.HasExited) Thread.Sleep(100);
        Assert.True(Directory.Exists(partial), "the job never started its run");
        int rank1 = RankProcess(tag, 1);
        Process.GetProcessById(rank1).Kill();
        Assert.True(job.WaitForExit(120_000), "the job did not end after a rank died");
        Assert.NotEqual(0, job.ExitCode);
        Assert.False(Directory.Exists(output));
        Assert.False(File.Exists(Path.Combine(partial, "report.json")));
    }

    static string Dotnet() => Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";

    /// <summary>The pid of the job's rank <paramref name="rank"/>, found by the tag in its environment.</summary>
    static int RankProcess(string tag, int rank)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            foreach (var dir in Directory.GetDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
                string env;
                try { env = File.ReadAllText(Path.Combine(dir, "environ")); }
                catch (Exception) { continue; }
                var vars = env.Split('\0');
                if (vars.Contains($"PARTROBUST_TEST_TAG={tag}") && vars.Contains($"PMI_RANK={rank}")) return pid;
            }
            Thread.Sleep(200);
        }
        throw new TimeoutException($"no process of rank {rank} found");
    }
}
