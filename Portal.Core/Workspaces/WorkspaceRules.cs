using System.Buffers;
using System.Globalization;
using System.Text;

namespace Portal.Core.Workspaces;

/// <summary>What makes a workspace's name, slug and metadata valid, shared by the forms and the API.</summary>
public static class WorkspaceRules
{
    public const int MaxNameLength = 100;
    public const int MinSlugLength = 3;
    public const int MaxSlugLength = 40;
    public const int MaxMetadataEntries = 20;
    public const int MaxMetadataKeyLength = 40;
    public const int MaxMetadataValueLength = 500;

    private static readonly SearchValues<char> SlugCharacters = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-");

    /// <summary>Words that name our own pages, API paths or could pass for us.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "account", "accounts", "admin", "administrator", "api", "app", "apps", "application", "applications", "auth",
        "authsome", "billing", "blog", "cloud", "control", "dashboard", "dev", "docs", "help", "hangfire", "health",
        "invitation", "invitations", "login", "logout", "mail", "new", "openapi", "portal", "pricing", "proxy",
        "register", "root", "security", "settings", "signin", "signup", "static", "status", "support", "system",
        "team", "teams", "test", "user", "users", "v1", "workspace", "workspaces", "www",
    };

    public static Failure? ValidateName(string? name, string field = "name")
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return Failure.Invalid(field, "Enter a name.");
        }

        return name.Trim().Length > MaxNameLength
            ? Failure.Invalid(field, $"A name has at most {MaxNameLength} characters.")
            : TextRules.Validate(name, field);
    }

    public static Failure? ValidateSlug(string? slug, string field = "slug")
    {
        if (string.IsNullOrEmpty(slug))
        {
            return Failure.Invalid(field, "Enter a slug.");
        }

        if (slug.Length is < MinSlugLength or > MaxSlugLength)
        {
            return Failure.Invalid(field, $"A slug has {MinSlugLength} to {MaxSlugLength} characters.");
        }

        if (slug.AsSpan().ContainsAnyExcept(SlugCharacters))
        {
            return Failure.Invalid(field, "A slug has only lowercase letters, digits and dashes.");
        }

        if (slug[0] == '-' || slug[^1] == '-' || slug.Contains("--", StringComparison.Ordinal))
        {
            return Failure.Invalid(field, "A slug neither starts nor ends with a dash, nor has two in a row.");
        }

        return Reserved.Contains(slug) ? Failure.Invalid(field, $"'{slug}' is reserved; choose another slug.") : null;
    }

    public static Failure? ValidateMetadata(IReadOnlyDictionary<string, string>? metadata, string field = "metadata")
    {
        if (metadata is null)
        {
            return null;
        }

        if (metadata.Count > MaxMetadataEntries)
        {
            return Failure.Invalid(field, $"Metadata has at most {MaxMetadataEntries} entries.");
        }

        foreach (var (key, value) in metadata)
        {
            if (string.IsNullOrWhiteSpace(key) || key.Length > MaxMetadataKeyLength)
            {
                return Failure.Invalid($"{field}.{key}", $"A metadata key has 1 to {MaxMetadataKeyLength} characters.");
            }

            if (TextRules.HasForbiddenCharacters(key))
            {
                // The key itself cannot go in the field's name: it is what is wrong.
                return TextRules.Validate(key, field);
            }

            if (value is null)
            {
                return Failure.Invalid($"{field}.{key}", "Metadata values are strings.");
            }

            if (value.Length > MaxMetadataValueLength)
            {
                return Failure.Invalid($"{field}.{key}", $"A metadata value has at most {MaxMetadataValueLength} characters.");
            }

            if (TextRules.Validate(value, $"{field}.{key}", multiLine: true) is { } badValue)
            {
                return badValue;
            }
        }

        return null;
    }

    /// <summary>A valid slug made from a name ("Acme Corp." → "acme-corp"), or an empty string when the name gives none.</summary>
    public static string SuggestSlug(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "";
        }

        var decomposed = name.Normalize(NormalizationForm.FormD);
        var slug = new StringBuilder(MaxSlugLength);
        foreach (var c in decomposed)
        {
            if (slug.Length == MaxSlugLength)
            {
                break;
            }

            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            var lower = char.ToLowerInvariant(c);
            if (char.IsAsciiLetterOrDigit(lower))
            {
                slug.Append(lower);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        var result = slug.ToString().Trim('-');
        if (result.Length is > 0 and < MinSlugLength)
        {
            result += "-ws";
        }

        return Reserved.Contains(result) ? $"{result}-team" : result;
    }
}
