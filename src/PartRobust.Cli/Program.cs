using System.CommandLine;
using System.Text.Json;
using PartRobust.Cli;
using PartRobust.Runs;

// The `partrobust` command: parses flags, calls the library, prints. Exit codes: 0 success,
// 2 bad input (one line on stderr, no stack trace), 1 internal error.
return PartRobustCli.Run(args);

namespace PartRobust.Cli
{
    /// <summary>Entry point, callable in-process by tests.</summary>
    public static class PartRobustCli
    {
        /// <summary>Runs the command line and returns the exit code.</summary>
        public static int Run(string[] args)
        {
            var root = BuildRoot();
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                Console.Error.WriteLine($"partrobust: {parse.Errors[0].Message} (see 'partrobust --help')");
                return 2;
            }
            try
            {
                return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
            }
            catch (Exception e) when (IsUserError(e))
            {
                Console.Error.WriteLine($"partrobust: {FirstLine(e.Message)}");
                return 2;
            }
            catch (Exception e) when (Environment.GetEnvironmentVariable("PARTROBUST_DEBUG") != "1")
            {
                Console.Error.WriteLine($"partrobust: internal error: {FirstLine(e.Message)} ({e.GetType().Name}; set PARTROBUST_DEBUG=1 for details)");
                return 1;
            }
        }

        static bool IsUserError(Exception e) => e is ArgumentException or FormatException or FileNotFoundException
            or DirectoryNotFoundException or InvalidDataException or JsonException or UnauthorizedAccessException;

        static string FirstLine(string s) => s.Split('\n')[0].Trim();

        static Command BuildRoot()
        {
            // A named root (rather than RootCommand, which takes the assembly's name) so help says `partrobust`.
            var root = new Command("partrobust", "PartRobust: part-based models for adversarial robustness (Sitawarin et al., ICLR 2023) on TorchSharp.");
            root.Options.Add(new System.CommandLine.Help.HelpOption());
            root.Options.Add(new VersionOption());
            root.Subcommands.Add(DemoCommand());
            root.Subcommands.Add(TrainCommand());
            root.Subcommands.Add(StudyCommand.Create());
            root.Subcommands.Add(EvalCommand());
            root.Subcommands.Add(AttackCommand());
            root.Subcommands.Add(DataCommand());
            root.Subcommands.Add(RobustnessCommand());
            root.Subcommands.Add(CorruptCommand());
            root.Subcommands.Add(BenchCommand());
            root.Subcommands.Add(ModelsCommand());
            root.Subcommands.Add(InteropCommands.Import());
            root.Subcommands.Add(InteropCommands.Export());
            return root;
        }

        static Command ModelsCommand()
        {
            var cmd = new Command("models", "List the registered models (--models) and segmenters (--segmenter); --count builds each model and counts its parameters.");
            var count = new Option<bool>("--count") { Description = "Build each model and print its trainable parameters (a few seconds for the full-size ones)" };
            var classes = new Option<int?>("--num-classes") { Description = "Classes C for --count: the first C PartImageNet classes, K follows (default 11, K = 41)" };
            var size = new Option<int?>("--image-size") { Description = "Image size for --count (default 224)" };
            var width = new Option<int?>("--width") { Description = "First-stage width of the ResNets and the compact segmenter for --count (default 64)" };
            var segmenter = new Option<string?>("--segmenter") { Description = "Segmenter of the part models for --count (default compact)" };
            foreach (var o in new Option[] { count, classes, size, width, segmenter }) cmd.Options.Add(o);
            cmd.SetAction(p =>
            {
                bool doCount = p.GetValue(count);
                int c = p.GetValue(classes) ?? 11, n = p.GetValue(size) ?? 224, w = p.GetValue(width) ?? 64;
                string seg = p.GetValue(segmenter) ?? PartRobust.Models.SegmenterRegistry.Default;
                var models = PartRobust.Models.ModelCatalog.Models(doCount, c, n, w, seg);
                Console.WriteLine(doCount ? $"models (parameters for C = {c}, {n} px, width {w}, part models on '{seg}'):" : "models:");
                foreach (var m in models)
                    Console.WriteLine($"  {m.Name,-24} {m.DisplayName,-50}{(m.Parameters is { } k ? $" {k,14:N0}" : "")}");
                Console.WriteLine("segmenters (part models; --segmenter):");
                foreach (var (name, description) in PartRobust.Models.ModelCatalog.Segmenters())
                    Console.WriteLine($"  {name,-24} {description}");
                return 0;
            });
            return cmd;
        }

        static string CommandLine(ParseResult p) => "partrobust " + string.Join(' ', p.Tokens.Select(t => t.Value.Contains(' ') ? $"\"{t.Value}\"" : t.Value));

