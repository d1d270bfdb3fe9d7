using System.Text.Json;
using System.Text.Json.Serialization;

namespace PartRobust;

/// <summary>
/// Writes an enum as its snake_case name (<c>Warn</c> → <c>"warn"</c>) and reads it back in any case, the convention of
/// every choice PartRobust stores in JSON: <c>[JsonConverter(typeof(SnakeCaseEnumConverter&lt;T&gt;))]</c> on the enum.
/// </summary>
/// <typeparam name="T">The enum.</typeparam>
public sealed class SnakeCaseEnumConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where T : struct, Enum;
