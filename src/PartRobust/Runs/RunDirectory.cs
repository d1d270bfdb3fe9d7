using PartRobust.Distributed;

namespace PartRobust.Runs;

/// <summary>
/// A run folder that appears only when the run succeeds: everything is written into a hidden sibling
/// <c>.NAME.partial</c>, which is renamed to NAME by <see cref="Commit"/>. If the run fails, the partial folder is
/// deleted, unless training has saved resume state in it (<see cref="ResumeFolder"/>): then it is kept for
/// <c>partrobust train --resume NAME</c> (<see cref="Resume"/>). A process that is killed leaves it as it was.
/// In an MPI job only rank 0 writes the run folder: the other ranks work in a private scratch folder (with a copy of the
/// partial folder's files and resume states when resuming), deleted when they finish, so every rank can run the same
/// code. A rank working alone on a unit of its own (<see cref="WorkShare.Alone"/>, e.g. one run of a study) writes it.
/// </summary>
public sealed class RunDirectory : IDisposable
{
    /// <summary>Subfolder of the work folder holding the trainer's resume states; deleted on commit.</summary>
    public const string ResumeFolder = "resume";

    /// <summary>The file holding the command that made the run.</summary>
    const string CommandFile = "command.txt";

    /// <summary>Where files are written while the run is in progress.</summary>
    public string WorkPath { get; }

    /// <summary>The final folder.</summary>
    public string FinalPath { get; }

    /// <summary>Whether this process works in a private scratch copy that never becomes the run folder (an MPI rank other than 0).</summary>
    internal bool IsScratch => scratch;

    bool committed;
    readonly bool scratch;

    /// <summary>Prepares a new run folder at <paramref name="finalPath"/>, which must not exist or be empty.</summary>
    /// <exception cref="ArgumentException">The folder exists and is not empty, or an interrupted run waits to be resumed there.</exception>
    public RunDirectory(string finalPath) : this(finalPath, resume: false) { }

    RunDirectory(string finalPath, bool resume)
    {
        FinalPath = Path.GetFullPath(finalPath).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        string partial = PartialPath(FinalPath);
        scratch = !Writes;
        WorkPath = scratch ? ScratchPath(FinalPath) : partial;
        string flag = resume ? "--resume" : "--out";
        if (File.Exists(FinalPath)) throw new ArgumentException($"{flag} {finalPath}: a file with that name exists");
        if (Directory.Exists(FinalPath) && Directory.EnumerateFileSystemEntries(FinalPath).Any())
            throw new ArgumentException(resume
                ? $"--resume {finalPath}: nothing to resume: the run is complete"
                : $"--out {finalPath}: folder exists and is not empty; choose another --out");
        if (resume)
        {
            if (!File.Exists(Path.Combine(partial, "config.json")))
                throw new ArgumentException($"--resume {finalPath}: nothing to resume: no interrupted run there (expected {partial} with config.json)");
            if (scratch) CopyResumeState(partial, WorkPath);
            if (WorkShare.IsShared) World.Current.Barrier(); // every rank has read the saved state before rank 0 writes anew
            return;
        }
        if (HasResumeState(partial))
            throw new ArgumentException($"--out {finalPath}: an interrupted run waits in {partial}; continue it with 'partrobust train --resume {finalPath}' (a study: 'partrobust study --resume {finalPath}') or delete that folder");
        if (!scratch) Directory.CreateDirectory(Path.GetDirectoryName(FinalPath)!);
        if (Directory.Exists(WorkPath)) Directory.Delete(WorkPath, recursive: true);
        Directory.CreateDirectory(WorkPath);
    }

    /// <summary>
    /// The private folder a rank other than 0 writes into instead of the partial folder of <paramref name="finalPath"/>:
    /// <c>partrobust-rankR-HOST-PID-GUID</c> in the temp folder, after sweeping away those of killed ranks.
    /// </summary>
    static string ScratchPath(string finalPath)
    {
        string temp = Path.GetTempPath();
        SweepStaleScratch(temp);
        return Path.Combine(temp, $"{ScratchPrefix}{World.Rank}-{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}", Path.GetFileName(finalPath));
    }

    const string ScratchPrefix = "partrobust-rank";

