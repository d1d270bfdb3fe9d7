using Xunit;

namespace PartRobust.Tests.TestSupport;

/// <summary>
/// A fact that needs the real PASCAL-Part annotation files in <c>../shared/fixtures/pascal-part</c> (outside the repo;
/// they are not ours to redistribute). Found in <c>$PARTROBUST_FIXTURES/pascal-part</c> when that variable is set, else by
/// walking up from the test binary; when absent the test is reported as skipped with a message instead of passing silently.
/// </summary>
public sealed class PascalPartFixtureFactAttribute : FactAttribute
{
    /// <summary>The fixture folder, or null when no ancestor of the test binary has <c>shared/fixtures/pascal-part</c>.</summary>
    public static string? Folder { get; } = Find();

    /// <summary>Skips the test when <see cref="Folder"/> is missing.</summary>
    public PascalPartFixtureFactAttribute()
    {
        if (Folder is null)
            Skip = "real PASCAL-Part fixtures not found: set PARTROBUST_FIXTURES to the shared fixtures folder (no shared/fixtures/pascal-part above " + AppContext.BaseDirectory + ")";
    }

    static string? Find()
    {
        if (Environment.GetEnvironmentVariable("PARTROBUST_FIXTURES") is { Length: > 0 } root)
            return Directory.Exists(Path.Combine(root, "pascal-part")) ? Path.Combine(root, "pascal-part") : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "fixtures", "pascal-part");
            if (Directory.Exists(candidate) && Directory.EnumerateFiles(candidate, "*.mat").Any()) return candidate;
        }
        return null;
    }
}
