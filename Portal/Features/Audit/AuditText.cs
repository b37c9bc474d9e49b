using System.Text.Json;
using Portal.Core.Audit;

namespace Portal.Features.Audit;

/// <summary>Audit events in words for the pages: the action as a phrase, the changes as <c>field: before → after</c>.</summary>
public static class AuditText
{
    private static readonly Dictionary<string, string> Phrases = new(StringComparer.Ordinal)
    {
        [AuditActions.UserSignedIn] = "Signed in",
        [AuditActions.UserSignInFailed] = "Sign-in failed",
        [AuditActions.UserSignedOut] = "Signed out",
        [AuditActions.UserTwoFactorEnabled] = "Two-factor authentication turned on",
        [AuditActions.UserTwoFactorDisabled] = "Two-factor authentication turned off",
        [AuditActions.UserRecoveryCodesGenerated] = "New recovery codes made",
        [AuditActions.UserPasswordChanged] = "Password changed",
        [AuditActions.UserPasswordReset] = "Password reset by email link",
        [AuditActions.AdminUserSuspended] = "Account suspended by an administrator",
        [AuditActions.AdminUserUnsuspended] = "Account suspension lifted by an administrator",
        [AuditActions.AdminWorkspaceSuspended] = "Workspace suspended by an administrator",
        [AuditActions.AdminWorkspaceUnsuspended] = "Workspace suspension lifted by an administrator",
    };

    public static string Describe(string action) => Phrases.TryGetValue(action, out var phrase) ? phrase : action;

    /// <summary>Each changed field as <c>name: before → after</c>; fields with no "before" (details of the event) as <c>name: after</c>.</summary>
    public static IReadOnlyList<string> Changes(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        using var document = JsonDocument.Parse(json);
        var lines = new List<string>();
        foreach (var field in document.RootElement.EnumerateObject())
        {
            if (field.Value.ValueKind == JsonValueKind.Object
                && field.Value.TryGetProperty("before", out var before) && field.Value.TryGetProperty("after", out var after))
            {
                lines.Add(before.ValueKind == JsonValueKind.Null
                    ? $"{field.Name}: {Value(after)}"
                    : $"{field.Name}: {Value(before)} → {Value(after)}");
            }
            else
            {
                lines.Add($"{field.Name}: {Value(field.Value)}");
            }
        }

        return lines;
    }

    private static string Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "∅",
        JsonValueKind.String => value.GetString() ?? "",
        _ => value.GetRawText(),
    };
}
