using System.Diagnostics;
using System.Text;

namespace PartRobust.Tests.TestSupport;

/// <summary>
/// Runs the <c>partrobust</c> command as an MPI job (<c>mpiexec.mpich -n N</c>, or Open MPI's <c>mpirun.openmpi -np N</c>)
/// or as a plain child process, and returns its exit code and output. The MPI tests need an MPI runtime:
/// <c>.ci/run</c> installs MPICH; <see cref="MpiFactAttribute"/> skips them where none is installed.
/// </summary>
public static class MpiJob
{
    /// <summary>MPICH's launcher, called by name (<c>mpiexec</c> is a Debian alternative that may be Open MPI's).</summary>
    public const string MpichLauncher = "/usr/bin/mpiexec.mpich";

    /// <summary>Open MPI's launcher.</summary>
    public const string OpenMpiLauncher = "/usr/bin/mpirun.openmpi";

    /// <summary>Whether MPICH's launcher is installed.</summary>
    public static bool MpichAvailable => File.Exists(MpichLauncher);

    /// <summary>Whether Open MPI's launcher is installed.</summary>
    public static bool OpenMpiAvailable => File.Exists(OpenMpiLauncher);

    /// <summary>The result of one job.</summary>
    public sealed record Result(int Code, string Output)
    {
        /// <summary>Fails with the output when the job did not exit with 0.</summary>
        public Result Succeeded()
        {
            Xunit.Assert.True(Code == 0, $"exit {Code}:\n{Output}");
            return this;
        }
    }

    /// <summary>partrobust ARGS on <paramref name="ranks"/> MPICH ranks.</summary>
    public static Result Mpich(int ranks, params string[] args) =>
        Run(MpichLauncher, ["-n", ranks.ToString()], args);

    /// <summary>partrobust ARGS on <paramref name="ranks"/> Open MPI ranks.</summary>
    public static Result OpenMpi(int ranks, params string[] args) =>
        Run(OpenMpiLauncher, ["-np", ranks.ToString(), "--oversubscribe", "-x", "TERM=dumb"], args);

    /// <summary>partrobust ARGS as one ordinary process (no launcher).</summary>
    public static Result Single(params string[] args) => Run(null, [], args);

    static Result Run(string? launcher, string[] launcherArgs, string[] args, int timeoutSeconds = 400)
    {
        string dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var psi = new ProcessStartInfo(launcher ?? dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in launcherArgs) psi.ArgumentList.Add(a);
        if (launcher is not null) psi.ArgumentList.Add(dotnet);
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PartRobust.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Open MPI refuses to run as root (CI runs as root) unless told; TERM=dumb keeps pty escapes out of the output.
        psi.Environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1";
        psi.Environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1";
        psi.Environment["TERM"] = "dumb";
        psi.Environment.Remove("PARTROBUST_MPI");
        var output = new StringBuilder();
        using var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            Xunit.Assert.Fail($"timed out after {timeoutSeconds}s:\n{output}");
        }
        process.WaitForExit();
        lock (output) return new Result(process.ExitCode, output.ToString());
    }
}

/// <summary>A test that needs MPICH's launcher; skipped (with the reason) where it is not installed. CI installs it.</summary>
public sealed class MpiFactAttribute : Xunit.FactAttribute
{
    /// <summary>Skips unless <see cref="MpiJob.MpichAvailable"/>.</summary>
    public MpiFactAttribute()
    {
        if (!MpiJob.MpichAvailable) Skip = $"needs MPICH ({MpiJob.MpichLauncher}; apt-get install mpich, as .ci/run does)";
    }
}

/// <summary>A test that needs Open MPI's launcher; skipped (with the reason) where it is not installed. CI installs it.</summary>
public sealed class OpenMpiFactAttribute : Xunit.FactAttribute
{
    /// <summary>Skips unless <see cref="MpiJob.OpenMpiAvailable"/>.</summary>
    public OpenMpiFactAttribute()
    {
        if (!MpiJob.OpenMpiAvailable) Skip = $"needs Open MPI ({MpiJob.OpenMpiLauncher}; apt-get install openmpi-bin, as .ci/run does)";
    }
}

/// <summary>A theory that needs MPICH's launcher; skipped (with the reason) where it is not installed.</summary>
public sealed class MpiTheoryAttribute : Xunit.TheoryAttribute
{
    /// <summary>Skips unless <see cref="MpiJob.MpichAvailable"/>.</summary>
    public MpiTheoryAttribute()
    {
        if (!MpiJob.MpichAvailable) Skip = $"needs MPICH ({MpiJob.MpichLauncher}; apt-get install mpich, as .ci/run does)";
    }
}
