using System.Text.Json;
using System.Text.Json.Serialization;

namespace PartRobust;

/// <summary>
/// Writes an enum as its snake_case name (<c>Warn</c> → <c>"warn"</c>) and reads exactly those names, the convention of
/// every choice PartRobust stores in JSON: <c>[JsonConverter(typeof(SnakeCaseEnumConverter&lt;T&gt;))]</c> on the enum.
/// An unknown name fails with the choices listed, so a config file's typo reads like a flag's.
/// </summary>
/// <typeparam name="T">The enum.</typeparam>
public sealed class SnakeCaseEnumConverter<T> : JsonConverter<T> where T : struct, Enum
{
    static readonly (T Value, string Name)[] Choices =
        Enum.GetValues<T>().Select(v => (v, JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()))).ToArray();

    /// <summary>The stored names, in declaration order.</summary>
    public static IReadOnlyList<string> Names { get; } = Choices.Select(c => c.Name).ToArray();

    /// <summary>The stored name of <paramref name="value"/>.</summary>
    public static string NameOf(T value) => Choices.First(c => c.Value.Equals(value)).Name;

    /// <summary>The value stored as <paramref name="name"/>, or null.</summary>
    public static T? Find(string name) => Choices.Where(c => c.Name == name).Select(c => (T?)c.Value).FirstOrDefault();

    /// <inheritdoc />
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string? text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        return text is not null && Find(text) is { } value ? value
            : throw new JsonException($"'{text ?? reader.TokenType.ToString()}' is not one of {string.Join(", ", Names)}");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(NameOf(value));
}
