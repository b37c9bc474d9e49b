using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Hosting;

/// <summary>
/// The Data Protection key ring in PostgreSQL is encrypted with the key-encryption key from the Kubernetes Secret;
/// a restarted portal reads it, and after a rotation the previous key still opens the keys it encrypted.
/// </summary>
public sealed class KeyRingEncryptionTests(TestServers servers) : PortalTest(servers)
{
    private const string NewKeyEncryptionKey = "cm90YXRlZC1rZXktZW5jcnlwdGlvbi1rZXktMzJieXQ=";

    private static string Protect(PortalApp app, string secret) =>
        app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("key-ring-test").Protect(secret);

    private static string Unprotect(PortalApp app, string protectedSecret) =>
        app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("key-ring-test").Unprotect(protectedSecret);

    private async Task<List<string>> StoredKeysAsync()
    {
        await using var db = App.CreateDbContext();
        return await db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task StoredKeyRing_HoldsNoPlainMasterKey_AndARestartedPortalReadsIt()
    {
        var protectedSecret = Protect(App, "the secret");

        var stored = await StoredKeysAsync();
        Assert.NotEmpty(stored);
        Assert.All(stored, xml =>
        {
            Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
            Assert.Contains("<encryptedSecret", xml, StringComparison.Ordinal);
        });

        await using var restarted = PortalApp.SharingDatabaseWith(App);
        Assert.Equal("the secret", Unprotect(restarted, protectedSecret));
    }

    [Fact]
    public async Task AfterRotation_ThePreviousKeyStillOpensOldKeys_AndNewKeysUseTheNewOne()
    {
        var protectedSecret = Protect(App, "the secret");

        await using var rotated = PortalApp.SharingDatabaseWith(App, new Dictionary<string, string?>
        {
            ["DataProtection:KeyEncryptionKey"] = NewKeyEncryptionKey,
            ["DataProtection:PreviousKeyEncryptionKeys:0"] = PortalApp.TestKeyEncryptionKey,
        });
        Assert.Equal("the secret", Unprotect(rotated, protectedSecret));

        // Without the previous key, the old data key cannot be decrypted.
        await using var forgotten = PortalApp.SharingDatabaseWith(App, new Dictionary<string, string?> { ["DataProtection:KeyEncryptionKey"] = NewKeyEncryptionKey });
        Assert.ThrowsAny<CryptographicException>(() => Unprotect(forgotten, protectedSecret));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")]
    public async Task InvalidKeyEncryptionKey_StopsStartUp_NamingTheSetting(string value)
    {
        await using var app = PortalApp.SharingDatabaseWith(App, new Dictionary<string, string?> { ["DataProtection:KeyEncryptionKey"] = value });

        var error = Record.Exception(() => app.Services);

        Assert.NotNull(error);
        Assert.Contains("DataProtection:KeyEncryptionKey", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(value, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoKeyEncryption_OutsideDevelopment_StopsStartUp_NamingTheSettings()
    {
        await using var app = PortalApp.SharingDatabaseWith(App, new Dictionary<string, string?> { ["DataProtection:KeyEncryptionKey"] = null });

        var error = Record.Exception(() => app.Services);

        Assert.NotNull(error);
        Assert.Contains("DataProtection:KeyEncryptionKey", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("DataProtection:CertificatePath", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoPublicUrl_OutsideDevelopment_StopsStartUp_NamingTheSetting()
    {
        await using var app = PortalApp.SharingDatabaseWith(App, new Dictionary<string, string?> { ["Portal:PublicUrl"] = null });

        var error = Record.Exception(() => app.Services);

        Assert.NotNull(error);
        Assert.Contains("Portal:PublicUrl", error.ToString(), StringComparison.Ordinal);
    }
}
