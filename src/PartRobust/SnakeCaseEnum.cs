namespace PartRobust;

/// <summary>
/// Enum choices as the command line and the JSON files spell them (<see cref="SnakeCaseEnumConverter{T}"/>), so a flag
/// and a config file accept exactly the same words.
/// </summary>
public static class SnakeCaseEnum
{
    /// <summary>The stored name of <paramref name="value"/>, e.g. <c>trades</c>.</summary>
    public static string Name<T>(T value) where T : struct, Enum => SnakeCaseEnumConverter<T>.NameOf(value);

    /// <summary>The value called <paramref name="text"/>.</summary>
    /// <exception cref="ArgumentException">Not one of the names; the message names <paramref name="flag"/> and the choices.</exception>
    public static T Parse<T>(string text, string flag) where T : struct, Enum =>
        SnakeCaseEnumConverter<T>.Find(text)
        ?? throw new ArgumentException($"{flag} {text}: expected {string.Join(" or ", SnakeCaseEnumConverter<T>.Names)}");
}