        static Command DemoCommand()
        {
            var cmd = new Command("demo", "A small version of 'study': generate PartShapes, adversarially train the Downsampled part model and the " +
                                          "same part model without part labels (c_seg = 0), evaluate clean and PGD accuracy on every test image, compare them " +
                                          "point by point with 95% confidence intervals, and write a run folder with report.md, report.json, checkpoints and figures.");
            var o = new ExperimentOptions();
            o.AddTo(cmd);
            cmd.SetAction(p =>
            {
                var config = o.Resolve(p, new ExperimentConfig());
                string outDir = p.GetValue(o.Out) ?? ExperimentOptions.DefaultOut("demo");
                return RunExperiment(config, outDir, CommandLine(p));
            });
            return cmd;
        }

        static Command TrainCommand()
        {
            var cmd = new Command("train", "Train and evaluate one or more models (--models) with the two-stage recipe; writes a run folder like demo.");
            var o = new ExperimentOptions();
            o.AddTo(cmd);
            var model = new Option<string?>("--model") { Description = "One model to train (shorthand for --models NAME)" };
            var resume = new Option<string?>("--resume")
            {
                Description = "Continue the interrupted run whose --out was DIR (killed, or failed after training started; its work is in .DIR.partial) " +
                              "with its config.json: finished models are not retrained, the interrupted one continues from its last saved state",
                HelpName = "DIR",
            };
            cmd.Options.Add(model);
            cmd.Options.Add(resume);
            cmd.SetAction(p =>
            {
                if (p.GetValue(resume) is { } runDir)
                {
                    if (p.GetValue(o.Out) is { } other && Path.GetFullPath(other).TrimEnd('/') != Path.GetFullPath(runDir).TrimEnd('/'))
                        throw new ArgumentException($"--resume {runDir} continues the run in {runDir}; leave out --out");
                    var saved = ResumeConfig.Load(runDir);
                    var requested = o.Resolve(p, saved);
                    if (p.GetValue(model) is { } rm) requested = requested with { Models = new[] { rm } };
                    ResumeConfig.CheckSame(saved, requested, runDir);
                    return RunExperiment(saved, runDir, CommandLine(p), resume: true);
                }
                var config = o.Resolve(p, new ExperimentConfig());
                if (p.GetValue(model) is { } m) config = config with { Models = new[] { m } };
                string outDir = p.GetValue(o.Out) ?? ExperimentOptions.DefaultOut("train");
                return RunExperiment(config, outDir, CommandLine(p));
            });
            return cmd;
        }

        static int RunExperiment(ExperimentConfig config, string outDir, string commandLine, bool resume = false)
        {
            config.Validate();
            var report = default(Reporting.RunReport);
            int rc = ConsoleProgress.Run(sink =>
            {
                report = ExperimentRunner.Run(config, outDir, sink, commandLine, resume);
                return 0;
            });
            PrintSummary(report!, outDir);
            return rc;
        }

        static void PrintSummary(Reporting.RunReport report, string outDir)
        {
            var keys = Reporting.ReportWriter.OrderAttacks(report.Models.SelectMany(m => m.RobustAccuracy.Keys).Distinct()).ToList();
            Console.WriteLine();
            int nameWidth = Math.Max(28, report.Models.Select(m => m.DisplayName.Length).DefaultIfEmpty(0).Max()); // e.g. "Two-headed part model (decoder)"
            Console.WriteLine($"{"model".PadRight(nameWidth)} {"params",10} {"train s",8} {"clean",7} " + string.Concat(keys.Select(k => $"{k,12} ")) + $"{"part acc",9} {"mIoU",6}");
            foreach (var m in report.Models)
            {
                string robust = string.Concat(keys.Select(k => m.RobustAccuracy.TryGetValue(k, out var r) ? $"{100 * r,11:F1}% " : $"{"-",12} "));
                string pa = m.PartPixelAccuracy is { } a ? $"{100 * a:F1}%" : "-";
                string iou = m.PartMiou is { } i ? $"{100 * i:F1}%" : "-";
                Console.WriteLine($"{m.DisplayName.PadRight(nameWidth)} {m.Parameters,10:N0} {m.TrainSeconds,8:F0} {100 * m.CleanAccuracy,6:F1}% {robust}{pa,9} {iou,6}");
            }
            Console.WriteLine($"chance level {100 * report.Settings.ChanceAccuracy:F1}%; {report.Settings.AttackPoints} test images attacked, ε = {report.Settings.EpsilonText}");
            var counts = keys.Select(k => (Key: k, N: report.Models.Where(m => m.RobustAccuracy.ContainsKey(k))
                .Select(m => Reporting.ReportWriter.AttackPoints(report.Settings, m, k)).DefaultIfEmpty(0).Min())).ToList();
            if (counts.Any(c => c.N != report.Settings.AttackPoints))
                Console.WriteLine("points attacked: " + string.Join(", ", counts.Select(c => $"{c.Key} {c.N}")) + " (sampling error about ±1/√n)");
            foreach (var (k, d) in report.Settings.EvalAttacks) Console.WriteLine($"  {k}: {d}");
            foreach (var m in report.Models)
                foreach (var c in m.MaskingChecks ?? new List<Reporting.MaskingCheckRecord>())
                    Console.WriteLine(c.Status == "pass"
                        ? $"  {m.Name}: masking check '{c.Name}' ok: {c.Detail}"
                        : $"  {m.Name}: WARNING gradient-masking check '{c.Name}' failed: {c.Meaning} ({c.Detail})");
            foreach (var m in report.Models)
                foreach (var (version, stages) in m.AutoAttackStages ?? new())
                    Console.WriteLine($"  {m.Name} {version} stages: " + string.Join(" → ", stages.Select(st => $"{st.Attack} {100 * st.RobustAccuracy:F1}%" + (st.Seconds is { } sec ? $" ({sec:F0}s)" : ""))));
            PrintRobustnessTable(report);
            PrintComparisons(report);
            Console.WriteLine($"total {report.Environment.TotalSeconds:F0}s. Report: {Path.Combine(outDir, "report.md")}");
        }

