using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Portal.Core.Notifications;

/// <summary>Reads the messages saved by <see cref="PickupDirectoryEmailSender"/>, newest first.</summary>
public sealed partial class DevMailbox(IOptions<EmailOptions> email)
{
    public sealed record Entry(string Id, DateTimeOffset Date, string To, string Subject, string TextBody, string? HtmlBody);

    public async Task<IReadOnlyList<Entry>> ListAsync(int max, CancellationToken cancellationToken = default)
    {
        var directory = new DirectoryInfo(email.Value.PickupDirectory);
        if (!directory.Exists)
        {
            return [];
        }

        var entries = new List<Entry>();
        foreach (var file in directory.EnumerateFiles("*.eml").OrderByDescending(f => f.Name, StringComparer.Ordinal).Take(max))
        {
            entries.Add(await LoadAsync(file.FullName, cancellationToken));
        }

        return entries;
    }

    public async Task<Entry?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        FilePath(id) is { } path ? await LoadAsync(path, cancellationToken) : null;

    /// <summary>The full path of a saved message; null for an unknown id or one that is not ours (no path tricks).</summary>
    public string? FilePath(string id)
    {
        if (!IdPattern().IsMatch(id))
        {
            return null;
        }

        var path = Path.GetFullPath(Path.Combine(email.Value.PickupDirectory, id + ".eml"));
        return File.Exists(path) ? path : null;
    }

    private static async Task<Entry> LoadAsync(string path, CancellationToken cancellationToken)
    {
        using var message = await MimeMessage.LoadAsync(path, cancellationToken);
        return new Entry(
            Path.GetFileNameWithoutExtension(path),
            message.Date,
            message.To.ToString(),
            message.Subject ?? "",
            message.TextBody ?? "",
            message.HtmlBody);
    }

    [GeneratedRegex("^[0-9T]{22}-[0-9a-f]{32}$")]
    private static partial Regex IdPattern();
}
