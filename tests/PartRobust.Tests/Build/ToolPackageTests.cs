using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using PartRobust.Build;
using Xunit;

namespace PartRobust.Tests.Build;

/// <summary>
/// The packages as a user gets them: <c>dotnet pack</c> on a committed copy of the sources, the tool installed from the
/// packed folder into a tool path, and the installed <c>partrobust</c> run. It packs and unpacks libtorch (about 0.5 GB)
/// and takes minutes, so it carries the trait Category=Package: <c>--filter Category!=Package</c> leaves it out.
/// </summary>
[Trait("Category", "Package")]
public class ToolPackageTests
{
    static readonly string RepoRoot = Path.GetFullPath(typeof(ToolPackageTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "RepoRoot").Value!);

    /// <summary>The version every project of the repository gets (Directory.Build.props), without the commit.</summary>
    static readonly string Version = typeof(ToolPackageTests).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    [Fact]
    public void The_packed_tool_installs_from_a_folder_and_runs_models_and_a_tiny_train()
    {
        string root = Path.Combine(Path.GetTempPath(), "partrobust-tests", "package-" + Guid.NewGuid().ToString("N"));
        try
        {
            string source = Path.Combine(root, "source");
            string commit = CommittedCopy(source);
            string artifacts = Path.Combine(root, "artifacts");
            foreach (var project in new[] { "src/PartRobust/PartRobust.csproj", "src/PartRobust.Cli/PartRobust.Cli.csproj" })
                Run(source, "dotnet", "pack", project, "-c", "Release", "-o", artifacts, "--disable-build-servers", "-nodeReuse:false");
            AssertLibraryPackage(Path.Combine(artifacts, $"PartRobust.{Version}.nupkg"), commit);
            AssertToolPackage(Path.Combine(artifacts, $"PartRobust.Cli.{Version}.nupkg"));

            // Only the packed folder as a source: the test needs no feed.
            string config = Path.Combine(root, "nuget.config");
            File.WriteAllText(config, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration><packageSources><clear /><add key="artifacts" value="{artifacts}" /></packageSources></configuration>
                """);
            string tools = Path.Combine(root, "tools");
            Run(root, "dotnet", "tool", "install", "--tool-path", tools, "--configfile", config, "PartRobust.Cli");
            string partrobust = Path.Combine(tools, "partrobust");

            Assert.Equal($"{Version}+{commit}", Run(root, partrobust, "--version").Trim());
            Assert.Contains("the demo's setting", Run(root, partrobust, "models"));
            string run = Path.Combine(root, "run");
            Run(root, partrobust, "train", "--models", "part-downsampled", "--train-size", "64", "--val-size", "16", "--test-size", "16",
                "--clean-epochs", "1", "--adv-epochs", "0", "--attack-points", "8", "--autoattack-points", "0", "--robustness", "none",
                "--no-masking-checks", "--out", run);
            Assert.True(File.Exists(Path.Combine(run, "report.json")));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The repository's build inputs copied to <paramref name="dir"/> and committed there; returns the commit.</summary>
    static string CommittedCopy(string dir)
    {
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json" })
            CopyInto(Path.Combine(RepoRoot, file), Path.Combine(dir, file));
        foreach (var folder in new[] { "build", "src" })
            foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoRoot, folder), "*", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(RepoRoot, file);
                if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")) continue;
                CopyInto(file, Path.Combine(dir, relative));
            }
        Run(dir, "git", "init", "-q");
        Run(dir, "git", "add", "-A");
        Run(dir, "git", "-c", "user.name=test", "-c", "user.email=test@localhost", "commit", "-q", "-m", "packaging test");
        return Run(dir, "git", "rev-parse", "HEAD").Trim();
    }

    static void CopyInto(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to);
    }

    /// <summary>The library package: docs, README, the consumers' build step, licences, and the commit it was packed from.</summary>
    static void AssertLibraryPackage(string nupkg, string commit)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
        foreach (var expected in new[] { "lib/net10.0/PartRobust.dll", "lib/net10.0/PartRobust.xml", "README.md", "licenses/DejaVuSans-LICENSE.txt",
                                         "buildTransitive/PartRobust.targets", "buildTransitive/LibTorchSharpGlibcxxPatch.cs" })
            Assert.True(entries.Contains(expected), $"{Path.GetFileName(nupkg)} has no {expected}");
        using var reader = new StreamReader(zip.GetEntry("PartRobust.nuspec")!.Open());
        string nuspec = reader.ReadToEnd();
        Assert.Contains($"<version>{Version}</version>", nuspec);
        Assert.Contains($"commit=\"{commit}\"", nuspec);
        Assert.Contains("<readme>README.md</readme>", nuspec);
    }

    /// <summary>
    /// The tool package: the <c>partrobust</c> command, the licences of the binaries it carries, and libLibTorchSharp.so
    /// patched whatever the packing host.
    /// </summary>
    static void AssertToolPackage(string nupkg)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        using (var settings = new StreamReader(zip.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!.Open()))
            Assert.Contains("<Command Name=\"partrobust\"", settings.ReadToEnd());
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("tools/net10.0/any/licenses/TorchSharp-LICENSE.txt", entries);
        Assert.Contains(entries, e => e.StartsWith("tools/net10.0/any/licenses/libtorch-") && e.EndsWith("-LICENSE-LIBTORCH.txt"));
        Assert.Contains("tools/net10.0/any/licenses/DejaVuSans-LICENSE.txt", entries);
        var library = zip.GetEntry("tools/net10.0/any/runtimes/linux-x64/native/libLibTorchSharp.so");
        Assert.NotNull(library);
        string copy = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
        library.ExtractToFile(copy);
        try { Assert.True(GlibcxxVersionPatch.IsWeak(copy), "the packed libLibTorchSharp.so still needs GLIBCXX_3.4.32"); }
        finally { File.Delete(copy); }
    }

    /// <summary>Runs a command to its end and returns its standard output; fails with all its output on a non-zero exit.</summary>
    static string Run(string workingDirectory, string fileName, params string[] args)
    {
        var psi = new ProcessStartInfo(fileName) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // The test host's MSBuild settings must not leak into the child build; no build server may outlive it (it would
        // hold the output pipes open).
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(key);
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["TERM"] = "dumb";
        // The installed tool's launcher finds the runtime this test runs on.
        if (Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet")
            psi.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(host);
        var stdout = new StringBuilder();
        var all = new StringBuilder();
        using var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => { lock (all) { stdout.AppendLine(e.Data); all.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (all) all.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(15)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{fileName} {string.Join(' ', args)}: timed out:\n{all}");
        }
        process.WaitForExit();
        lock (all)
        {
            Assert.True(process.ExitCode == 0, $"{fileName} {string.Join(' ', args)}: exit {process.ExitCode}:\n{all}");
            return stdout.ToString();
        }
    }
}
