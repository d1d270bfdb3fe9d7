using System.Diagnostics;
using System.Text.Json;
using PartRobust.Tests.TestSupport;
using PartRobust.Weights;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PartRobust.Tests.Distributed;

/// <summary>
/// <c>partrobust train</c> on 2 MPI ranks against one plain process with the same global batch: every rank draws the
/// same batch, trains on its half, batch norm is synchronised and the gradients are summed, so the checkpoint equals
/// one process's up to float summation order.
/// Tolerance: max |Δ| ≤ 1e-4 over every weight and buffer of the checkpoint, with SGD (lr 0.01). The differences come
/// from summing the gradients in another order (the ranks' partial sums vs one process's) and are about 1e-6 here; the
/// synchronised batch norm's forward gives one process's bits on these (NCHW) models. SGD, not AdamW: Adam divides by
/// the gradient's size, so a parameter whose true gradient is 0 (a bias before batch norm) moves by ±lr on float noise
/// alone, in one process too. The runs are short on purpose: a ReLU input or a maxpool tie within float noise of 0 turns
/// such a difference into another gradient, after which runs part ways as fast as one process with 1 and with 2 torch
/// threads does (measured on these settings: identical logs, weights apart by 1e-5 to 1e-2 after 8-16 steps).
/// Adversarial training is compared over its first step from identical weights only: after that the sign of the PGD /
/// TRADES input gradient flips at pixels where it is about 0, and two one-process runs with 1 and 2 threads are as far
/// apart (max |Δ| 0.08-0.2 after 4 steps) as one process and 2 ranks. Resuming is compared bit for bit.
/// </summary>
[Collection("mpi")]
public class DataParallelTrainingTests(ITestOutputHelper output)
{
    const double Tolerance = 1e-4;

    static readonly string[] Tiny =
    {
        "--models", "part-downsampled", "--image-size", "32", "--val-size", "16", "--test-size", "16",
        "--attack-points", "8", "--width", "4", "--train-attack-steps", "2", "--pgd-steps", "2",
        "--autoattack-points", "0", "--robustness", "none", "--optimizer", "sgd", "--lr", "0.01", "--threads", "1",
    };

    static string NewRoot() => Path.Combine(Path.GetTempPath(), "partrobust-tests", "dp-" + Guid.NewGuid().ToString("N"));

    /// <summary>
    /// partrobust train of the tiny model into <paramref name="run"/>: on PartShapes cars and fishes unless
    /// <paramref name="extra"/> gives --data, in batches of 16 unless it gives --batch-size.
    /// </summary>
    static string[] Train(string run, params string[] extra) =>
    [
        "train", "--out", run, .. Tiny, .. extra.Contains("--data") ? [] : (string[])["--classes", "Car,Fish"],
        .. extra.Contains("--batch-size") ? [] : (string[])["--batch-size", "16"], .. extra,
    ];

    static string Checkpoint(string run) => Path.Combine(run, "checkpoints", "part-downsampled.safetensors");

    /// <summary>The largest absolute difference between two runs' checkpoints, and where.</summary>
    static (double Max, string Where) Difference(string a, string b)
    {
        using var scope = NewDisposeScope();
        using var x = StateDictFile.Read(Checkpoint(a));
        using var y = StateDictFile.Read(Checkpoint(b));
        Assert.Equal(x.Names.Order(), y.Names.Order());
        return x.Names.Select(n => ((x[n].to_type(ScalarType.Float64) - y[n].to_type(ScalarType.Float64)).abs().max().item<double>(), n))
            .MaxBy(d => d.Item1);
    }

