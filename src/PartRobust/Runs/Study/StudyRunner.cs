using System.Text.Json;
using PartRobust.Distributed;
using PartRobust.Reporting;

namespace PartRobust.Runs.Study;

/// <summary>
/// Runs a <see cref="StudyConfig"/>: one ordinary run folder per (regime, seed, training-set size) under <c>runs/</c> —
/// the main runs first, then the data-efficiency runs — and then the study report over all of them
/// (<see cref="StudyAggregation"/>). A killed study continues with <c>resume: true</c>: finished runs are kept, the
/// interrupted one continues from its trainer's last saved state (<see cref="ExperimentRunner"/>), so the result equals an
/// uninterrupted study's apart from timings.
/// </summary>
public static class StudyRunner
{
    /// <summary>Subfolder of the study holding the runs.</summary>
    public const string RunsFolder = "runs";

    /// <summary>One planned run.</summary>
    public sealed record Planned(string Name, string Regime, long Seed, int TrainSize, bool Main, ExperimentConfig Config);

    /// <summary>The runs of <paramref name="study"/>, in the order they run.</summary>
    public static List<Planned> Plan(StudyConfig study)
    {
        var e = study.Experiment;
        var plan = new List<Planned>();
        foreach (var main in new[] { true, false })
            foreach (var regime in study.Regimes)
                foreach (var seed in study.SeedsOf(regime))
                    foreach (var size in study.TrainSizes.OrderByDescending(n => n))
                    {
                        if (main != (size == study.MainTrainSize)) continue;
                        if (!main && study.CurveRegimes is { } curveRegimes && !curveRegimes.Contains(regime)) continue;
                        var config = e with
                        {
                            PartShapes = e.PartShapes with { Preset = regime },
                            TrainSize = size,
                            Models = main ? study.Arms : study.CurveArms,
                            Train = e.Train with { Seed = seed },
                            Eval = e.Eval with { AutoAttackPoints = main ? study.AutoAttackPoints : 0 },
                            Robustness = main ? e.Robustness with { Images = study.RobustnessImages } : e.Robustness with { Suites = "none" },
                        };
                        plan.Add(new Planned($"{regime}-seed{seed}-n{size}", regime, seed, size, main, config));
                    }
        return plan;
    }

    /// <summary>Runs (or continues) the study into <paramref name="outDir"/>, which appears only when every run finished.</summary>
    /// <param name="study">The study; when resuming, the interrupted study's config.json.</param>
    /// <param name="outDir">The study folder.</param>
    /// <param name="progress">Progress bars and log lines.</param>
    /// <param name="commandLine">The command, written to command.txt.</param>
    /// <param name="resume">Continue the interrupted study at <paramref name="outDir"/>.</param>
    /// <param name="stopAfterRuns">Stop (throw <see cref="OperationCanceledException"/>) after this many runs have finished in this session, as a kill would; tests use it.</param>
    public static StudyReport Run(StudyConfig study, string outDir, IProgressSink progress, string commandLine, bool resume = false, int? stopAfterRuns = null)
    {
        study.Validate();
        var clock = new RunClock();
        using var dir = resume ? RunDirectory.Resume(outDir) : new RunDirectory(outDir);
        if (!resume)
        {
            AtomicFile.WriteAllText(dir.PathOf("config.json"), study.ToJson());
            dir.WriteCommandLine(commandLine);
            // Marks the partial folder as resumable, so a failed or killed study is kept for --resume.
            Directory.CreateDirectory(dir.PathOf(RunDirectory.ResumeFolder));
            AtomicFile.WriteAllText(dir.PathOf(Path.Combine(RunDirectory.ResumeFolder, "study.state")), "runs are resumed from runs/\n");
        }
        else progress.Log($"resuming the interrupted study in {dir.WorkPath}");

        var plan = Plan(study);
        progress.Log($"study: {plan.Count} runs ({plan.Count(p => p.Main)} main runs of {string.Join(", ", study.Arms)}; " +
                     $"{plan.Count(p => !p.Main)} data-efficiency runs of {string.Join(", ", study.CurveArms)}), headline {study.Headline}");
        int finishedHere = 0;
        // In an MPI job the study is a job farm: run i goes to rank i mod N, which runs it alone and writes its folder.
        string studyWork = RunDirectory.PartialPath(dir.FinalPath);
        string RunFolder(Planned p) => Path.Combine(studyWork, RunsFolder, p.Name);
        var finishedBefore = plan.Select(p => File.Exists(Path.Combine(RunFolder(p), ReportWriter.JsonFileName))).ToArray();
        foreach (var (p, i) in plan.Select((p, i) => (p, i)))
        {
            string final = RunFolder(p);
            if (finishedBefore[i])
            {
                progress.Log($"study run {i + 1}/{plan.Count} {p.Name}: finished before, kept");
                continue;
            }
            bool partial = RunDirectory.HasResumeState(RunDirectory.PartialPath(final));
            string rank = World.IsDistributed ? $" on rank {i % World.Size}" : "";
            progress.Log($"study run {i + 1}/{plan.Count} {p.Name}{rank}{(partial ? ": continuing the interrupted run" : "")}");
            if (!WorkShare.Owns(i)) continue;
            using (World.IsDistributed ? WorkShare.Alone() : null)
                ExperimentRunner.Run(p.Config, final, progress, $"{commandLine} [run {p.Name}]", resume: partial);
            if (stopAfterRuns is { } stop && ++finishedHere >= stop && i + 1 < plan.Count)
                throw new OperationCanceledException($"study stopped after {finishedHere} run(s), as asked");
        }
        // Every run is in place before any rank reads them all.
        World.Current.Barrier();

        var report = StudyAggregation.Build(study, plan, studyWork, JsonSerializer.SerializeToElement(study, JsonFiles.Options),
            clock.Environment(ExperimentRunner.ParseDevice(study.Experiment.Device)));
        StudyReportWriter.Write(dir.WorkPath, report, commandLine);
        World.Current.Barrier(); // every rank has read the runs before rank 0 moves the folder
        dir.Commit();
        return report;
    }
}
