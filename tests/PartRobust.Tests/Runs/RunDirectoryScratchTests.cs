using System.Diagnostics;
using PartRobust.Runs;
using Xunit;

namespace PartRobust.Tests.Runs;

public class RunDirectoryScratchTests
{
    [Fact]
    public void Scratch_folders_of_ranks_whose_process_is_gone_are_swept_and_the_rest_kept()
    {
        string temp = Path.Combine(Path.GetTempPath(), "partrobust-sweep-" + Guid.NewGuid().ToString("N"));
        try
        {
            int gone = ExitedProcessId();
            string host = Environment.MachineName;
            string stale = Make(temp, $"partrobust-rank1-{host}-{gone}-{Guid.NewGuid():N}");
            string live = Make(temp, $"partrobust-rank1-{host}-{Environment.ProcessId}-{Guid.NewGuid():N}");
            string otherMachine = Make(temp, $"partrobust-rank1-some-other-node-{gone}-{Guid.NewGuid():N}");
            string unrelated = Make(temp, "partrobust-rank-notes");

            RunDirectory.SweepStaleScratch(temp);

            Assert.False(Directory.Exists(stale));
            Assert.True(Directory.Exists(live));
            Assert.True(Directory.Exists(otherMachine));
            Assert.True(Directory.Exists(unrelated));
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    static string Make(string temp, string name)
    {
        string folder = Path.Combine(temp, name, "run");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "a.txt"), "x");
        return Path.Combine(temp, name);
    }

    /// <summary>The pid of a process that has finished (and is not reused by the time the test looks: pids cycle slowly).</summary>
    static int ExitedProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }
}
