namespace PartRobust.Evaluation.Robustness;

/// <summary>The parts of the general-robustness evaluation (the paper's second table), combinable as flags.</summary>
[Flags]
public enum RobustnessSuite
{
    /// <summary>Nothing.</summary>
    None = 0,
    /// <summary>Common corruptions: every corruption at every severity.</summary>
    Corruptions = 1,
    /// <summary>Shape–texture bias on cue-conflict images.</summary>
    Texture = 2,
    /// <summary>Background bias on ImageNet-9-style variants.</summary>
    Background = 4,
    /// <summary>All three.</summary>
    All = Corruptions | Texture | Background,
}

/// <summary>Parsing and naming of <see cref="RobustnessSuite"/> and of severity ranges for the command line.</summary>
public static class RobustnessSuites
{
    /// <summary>The command-line names, in report order.</summary>
    public static readonly IReadOnlyList<(string Name, RobustnessSuite Suite)> Names =
        [("corruptions", RobustnessSuite.Corruptions), ("texture", RobustnessSuite.Texture), ("background", RobustnessSuite.Background)];

    /// <summary>Parses a comma-separated list such as <c>corruptions,texture</c> (or <c>all</c>).</summary>
    /// <exception cref="ArgumentException">Unknown or empty names, naming the flag.</exception>
    public static RobustnessSuite Parse(string text)
    {
        var suite = RobustnessSuite.None;
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (raw == "all") { suite |= RobustnessSuite.All; continue; }
            var match = Names.FirstOrDefault(n => n.Name == raw);
            if (match.Name is null) throw new ArgumentException($"--suite {text}: unknown suite '{raw}'; expected a comma-separated list of corruptions, texture, background (or all)");
            suite |= match.Suite;
        }
        if (suite == RobustnessSuite.None) throw new ArgumentException($"--suite '{text}': expected a comma-separated list of corruptions, texture, background (or all)");
        return suite;
    }

    /// <summary>The command-line names of the suites in <paramref name="suite"/>, in report order.</summary>
    public static List<string> Describe(RobustnessSuite suite) => Names.Where(n => suite.HasFlag(n.Suite)).Select(n => n.Name).ToList();

    /// <summary>Parses severities: <c>1-5</c>, <c>3</c>, <c>1,3,5</c> or a mix such as <c>1-2,5</c>; sorted, without repeats.</summary>
    /// <exception cref="ArgumentException">Anything outside 1–5 or malformed, naming the flag.</exception>
    public static int[] ParseSeverities(string text)
    {
        var set = new SortedSet<int>();
        string Expected() => $"--severities {text}: expected severities from 1 to 5 such as 1-5, 3 or 1,3,5";
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var ends = part.Split('-', StringSplitOptions.TrimEntries);
            if (ends.Length is < 1 or > 2 || !ends.All(e => int.TryParse(e, out _))) throw new ArgumentException(Expected());
            int lo = int.Parse(ends[0]), hi = int.Parse(ends[^1]);
            if (lo < 1 || hi > 5 || lo > hi) throw new ArgumentException(Expected());
            for (int s = lo; s <= hi; s++) set.Add(s);
        }
        if (set.Count == 0) throw new ArgumentException(Expected());
        return set.ToArray();
    }
}
