using System.Diagnostics;
using System.Text;
using System.Text.Json;
using PartRobust.Cli;
using Xunit;

namespace PartRobust.Tests.Cli;

/// <summary>
/// <c>partrobust train</c> killed as a real child process in the middle of an epoch, then <c>train --resume</c>: the run
/// folder equals an uninterrupted run's apart from timings. Both runs use one torch thread so they are comparable.
/// </summary>
[Collection("console")]
public class ResumeCliTests
{
    static readonly string[] Tiny =
    {
        "--models", "resnet18,part-downsampled", "--image-size", "32", "--classes", "Car,Fish", "--train-size", "64", "--val-size", "16",
        "--test-size", "16", "--attack-points", "8", "--width", "4", "--clean-epochs", "1", "--adv-epochs", "2", "--batch-size", "8",
        "--train-attack-steps", "2", "--pgd-steps", "2", "--autoattack-points", "0", "--adv-train", "trades", "--trades-beta", "2",
        "--semi-label", "0.5", "--threads", "1",
    };

    sealed class Child(Process process, StringBuilder output)
    {
        public Process Process { get; } = process;
        public string Output { get { lock (output) return output.ToString(); } }
    }

    static Child Start(params string[] args)
    {
        string host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var psi = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PartRobust.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        var output = new StringBuilder();
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Child(process, output);
    }

    static void RunToEnd(params string[] args)
    {
        var child = Start(args);
        Assert.True(child.Process.WaitForExit(120_000), "timed out:\n" + child.Output);
        child.Process.WaitForExit(); // drains the output
        Assert.True(child.Process.ExitCode == 0, child.Output);
    }

    static (int Code, string Err) InProcess(params string[] args)
    {
        var oldOut = Console.Out;
        var oldErr = Console.Error;
        var e = new StringWriter();
        Console.SetOut(new StringWriter());
        Console.SetError(e);
        try { return (PartRobustCli.Run(args), e.ToString()); }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    static void AssertOneLineError((int Code, string Err) r, string mustContain)
    {
        Assert.Equal(2, r.Code);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.Contains(mustContain, r.Err);
    }

    static List<JsonElement> Models(string run)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "report.json")));
        return doc.RootElement.GetProperty("models").EnumerateArray().Select(m => m.Clone()).ToList();
    }

    static string HistoryWithoutTimes(JsonElement model) =>
        string.Join("\n", model.GetProperty("history").EnumerateArray().Select(h =>
            string.Join(",", h.EnumerateObject().Where(p => p.Name != "seconds").Select(p => $"{p.Name}={p.Value.GetRawText()}"))));

    [Fact]
    public void Train_killed_mid_epoch_then_resumed_equals_the_uninterrupted_run()
    {
        string root = Path.Combine(Path.GetTempPath(), "partrobust-tests", Guid.NewGuid().ToString("N"));
        string reference = Path.Combine(root, "reference"), run = Path.Combine(root, "run");
        string partial = Path.Combine(root, ".run.partial");
        RunToEnd(new[] { "train", "--out", reference }.Concat(Tiny).ToArray());

        // Kill once the second model has saved its first epoch's state (its clean epoch), during its TRADES epochs.
        var child = Start(new[] { "train", "--out", run }.Concat(Tiny).ToArray());
        string state = Path.Combine(partial, "resume", "1-part-downsampled.state");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(state))
        {
            Assert.False(child.Process.HasExited, "the run ended before it could be killed:\n" + child.Output);
            Assert.True(clock.Elapsed.TotalSeconds < 120, "no resume state appeared:\n" + child.Output);
            Thread.Sleep(10);
        }
        Thread.Sleep(300);
        child.Process.Kill(entireProcessTree: true);
        child.Process.WaitForExit();
        Assert.False(Directory.Exists(run), "the run finished before the kill:\n" + child.Output);
        Assert.True(File.Exists(Path.Combine(partial, "resume", "0-resnet18.state")));

        // One-line errors: a changed setting, a second --out, a new run over the interrupted one, nothing to resume.
        AssertOneLineError(InProcess("train", "--resume", run, "--lr", "0.5"), "config mismatch: train.learning_rate");
        AssertOneLineError(InProcess("train", "--resume", run, "--out", reference), "leave out --out");
        AssertOneLineError(InProcess("train", "--out", run, "--models", "resnet18"), "--resume");
        AssertOneLineError(InProcess("train", "--resume", Path.Combine(root, "nothing")), "nothing to resume");

        RunToEnd("train", "--resume", run, "--threads", "1");
        Assert.False(Directory.Exists(partial));
        Assert.False(Directory.Exists(Path.Combine(run, "resume")));
        foreach (var f in new[] { "checkpoints/resnet18.safetensors", "checkpoints/part-downsampled.safetensors", "checkpoints/part-downsampled.json", "config.json" })
            Assert.True(File.ReadAllBytes(Path.Combine(reference, f)).SequenceEqual(File.ReadAllBytes(Path.Combine(run, f))), f);
        Assert.Equal(File.ReadAllText(Path.Combine(reference, "command.txt")).Replace(reference, run), File.ReadAllText(Path.Combine(run, "command.txt")));
        var expected = Models(reference);
        var got = Models(run);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(HistoryWithoutTimes(expected[i]), HistoryWithoutTimes(got[i]));
            Assert.Equal(expected[i].GetProperty("clean_accuracy").GetDouble(), got[i].GetProperty("clean_accuracy").GetDouble());
            Assert.Equal(expected[i].GetProperty("robust_accuracy").GetRawText(), got[i].GetProperty("robust_accuracy").GetRawText());
        }
        Assert.Contains("TRADES (β = 2)", File.ReadAllText(Path.Combine(run, "report.md")));
        AssertOneLineError(InProcess("train", "--resume", run), "nothing to resume: the run is complete");
        Directory.Delete(root, recursive: true);
    }
}
