using System.Text;
using PartRobust.Reporting;
using PartRobust.Tests.TestSupport;
using PartRobust.Training;
using SkiaSharp;
using Xunit;

namespace PartRobust.Tests.Reporting;

public class TensorBoardLogTests
{
    static string TempDir() => Path.Combine(Path.GetTempPath(), "partrobust-tests", Guid.NewGuid().ToString("N"));

    static EpochRecord Epoch(int epoch, string stage, double? robust, double? miou) => new()
    {
        Epoch = epoch, Stage = stage, TrainLoss = 2.5 / epoch, TrainAccuracy = 0.1 * epoch, ValAccuracy = 0.05 + 0.1 * epoch,
        ValRobustAccuracy = robust, ValPartMiou = miou, LearningRate = 0.01 / epoch, Seconds = 3,
    };

    static string WritePng(string dir, int width, int height)
    {
        Directory.CreateDirectory(dir);
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(SKColors.OrangeRed);
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        string path = Path.Combine(dir, "figure.png");
        File.WriteAllBytes(path, png.ToArray());
        return path;
    }

    [Fact]
    public void Epochs_and_a_figure_are_events_tensorboard_reads()
    {
        string dir = TempDir();
        var log = new TensorBoardLog(Path.Combine(dir, "model"));
        var clean = Epoch(1, "clean", robust: null, miou: 0.25);
        var adversarial = Epoch(2, "pgd", robust: 0.375, miou: 0.5);
        log.EpochRecorded(clean);
        log.EpochRecorded(adversarial);
        log.AddFigure("adversarial_examples", WritePng(dir, 7, 5), step: 2);

        string file = Assert.Single(Directory.GetFiles(Path.Combine(dir, "model")));
        Assert.StartsWith("events.out.tfevents.", Path.GetFileName(file));
        var events = TensorBoardEvents.Read(file);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        var scalars = events.SelectMany(e => e.Values.Where(v => v.Scalar is not null).Select(v => (v.Tag, e.Step, Value: v.Scalar!.Value))).ToList();
        var expected = new List<(string, long, float)>();
        foreach (var e in new[] { clean, adversarial })
        {
            expected.Add(("loss/train", e.Epoch, (float)e.TrainLoss));
            expected.Add(("accuracy/train", e.Epoch, (float)e.TrainAccuracy));
            expected.Add(("accuracy/val", e.Epoch, (float)e.ValAccuracy));
            if (e.ValRobustAccuracy is { } r) expected.Add(("accuracy/val_robust", e.Epoch, (float)r));
            expected.Add(("part_miou/val", e.Epoch, (float)e.ValPartMiou!.Value));
            expected.Add(("learning_rate", e.Epoch, (float)e.LearningRate));
        }
        Assert.Equal(expected, scalars);
        // Seconds since the Unix epoch, as TensorBoard expects (not .NET ticks).
        double now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.All(events.Skip(1), e => Assert.InRange(e.WallTime, now - 600, now + 60));

        var image = Assert.Single(events.SelectMany(e => e.Values.Where(v => v.Image is not null).Select(v => (e.Step, v))));
        Assert.Equal(2, image.Step);
        Assert.Equal("adversarial_examples", image.v.Tag);
        Assert.Equal((5, 7), (image.v.Image!.Height, image.v.Image.Width));
        using var decoded = SKBitmap.Decode(image.v.Image.Encoded);
        Assert.Equal((7, 5), (decoded.Width, decoded.Height));
        Assert.Equal(SKColors.OrangeRed, decoded.GetPixel(3, 2));
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void A_model_without_parts_or_attack_logs_no_mIoU_or_robust_accuracy_and_a_missing_figure_is_an_error()
    {
        string dir = TempDir();
        var log = new TensorBoardLog(dir);
        log.EpochRecorded(Epoch(1, "clean", robust: null, miou: null));
        var tags = TensorBoardEvents.Read(Assert.Single(Directory.GetFiles(dir))).SelectMany(e => e.Values).Select(v => v.Tag).ToList();
        Assert.Equal(new[] { "loss/train", "accuracy/train", "accuracy/val", "learning_rate" }, tags);
        var error = Assert.Throws<FileNotFoundException>(() => log.AddFigure("masks", Path.Combine(dir, "missing.png"), 1));
        Assert.Contains("missing.png", error.Message);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void The_reader_checks_the_record_checksums()
    {
        Assert.Equal(0xE3069283u, TensorBoardEvents.Crc32C(Encoding.ASCII.GetBytes("123456789"))); // the CRC-32C check value
        string dir = TempDir();
        new TensorBoardLog(dir).EpochRecorded(Epoch(1, "clean", robust: null, miou: null));
        string file = Assert.Single(Directory.GetFiles(dir));
        var bytes = File.ReadAllBytes(file);
        bytes[^6] ^= 0x01; // inside the last record's data
        File.WriteAllBytes(file, bytes);
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => TensorBoardEvents.Read(file)).Message);
        Directory.Delete(dir, recursive: true);
    }
}
