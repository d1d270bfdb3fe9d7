using PartRobust.Tests.TestSupport;
using Xunit;

namespace PartRobust.Tests.Cli;

[Collection("console")]
public class TensorBoardCliTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    static string TempDir() => Path.Combine(Path.GetTempPath(), "partrobust-tests", Guid.NewGuid().ToString("N"));

    static readonly string[] Tiny =
    [
        "--models", "part-downsampled", "--image-size", "32", "--classes", "Car,Fish", "--train-size", "4", "--val-size", "2",
        "--test-size", "2", "--attack-points", "2", "--width", "4", "--batch-size", "4", "--autoattack-points", "0",
        "--clean-epochs", "1", "--adv-epochs", "1", "--train-attack-steps", "1", "--pgd-steps", "1", "--robustness", "none",
    ];

    static (int Code, string Out, string Err) Train(string outDir, params string[] extra) =>
        Run(["train", "--out", outDir, .. Tiny, .. extra]);

    static List<TensorBoardEvent> EventsIn(string folder) => TensorBoardEvents.Read(Assert.Single(Directory.GetFiles(folder, "events.out.tfevents.*")));

    [Fact]
    public void Train_logs_each_epoch_and_the_figures_to_tensorboard_in_the_run_folder_and_writes_report_html()
    {
        string root = TempDir(), run = Path.Combine(root, "run");
        var r = Train(run);
        Assert.True(r.Code == 0, r.Err);

        var model = EventsIn(Path.Combine(run, "tensorboard", "part-downsampled"));
        var scalars = model.SelectMany(e => e.Values.Where(v => v.Scalar is not null).Select(v => (v.Tag, e.Step))).ToList();
        foreach (var tag in new[] { "loss/train", "accuracy/train", "accuracy/val", "part_miou/val", "learning_rate" })
            Assert.Equal(new long[] { 1, 2 }, scalars.Where(s => s.Tag == tag).Select(s => s.Step));
        Assert.Equal(new long[] { 2 }, scalars.Where(s => s.Tag == "accuracy/val_robust").Select(s => s.Step)); // the adversarial epoch only
        var examples = Assert.Single(model.SelectMany(e => e.Values), v => v.Image is not null);
        Assert.Equal("adversarial_examples", examples.Tag);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, examples.Image!.Encoded.Take(4));
        var masks = Assert.Single(EventsIn(Path.Combine(run, "tensorboard")).SelectMany(e => e.Values), v => v.Image is not null);
        Assert.Equal("masks", masks.Tag);

        string html = File.ReadAllText(Path.Combine(run, "report.html"));
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Matches(html, "src=\"data:image/png;base64,").Count); // 3 figures + adversarial examples
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void Tensorboard_flags_choose_another_folder_or_none_and_bad_choices_are_one_line_errors()
    {
        string root = TempDir();
        string elsewhere = Path.Combine(root, "tb");
        var r = Train(Path.Combine(root, "chosen"), "--tensorboard", elsewhere);
        Assert.True(r.Code == 0, r.Err);
        Assert.NotEmpty(EventsIn(Path.Combine(elsewhere, "part-downsampled")));
        Assert.False(Directory.Exists(Path.Combine(root, "chosen", "tensorboard")));

        r = Train(Path.Combine(root, "off"), "--no-tensorboard");
        Assert.True(r.Code == 0, r.Err);
        Assert.False(Directory.Exists(Path.Combine(root, "off", "tensorboard")));
        Assert.True(File.Exists(Path.Combine(root, "off", "report.html")));

        foreach (var (args, message) in new[]
                 {
                     (new[] { "--tensorboard", Path.Combine(root, "inside", "tb") }, "inside the run folder"),
                     (new[] { "--tensorboard", elsewhere, "--no-tensorboard" }, "give one of them"),
                 })
        {
            r = Train(Path.Combine(root, "inside"), args);
            Assert.Equal(2, r.Code);
            Assert.Contains(message, Assert.Single(r.Err.Trim().Split('\n')));
            Assert.False(Directory.Exists(Path.Combine(root, "inside")));
        }
        Directory.Delete(root, recursive: true);
    }
}
