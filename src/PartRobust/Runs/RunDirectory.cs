namespace PartRobust.Runs;

/// <summary>
/// A run folder that appears only when the run succeeds: everything is written into a hidden sibling
/// <c>.NAME.partial</c>, which is renamed to NAME by <see cref="Commit"/> and deleted if the run fails.
/// </summary>
public sealed class RunDirectory : IDisposable
{
    /// <summary>Where files are written while the run is in progress.</summary>
    public string WorkPath { get; }

    /// <summary>The final folder.</summary>
    public string FinalPath { get; }

    bool committed;

    /// <summary>Prepares a run folder at <paramref name="finalPath"/>, which must not exist or be empty.</summary>
    /// <exception cref="ArgumentException">The folder exists and is not empty.</exception>
    public RunDirectory(string finalPath)
    {
        FinalPath = Path.GetFullPath(finalPath);
        if (File.Exists(FinalPath)) throw new ArgumentException($"--out {finalPath}: a file with that name exists");
        if (Directory.Exists(FinalPath) && Directory.EnumerateFileSystemEntries(FinalPath).Any())
            throw new ArgumentException($"--out {finalPath}: folder exists and is not empty; choose another --out");
        string parent = Path.GetDirectoryName(FinalPath)!;
        Directory.CreateDirectory(parent);
        WorkPath = Path.Combine(parent, "." + Path.GetFileName(FinalPath) + ".partial");
        if (Directory.Exists(WorkPath)) Directory.Delete(WorkPath, recursive: true);
        Directory.CreateDirectory(WorkPath);
    }

    /// <summary>Path of a file inside the run folder (in its work location).</summary>
    public string PathOf(string relative) => Path.Combine(WorkPath, relative);

    /// <summary>Moves the finished run to its final name.</summary>
    public void Commit()
    {
        if (Directory.Exists(FinalPath)) Directory.Delete(FinalPath); // empty, checked in the constructor
        Directory.Move(WorkPath, FinalPath);
        committed = true;
    }

    /// <summary>Deletes the partial folder unless the run was committed.</summary>
    public void Dispose()
    {
        if (!committed && Directory.Exists(WorkPath))
        {
            try { Directory.Delete(WorkPath, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
