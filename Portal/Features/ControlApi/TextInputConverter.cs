using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Core;

namespace Portal.Features.ControlApi;

/// <summary>
/// Every string the control API reads from a JSON body, property names included, goes through here: one with a
/// character no text input may have (<see cref="TextRules"/>: NUL and other control characters, lone surrogates) is
/// refused as the body is read, so no endpoint can forget it, and the middleware answers 400 naming the field.
/// Tabs and line breaks pass (multi-line fields); the use cases refuse them where a single line is wanted.
/// </summary>
internal sealed class TextInputConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException();
        }

        var value = reader.GetString();
        return value is not null && TextRules.HasForbiddenCharacters(value, multiLine: true) ? throw new TextInputJsonException() : value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var name = reader.GetString()!;
        return TextRules.HasForbiddenCharacters(name) ? throw new TextInputJsonException() : name;
    }

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);
}
