using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Portal.Core.DataProtection;

/// <summary>
/// Encrypts a key ring element with AES-256-GCM under the current key-encryption key. The output names the key's id
/// (also bound into the tag as associated data), so that after a rotation the previous key decrypts it.
/// </summary>
public sealed class AesGcmXmlEncryptor(KeyEncryptionKeys keys) : IXmlEncryptor
{
    internal static readonly XNamespace Namespace = "urn:authsome:data-protection:aes-gcm:v1";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using (var aes = new AesGcm(keys.Current, tag.Length))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData(keys.CurrentId));
        }

        CryptographicOperations.ZeroMemory(plaintext);
        var element = new XElement(Namespace + "encryptedKey",
            new XAttribute("keyEncryptionKeyId", keys.CurrentId),
            new XElement(Namespace + "nonce", Convert.ToBase64String(nonce)),
            new XElement(Namespace + "ciphertext", Convert.ToBase64String(ciphertext)),
            new XElement(Namespace + "tag", Convert.ToBase64String(tag)));
        return new EncryptedXmlInfo(element, typeof(AesGcmXmlDecryptor));
    }

    internal static byte[] AssociatedData(string keyId) => Encoding.UTF8.GetBytes($"authsome-portal-key-ring:{keyId}");
}
