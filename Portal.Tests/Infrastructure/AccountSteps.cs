using OtpNet;

namespace Portal.Tests.Infrastructure;

/// <summary>The account steps many tests start from, through the real pages and the real email.</summary>
public static class AccountSteps
{
    public const string StrongPassword = "quiet harbor lantern 42 mosaic";

    public static string NewEmail(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}@example.com";

    public static Task<PortalClient.Page> RegisterAsync(PortalClient client, string email, string password = StrongPassword) =>
        client.SubmitAsync("/Account/Register", "register", new Dictionary<string, string>
        {
            ["Input.DisplayName"] = "Test User",
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        });

    public static async Task<string> ConfirmationLinkAsync(PortalApp app, string email)
    {
        var message = await app.Smtp.WaitForAsync(email, "Confirm your email");
        return TestSmtpServer.LinkIn(message, "/Account/ConfirmEmail");
    }

    /// <summary>Registers and confirms a new account through the pages and the emailed link.</summary>
    public static async Task<string> RegisterConfirmedAsync(PortalApp app, PortalClient client, string? email = null, string password = StrongPassword)
    {
        email ??= NewEmail();
        await RegisterAsync(client, email, password);
        var confirmed = await client.GetAsync(await ConfirmationLinkAsync(app, email));
        Assert.Contains("your email is confirmed", confirmed.Text, StringComparison.OrdinalIgnoreCase);
        return email;
    }

    /// <summary>Signs the client in to a new, confirmed account and returns its email.</summary>
    public static async Task<string> RegisterAndSignInAsync(PortalApp app, PortalClient client)
    {
        var email = await RegisterConfirmedAsync(app, client);
        await SignInAsync(client, email);
        return email;
    }

    public static Task<PortalClient.Page> SignInAsync(PortalClient client, string email, string password = StrongPassword, string returnUrl = "") =>
        client.SubmitAsync("/Account/Login" + (returnUrl.Length > 0 ? $"?returnUrl={Uri.EscapeDataString(returnUrl)}" : ""), "login",
            new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });

    /// <summary>Whether the client's session is signed in: the account page answers instead of sending it to sign in.</summary>
    public static async Task<bool> IsSignedInAsync(PortalClient client)
    {
        var page = await client.GetAsync("/Account/Manage");
        return !page.Url.AbsolutePath.StartsWith("/Account/Login", StringComparison.OrdinalIgnoreCase);
    }

    public static string TotpCode(string sharedKey, DateTimeOffset at) =>
        new Totp(Base32Encoding.ToBytes(sharedKey.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant())).ComputeTotp(at.UtcDateTime);
}
