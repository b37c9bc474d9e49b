using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Applications;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Infrastructure.ControlApiSteps;

namespace Portal.Tests.Webhooks;

public static class WebhookSteps
{
    public sealed record Owner(TestUser User, HttpClient Client, Application Application);

    /// <summary>A user with a workspace, an application in it (written directly) and an API client signed in as them.</summary>
    public static async Task<Owner> OwnerWithApplicationAsync(PortalApp app)
    {
        var user = await CreateUserAsync(app);
        var workspaceId = await CreateWorkspaceAsync(app, user);
        var application = new Application
        {
            WorkspaceId = workspaceId,
            Name = "Storefront",
            Slug = "storefront",
            Environment = ApplicationEnvironment.Production,
            Region = "us-east-1",
            Status = ApplicationStatus.Active,
            CreatedAt = app.Clock.GetUtcNow(),
        };
        await using (var db = app.CreateDbContext())
        {
            db.Add(application);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        return new Owner(user, Client(app, await SessionTokenAsync(app, user)), application);
    }

    public static Task<WebhookAttempt?> DeliverAsync(PortalApp app, string deliveryId) =>
        WorkspaceSteps.RunAsync(app, sp => sp.GetRequiredService<DeliverWebhook>().ExecuteAsync(deliveryId, TestContext.Current.CancellationToken));

    public static async Task<WebhookDelivery> DeliveryAsync(PortalApp app, string deliveryId)
    {
        await using var db = app.CreateDbContext();
        return await db.Set<WebhookDelivery>().AsNoTracking().Include(d => d.Attempts).SingleAsync(d => d.Id == deliveryId, TestContext.Current.CancellationToken);
    }

    public static async Task<List<WebhookDelivery>> DeliveriesAsync(PortalApp app, string endpointId)
    {
        await using var db = app.CreateDbContext();
        return await db.Set<WebhookDelivery>().AsNoTracking().Include(d => d.Attempts)
            .Where(d => d.EndpointId == endpointId).OrderBy(d => d.CreatedAt).ThenBy(d => d.Id).ToListAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The receiver's own check, written from the documentation rather than with the portal's code: the <c>v1</c> signatures that match <paramref name="secret"/>.</summary>
    public static int MatchingSignatures(string header, string body, string secret)
    {
        var parts = header.Split(',');
        var timestamp = parts.Single(p => p.StartsWith("t=", StringComparison.Ordinal))[2..];
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        var expected = Convert.ToHexString(hmac.ComputeHash(Encoding.UTF8.GetBytes(timestamp + "." + body))).ToLowerInvariant();
        return parts.Count(p => p == "v1=" + expected);
    }
}
