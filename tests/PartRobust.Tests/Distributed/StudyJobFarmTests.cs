using PartRobust.Tests.TestSupport;
using Xunit;

namespace PartRobust.Tests.Distributed;

/// <summary><c>study</c> under mpiexec: its runs are dealt out to the ranks, and the study equals a one-process study.</summary>
[Collection("mpi")]
public class StudyJobFarmTests
{
    // AutoAttack and the adaptive attacks are checked sharded elsewhere (ShardedEvaluationTests): here only the dealing out of runs.
    static string[] Args(string output) =>
        ["study", "--seeds", "2", "--regimes", "easy", "--arms", "part-downsampled:no-part-labels", "--curve-arms", "part-downsampled:no-part-labels", "--train-sizes", "16",
         "--train-size", "16", "--val-size", "8", "--test-size", "8", "--attack-points", "4", "--autoattack-points", "0", "--clean-epochs", "1", "--adv-epochs", "1",
         "--robustness", "none", "--threads", "1", "--out", output];

    [MpiFact]
    public void A_study_farmed_out_to_two_ranks_equals_the_one_process_study()
    {
        string root = Path.Combine(Path.GetTempPath(), "partrobust-farm-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            MpiJob.Single(Args(Path.Combine(root, "one"))).Succeeded();
            var job = MpiJob.Mpich(2, Args(Path.Combine(root, "two"))).Succeeded();
            Assert.Contains("easy-seed1-n16 on rank 1", job.Output);
            foreach (var run in new[] { "easy-seed0-n16", "easy-seed1-n16" })
                Assert.Equal(ReportJsonView.Models(Path.Combine(root, "one", "runs", run)), ReportJsonView.Models(Path.Combine(root, "two", "runs", run)));
            Assert.True(File.Exists(Path.Combine(root, "two", "report.json")));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
