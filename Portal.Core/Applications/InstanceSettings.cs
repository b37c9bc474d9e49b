using System.Text.Json;
using Json.Schema;

namespace Portal.Core.Applications;

/// <summary>
/// An application's configuration, checked against the documented JSON schema <c>instance-settings.schema.json</c>
/// (embedded, and published with the API reference). A refusal names the path of the first offending value.
/// </summary>
public static class InstanceSettings
{
    public const int MaxLength = 16 * 1024;

    public static string SchemaText { get; } = ReadSchema();

    private static readonly JsonSchema Schema = JsonSchema.FromText(SchemaText);

    public static Failure? Validate(JsonElement configuration, string field = "configuration")
    {
        if (configuration.ValueKind != JsonValueKind.Object)
        {
            return Failure.Invalid(field, "The configuration is a JSON object.");
        }

        if (ForbiddenTextAt(configuration, field) is { } badText)
        {
            return Failure.Invalid(badText, $"{badText}: {TextRules.ControlCharacterMessage}");
        }

        var results = Schema.Evaluate(configuration, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return null;
        }

        var error = results.Details?.FirstOrDefault(d => d.Errors is { Count: > 0 }) ?? results;
        var pointer = error.InstanceLocation.ToString().Trim('/').Replace('/', '.');
        var path = pointer.Length == 0 ? field : $"{field}.{pointer}";
        var message = error.Errors?.Values.FirstOrDefault() ?? "does not match the instance settings schema";
        return Failure.Invalid(path, $"{path}: {message}.");
    }

    public static Failure? Validate(string? json, string field = "configuration")
    {
        if (json is null)
        {
            return null;
        }

        if (json.Length > MaxLength)
        {
            return Failure.Invalid(field, $"The configuration has at most {MaxLength / 1024} KB.");
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return Validate(document.RootElement, field);
        }
        catch (JsonException)
        {
            return Failure.Invalid(field, "The configuration is not valid JSON.");
        }
    }

    /// <summary>
    /// The path of the first string or property name with a control character or a lone surrogate (which the JSON
    /// escapes <c>\u0000</c> and <c>\ud800</c> carry, and PostgreSQL's jsonb refuses), or null.
    /// </summary>
    private static string? ForbiddenTextAt(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return IsForbidden(element, static e => e.GetString(), multiLine: true) ? path : null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (ForbiddenTextAt(item, $"{path}[{index++}]") is { } inItem)
                    {
                        return inItem;
                    }
                }

                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (IsForbidden(property, static p => p.Name, multiLine: false))
                    {
                        return path;
                    }

                    if (ForbiddenTextAt(property.Value, $"{path}.{property.Name}") is { } inValue)
                    {
                        return inValue;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static bool IsForbidden<T>(T source, Func<T, string?> read, bool multiLine)
    {
        try
        {
            return TextRules.HasForbiddenCharacters(read(source), multiLine);
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape cannot be read as a string at all.
            return true;
        }
    }

    private static string ReadSchema()
    {
        using var stream = typeof(InstanceSettings).Assembly.GetManifestResourceStream("Portal.Core.Applications.instance-settings.schema.json")
            ?? throw new InvalidOperationException("The instance settings schema is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
