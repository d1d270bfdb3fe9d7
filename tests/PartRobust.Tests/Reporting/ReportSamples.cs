using PartRobust.Reporting;
using PartRobust.Training;

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

    /// <summary>
    /// A part model with every attack of the trustworthy evaluation: single attacks, a legacy sequence, AutoAttack
    /// standard (with stages, on all 200 attacked points) and plus (on 100 points), the adaptive seg-* attacks, the
    /// worst case, masking checks (one warning) and timings. Clean accuracy on the attacked subset 80%.
    /// </summary>
    public static ModelResult PartWithEverything()
    {
        var m = Model("part", 0.9, 0.60);
        var robust = new Dictionary<string, double>
        {
            // Deliberately not in column order.
            ["worst_case"] = 0.44, ["seg-inverse"] = 0.51, ["autoattack"] = 0.505, ["pgd"] = 0.60, ["seg-sum"] = 0.52,
            ["apgd-ce+square"] = 0.53, ["square"] = 0.58, ["autoattack-plus"] = 0.49, ["apgd-ce"] = 0.55, ["pgd-10"] = 0.62,
            ["seg-guided"] = 0.47,
        };
        return m with
        {
            CleanAccuracyAttackSubset = 0.80,
            RobustAccuracy = robust,
            AutoAttackStages = new Dictionary<string, List<StageResult>>
            {
                ["autoattack"] = [Stage("apgd-ce", 0.55), Stage("apgd-t", 0.51), Stage("fab-t", 0.51), Stage("square", 0.505)],
                ["autoattack-plus"] = [Stage("apgd-ce", 0.53), Stage("apgd-dlr", 0.50), Stage("square", 0.49)],
            },
            AttackStages = new Dictionary<string, List<StageResult>> { ["apgd-ce+square"] = [Stage("apgd-ce", 0.55), Stage("square", 0.53)] },
            AttackTiming = robust.Keys.Where(k => k != "worst_case").ToDictionary(k => k, k => Timing(k == "autoattack-plus" ? 100 : 200, 40)),
            MaskingChecks =
            [
                new MaskingCheckRecord { Name = "zero-gradients", Status = MaskingCheckStatus.Pass, Detail = "0 of 64 points have a zero gradient", Meaning = "ZERO-GRADIENT MEANING" },
                new MaskingCheckRecord
                {
                    Name = "black-box", Status = MaskingCheckStatus.Warn, Detail = "Square 41% < PGD 47%",
                    Meaning = "A black-box attack beating PGD suggests masked gradients; trust the black-box number.",
                },
            ],
        };
    }

    /// <summary>A non-part model (no seg-* attacks, no worst case), AutoAttack standard on all 200 points.</summary>
    public static ModelResult PlainWithoutSeg()
    {
        var m = Model("plain", 0.92, 0.45, part: false);
        var robust = new Dictionary<string, double> { ["pgd"] = 0.45, ["pgd-10"] = 0.50, ["apgd-ce"] = 0.42, ["square"] = 0.44, ["autoattack"] = 0.40 };
        return m with
        {
            CleanAccuracyAttackSubset = 0.85,
            RobustAccuracy = robust,
            AttackTiming = robust.Keys.ToDictionary(k => k, k => Timing(200, 25)),
        };
    }

    public static StageResult Stage(string attack, double acc) => new() { Attack = attack, RobustAccuracy = acc };

    public static AttackTiming Timing(int points, double seconds) => new()
    {
        Points = points, Seconds = seconds, PointsPerSecond = points / seconds, BatchSize = 50,
        BatchSeconds = Enumerable.Repeat(seconds * 50 / points, points / 50).ToList(),
    };

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
