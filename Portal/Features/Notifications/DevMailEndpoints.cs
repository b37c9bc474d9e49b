using Portal.Core.Notifications;

namespace Portal.Features.Notifications;

public static class DevMailEndpoints
{
    /// <summary>Development only: a saved message's HTML part as a page of its own, and the raw .eml.</summary>
    public static IEndpointRouteBuilder MapDevMailEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/dev/mail/{id}.html", async (string id, DevMailbox mailbox, CancellationToken cancellationToken) =>
            await mailbox.FindAsync(id, cancellationToken) is { HtmlBody: { } html }
                ? Results.Content(html, "text/html; charset=utf-8")
                : Results.NotFound());

        endpoints.MapGet("/dev/mail/{id}.eml", (string id, DevMailbox mailbox) =>
            mailbox.FilePath(id) is { } path ? Results.File(path, "message/rfc822", id + ".eml") : Results.NotFound());
        return endpoints;
    }
}
