namespace PartRobust.Runs;

/// <summary>
/// Where <c>train</c>/<c>demo</c> write TensorBoard event files: by default <c>tensorboard/</c> inside the run folder.
/// Not part of the experiment's config: it changes where numbers go, not the numbers.
/// </summary>
public sealed record TensorBoardOptions
{
    /// <summary>The folder inside the run folder that holds the event files by default.</summary>
    public const string RunFolderName = "tensorboard";

    /// <summary>The run folder's <see cref="RunFolderName"/>.</summary>
    public static TensorBoardOptions InRunFolder { get; } = new();

    /// <summary>No event files.</summary>
    public static TensorBoardOptions Off { get; } = new() { Enabled = false };

    /// <summary>Whether event files are written.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The folder of the event files; null = <see cref="RunFolderName"/> inside the run folder.</summary>
    public string? Folder { get; init; }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when <see cref="Folder"/> is a file, or lies inside the run folder
    /// <paramref name="outDir"/>, which must not exist before the run commits it (leave <see cref="Folder"/> out instead).
    /// </summary>
    public void Validate(string outDir)
    {
        if (!Enabled || Folder is null) return;
        if (File.Exists(Folder)) throw new ArgumentException($"--tensorboard {Folder}: a file with that name exists");
        string run = Path.GetFullPath(outDir).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        string folder = Path.GetFullPath(Folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (folder.StartsWith(run, StringComparison.Ordinal))
            throw new ArgumentException($"--tensorboard {Folder}: inside the run folder {outDir}; leave --tensorboard out to write {RunFolderName}/ there");
    }
}
