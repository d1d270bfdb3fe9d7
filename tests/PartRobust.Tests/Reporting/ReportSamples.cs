using PartRobust.Reporting;

namespace PartRobust.Tests.Reporting;

/// <summary>Small hand-made reports for the reporting tests.</summary>
internal static class ReportSamples
{
    public static ModelResult Model(string name, double clean, double pgd, double? aa = null, bool part = true, int cleanEpochs = 2, int advEpochs = 2)
    {
        var robust = new Dictionary<string, double> { ["pgd"] = pgd };
        if (aa is { } a) robust["autoattack"] = a;
        var history = new List<EpochRecord>();
        for (int e = 1; e <= cleanEpochs + advEpochs; e++)
        {
            bool adv = e > cleanEpochs;
            history.Add(new EpochRecord
            {
                Epoch = e,
                Stage = adv ? "pgd" : "clean",
                TrainLoss = 2.0 / e,
                TrainAccuracy = 0.3 + 0.1 * e,
                ValAccuracy = 0.25 + 0.1 * e,
                ValRobustAccuracy = adv ? 0.1 * e : null,
                LearningRate = 0.1,
                Seconds = 12.5,
            });
        }
        return new ModelResult
        {
            Name = name,
            DisplayName = name + " model",
            Parameters = 123_456,
            TrainSeconds = 321.5,
            AdvTrainImagesPerSecond = 40,
            CleanAccuracy = clean,
            CleanAccuracyAttackSubset = clean,
            RobustAccuracy = robust,
            PartPixelAccuracy = part ? 0.8 : null,
            PartMiou = part ? 0.55 : null,
            Checkpoint = $"checkpoints/{name}.safetensors",
            History = history,
        };
    }

    public static RunReport Report(int attackPoints, params ModelResult[] models) => new()
    {
        Settings = new RunSettings
        {
            Dataset = "partshapes",
            ImageSize = 48,
            NumClasses = 4,
            ChanceAccuracy = 0.25,
            TrainSize = 2000,
            ValSize = 200,
            TestSize = 500,
            AttackPoints = attackPoints,
            Epsilon = 8.0 / 255,
            EpsilonText = "8/255",
            TrainAttackSteps = 5,
            EvalAttacks = new Dictionary<string, string> { ["pgd"] = "PGD-20, step 2/255", ["autoattack"] = "APGD-CE + APGD-T" },
            CleanEpochs = 2,
            AdvEpochs = 2,
            SegWeight = 0.5,
            Seeds = new Dictionary<string, long> { ["data"] = 1, ["train"] = 2 },
        },
        Models = models.ToList(),
        Environment = new RunEnvironment
        {
            Os = "Linux",
            Cores = 2,
            TorchThreads = 2,
            Device = "cpu",
            StartedUtc = "2025-01-01T00:00:00Z",
            TotalSeconds = 1234,
            Version = "0.1.0",
        },
    };

    public static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "partrobust-reporting-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