    static List<JsonElement> History(string run)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "report.json")));
        return doc.RootElement.GetProperty("models")[0].GetProperty("history").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    /// <summary>The logged epochs agree: loss within the tolerance, accuracies equal (the counters are summed over the ranks).</summary>
    static void AssertSameHistory(string expected, string actual)
    {
        var (e, a) = (History(expected), History(actual));
        Assert.Equal(e.Count, a.Count);
        foreach (var (x, y) in e.Zip(a))
        {
            Assert.Equal(x.GetProperty("train_loss").GetDouble(), y.GetProperty("train_loss").GetDouble(), Tolerance);
            foreach (var key in new[] { "epoch", "train_accuracy", "val_accuracy", "learning_rate" })
                Assert.Equal(x.GetProperty(key).GetRawText(), y.GetProperty(key).GetRawText());
        }
    }

    [MpiFact]
    public void Two_ranks_train_like_one_process_and_local_batch_norm_does_not()
    {
        // 64 images in batches of 16, two epochs: 8 steps, an epoch boundary, model selection.
        string root = NewRoot(), single = Path.Combine(root, "single"), mpi = Path.Combine(root, "mpi"), local = Path.Combine(root, "local");
        string[] clean = ["--train-size", "64", "--clean-epochs", "2", "--adv-epochs", "0"];
        MpiJob.Single(Train(single, clean)).Succeeded();
        var job = MpiJob.Mpich(2, Train(mpi, clean)).Succeeded();
        Assert.Contains("data-parallel on 2 ranks, global batch 16", job.Output);
        var (max, where) = Difference(single, mpi);
        output.WriteLine($"clean, 8 steps: max |Δ| {max:E2} ({where})");
        Assert.True(max <= Tolerance, $"2 ranks differ from one process by {max} ({where})");
        AssertSameHistory(single, mpi);

        // DDP's default (per-rank statistics) is a different computation; the comparison above would see it.
        MpiJob.Mpich(2, Train(local, [.. clean, "--batch-norm", "local"])).Succeeded();
        Assert.Contains("\"batch_norm\": \"local\"", File.ReadAllText(Path.Combine(local, "config.json")));
        Assert.DoesNotContain("batch_norm", File.ReadAllText(Path.Combine(single, "config.json")));
        var (apart, at) = Difference(single, local);
        output.WriteLine($"local batch norm: max |Δ| {apart:E2} ({at})");
        Assert.True(apart > 100 * Tolerance, $"local batch norm differs from one process by only {apart}");
        Directory.Delete(root, recursive: true);
    }

    [MpiTheory]
    [InlineData("pgd")]
    [InlineData("trades")]
    public void The_first_adversarial_step_on_two_ranks_is_one_process_step(string recipe)
    {
        // One batch of 16, straight into adversarial training: the attack's random start is the whole batch's, sliced.
        string root = NewRoot(), single = Path.Combine(root, "single"), mpi = Path.Combine(root, "mpi");
        string[] adversarial = ["--train-size", "16", "--clean-epochs", "0", "--adv-epochs", "1", "--adv-train", recipe];
        MpiJob.Single(Train(single, adversarial)).Succeeded();
        MpiJob.Mpich(2, Train(mpi, adversarial)).Succeeded();
        var (max, where) = Difference(single, mpi);
        output.WriteLine($"{recipe}, first step: max |Δ| {max:E2} ({where})");
        Assert.True(max <= Tolerance, $"{recipe}: 2 ranks differ from one process by {max} ({where})");
        AssertSameHistory(single, mpi);
        Directory.Delete(root, recursive: true);
    }

    [MpiFact]
    public void Two_ranks_on_a_streamed_dataset_decode_their_own_rows_and_train_like_one_process()
    {
        string root = NewRoot(), single = Path.Combine(root, "single"), mpi = Path.Combine(root, "mpi");
        string data = PreparedFixture.Write(Path.Combine(root, "pascal"), perSplit: 8);
        string[] streamed = ["--data", data, "--workers", "1", "--clean-epochs", "1", "--adv-epochs", "0", "--batch-size", "8"];
        MpiJob.Single(Train(single, streamed)).Succeeded();
        MpiJob.Mpich(2, Train(mpi, streamed)).Succeeded();
        var (max, where) = Difference(single, mpi);
        output.WriteLine($"streamed, clean, 2 steps: max |Δ| {max:E2} ({where})");
        Assert.True(max <= Tolerance, $"2 ranks differ from one process by {max} ({where})");
        AssertSameHistory(single, mpi);
        Directory.Delete(root, recursive: true);
    }

    [OpenMpiFact]
    public void Open_MPI_ranks_train_like_one_process()
    {
        string root = NewRoot(), single = Path.Combine(root, "single"), mpi = Path.Combine(root, "mpi");
        string[] clean = ["--train-size", "48", "--clean-epochs", "1", "--adv-epochs", "0"];
        MpiJob.Single(Train(single, clean)).Succeeded();
        MpiJob.OpenMpi(2, Train(mpi, clean)).Succeeded();
        var (max, where) = Difference(single, mpi);
        output.WriteLine($"Open MPI, clean, 3 steps: max |Δ| {max:E2} ({where})");
        Assert.True(max <= Tolerance, $"2 Open MPI ranks differ from one process by {max} ({where})");
        Directory.Delete(root, recursive: true);
    }

    [MpiFact]
    public void A_two_rank_run_killed_mid_training_resumes_on_two_ranks_to_the_same_bits()
    {
        string root = NewRoot(), reference = Path.Combine(root, "reference"), run = Path.Combine(root, "run");
        string[] recipe = ["--train-size", "64", "--clean-epochs", "2", "--adv-epochs", "1"];
        MpiJob.Mpich(2, Train(reference, recipe)).Succeeded();

        // Killed once rank 0 has saved the state after the first clean epoch.
        string state = Path.Combine(root, ".run.partial", "resume", "0-part-downsampled.state");
        using (var job = Launch(2, Train(run, recipe)))
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(state))
            {
                Assert.False(job.HasExited, "the run ended before it could be killed");
                Assert.True(clock.Elapsed.TotalSeconds < 120, "no resume state appeared");
                Thread.Sleep(10);
            }
            job.Kill(entireProcessTree: true);
            job.WaitForExit();
        }
        Assert.False(Directory.Exists(run), "the run finished before the kill");

        MpiJob.Mpich(2, "train", "--resume", run, "--threads", "1").Succeeded();
        Assert.True(File.ReadAllBytes(Checkpoint(reference)).SequenceEqual(File.ReadAllBytes(Checkpoint(run))), "the resumed weights differ");
        var (expected, got) = (History(reference), History(run));
        Assert.Equal(expected.Select(WithoutSeconds), got.Select(WithoutSeconds));
        Directory.Delete(root, recursive: true);
    }

    static string WithoutSeconds(JsonElement epoch) =>
        string.Join(",", epoch.EnumerateObject().Where(p => p.Name != "seconds").Select(p => $"{p.Name}={p.Value.GetRawText()}"));

    /// <summary>partrobust ARGS on MPICH ranks, started and left running (its output is discarded).</summary>
    static Process Launch(int ranks, string[] args)
    {
        string dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var psi = new ProcessStartInfo(MpiJob.MpichLauncher) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["-n", ranks.ToString(), dotnet, Path.Combine(AppContext.BaseDirectory, "PartRobust.Cli.dll"), .. args])
            psi.ArgumentList.Add(a);
        psi.Environment["TERM"] = "dumb";
        psi.Environment.Remove("PARTROBUST_MPI");
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}

/// <summary>The MPI jobs run alone: two ranks on a small machine beside other tests would only time out.</summary>
[CollectionDefinition("mpi", DisableParallelization = true)]
public sealed class MpiCollection;