        static void PrintComparisons(Reporting.RunReport report)
        {
            if (report.Comparisons is not { Count: > 0 } list) return;
            string Display(string key) => report.Models.FirstOrDefault(m => m.Name == key)?.DisplayName ?? key;
            Console.WriteLine();
            Console.WriteLine("paired comparisons on the same points (A − B in points, paired bootstrap 95% CI, exact McNemar p):");
            foreach (var c in list)
                Console.WriteLine($"  {Display(c.A)} − {Display(c.B)}, {c.Metric} (n = {c.N}): " +
                                  $"{Reporting.ComparisonsSection.Signed(c.Difference)}, CI {Reporting.ComparisonsSection.Interval(c)}, p {(c.PValue is < 0.001 ? "< 0.001" : $"= {c.PValue:0.###}")}");
            if (report.Verdict is { } v) { Console.WriteLine(); Console.WriteLine(v); }
        }

        static Command EvalCommand()
        {
            var cmd = new Command("eval", "Evaluate a checkpoint: clean accuracy, PGD robust accuracy, and part metrics for part models.");
            var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint: NAME.safetensors, NAME.json or NAME", Required = true };
            var data = new Option<string?>("--data") { Description = "Dataset folder (its test/ split, or the folder itself); default: regenerate the PartShapes test split the model was trained with" };
            var outOpt = new Option<string?>("--out") { Description = "Run folder to create (default runs/eval-<time>)" };
            var eps = new Option<string?>("--eps") { Description = "L∞ radius, e.g. 8/255 (default: the training ε)" };
            var steps = new Option<int?>("--pgd-steps") { Description = "PGD steps (default: as in the run's config)" };
            var restarts = new Option<int?>("--pgd-restarts") { Description = "PGD restarts (default: as in the run's config)" };
            var paper = new Option<bool>("--paper-pgd") { Description = "The paper's PGD: 100 steps of max(0.001, ε/40), 5 restarts" };
            var points = new Option<int?>("--attack-points") { Description = "Test images attacked (default: as in the run's config)" };
            var testSize = new Option<int?>("--test-size") { Description = "Test images for clean accuracy when regenerating PartShapes (default: as trained)" };
            var device = new Option<string?>("--device") { Description = "Torch device (default cpu)" };
            var config = new Option<string?>("--config") { Description = "JSON config whose eval section, attack_points and test_size replace the checkpoint's; flags override it" };
            var aaPoints = new Option<int?>("--autoattack-points") { Description = "Test images evaluated with AutoAttack (and the adaptive attacks on part models), 0 = none (default: as in the run's config; the demo's is 8)" };
            var noMasking = ExperimentOptions.NoMaskingChecksOption();
            var robustness = new Option<string?>("--robustness") { Description = "Also run general-robustness suites: comma-separated corruptions, texture, background, or all (default none; 'partrobust robustness' has every option)" };
            var robustnessImages = new Option<int?>("--robustness-images") { Description = $"Test images the suites measure, 0 = all (default {new RobustnessConfig().Images})" };
            var threads = ExperimentOptions.ThreadsOption();
            foreach (var opt in new Option[] { checkpoint, data, outOpt, eps, steps, restarts, paper, points, testSize, aaPoints, noMasking, robustness, robustnessImages, device, threads, config }) cmd.Options.Add(opt);
            cmd.SetAction(p =>
            {
                var request = new CheckpointEvaluation.Request
                {
                    Checkpoint = p.GetValue(checkpoint)!,
                    DataDir = p.GetValue(data),
                    Epsilon = p.GetValue(eps) is { } e ? ExperimentOptions.ParseEps(e) : null,
                    PgdSteps = p.GetValue(steps),
                    PgdRestarts = p.GetValue(restarts),
                    PaperPgd = p.GetValue(paper),
                    AttackPoints = p.GetValue(points),
                    TestSize = p.GetValue(testSize),
                    AutoAttackPoints = p.GetValue(aaPoints),
                    MaskingChecks = p.GetValue(noMasking) ? false : null,
                    Device = p.GetValue(device) ?? "cpu",
                    Threads = p.GetValue(threads),
                    Settings = p.GetValue(config) is { } file ? ExperimentConfig.Load(file) : null,
                    Robustness = p.GetValue(robustness) is { } suites
                        ? new RobustnessConfig { Suites = suites, Images = p.GetValue(robustnessImages) ?? new RobustnessConfig().Images }
                        : null,
                };
                string outDir = p.GetValue(outOpt) ?? ExperimentOptions.DefaultOut("eval");
                Reporting.RunReport? report = null;
                int rc = ConsoleProgress.Run(sink => { report = CheckpointEvaluation.Run(request, outDir, sink, CommandLine(p)); return 0; });
                PrintSummary(report!, outDir);
                return rc;
            });
            return cmd;
        }

        static Command AttackCommand()
        {
            var cmd = new Command("attack", "Attack a checkpoint with named attacks (comma-separated; '+' runs attacks in sequence on the points still robust) " +
                                            "and write a run folder with the robust accuracies. Attacks: " + string.Join(", ", Attacks.AttackRegistry.Names) + ".");
            var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint: NAME.safetensors, NAME.json or NAME", Required = true };
            var attack = new Option<string>("--attack") { Description = "Attacks, e.g. pgd or pgd-10,pgd (default pgd: the paper's 100 steps × 5 restarts)", DefaultValueFactory = _ => "pgd" };
            var eps = new Option<string?>("--eps") { Description = "Radius, e.g. 8/255 (default: the training ε)" };
            var norm = new Option<string>("--norm") { Description = "linf (default) or l2", DefaultValueFactory = _ => "linf" };
            var n = new Option<int?>("--n") { Description = "Test points attacked (default: the run's attack_points)" };
            var data = new Option<string?>("--data") { Description = "Dataset folder (default: regenerate the PartShapes test split)" };
            var outOpt = new Option<string?>("--out") { Description = "Run folder to create (default runs/attack-<time>)" };
            var device = new Option<string?>("--device") { Description = "Torch device (default cpu)" };
            var masking = new Option<bool>("--masking-checks") { Description = "First run the gradient-masking checks (randomness, dynamic forward, probability outputs, zero gradients, Square vs PGD, ε sweep, more steps) on up to 64 points; the default with aa, aa-plus or aa-rand. AutoAttack's own checks (Square after the white-box stages, zero DLR gradients) always run" };
            var noMasking = ExperimentOptions.NoMaskingChecksOption();
            var noAdaptive = new Option<bool>("--no-adaptive") { Description = "Do not add the adaptive attacks (seg-sum, seg-guided, seg-inverse) to AutoAttack on a part model" };
            var batch = new Option<int?>("--batch-size") { Description = "Points per attack batch (default: the run's eval batch size, 200; AutoAttack's reference uses 250)" };
            var examples = new Option<int>("--save-examples") { Description = "Draw the first N attacked points of the last attack listed (clean, adversarial, perturbation, part masks) as adversarial_NAME.png and save them as adversarial_NAME.safetensors; 0 = off (default 8)", DefaultValueFactory = _ => 8 };
            var threads = ExperimentOptions.ThreadsOption();
            foreach (var opt in new Option[] { checkpoint, attack, eps, norm, n, data, outOpt, device, threads, masking, noMasking, noAdaptive, batch, examples }) cmd.Options.Add(opt);
            cmd.SetAction(p =>
            {
                var normValue = p.GetValue(norm) switch
                {
                    "linf" => Attacks.Norm.Linf,
                    "l2" => Attacks.Norm.L2,
                    var other => throw new ArgumentException($"--norm {other}: expected linf or l2"),
                };
                var request = new CheckpointEvaluation.Request
                {
                    Checkpoint = p.GetValue(checkpoint)!,
                    DataDir = p.GetValue(data),
                    Epsilon = p.GetValue(eps) is { } e ? ExperimentOptions.ParseEps(e) : null,
                    AttackPoints = p.GetValue(n) is { } count && count < 0
                        ? throw new ArgumentException($"--n {count}: expected a number of test points ≥ 0")
                        : p.GetValue(n),
                    Device = p.GetValue(device) ?? "cpu",
                    Threads = p.GetValue(threads),
                    Attacks = ExperimentOptions.Split(p.GetValue(attack)!),
                    Norm = normValue,
                    MaskingChecks = p.GetValue(masking) ? true : p.GetValue(noMasking) ? false : null,
                    Adaptive = !p.GetValue(noAdaptive),
                    BatchSize = p.GetValue(batch),
                    SaveExamples = p.GetValue(examples),
                };
                string outDir = p.GetValue(outOpt) ?? ExperimentOptions.DefaultOut("attack");
                Reporting.RunReport? report = null;
                int rc = ConsoleProgress.Run(sink => { report = CheckpointEvaluation.Run(request, outDir, sink, CommandLine(p)); return 0; });
                PrintSummary(report!, outDir);
                return rc;
            });
            return cmd;
        }

        static Command BenchCommand()
        {
            var cmd = new Command("bench", "Measure this machine: matrix-multiply GFLOP/s and each model's clean and PGD adversarial-training throughput " +
                                           "(images/s, achieved GFLOP/s) on random data; prints a Markdown table for docs/benchmarks.md.");
            var models = new Option<string?>("--models") { Description = "Comma-separated models (default resnet18,part-downsampled,part-bbox)" };
            var size = new Option<int?>("--image-size") { Description = "Image size (default: the demo's)" };
            var width = new Option<int?>("--width") { Description = "Backbone width (default: the demo's)" };
            var batch = new Option<int?>("--batch-size") { Description = "Batch size (default: the demo's)" };
            var steps = new Option<int?>("--train-attack-steps") { Description = "PGD steps of the training attack (default: the demo's)" };
            var classes = new Option<int?>("--num-classes") { Description = "Classes C (default 11)" };
            var iterations = new Option<int?>("--iterations") { Description = "Timed training steps per measurement (default 10)" };
            var segmenter = new Option<string?>("--segmenter") { Description = "Segmenter of the part models (default: the demo's compact one)" };
            var loader = new Option<string?>("--loader") { Description = "Measure the data loader instead (images/s of decoding and the train/eval transforms): a prepared dataset folder, or 'synthetic' for ImageNet-sized JPEGs" };
            var images = new Option<int?>("--images") { Description = "Images per loader measurement (default 256) or per corruption and severity (default 20)" };
            var corruptions = new Option<bool>("--corruptions") { Description = "Measure how fast each common corruption is made instead (images/s at --image-size, default 224; --table)" };
            var corruptionTable = new Option<string?>("--table") { Description = "With --corruptions: imagenet or cifar10 (default: cifar10 up to 32 px, imagenet above)" };
            var saveWeights = new Option<string?>("--save-weights")
            {
                Description = "Folder to write, for each model before it is timed, its initial weights (MODEL-SIZEpx.safetensors, PyTorch names), " +
                              "a probe (MODEL-SIZEpx.probe.safetensors: a seeded input x [4,3,S,S] and the eval-mode logits, and parts for part models) " +
                              "and after timing the settings and results (MODEL-SIZEpx.json), for the PyTorch twins in bench/pytorch",
                HelpName = "DIR",
            };
            var json = new Option<string?>("--json") { Description = "Also write the results (machine, settings, matmul GFLOP/s, one row per model) as JSON to FILE", HelpName = "FILE" };
            foreach (var opt in new Option[] { models, size, width, batch, steps, classes, iterations, segmenter, saveWeights, json, loader, images, corruptions, corruptionTable }) cmd.Options.Add(opt);
            cmd.SetAction(p =>
            {
                if ((p.GetValue(corruptions) || p.GetValue(loader) is not null) && (p.GetValue(saveWeights) is not null || p.GetValue(json) is not null))
                    throw new ArgumentException("--save-weights and --json apply to the model benchmark, not to --corruptions or --loader");
                if (p.GetValue(corruptions))
                {
                    string sheet = "";
                    var t = p.GetValue(corruptionTable) is { } name ? PartRobust.Evaluation.Corruptions.CorruptionRegistry.ParseTable(name) : (PartRobust.Evaluation.Corruptions.CorruptionTable?)null;
                    int exit = ConsoleProgress.Run(sink => { sheet = CorruptionBenchmark.Run(p.GetValue(size) ?? 224, p.GetValue(images) ?? 20, t, sink); return 0; });
                    Console.WriteLine(sheet);
                    return exit;
                }
                if (p.GetValue(loader) is { } data)
                {
                    var loaderRequest = new LoaderBenchmark.Request
                    {
                        DataDir = data == "synthetic" ? null : data, ImageSize = p.GetValue(size) ?? 224,
                        Images = p.GetValue(images) ?? 256, BatchSize = p.GetValue(batch) ?? 32,
                    };
                    string table = "";
                    int code = ConsoleProgress.Run(sink => { table = LoaderBenchmark.Run(loaderRequest, sink); return 0; });
                    Console.WriteLine(table);
                    return code;
                }
                var d = new ExperimentConfig();
                d = d with { ImageSize = p.GetValue(size) ?? d.ImageSize, Width = p.GetValue(width) };
                var request = new Benchmark.Request
                {
                    Models = p.GetValue(models) is { } m ? ExperimentOptions.Split(m) : d.Models,
                    ImageSize = d.ImageSize,
                    Width = d.EffectiveWidth,
                    BatchSize = p.GetValue(batch) ?? d.Train.BatchSize,
                    AttackSteps = p.GetValue(steps) ?? d.Train.AttackSteps,
                    NumClasses = p.GetValue(classes) ?? 11,
                    Iterations = p.GetValue(iterations) ?? 10,
                    Segmenter = p.GetValue(segmenter) ?? d.Segmenter,
                    SaveWeightsDir = p.GetValue(saveWeights),
                };
                BenchmarkReport? report = null;
                int rc = ConsoleProgress.Run(sink => { report = Benchmark.Measure(request, sink); return 0; });
                if (report is null) return rc;
                Console.WriteLine(Benchmark.ToMarkdown(report));
                if (p.GetValue(json) is { } jsonPath) Benchmark.WriteJson(report, jsonPath);
                return rc;
            });
            return cmd;
        }

        static Command DataCommand()
        {
            var data = new Command("data", "Dataset tools.");
            var gen = new Command("generate", "Write PartShapes to a folder (train/, val/, test/ and the test variants) as PNG images, PNG part masks and index.csv.");
            var outOpt = new Option<string>("--out") { Description = "Folder to create", Required = true };
            var size = new Option<int?>("--image-size") { Description = "Image size, 32-224 (default: as the demo, 32)" };
            var classes = new Option<string?>("--classes") { Description = "Comma-separated classes (default all 11)" };
            var train = new Option<int?>("--train-size") { Description = "Training images (default: as the demo)" };
            var val = new Option<int?>("--val-size") { Description = "Validation images (default: as the demo)" };
            var test = new Option<int?>("--test-size") { Description = "Test images, also per test variant (default: as the demo)" };
            var seed = new Option<long?>("--seed") { Description = "Seed (default: the demo's data seed, 1)" };
            var variants = new Option<bool>("--variants") { Description = "Also write the test variants: cue-conflict, mixed-background, only-foreground, only-background" };
            var preset = ExperimentOptions.PresetOption();
            var config = new Option<string?>("--config") { Description = "JSON config, e.g. a run's config.json (image_size, classes, train/val/test sizes, data_seed, partshapes regime); flags override it" };
            foreach (var opt in new Option[] { outOpt, size, classes, train, val, test, seed, preset, variants, config }) gen.Options.Add(opt);
            gen.SetAction(p =>
            {
                var c = p.GetValue(config) is { } file ? ExperimentConfig.Load(file) : new ExperimentConfig();
                var request = new DatasetExport.Request
                {
                    ImageSize = p.GetValue(size) ?? c.ImageSize,
                    Classes = p.GetValue(classes) is { } cls ? ExperimentOptions.Split(cls) : c.Classes,
                    TrainSize = p.GetValue(train) ?? c.TrainSize,
                    ValSize = p.GetValue(val) ?? c.ValSize,
                    TestSize = p.GetValue(test) ?? c.TestSize,
                    Seed = p.GetValue(seed) ?? c.DataSeed,
                    PartShapes = p.GetValue(preset) is { } name ? c.PartShapes with { Preset = name } : c.PartShapes,
                    Variants = p.GetValue(variants),
                };
                return ConsoleProgress.Run(sink => { DatasetExport.Run(request, p.GetValue(outOpt)!, sink); return 0; });
            });
            data.Subcommands.Add(gen);
            data.Subcommands.Add(PrepareCommand());
            return data;
        }

        static Command RobustnessCommand()
        {
            var cmd = new Command("robustness", "General robustness of saved checkpoints, as the paper's second table: accuracy under 19 common corruptions × 5 severities " +
                                                "(with mCE relative to a baseline), shape bias on cue-conflict images, and accuracy on ImageNet-9-style background variants.");
            var checkpoint = new Option<string[]>("--checkpoint") { Description = "Checkpoint (NAME.safetensors, NAME.json or NAME) or a run folder (all its checkpoints); repeat to compare models", Required = true, AllowMultipleArgumentsPerToken = true };
            var data = new Option<string?>("--data") { Description = "Dataset folder (its test/ split); default: regenerate the PartShapes test split the models were trained with" };
            var testSize = new Option<int?>("--test-size") { Description = "Test images loaded (default: as trained for PartShapes, all for a folder)" };
            var suite = new Option<string?>("--suite") { Description = "Comma-separated: corruptions, texture, background (default all)" };
            var severities = new Option<string?>("--severities") { Description = "Corruption severities, e.g. 1-5 (default), 3 or 1,3,5" };
            var images = new Option<int?>("--images") { Description = "Test images each suite measures (the first ones), 0 = all (default)" };
            var table = new Option<string?>("--table") { Description = "Corruption parameters: imagenet (ImageNet-C) or cifar10 (CIFAR-10-C); default cifar10 for images of at most 32 px, imagenet above" };
            var corruptions = new Option<string?>("--corruptions") { Description = "Comma-separated corruption names (default all 19: " + string.Join(", ", PartRobust.Evaluation.Corruptions.CorruptionRegistry.Benchmark.Concat(PartRobust.Evaluation.Corruptions.CorruptionRegistry.Extras)) + ")" };
            var seed = new Option<long?>("--seed") { Description = "Seed of the corruptions and donor choices (default 0)" };
            var baseline = new Option<string?>("--baseline") { Description = "Model (registry name) the corruption errors are relative to; default the first non-part model; none = no mCE" };
            var batch = new Option<int?>("--batch-size") { Description = "Images per forward pass of the suites (default 100)" };
            var device = new Option<string?>("--device") { Description = "Torch device (default cpu)" };
            var outOpt = new Option<string?>("--out") { Description = "Run folder to create (default runs/robustness-<time>)" };
            foreach (var opt in new Option[] { checkpoint, data, testSize, suite, severities, images, table, corruptions, seed, baseline, batch, device, outOpt }) cmd.Options.Add(opt);
            cmd.SetAction(p =>
            {
                var request = new RobustnessEvaluation.Request
                {
                    Checkpoints = p.GetValue(checkpoint)!,
                    DataDir = p.GetValue(data),
                    TestSize = p.GetValue(testSize),
                    Robustness = new RobustnessConfig
                    {
                        Suites = p.GetValue(suite) ?? "all",
                        Severities = p.GetValue(severities) ?? "1-5",
                        Images = p.GetValue(images) ?? 0,
                        Table = p.GetValue(table),
                        Corruptions = p.GetValue(corruptions)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                        Seed = p.GetValue(seed) ?? 0,
                        Baseline = p.GetValue(baseline),
                        BatchSize = p.GetValue(batch) ?? new RobustnessConfig().BatchSize,
                    },
                    Device = p.GetValue(device) ?? "cpu",
                };
                string outDir = p.GetValue(outOpt) ?? ExperimentOptions.DefaultOut("robustness");
                Reporting.RunReport? report = null;
                int rc = ConsoleProgress.Run(sink => { report = RobustnessEvaluation.Run(request, outDir, sink, CommandLine(p)); return 0; });
                if (report is not null)
                {
                    PrintRobustnessTable(report);
                    Console.WriteLine($"total {report.Environment.TotalSeconds:F0}s. Report: {Path.Combine(outDir, "report.md")}");
                }
                return rc;
            });
            return cmd;
        }

        /// <summary>The general-robustness table (when the suite ran): one row per model, as in the report.</summary>
        static void PrintRobustnessTable(Reporting.RunReport report)
        {
            if (report.Settings.GeneralRobustness is not { } g) return;
            int nameWidth = Math.Max(28, report.Models.Select(m => m.DisplayName.Length).DefaultIfEmpty(0).Max());
            Console.WriteLine();
            Console.WriteLine($"general robustness on the first {g.Images} test images" + (g.Table is { } t ? $" ({(t == "cifar10" ? "CIFAR-10-C" : "ImageNet-C")} table, severities {string.Join(",", g.Severities ?? [])})" : "") + $", {g.Seconds ?? 0:F0}s:");
            Console.WriteLine($"{"model".PadRight(nameWidth)} {"clean",7} {"corruptions",12} {"mCE",6} {"cue-conflict",13} {"shape bias",11} {"mixed-rand",11} {"BG-gap",7}");
            static string P(double? v) => v is { } x ? $"{100 * x:F1}%" : "-";
            foreach (var m in report.Models)
            {
                double? mixedRand = m.BackgroundAccuracy?.TryGetValue("mixed_rand", out var mr) == true ? mr : null;
                Console.WriteLine($"{m.DisplayName.PadRight(nameWidth)} {P(m.CleanAccuracy),7} {P(m.CorruptionAccuracy),12} {(m.Mce is { } mce ? mce.ToString("F2") : "-"),6} " +
                                  $"{P(m.CueConflictAccuracy),13} {P(m.ShapeBias),11} {P(mixedRand),11} {(m.BgGap is { } gap ? (100 * gap).ToString("+0.0;-0.0;0.0") : "-"),7}");
            }
        }

        static Command CorruptCommand()
        {
            var cmd = new Command("corrupt", "Apply one common corruption (ImageNet-C, as the imagecorruptions library) to an image file (PNG/JPEG in, PNG out).");
            var input = new Argument<string>("image") { Description = "PNG or JPEG file" };
            var name = new Option<string>("--corruption") { Description = string.Join(", ", PartRobust.Evaluation.Corruptions.CorruptionRegistry.Benchmark.Concat(PartRobust.Evaluation.Corruptions.CorruptionRegistry.Extras)), Required = true };
            var severity = new Option<int?>("--severity") { Description = "1 (mild) to 5 (harsh), default 3" };
            var outOpt = new Option<string>("--out") { Description = "PNG file to write", Required = true };
            var seed = new Option<long?>("--seed") { Description = "Seed of the corruption's random draws (default 0)" };
            var table = new Option<string?>("--table") { Description = "Parameter table: imagenet (default) or cifar10 (for 32 px images)" };
            cmd.Arguments.Add(input);
            foreach (var opt in new Option[] { name, severity, outOpt, seed, table }) cmd.Options.Add(opt);
            cmd.SetAction(p =>
            {
                var t = PartRobust.Evaluation.Corruptions.CorruptionRegistry.ParseTable(p.GetValue(table) ?? "imagenet");
                var (w, h) = PartRobust.Evaluation.Corruptions.CorruptionRegistry.ApplyToFile(p.GetValue(input)!, p.GetValue(outOpt)!,
                    p.GetValue(name)!, p.GetValue(severity) ?? 3, (ulong)(p.GetValue(seed) ?? 0), t);
                Console.WriteLine($"wrote {p.GetValue(outOpt)} ({w}x{h}, {p.GetValue(name)}, severity {p.GetValue(severity) ?? 3})");
                return 0;
            });
            return cmd;
        }

        static Command PrepareCommand()
        {
            var cmd = new Command("prepare", "Turn the official download of PartImageNet, Cityscapes-Panoptic-Parts or PASCAL-Part into the paper's samples " +
                                             "(image, part mask, class) with the paper's split, in PartRobust's prepared format; see README 'Real datasets'.");
            var dataset = new Argument<string>("dataset") { Description = string.Join(", ", PartRobust.Data.Prepare.DatasetPreparers.Names) };
            var source = new Option<string>("--source") { Description = "Folder of the official download (layout in README 'Real datasets')", Required = true };
            var outOpt = new Option<string>("--out") { Description = "Folder to create (a previous preparation there is replaced)", Required = true };
            var limit = new Option<int?>("--limit") { Description = "Prepare only the first N source items (a quick subset)" };
            var split = new Option<string?>("--split") { Description = "paper (default: the authors' seeded 80/10/10 re-split) or original (PartImageNet's own class-disjoint split)" };
            var workers = new Option<int?>("--workers") { Description = "Decode threads (default: one per core)" };
            cmd.Arguments.Add(dataset);
            foreach (var opt in new Option[] { source, outOpt, limit, split, workers }) cmd.Options.Add(opt);
            cmd.SetAction(p => ConsoleProgress.Run(sink =>
            {
                var options = new PartRobust.Data.Prepare.PrepareOptions
                {
                    Limit = p.GetValue(limit), Split = p.GetValue(split) ?? "paper", Workers = p.GetValue(workers) ?? Environment.ProcessorCount,
                };
                var summary = PartRobust.Data.Prepare.DatasetPreparers.Run(p.GetValue(dataset)!, p.GetValue(source)!, p.GetValue(outOpt)!, options, sink);
                sink.Log($"prepared {summary.Total} samples into {summary.OutDir} in {summary.Seconds:F1}s ({summary.Skipped.Count} files skipped; summary.md and skipped.txt there)");
                Console.WriteLine(summary.ToMarkdown());
                return 0;
            }));
            return cmd;
        }
    }
}
