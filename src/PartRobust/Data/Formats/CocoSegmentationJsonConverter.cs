using System.Text.Json;
using System.Text.Json.Serialization;

namespace PartRobust.Data.Formats;

/// <summary>
/// Reads a COCO <c>segmentation</c> value: an array of polygons (arrays of numbers), or an object
/// <c>{"counts": [ints] | "string", "size": [h, w]}</c>. Anything else is a <see cref="JsonException"/> naming what was expected.
/// </summary>
sealed class CocoSegmentationJsonConverter : JsonConverter<CocoSegmentation>
{
    public override CocoSegmentation Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.StartArray) return ReadPolygons(ref reader);
        if (reader.TokenType == JsonTokenType.StartObject) return ReadRle(ref reader);
        throw new JsonException($"segmentation is a {reader.TokenType}, expected a list of polygons or an RLE object");
    }

    static CocoSegmentation ReadPolygons(ref Utf8JsonReader reader)
    {
        var polygons = new List<double[]>();
        var coords = new List<double>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
                throw new JsonException($"segmentation polygon is a {reader.TokenType}, expected an array of x,y numbers");
            coords.Clear();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.Number)
                    throw new JsonException($"segmentation polygon holds a {reader.TokenType}, expected numbers");
                coords.Add(reader.GetDouble());
            }
            polygons.Add(coords.ToArray());
        }
        return CocoSegmentation.FromPolygons(polygons);
    }

    static CocoSegmentation ReadRle(ref Utf8JsonReader reader)
    {
        long[]? counts = null;
        string? text = null;
        int[]? size = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string name = reader.GetString()!;
            reader.Read();
            switch (name)
            {
                case "counts" when reader.TokenType == JsonTokenType.String:
                    text = reader.GetString();
                    break;
                case "counts" when reader.TokenType == JsonTokenType.StartArray:
                    var list = new List<long>();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long c))
                            throw new JsonException("RLE counts hold a non-integer, expected integers");
                        list.Add(c);
                    }
                    counts = list.ToArray();
                    break;
                case "counts":
                    throw new JsonException($"RLE counts is a {reader.TokenType}, expected an array of integers or a string");
                case "size":
                    var dims = new List<int>();
                    if (reader.TokenType == JsonTokenType.StartArray)
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                            dims.Add(reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int d) ? d : -1);
                    if (dims.Count != 2 || dims[0] < 0 || dims[1] < 0) throw new JsonException("RLE size is not [height, width] with two non-negative integers");
                    size = dims.ToArray();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        if (size is null || (counts is null && text is null)) throw new JsonException("RLE segmentation lacks counts or size");
        return text is not null ? CocoSegmentation.FromString(text, size[0], size[1]) : CocoSegmentation.FromCounts(counts!, size[0], size[1]);
    }

    public override void Write(Utf8JsonWriter writer, CocoSegmentation value, JsonSerializerOptions options)
    {
        if (value.Polygons is not null)
        {
            writer.WriteStartArray();
            foreach (var p in value.Polygons)
            {
                writer.WriteStartArray();
                foreach (double c in p) writer.WriteNumberValue(c);
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
            return;
        }
        writer.WriteStartObject();
        writer.WritePropertyName("counts");
        if (value.RleString is not null) writer.WriteStringValue(value.RleString);
        else
        {
            writer.WriteStartArray();
            foreach (long c in value.RleCounts ?? []) writer.WriteNumberValue(c);
            writer.WriteEndArray();
        }
        writer.WriteStartArray("size");
        writer.WriteNumberValue(value.RleSize.Height);
        writer.WriteNumberValue(value.RleSize.Width);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