    /// <summary>
    /// Deletes the scratch folders in <paramref name="temp"/> of ranks on this machine whose process is gone (a rank killed
    /// by a signal cannot clean up after itself). Folders of other machines (a shared temp folder) are left alone.
    /// </summary>
    internal static void SweepStaleScratch(string temp)
    {
        if (!Directory.Exists(temp)) return;
        foreach (var folder in Directory.EnumerateDirectories(temp, ScratchPrefix + "*"))
        {
            var fields = Path.GetFileName(folder).Split('-'); // partrobust, rankR, host (may hold '-'), pid, guid
            if (fields.Length < 5 || !int.TryParse(fields[^2], out int pid)) continue;
            if (string.Join('-', fields[2..^2]) != Environment.MachineName || IsRunning(pid)) continue;
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Whether this process writes the run folder: rank 0, or a rank working alone on a unit of its own.</summary>
    static bool Writes => World.IsRoot || WorkShare.IsAlone;

    /// <summary>The partial folder's own files and its resume states (not the finished runs of a study inside it).</summary>
    static void CopyResumeState(string from, string to)
    {
        if (Directory.Exists(to)) Directory.Delete(to, recursive: true);
        Directory.CreateDirectory(Path.Combine(to, ResumeFolder));
        foreach (var file in Directory.EnumerateFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        if (Directory.Exists(Path.Combine(from, ResumeFolder)))
            foreach (var file in Directory.EnumerateFiles(Path.Combine(from, ResumeFolder)))
                File.Copy(file, Path.Combine(to, ResumeFolder, Path.GetFileName(file)));
    }

    /// <summary>Opens the partial folder of an interrupted run at <paramref name="finalPath"/> to continue it.</summary>
    /// <exception cref="ArgumentException">There is nothing to resume (no partial folder with a config.json, or the run is complete).</exception>
    public static RunDirectory Resume(string finalPath) => new(finalPath, resume: true);

    /// <summary>The partial (work) folder of the run folder <paramref name="finalPath"/>: <c>.NAME.partial</c> beside it.</summary>
    public static string PartialPath(string finalPath)
    {
        string full = Path.GetFullPath(finalPath).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".partial");
    }

    /// <summary>Path of a file inside the run folder (in its work location).</summary>
    public string PathOf(string relative) => Path.Combine(WorkPath, relative);

    /// <summary>
    /// Writes the command that made the run to command.txt, first thing, so that an interrupted run keeps it for its
    /// report when resumed.
    /// </summary>
    internal void WriteCommandLine(string commandLine) => AtomicFile.WriteAllText(PathOf(CommandFile), commandLine + Environment.NewLine);

    /// <summary>The command in command.txt; null when there is none.</summary>
    internal string? ReadCommandLine() => File.Exists(PathOf(CommandFile)) ? File.ReadAllText(PathOf(CommandFile)).TrimEnd('\r', '\n') : null;

    /// <summary>The resume-state file of the <paramref name="index"/>-th model of the run, <paramref name="name"/>.</summary>
    public string ResumeStatePath(int index, string name) => PathOf(Path.Combine(ResumeFolder, $"{index}-{name}.state"));

    /// <summary>Deletes the resume states and moves the finished run to its final name.</summary>
    public void Commit()
    {
        committed = true;
        if (scratch)
        {
            DeleteScratch();
            return;
        }
        string resume = PathOf(ResumeFolder);
        if (Directory.Exists(resume)) Directory.Delete(resume, recursive: true);
        if (Directory.Exists(FinalPath)) Directory.Delete(FinalPath); // empty, checked in the constructor
        Directory.Move(WorkPath, FinalPath);
    }

    /// <summary>Deletes the partial folder unless the run was committed or it holds resume state.</summary>
    public void Dispose()
    {
        if (scratch)
        {
            DeleteScratch();
            return;
        }
        if (!committed && Directory.Exists(WorkPath) && !HasResumeState(WorkPath))
        {
            try { Directory.Delete(WorkPath, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    void DeleteScratch()
    {
        string scratch = Path.GetDirectoryName(WorkPath)!;
        try { if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Whether the work folder <paramref name="workPath"/> holds resume state (a <c>resume/*.state</c> file).</summary>
    public static bool HasResumeState(string workPath)
    {
        string resume = Path.Combine(workPath, ResumeFolder);
        return Directory.Exists(resume) && Directory.EnumerateFiles(resume, "*.state").Any();
    }
}
