using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Core.ApiTokens;
using Portal.Core.Audit;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Infrastructure.ControlApiSteps;

namespace Portal.Tests.ControlApi;

public sealed class ControlApiAuthenticationTests(TestServers servers) : PortalTest(servers)
{
    private const string Password = AccountSteps.StrongPassword;

    private static async Task<HttpResponseMessage> LoginAsync(HttpClient client, string email, string password = Password, string? totp = null) =>
        await PostAsync(client, "/control/v1/auth/login", totp is null ? new { email, password } : new { email, password, totp });

    /// <summary>What an error answer tells, without its request id.</summary>
    private static string Shape(System.Text.Json.Nodes.JsonNode error) =>
        $"{error["code"]}|{error["message"]}|{error["details"]?.ToJsonString()}";

    private async Task<string> EnableTwoFactorAsync(TestUser user)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var found = (await users.FindByIdAsync(user.Id))!;
        await users.ResetAuthenticatorKeyAsync(found);
        await users.SetTwoFactorEnabledAsync(found, true);
        return (await users.GetAuthenticatorKeyAsync(found))!;
    }

    [Fact]
    public async Task Login_ReturnsAnHourLongBearerToken_ThatWorks_AndIsAudited()
    {
        var user = await CreateUserAsync(App, Password);
        using var anonymous = Client(App);

        var response = await LoginAsync(anonymous, user.Email);
        var body = await BodyAsync(response);

        Assert.Equal(200, (int)response.StatusCode);
        var token = (string)body["token"]!;
        Assert.StartsWith("asl_", token, StringComparison.Ordinal);
        Assert.Equal("Bearer", (string?)body["tokenType"]);
        Assert.Equal(App.Clock.GetUtcNow().AddHours(1), DateTimeOffset.Parse((string)body["expiresAt"]!, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromSeconds(1));
        using var client = Client(App, token);
        Assert.Equal(200, (int)(await GetAsync(client, "/control/v1/workspaces")).StatusCode);

        await using (var db = App.CreateDbContext())
        {
            var signedIn = await db.Set<AuditEvent>().SingleAsync(e => e.Action == "user.signed_in", TestContext.Current.CancellationToken);
            Assert.Null(signedIn.WorkspaceId);
            Assert.Equal(ActorTypes.Token, signedIn.ActorType);
            // Only the hash is stored.
            Assert.DoesNotContain(await db.Set<ApiToken>().Select(t => t.Hint + t.Name).ToListAsync(TestContext.Current.CancellationToken), s => s.Contains(token, StringComparison.Ordinal));
        }

        App.Clock.Advance(TimeSpan.FromMinutes(61));
        await ErrorAsync(await GetAsync(client, "/control/v1/workspaces"), 401, "unauthorized");
    }

    [Fact]
    public async Task Login_WrongPassword_UnknownEmail_Unconfirmed_AreRefused()
    {
        var user = await CreateUserAsync(App, Password);
        using var client = Client(App);

        await ErrorAsync(await LoginAsync(client, user.Email, "not the password at all"), 401, "unauthorized");
        await ErrorAsync(await LoginAsync(client, AccountSteps.NewEmail()), 401, "unauthorized");
        var missing = await ErrorAsync(await PostAsync(client, "/control/v1/auth/login", new { email = user.Email }), 400, "invalid_request");
        Assert.Equal("password", (string?)missing["details"]!["field"]);

        await using (var db = App.CreateDbContext())
        {
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(set => set.SetProperty(u => u.EmailConfirmed, false), TestContext.Current.CancellationToken);
        }

        var unconfirmed = await ErrorAsync(await LoginAsync(client, user.Email), 401, "unauthorized");
        Assert.True((bool)unconfirmed["details"]!["emailNotConfirmed"]!);
    }

    [Fact]
    public async Task Login_LockoutAfterFiveWrongPasswords_StopsPasswordLoginOnly_TokensKeepWorking()
    {
        var user = await CreateUserAsync(App, Password);
        using var anonymous = Client(App);
        var session = (string)(await BodyAsync(await LoginAsync(anonymous, user.Email)))["token"]!;
        using var sessionClient = Client(App, session);
        using var personalClient = Client(App, (await PersonalTokenAsync(App, user, ApiScopes.Read)).Secret);

        for (var i = 0; i < 5; i++)
        {
            await ErrorAsync(await LoginAsync(anonymous, user.Email, "wrong password number " + i), 401, "unauthorized");
        }

        await using (var db = App.CreateDbContext())
        {
            Assert.NotNull((await db.Users.SingleAsync(u => u.Id == user.Id, TestContext.Current.CancellationToken)).LockoutEnd);
        }

        // The user's CI goes on: lockout is not a reason to refuse their tokens.
        Assert.Equal(200, (int)(await GetAsync(sessionClient, "/control/v1/workspaces")).StatusCode);
        Assert.Equal(200, (int)(await GetAsync(personalClient, "/control/v1/workspaces")).StatusCode);

        // Password login is refused, with the answer a wrong password gets (no account state for a guesser).
        var wrong = await ErrorAsync(await LoginAsync(anonymous, user.Email, "yet another wrong password"), 401, "unauthorized");
        var locked = await ErrorAsync(await LoginAsync(anonymous, user.Email), 401, "unauthorized");
        Assert.Equal(Shape(wrong), Shape(locked));
        Assert.Null(locked["details"]);
    }

    [Fact]
    public async Task SuspendedUser_TokensAreRefused()
    {
        var user = await CreateUserAsync(App, Password);
        using var personalClient = Client(App, (await PersonalTokenAsync(App, user, ApiScopes.Read)).Secret);
        Assert.Equal(200, (int)(await GetAsync(personalClient, "/control/v1/workspaces")).StatusCode);

        // Only the suspension itself (SuspendUser also renews the security stamp, which refuses tokens on its own).
        await using (var db = App.CreateDbContext())
        {
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(set => set.SetProperty(u => u.SuspendedAt, App.Clock.GetUtcNow()), TestContext.Current.CancellationToken);
        }

        await ErrorAsync(await GetAsync(personalClient, "/control/v1/workspaces"), 401, "unauthorized");
    }

    [Fact]
    public async Task Login_TellsTheAccountsStateOnlyToWhoeverKnowsThePassword()
    {
        using var client = Client(App);
        var unknown = await ErrorAsync(await LoginAsync(client, AccountSteps.NewEmail(), "not the password at all"), 401, "unauthorized");
        Assert.Null(unknown["details"]);

        var unconfirmed = await CreateUserAsync(App, Password);
        await using (var db = App.CreateDbContext())
        {
            await db.Users.Where(u => u.Id == unconfirmed.Id).ExecuteUpdateAsync(set => set.SetProperty(u => u.EmailConfirmed, false), TestContext.Current.CancellationToken);
        }

        var guessed = await ErrorAsync(await LoginAsync(client, unconfirmed.Email, "not the password at all"), 401, "unauthorized");
        Assert.Equal(Shape(unknown), Shape(guessed));
        var known = await ErrorAsync(await LoginAsync(client, unconfirmed.Email), 401, "unauthorized");
        Assert.True((bool)known["details"]!["emailNotConfirmed"]!);

        var suspended = await CreateUserAsync(App, Password);
        await using (var db = App.CreateDbContext())
        {
            await db.Users.Where(u => u.Id == suspended.Id).ExecuteUpdateAsync(set => set.SetProperty(u => u.SuspendedAt, App.Clock.GetUtcNow()), TestContext.Current.CancellationToken);
        }

        Assert.Equal(Shape(unknown), Shape(await ErrorAsync(await LoginAsync(client, suspended.Email, "not the password at all"), 401, "unauthorized")));
        Assert.True((bool)(await ErrorAsync(await LoginAsync(client, suspended.Email), 401, "unauthorized"))["details"]!["suspended"]!);

        var twoFactor = await CreateUserAsync(App, Password);
        await EnableTwoFactorAsync(twoFactor);
        Assert.Equal(Shape(unknown), Shape(await ErrorAsync(await LoginAsync(client, twoFactor.Email, "not the password at all"), 401, "unauthorized")));
    }

    [Fact]
    public async Task Login_FailuresAreAudited_LikeThePortalsSignIns()
    {
        var user = await CreateUserAsync(App, Password);
        var unknownEmail = AccountSteps.NewEmail();
        using var client = Client(App);

        await LoginAsync(client, unknownEmail, "not the password at all");
        for (var i = 0; i < 5; i++)
        {
            await LoginAsync(client, user.Email, "wrong password number " + i);
        }

        await LoginAsync(client, user.Email);

        await using var db = App.CreateDbContext();
        var failed = await db.Set<AuditEvent>().Where(e => e.Action == AuditActions.UserSignInFailed)
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(7, failed.Count);
        Assert.Null(failed[0].TargetId);
        Assert.Equal(unknownEmail, failed[0].ActorName);
        Assert.All(failed.Skip(1), e => Assert.Equal(user.Id, e.TargetId));
        Assert.All(failed, e => Assert.Contains("\"api\"", e.Changes ?? "", StringComparison.Ordinal));
        Assert.Contains("unknown_email", failed[0].Changes!, StringComparison.Ordinal);
        Assert.All(failed.Skip(1).Take(5), e => Assert.Contains("bad_password", e.Changes!, StringComparison.Ordinal));
        Assert.Contains("locked_out", failed[6].Changes!, StringComparison.Ordinal);
        Assert.All(failed, e => Assert.False(string.IsNullOrEmpty(e.RequestId)));
    }

    [Fact]
    public async Task Login_WithTwoFactor_NeedsAFreshCode()
    {
        var user = await CreateUserAsync(App, Password);
        var key = await EnableTwoFactorAsync(user);
        using var client = Client(App);

        var missing = await ErrorAsync(await LoginAsync(client, user.Email), 401, "unauthorized");
        Assert.True((bool)missing["details"]!["twoFactorRequired"]!);
        await ErrorAsync(await LoginAsync(client, user.Email, totp: "000000"), 401, "unauthorized");

        App.Clock.Advance(TimeSpan.FromSeconds(30));
        var code = AccountSteps.TotpCode(key, App.Clock.GetUtcNow());
        var ok = await LoginAsync(client, user.Email, totp: code);
        Assert.Equal(200, (int)ok.StatusCode);

        // The same code again is a replay.
        await ErrorAsync(await LoginAsync(client, user.Email, totp: code), 401, "unauthorized");
    }

    [Fact]
    public async Task PersonalToken_ScopesDecideWhatItMayDo()
    {
        var user = await CreateUserAsync(App);
        var workspaceId = await CreateWorkspaceAsync(App, user);
        using var read = Client(App, (await PersonalTokenAsync(App, user, ApiScopes.Read)).Secret);
        using var write = Client(App, (await PersonalTokenAsync(App, user, ApiScopes.Write)).Secret);

        Assert.Equal(200, (int)(await GetAsync(read, $"/control/v1/workspaces/{workspaceId}")).StatusCode);
        var refused = await ErrorAsync(await PostAsync(read, "/control/v1/workspaces", new { name = "Nope" }), 403, "forbidden");
        Assert.Equal("write", (string?)refused["details"]!["missingScope"]);
        Assert.Contains("'write'", (string?)refused["message"], StringComparison.Ordinal);

        Assert.Equal(201, (int)(await PostAsync(write, "/control/v1/workspaces", new { name = "Made by write" })).StatusCode);
        await ErrorAsync(await GetAsync(write, "/control/v1/workspaces"), 403, "forbidden");
        var admin = await ErrorAsync(await DeleteAsync(write, $"/control/v1/workspaces/{workspaceId}"), 403, "forbidden");
        Assert.Equal("admin", (string?)admin["details"]!["missingScope"]);
    }

    [Fact]
    public async Task RevokedExpiredAndStaleTokens_Get401()
    {
        var user = await CreateUserAsync(App, Password);
        var revoked = await PersonalTokenAsync(App, user, ApiScopes.Read);
        var expiring = await PersonalTokenAsync(App, user, ApiScopes.Read, TimeSpan.FromDays(7));
        var lasting = await PersonalTokenAsync(App, user, ApiScopes.Read);
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var outcome = await scope.ServiceProvider.GetRequiredService<RevokeApiToken>().ExecuteAsync(Actor.User(user.Id, user.Email), revoked.Token.Id, TestContext.Current.CancellationToken);
            Assert.True(outcome.Succeeded);
        }

        using (var client = Client(App, revoked.Secret))
        {
            await ErrorAsync(await GetAsync(client, "/control/v1/workspaces"), 401, "unauthorized");
        }

        using (var client = Client(App, "asp_" + new string('x', 43)))
        {
            await ErrorAsync(await GetAsync(client, "/control/v1/workspaces"), 401, "unauthorized");
        }

        using var expiringClient = Client(App, expiring.Secret);
        Assert.Equal(200, (int)(await GetAsync(expiringClient, "/control/v1/workspaces")).StatusCode);
        App.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));
        await ErrorAsync(await GetAsync(expiringClient, "/control/v1/workspaces"), 401, "unauthorized");

        // A password change (new security stamp) ends every token.
        using var lastingClient = Client(App, lasting.Secret);
        Assert.Equal(200, (int)(await GetAsync(lastingClient, "/control/v1/workspaces")).StatusCode);
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            var changed = await users.ChangePasswordAsync((await users.FindByIdAsync(user.Id))!, Password, "another quiet harbor lantern 43");
            Assert.True(changed.Succeeded);
        }

        await ErrorAsync(await GetAsync(lastingClient, "/control/v1/workspaces"), 401, "unauthorized");
    }

    [Fact]
    public async Task TheUiCookie_DoesNotAuthenticateTheApi()
    {
        using var browser = App.CreatePortalClient();
        await AccountSteps.RegisterAndSignInAsync(App, browser);

        var response = await browser.Http.GetAsync(new Uri("/control/v1/workspaces", UriKind.Relative), TestContext.Current.CancellationToken);

        await ErrorAsync(response, 401, "unauthorized");
    }

    [Fact]
    public async Task AccessTokensPage_CreatesAScopedToken_ShownOnce_AndRevokes()
    {
        using var browser = App.CreatePortalClient();
        var email = await AccountSteps.RegisterAndSignInAsync(App, browser);

        var created = await browser.SubmitAsync("/Account/Manage/AccessTokens", "create-token", new Dictionary<string, string>
        {
            ["Input.Name"] = "deploy script",
            ["Input.Read"] = "true",
            ["Input.Expiry"] = "90",
        });
        var secret = created.TestId("new-token");
        Assert.True(secret is not null, created.Text);
        Assert.StartsWith("asp_", secret, StringComparison.Ordinal);

        using var api = Client(App, secret);
        Assert.Equal(200, (int)(await GetAsync(api, "/control/v1/workspaces")).StatusCode);
        await ErrorAsync(await PostAsync(api, "/control/v1/workspaces", new { name = "x y z" }), 403, "forbidden");

        var list = await browser.GetAsync("/Account/Manage/AccessTokens");
        Assert.Null(list.TestId("new-token"));
        Assert.DoesNotContain(secret, list.Text, StringComparison.Ordinal);
        var row = list.Document.QuerySelector("[data-testid^='token-tok_']")!;
        Assert.Contains("deploy script", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("read", row.TextContent, StringComparison.Ordinal);
        var tokenId = row.GetAttribute("data-testid")!["token-".Length..];

        var revoked = await browser.SubmitAsync(list, $"revoke-{tokenId}", new Dictionary<string, string>());
        Assert.Contains("revoked", revoked.TestId("status-message"), StringComparison.Ordinal);
        await ErrorAsync(await GetAsync(api, "/control/v1/workspaces"), 401, "unauthorized");

        await using var db = App.CreateDbContext();
        var actions = await db.Set<AuditEvent>().Where(e => e.TargetId == tokenId).Select(e => e.Action).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["token.created", "token.revoked"], actions.Order());
        Assert.NotNull(email);
    }
}
