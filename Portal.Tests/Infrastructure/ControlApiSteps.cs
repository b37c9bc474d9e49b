using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.ApiTokens;
using Portal.Core.Audit;
using Portal.Core.Members;
using Portal.Core.Workspaces;

namespace Portal.Tests.Infrastructure;

/// <summary>Fast set-up for API tests: users, workspaces, members and tokens made through the services and the database.</summary>
public static class ControlApiSteps
{
    public sealed record TestUser(string Id, string Email);

    /// <summary>A confirmed account; without a password unless one is given (hashing one costs time the role tests need not spend).</summary>
    public static async Task<TestUser> CreateUserAsync(PortalApp app, string? password = null, string? email = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        email ??= AccountSteps.NewEmail("api");
        var user = new PortalUser { UserName = email, Email = email, EmailConfirmed = true, CreatedAt = app.Clock.GetUtcNow() };
        var created = password is null ? await users.CreateAsync(user) : await users.CreateAsync(user, password);
        Assert.True(created.Succeeded, string.Join(", ", created.Errors.Select(e => e.Description)));
        return new TestUser(user.Id, email);
    }

    public static async Task<string> SessionTokenAsync(PortalApp app, TestUser user)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var issued = await scope.ServiceProvider.GetRequiredService<IssueApiToken>()
            .CreateSessionAsync((await users.FindByIdAsync(user.Id))!, ClientInfo.Create("127.0.0.1", "tests", null));
        return issued.Secret;
    }

    public static async Task<CreatedApiToken> PersonalTokenAsync(PortalApp app, TestUser user, ApiScopes scopes, TimeSpan? lifetime = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var issued = await scope.ServiceProvider.GetRequiredService<IssueApiToken>()
            .CreatePersonalAsync(Actor.User(user.Id, user.Email), "tests", scopes, lifetime);
        Assert.True(issued.Succeeded, issued.Failure?.Message);
        return issued.Value;
    }

    /// <summary>A workspace owned by <paramref name="owner"/>, written straight to the database.</summary>
    public static async Task<string> CreateWorkspaceAsync(PortalApp app, TestUser owner, WorkspacePlan plan = WorkspacePlan.Free)
    {
        await using var db = app.CreateDbContext();
        var slug = $"ws-{Guid.NewGuid():N}"[..20];
        var workspace = new Workspace { Name = $"Workspace {slug}", Slug = slug, Plan = plan, CreatedAt = app.Clock.GetUtcNow(), CreatedByUserId = owner.Id };
        db.Add(workspace);
        db.Add(new Member { WorkspaceId = workspace.Id, UserId = owner.Id, Role = WorkspaceRole.Owner, JoinedAt = app.Clock.GetUtcNow() });
        await db.SaveChangesAsync();
        return workspace.Id;
    }

    public static async Task<string> AddMemberAsync(PortalApp app, string workspaceId, TestUser user, WorkspaceRole role)
    {
        await using var db = app.CreateDbContext();
        var member = new Member { WorkspaceId = workspaceId, UserId = user.Id, Role = role, JoinedAt = app.Clock.GetUtcNow() };
        db.Add(member);
        await db.SaveChangesAsync();
        return member.Id;
    }

    public static async Task<string> AddInvitationAsync(PortalApp app, string workspaceId, WorkspaceRole role = WorkspaceRole.Viewer)
    {
        await using var db = app.CreateDbContext();
        var email = AccountSteps.NewEmail("invitee");
        var invitation = new Invitation
        {
            WorkspaceId = workspaceId,
            Email = email,
            NormalizedEmail = InvitationTokens.NormalizeEmail(email),
            Role = role,
            CreatedAt = app.Clock.GetUtcNow(),
            ExpiresAt = app.Clock.GetUtcNow().AddDays(7),
        };
        db.Add(invitation);
        await db.SaveChangesAsync();
        return invitation.Id;
    }

    public static HttpClient Client(PortalApp app, string? token = null)
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    public static StringContent Json(object body) => Json(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));

    public static async Task<JsonNode> BodyAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return JsonNode.Parse(text) ?? throw new InvalidOperationException($"Empty body: {response.StatusCode}");
    }

    /// <summary>The <c>error</c> object of an envelope, after checking the status and code.</summary>
    public static async Task<JsonNode> ErrorAsync(HttpResponseMessage response, int status, string code)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True((int)response.StatusCode == status, $"Expected {status} {code}, got {(int)response.StatusCode}: {text}");
        var error = JsonNode.Parse(text)!["error"]!;
        Assert.Equal(code, (string?)error["code"]);
        Assert.False(string.IsNullOrEmpty((string?)error["requestId"]));
        Assert.False(string.IsNullOrEmpty((string?)error["message"]));
        Assert.False(error.AsObject().Any(property => property.Value is null), $"The envelope has null members: {text}");
        return error;
    }

    public static Task<HttpResponseMessage> GetAsync(HttpClient client, string url) =>
        client.GetAsync(new Uri(url, UriKind.Relative), TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> DeleteAsync(HttpClient client, string url) =>
        client.DeleteAsync(new Uri(url, UriKind.Relative), TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> PatchAsync(HttpClient client, string url, object body) =>
        client.PatchAsync(new Uri(url, UriKind.Relative), Json(body), TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string url, object? body, string? idempotencyKey = null) =>
        SendAsync(client, HttpMethod.Post, url, body is null ? null : Json(body), idempotencyKey);

    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, HttpContent? content, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(url, UriKind.Relative)) { Content = content };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
