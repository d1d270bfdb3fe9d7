using System.Text.Json;

namespace PartRobust;

/// <summary>
/// The JSON conventions of the files PartRobust writes and reads (config.json, checkpoint specs, report.json, study
/// files): snake_case property names from a naming policy, indented, comments and trailing commas accepted on read.
/// </summary>
internal static class JsonFiles
{
    /// <summary>The serializer options of every config, checkpoint spec and report.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };
}
