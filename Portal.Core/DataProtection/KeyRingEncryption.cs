using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.DataProtection;

/// <summary>
/// Encrypts the Data Protection key ring (kept in PostgreSQL, next to the data it protects) with a certificate
/// (<c>DataProtection:CertificatePath</c>) or a key from a Kubernetes Secret (<c>DataProtection:KeyEncryptionKey</c>),
/// so that a copy of the database alone does not reveal TOTP keys, recovery codes or tenant credentials.
/// </summary>
public static class KeyRingEncryption
{
    public const string CertificatePathSetting = "DataProtection:CertificatePath";
    public const string CertificatePasswordSetting = "DataProtection:CertificatePassword";

    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration[CertificatePathSetting]) || !string.IsNullOrEmpty(configuration[KeyEncryptionKeys.CurrentSetting]);

    /// <summary>Applies the configured key-encryption setting; none configured leaves the key ring unencrypted (Development).</summary>
    public static IDataProtectionBuilder ProtectKeyRingFromConfiguration(this IDataProtectionBuilder builder, IConfiguration configuration)
    {
        var certificatePath = configuration[CertificatePathSetting];
        var keys = KeyEncryptionKeys.Read(configuration);
        if (!string.IsNullOrEmpty(certificatePath) && keys is not null)
        {
            throw new InvalidOperationException($"Set one of '{CertificatePathSetting}' and '{KeyEncryptionKeys.CurrentSetting}', not both.");
        }

        if (keys is not null)
        {
            builder.Services.AddSingleton(keys);
            builder.Services.Configure<KeyManagementOptions>(options => options.XmlEncryptor = new AesGcmXmlEncryptor(keys));
        }
        else if (!string.IsNullOrEmpty(certificatePath))
        {
            if (!File.Exists(certificatePath))
            {
                throw new InvalidOperationException($"Setting '{CertificatePathSetting}' names '{certificatePath}', which does not exist.");
            }

            builder.ProtectKeysWithCertificate(X509CertificateLoader.LoadPkcs12FromFile(certificatePath, configuration[CertificatePasswordSetting]));
        }

        return builder;
    }
}
