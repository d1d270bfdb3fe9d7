using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PartRobust.Tests.TestSupport;

/// <summary>A run's report.json with what legitimately differs between two runs of the same work removed: timings, dates, paths.</summary>
public static partial class ReportJsonView
{
    [GeneratedRegex("(seconds|per_second|_utc|elapsed|duration|environment|checkpoint|command|threads)", RegexOptions.IgnoreCase)]
    private static partial Regex Volatile();

    /// <summary>The models array of <paramref name="runFolder"/>/report.json without volatile fields, as text.</summary>
    public static string Models(string runFolder)
    {
        var models = JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "report.json")))!["models"]!;
        Strip(models);
        return models.ToJsonString();
    }

    static void Strip(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            foreach (var key in o.Select(p => p.Key).ToList())
                if (Volatile().IsMatch(key)) o.Remove(key);
                else Strip(o[key]);
        }
        else if (node is JsonArray a)
            foreach (var item in a) Strip(item);
    }
}
